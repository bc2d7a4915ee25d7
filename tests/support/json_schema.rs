//! One JSON Schema checker for the tests that hold Rust types against the
//! schemas the project publishes: `openapi.json`'s components
//! (`tests/wire_schemas.rs`) and the npm package's `pkg/schema/` files
//! (`tests/browser_schemas.rs`).
//!
//! It covers the keywords those documents use: `$ref` (any local JSON
//! pointer), `type`, `enum`, `const`, `properties`, `required`,
//! `additionalProperties` (false or a schema), `items`, `uniqueItems`,
//! `oneOf`, `anyOf`, `minimum`, `maximum`, `minLength`, `maxLength`,
//! `minItems`, `maxItems`, `maxProperties` — not `pattern` (the edge and
//! browser tests check real answers with full validators).

use serde_json::{Map, Value};

/// Where `value` breaks `node`, a schema inside `root` (which `$ref`s point
/// into). With `whole`, an object must also hold every property its schema
/// lists, required or not.
pub fn problems(root: &Value, node: &Value, value: &Value, whole: bool, at: &str) -> Vec<String> {
    if let Some(reference) = node["$ref"].as_str() {
        return match reference.strip_prefix('#').and_then(|p| root.pointer(p)) {
            Some(target) => problems(root, target, value, whole, at),
            None => vec![format!("{at}: no schema at {reference}")],
        };
    }
    let mut found = Vec::new();
    for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        if let Some(branches) = node[keyword].as_array() {
            let fitting = branches
                .iter()
                .filter(|branch| problems(root, branch, value, false, at).is_empty())
                .count();
            if fitting == 0 || (exactly_one && fitting > 1) {
                found.push(format!(
                    "{at}: {fitting} of the {keyword} branches fit {value}"
                ));
            }
        }
    }
    if let Some(allowed) = node["enum"].as_array() {
        if !allowed.contains(value) {
            found.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let Some(constant) = node.get("const") {
        if constant != value {
            found.push(format!("{at}: {value} is not {constant}"));
        }
    }
    let types: Vec<&str> = match &node["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| is_type(value, t)) {
        found.push(format!("{at}: {value} is not of type {types:?}"));
        return found;
    }
    if let Some(number) = value.as_f64() {
        if node["minimum"].as_f64().is_some_and(|min| number < min) {
            found.push(format!("{at}: {number} is below the minimum"));
        }
        if node["maximum"].as_f64().is_some_and(|max| number > max) {
            found.push(format!("{at}: {number} is above the maximum"));
        }
    }
    if let Some(text) = value.as_str() {
        let length = text.chars().count() as u64;
        if node["minLength"].as_u64().is_some_and(|min| length < min)
            || node["maxLength"].as_u64().is_some_and(|max| length > max)
        {
            found.push(format!("{at}: {text:?} has a length out of bounds"));
        }
    }
    if let Some(array) = value.as_array() {
        let length = array.len() as u64;
        if node["minItems"].as_u64().is_some_and(|min| length < min)
            || node["maxItems"].as_u64().is_some_and(|max| length > max)
        {
            found.push(format!("{at}: {length} items is out of bounds"));
        }
        if node["uniqueItems"] == Value::Bool(true)
            && array
                .iter()
                .enumerate()
                .any(|(i, a)| array[..i].contains(a))
        {
            found.push(format!("{at}: items repeat"));
        }
        if let Some(items) = node.get("items") {
            for (i, item) in array.iter().enumerate() {
                found.extend(problems(root, items, item, whole, &format!("{at}[{i}]")));
            }
        }
    }
    if let Some(object) = value.as_object() {
        found.extend(object_problems(root, node, object, whole, at));
    }
    found
}

fn object_problems(
    root: &Value,
    node: &Value,
    object: &Map<String, Value>,
    whole: bool,
    at: &str,
) -> Vec<String> {
    let mut found = Vec::new();
    let properties = node["properties"].as_object();
    for name in node["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if !object.contains_key(name) {
            found.push(format!("{at}: the required {name} is missing"));
        }
    }
    if node["maxProperties"]
        .as_u64()
        .is_some_and(|max| object.len() as u64 > max)
    {
        found.push(format!("{at}: too many properties"));
    }
    for (name, field) in object {
        let path = format!("{at}.{name}");
        match properties.and_then(|p| p.get(name)) {
            Some(property) => found.extend(problems(root, property, field, whole, &path)),
            None => match node.get("additionalProperties") {
                Some(Value::Bool(false)) => found.push(format!("{path} is not in the schema")),
                Some(extra @ Value::Object(_)) => {
                    found.extend(problems(root, extra, field, whole, &path))
                }
                _ => {}
            },
        }
    }
    if whole {
        for name in properties.into_iter().flat_map(|p| p.keys()) {
            if !object.contains_key(name) {
                found.push(format!("{at}: the type has no {name}"));
            }
        }
    }
    found
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}
