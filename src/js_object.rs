//! Plain JS objects read and built field by field. The widget reads the
//! worker's answers (already parsed by the browser's `JSON.parse`) and builds
//! its request bodies this way rather than with serde: serde's generic code and
//! its error formatting would be most of the panel's download.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

/// `value[key]`; `undefined` when `value` is not an object or lacks the key.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string field.
pub fn string(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// A number field that holds an integer JavaScript can represent exactly.
pub fn integer(value: &JsValue, key: &str) -> Option<i64> {
    let number = get(value, key).as_f64()?;
    // 2^53: beyond it a JS number is no longer an exact integer.
    let exact = number.fract() == 0.0 && number.abs() <= 9_007_199_254_740_992.0;
    exact.then_some(number as i64)
}

/// A boolean field.
pub fn boolean(value: &JsValue, key: &str) -> Option<bool> {
    get(value, key).as_bool()
}

/// The items of an array field (`None` when the field is not an array).
pub fn list(value: &JsValue, key: &str) -> Option<Vec<JsValue>> {
    let field = get(value, key);
    Array::is_array(&field).then(|| Array::from(&field).to_vec())
}

/// Every item read by `read`, or `None` when one cannot be. A loop rather
/// than `collect::<Option<Vec<_>>>()`, whose adaptors (`try_process`,
/// `GenericShunt`, `SpecFromIterNested`) cost about 0.5 KB raw for each list
/// the widget reads (its answers' lists together: about 550 B brotli).
pub fn each<T>(items: &[JsValue], read: impl Fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(read(item)?);
    }
    Some(out)
}

/// An array field of strings; items that are not strings make it `None`.
pub fn strings(value: &JsValue, key: &str) -> Option<Vec<String>> {
    each(&list(value, key)?, JsValue::as_string)
}

/// Builds an object one field at a time.
pub struct Object(js_sys::Object);

impl Default for Object {
    fn default() -> Self {
        Self::new()
    }
}

impl Object {
    pub fn new() -> Self {
        Object(js_sys::Object::new())
    }

    /// Sets `key` (numbers go in as `f64`: JSON has no other).
    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        // Setting a plain property on a fresh plain object cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    /// Sets `key` only when there is a value (JSON leaves the key out).
    pub fn set_some(self, key: &str, value: Option<impl Into<JsValue>>) -> Self {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    pub fn build(self) -> JsValue {
        self.0.into()
    }
}

/// An array of the given values.
pub fn array(items: impl IntoIterator<Item = JsValue>) -> JsValue {
    items.into_iter().collect::<Array>().into()
}
