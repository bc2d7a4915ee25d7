//! JSON request bodies read exactly as openapi.json describes them.
//!
//! serde's derived `Deserialize` also takes a struct written as an array of
//! its fields in order (`[null, null]` is a site update with two fields left
//! out). No client means that, and the API description forbids it, so bodies
//! are parsed into a `serde_json::Value` and read through `Strict`, which
//! refuses an array where an object is expected and otherwise behaves like
//! serde_json.

use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `text`: `Err(Ok(message))` when it is not JSON at all (malformed,
/// or an object that names a key twice), `Err(Err(message))` when it is JSON
/// of the wrong shape.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Result<String, String>> {
    let value = value_from_str(text).map_err(|e| Ok(syntax_message(&e)))?;
    T::deserialize(Strict(value)).map_err(|e| Err(e.to_string()))
}

/// What is wrong with text that is not JSON: serde_json's words, except
/// for an escaped half of a UTF-16 surrogate pair without its other half
/// (`"\uD800"`), which it calls an "unexpected end of hex escape" or a "lone
/// leading surrogate" even when the half is a trailing one.
pub fn syntax_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if message.starts_with("unexpected end of hex escape")
        || message.starts_with("lone leading surrogate")
    {
        return format!(
            "a \\u escape from D800 to DFFF is half of a UTF-16 surrogate pair and needs its other half (\\uD83D\\uDE00), at line {} column {}",
            error.line(),
            error.column()
        );
    }
    message
}

/// Parses `text` as a JSON value, refusing an object that names a key twice.
fn value_from_str(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text).map(|Unique(value)| value)
}

/// A JSON value whose objects name each key once. serde_json keeps the last
/// of repeated keys (`{"site":"shop","site":"demo"}` is `demo`), where a
/// proxy or a log reading the first would see another request than the one
/// served: such a body is refused as malformed.
struct Unique(Value);

impl<'de> de::Deserialize<'de> for Unique {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(i.into()))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(u.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Unique(value) = map.next_value()?;
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Reads a parsed value with the same rule (for values taken from a body).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    T::deserialize(Strict(value))
}

/// A JSON value whose structs must be objects.
struct Strict(Value);

/// JSON Schema's "integer" is any number without a fractional part, `1.0`
/// included: such a number is read as the integer it is, so an integer
/// field takes it (a float field takes integers anyway).
fn number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, serde_json::Error> {
    if let Some(u) = n.as_u64() {
        return visitor.visit_u64(u);
    }
    if let Some(i) = n.as_i64() {
        return visitor.visit_i64(i);
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    // Only below 2^53 is a float exactly the integer it was written as: a
    // literal such as -9223372036854775809 arrives as a float rounded to an
    // i64 bound, and must stay out of range.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if f.fract() == 0.0 && (0.0..EXACT).contains(&f) {
        visitor.visit_u64(f as u64)
    } else if f.fract() == 0.0 && (-EXACT..0.0).contains(&f) {
        visitor.visit_i64(f as i64)
    } else {
        visitor.visit_f64(f)
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

impl<'de> de::Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => number(&n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            Value::Object(map) => visitor.visit_map(Fields::new(map)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Strict(value)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Fields::new(map)),
            other => Err(de::Error::invalid_type(unexpected(&other), &"an object")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // Unit variants as strings; anything else as serde_json reads it.
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            other => other.deserialize_enum(name, variants, visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = serde_json::Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|value| seed.deserialize(Strict(value)))
            .transpose()
    }
}

struct Fields {
    entries: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl Fields {
    fn new(map: Map<String, Value>) -> Self {
        Fields {
            entries: map.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Fields {
    type Error = serde_json::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(Strict(Value::String(key))).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        seed.deserialize(Strict(self.value.take().unwrap_or(Value::Null)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        id: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        count: Option<u32>,
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[test]
    fn half_a_surrogate_pair_is_named_as_such() {
        for (text, column) in [
            (r#"{"name":"\uD800"}"#, 16),
            (r#"{"name":"\uDC00"}"#, 15),
            (r#"{"name":"\ud83d\u0041"}"#, 21),
        ] {
            let Err(Ok(message)) = from_str::<Outer>(text) else {
                panic!("{text} should be malformed");
            };
            assert!(
                message.starts_with(
                    "a \\u escape from D800 to DFFF is half of a UTF-16 surrogate pair"
                ),
                "{message}"
            );
            assert!(
                message.ends_with(&format!("line 1 column {column}")),
                "{message}"
            );
        }
        // A whole pair is a character; other broken escapes keep serde_json's words.
        let pair: Outer = from_str(r#"{"name":"\ud83d\ude00"}"#).unwrap();
        assert_eq!(pair.name.as_deref(), Some("\u{1F600}"));
        let Err(Ok(message)) = from_str::<Outer>(r#"{"name":"\uZZZZ"}"#) else {
            panic!("should be malformed");
        };
        assert!(message.starts_with("invalid escape"), "{message}");
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "channel", rename_all = "lowercase", deny_unknown_fields)]
    enum Reply {
        Here,
        Email { email: String },
    }

    #[test]
    fn objects_read_as_serde_json_reads_them() {
        let outer: Outer =
            from_str(r#"{"name":"a","count":3,"inner":{"id":"x"},"tags":["t"]}"#).unwrap();
        assert_eq!(
            outer,
            Outer {
                name: Some("a".into()),
                count: Some(3),
                inner: Some(Inner { id: "x".into() }),
                tags: vec!["t".into()]
            }
        );
        let nulls: Outer = from_str(r#"{"name":null,"inner":null}"#).unwrap();
        assert_eq!(nulls.name, None);
        assert_eq!(
            from_str::<Reply>(r#"{"channel":"email","email":"a@b.c"}"#),
            Ok(Reply::Email {
                email: "a@b.c".into()
            })
        );
        assert_eq!(from_str::<Reply>(r#"{"channel":"here"}"#), Ok(Reply::Here));
    }

    #[test]
    fn a_number_without_a_fraction_is_an_integer_as_json_schema_says() {
        let outer: Outer = from_str(r#"{"count":133032.0}"#).unwrap();
        assert_eq!(outer.count, Some(133032));
        let negative: i64 = from_str("-3.0").unwrap();
        assert_eq!(negative, -3);
        let float: f64 = from_str("2").unwrap();
        assert_eq!(float, 2.0);
        // Out of range stays out of range, though the float rounds to i64::MIN.
        assert!(from_str::<i64>("-9223372036854775809").is_err());
        assert!(from_str::<u64>("18446744073709551616").is_err());
    }

    #[test]
    fn a_struct_written_as_an_array_is_the_wrong_shape() {
        // serde_json alone takes these as structs with fields in order.
        assert!(serde_json::from_str::<Outer>("[null, null]").is_ok());
        assert!(matches!(from_str::<Outer>("[null, null]"), Err(Err(_))));
        assert!(matches!(
            from_str::<Outer>(r#"{"inner":["x"]}"#),
            Err(Err(message)) if message.contains("an object")
        ));
    }

    #[test]
    fn broken_json_is_malformed_and_wrong_types_or_fields_are_the_wrong_shape() {
        assert!(matches!(from_str::<Outer>("{"), Err(Ok(_))));
        assert!(matches!(from_str::<Outer>(r#"{"count":1.5}"#), Err(Err(_))));
        assert!(matches!(
            from_str::<Outer>(r#"{"count":1e20}"#),
            Err(Err(_))
        ));
        assert!(matches!(from_str::<Outer>(r#"{"count":-1}"#), Err(Err(_))));
        assert!(matches!(from_str::<Outer>(r#"{"extra":1}"#), Err(Err(_))));
        assert!(matches!(from_str::<Outer>("42"), Err(Err(_))));
    }

    /// serde_json keeps the last of repeated keys; a body that repeats one,
    /// at any depth, is malformed, and the message names the key.
    #[test]
    fn a_key_named_twice_is_malformed() {
        assert_eq!(
            serde_json::from_str::<Value>(r#"{"name":"a","name":"b"}"#).unwrap()["name"],
            "b"
        );
        for text in [
            r#"{"name":"a","name":"b"}"#,
            r#"{"name":"a","count":1,"name":null}"#,
            r#"{"inner":{"id":"x","id":"y"}}"#,
            r#"{"tags":[],"inner":{"id":"x"},"tags":["t"]}"#,
        ] {
            assert!(
                matches!(from_str::<Outer>(text), Err(Ok(ref message)) if message.contains("duplicate key")),
                "{text}: {:?}",
                from_str::<Outer>(text)
            );
        }
        let nested = from_str::<Vec<Value>>(r#"[{"a":1},{"a":2},{"b":[{"c":1,"c":2}]}]"#);
        assert!(
            matches!(nested, Err(Ok(ref message)) if message.contains("duplicate key `c`")),
            "{nested:?}"
        );
        // The same keys in different objects are fine; values keep their types.
        let value: Value =
            from_str(r#"[{"a":1},{"a":-2.5,"b":[true,null,"x",18446744073709551615]}]"#).unwrap();
        assert_eq!(
            value,
            serde_json::json!([{"a":1},{"a":-2.5,"b":[true,null,"x",18446744073709551615u64]}])
        );
    }
}
