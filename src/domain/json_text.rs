//! JSON text read into the console's types without serde_json.
//!
//! The console used to map `JSON.parse`'s objects to its types with
//! serde-wasm-bindgen: a reader derived per type, reading each field through
//! a call into JavaScript, about a tenth of the console's download. Here the
//! text is parsed once into a `Value` by code that is not generic, and each
//! struct is read from it by a field list (`from_json!`, one call per field);
//! enums of names go through serde, which `Value` implements for them.
//!
//! It reads what `JSON.parse` and serde-wasm-bindgen read: a repeated key
//! keeps its last value, numbers are `f64` (integers within 2^53 read as
//! integers), unknown keys are skipped, `null` is `None`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Expected, Visitor};

/// A parsed JSON value. Objects keep their keys in order (each once).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// `self[key]` when `self` is an object holding `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// How deep arrays and objects may nest (the API's answers nest four deep).
const MAX_DEPTH: u32 = 128;

/// Parses `text` as one JSON value; `None` when it is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    let mut parser = Parser { text, at: 0 };
    let value = parser.value(0)?;
    parser.space();
    (parser.at == text.len()).then_some(value)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips `byte` (after white space) if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let next = self.peek() == Some(byte);
        if next {
            self.at += 1;
        }
        next
    }

    fn value(&mut self, depth: u32) -> Option<Value> {
        self.space();
        let rest = self.text.get(self.at..)?;
        for (word, value) in [
            ("null", Value::Null),
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
        ] {
            if rest.starts_with(word) {
                self.at += word.len();
                return Some(value);
            }
        }
        match self.peek()? {
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            open @ (b'[' | b'{') if depth < MAX_DEPTH => {
                self.at += 1;
                let close = if open == b'[' { b']' } else { b'}' };
                let mut items = Vec::new();
                let mut entries: Vec<(String, Value)> = Vec::new();
                if !self.eat(close) {
                    loop {
                        if open == b'[' {
                            items.push(self.value(depth + 1)?);
                        } else {
                            self.space();
                            let key = self.string()?;
                            if !self.eat(b':') {
                                return None;
                            }
                            let value = self.value(depth + 1)?;
                            // As `JSON.parse`: the last of a repeated key wins.
                            match entries.iter_mut().find(|(k, _)| *k == key) {
                                Some(entry) => entry.1 = value,
                                None => entries.push((key, value)),
                            }
                        }
                        if self.eat(close) {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(if open == b'[' {
                    Value::Array(items)
                } else {
                    Value::Object(entries)
                })
            }
            _ => None,
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, rounded to the
    /// nearest `f64` as JavaScript does.
    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        let whole = self.digits();
        if whole == 0 || (leading_zero && whole > 1) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        self.text
            .get(start..self.at)?
            .parse()
            .ok()
            .map(Value::Number)
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    /// A string literal at `self.at` (its opening quote).
    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            // Quotes, backslashes and control characters are ASCII, so the
            // run before one ends on a character boundary.
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            out.push_str(self.text.get(start..self.at)?);
            let byte = self.peek()?;
            self.at += 1;
            match byte {
                b'"' => return Some(out),
                b'\\' => {
                    let escape = self.peek()?;
                    self.at += 1;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return None,
                    });
                }
                // A raw control character: not JSON.
                _ => return None,
            }
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a
    /// surrogate pair; a lone surrogate becomes U+FFFD, as it does when
    /// JavaScript hands such a string to Rust.
    fn escaped_char(&mut self) -> Option<char> {
        let unit = self.hex4()?;
        if (0xD800..0xDC00).contains(&unit) && self.text[self.at..].starts_with("\\u") {
            let back = self.at;
            self.at += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                return char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
            }
            self.at = back;
        }
        Some(char::from_u32(unit).unwrap_or('\u{FFFD}'))
    }
}

/// Why a value could not be read as the type asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

/// Not generic, so each reader below stays a few instructions long.
#[cold]
#[inline(never)]
fn invalid(value: &Value, expected: &dyn Expected) -> Error {
    let unexpected = match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => de::Unexpected::Float(*n),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    };
    de::Error::invalid_type(unexpected, expected)
}

/// JavaScript's `Number.isSafeInteger`.
fn safe_integer(value: &Value) -> Option<i64> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match value {
        Value::Number(n) if n.fract() == 0.0 && n.abs() <= MAX_SAFE => Some(*n as i64),
        _ => None,
    }
}

/// A type the console reads from a parsed answer. Structs list their fields
/// with `from_json!`, so each costs a call per field rather than a copy of
/// serde's derived reader; enums and the like go through serde (`via_serde!`).
pub trait FromJson: Sized {
    fn from_json(value: &Value) -> Result<Self, Error>;

    /// The value of a key left out: serde's rule, an error unless `Option`.
    fn absent(key: &'static str) -> Result<Self, Error> {
        Err(de::Error::missing_field(key))
    }
}

/// Reads a parsed answer into `T`.
pub fn read<T: FromJson>(value: &Value) -> Result<T, Error> {
    T::from_json(value)
}

/// An object's fields, read by key.
pub struct Fields<'a>(&'a [(String, Value)]);

impl<'a> Fields<'a> {
    pub fn of(value: &'a Value) -> Result<Self, Error> {
        match value {
            Value::Object(entries) => Ok(Fields(entries)),
            other => Err(invalid(other, &"an object")),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A field as serde reads it without `#[serde(default)]`.
    pub fn read<T: FromJson>(&self, key: &'static str) -> Result<T, Error> {
        match self.get(key) {
            Some(value) => T::from_json(value),
            None => T::absent(key),
        }
    }

    /// A field with `#[serde(default)]`.
    pub fn read_or_default<T: FromJson + Default>(&self, key: &'static str) -> Result<T, Error> {
        match self.get(key) {
            Some(value) => T::from_json(value),
            None => Ok(T::default()),
        }
    }

    /// `#[serde(deny_unknown_fields)]`: every key must be one of `known`.
    pub fn deny_unknown_fields(&self, known: &'static [&'static str]) -> Result<(), Error> {
        match self
            .0
            .iter()
            .find(|(key, _)| !known.contains(&key.as_str()))
        {
            Some((key, _)) => Err(de::Error::unknown_field(key, known)),
            None => Ok(()),
        }
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            Value::String(s) => Ok(s.clone()),
            other => Err(invalid(other, &"a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            Value::Bool(b) => Ok(*b),
            other => Err(invalid(other, &"a boolean")),
        }
    }
}

impl FromJson for f64 {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            Value::Number(n) => Ok(*n),
            other => Err(invalid(other, &"a number")),
        }
    }
}

impl FromJson for i64 {
    fn from_json(value: &Value) -> Result<Self, Error> {
        safe_integer(value).ok_or_else(|| invalid(value, &"an integer"))
    }
}

impl FromJson for u32 {
    fn from_json(value: &Value) -> Result<Self, Error> {
        let n = i64::from_json(value)?;
        u32::try_from(n).map_err(|_| de::Error::invalid_value(de::Unexpected::Signed(n), &"a u32"))
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(None),
            some => T::from_json(some).map(Some),
        }
    }

    fn absent(_key: &'static str) -> Result<Self, Error> {
        Ok(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, Error> {
        match value {
            // A loop, not `collect` into a `Result`: its adapters cost
            // several functions per item type.
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(T::from_json(item)?);
                }
                Ok(out)
            }
            other => Err(invalid(other, &"an array")),
        }
    }
}

/// An answer that is not read (any JSON, `null` included).
impl FromJson for de::IgnoredAny {
    fn from_json(_value: &Value) -> Result<Self, Error> {
        Ok(de::IgnoredAny)
    }
}

/// `FromJson` for structs, one field list each; the compiler checks that
/// every field is listed. Mirror the serde attributes of each field:
/// `#[default]` for `#[serde(default)]`, `field = "key"` for a rename, and
/// `#[deny_unknown_fields]` before the type. `tests/wire_schemas.rs`
/// checks that these read what serde reads.
macro_rules! from_json {
    ($($(#[$deny:ident])? $ty:ident { $($body:tt)* })*) => {$(
        $crate::domain::json_text::from_json!(@type [$($deny)?] $ty { $($body)* });
    )*};
    (@type [$($deny:ident)?] $ty:ident {
        $($(#[$how:ident])? $field:ident $(= $key:literal)?),* $(,)?
    }) => {
        impl $crate::domain::json_text::FromJson for $ty {
            fn from_json(
                value: &$crate::domain::json_text::Value,
            ) -> Result<Self, $crate::domain::json_text::Error> {
                let fields = $crate::domain::json_text::Fields::of(value)?;
                $crate::domain::json_text::from_json!(@deny [$($deny)?] fields [
                    $($crate::domain::json_text::from_json!(@key $field $(= $key)?)),*
                ]);
                Ok($ty {
                    $($field: $crate::domain::json_text::from_json!(
                        @read fields $($how)?,
                        $crate::domain::json_text::from_json!(@key $field $(= $key)?)
                    )?),*
                })
            }
        }
    };
    (@deny [] $fields:ident [$($key:expr),*]) => {};
    (@deny [deny_unknown_fields] $fields:ident [$($key:expr),*]) => {
        $fields.deny_unknown_fields(&[$($key),*])?;
    };
    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident = $key:literal) => { $key };
    (@read $fields:ident, $key:expr) => { $fields.read($key) };
    (@read $fields:ident default, $key:expr) => { $fields.read_or_default($key) };
}
pub(crate) use from_json;

/// `FromJson` through the type's serde `Deserialize` (enums of names).
macro_rules! via_serde {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::domain::json_text::FromJson for $ty {
            fn from_json(
                value: &$crate::domain::json_text::Value,
            ) -> Result<Self, $crate::domain::json_text::Error> {
                <$ty as serde::Deserialize>::deserialize(value)
            }
        }
    )*};
}
pub(crate) use via_serde;

/// The readers below take `&Value`: the tree is dropped once, by code that
/// is not generic, rather than piece by piece inside every type's reader.
struct Items<'a>(std::slice::Iter<'a, Value>);

impl<'de> de::SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'a> {
    entries: std::slice::Iter<'a, (String, Value)>,
    value: &'a Value,
}

impl<'a> Entries<'a> {
    fn new(entries: &'a [(String, Value)]) -> Self {
        Entries {
            entries: entries.iter(),
            value: &Value::Null,
        }
    }

    /// The next key; its value is kept for `next_value_seed`.
    fn next_key(&mut self) -> Option<&'a str> {
        let (key, value) = self.entries.next()?;
        self.value = value;
        Some(key)
    }
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.next_key() {
            Some(key) => seed
                .deserialize(de::value::StrDeserializer::new(key))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(self.value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

macro_rules! integers {
    ($($method:ident)*) => {$(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match safe_integer(self) {
                Some(n) => visitor.visit_i64(n),
                None => Err(invalid(self, &visitor)),
            }
        }
    )*};
}

macro_rules! unsigned {
    ($($method:ident)*) => {$(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match safe_integer(self) {
                Some(n) if n >= 0 => visitor.visit_u64(n as u64),
                _ => Err(invalid(self, &visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match safe_integer(self) {
                Some(i) => visitor.visit_i64(i),
                None => visitor.visit_f64(*n),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(map) => visitor.visit_map(Entries::new(map)),
        }
    }

    integers!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64);
    unsigned!(deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Number(n) => visitor.visit_f64(*n),
            other => Err(invalid(other, &visitor)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Bool(b) => visitor.visit_bool(*b),
            other => Err(invalid(other, &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::String(s) => visitor.visit_str(s),
            other => Err(invalid(other, &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Null => visitor.visit_none(),
            some => visitor.visit_some(some),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Null => visitor.visit_unit(),
            other => Err(invalid(other, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            other => Err(invalid(other, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Object(map) => visitor.visit_map(Entries::new(map)),
            other => Err(invalid(other, &visitor)),
        }
    }

    /// Only an object: serde's derived code would also take an array of the
    /// fields in order, which no answer is.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    /// A variant's name (every enum the API answers with has unit variants only).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Value::String(s) => visitor.visit_enum(de::value::StrDeserializer::new(s)),
            other => Err(invalid(other, &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn parses_what_json_parse_parses() {
        let value =
            parse(r#" {"a": [1, -2.5e3, true, null, "x\"\\\/\n\u00e9\ud83d\ude00"], "b": {}} "#);
        assert_eq!(
            value,
            Some(Value::Object(vec![
                (
                    "a".into(),
                    Value::Array(vec![
                        Value::Number(1.0),
                        Value::Number(-2500.0),
                        Value::Bool(true),
                        Value::Null,
                        Value::String("x\"\\/\né😀".into()),
                    ])
                ),
                ("b".into(), Value::Object(vec![])),
            ]))
        );
        // A repeated key keeps its first place and its last value.
        assert_eq!(
            parse(r#"{"a":1,"b":2,"a":3}"#),
            Some(Value::Object(vec![
                ("a".into(), Value::Number(3.0)),
                ("b".into(), Value::Number(2.0)),
            ]))
        );
        // A lone surrogate reaches Rust as U+FFFD.
        assert_eq!(
            parse(r#""\ud800x""#),
            Some(Value::String("\u{FFFD}x".into()))
        );
        assert_eq!(parse("0.1"), Some(Value::Number(0.1)));
        assert_eq!(parse("[]"), Some(Value::Array(vec![])));
    }

    #[test]
    fn refuses_what_json_parse_refuses() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "tru",
            "nul",
            "\"a",
            "\"\\x\"",
            "\"\u{1}\"",
            "{a:1}",
            "[1 2]",
            "1 2",
            "NaN",
            "Infinity",
            "\"\\u12\"",
            "'a'",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(parse(&deep), None);
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Color {
        Red,
        Green,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Row {
        id: String,
        count: u32,
        at: i64,
        share: f64,
        on: bool,
        color: Color,
        note: Option<String>,
        #[serde(default)]
        extra: Vec<i64>,
    }

    /// Through serde, as the console reads enums.
    fn deserialize<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
        T::deserialize(&parse(text).ok_or_else(|| Error("not JSON".into()))?)
    }

    #[test]
    fn reads_structs_as_serde_json_does() {
        let text = r#"{"id":"c1","count":3,"at":-1700000000000,"share":1,"on":true,
            "color":"green","note":null,"unknown":{"x":[1]}}"#;
        let expected = Row {
            id: "c1".into(),
            count: 3,
            at: -1_700_000_000_000,
            share: 1.0,
            on: true,
            color: Color::Green,
            note: None,
            extra: vec![],
        };
        assert_eq!(deserialize::<Row>(text), Ok(expected));
        assert_eq!(
            serde_json::from_str::<Row>(text).ok(),
            deserialize::<Row>(text).ok()
        );
        let row: Row = deserialize(r#"{"id":"","count":0,"at":0,"share":0.25,"on":false,"color":"red","note":"n","extra":[1,2]}"#)
            .unwrap();
        assert_eq!(
            (row.note.as_deref(), row.extra, row.color),
            (Some("n"), vec![1, 2], Color::Red)
        );
    }

    #[test]
    fn refuses_values_of_the_wrong_shape() {
        let base = r#""id":"c","at":0,"share":0,"on":true,"color":"red","note":null"#;
        for bad in [
            format!("{{{base},\"count\":-1}}"),
            format!("{{{base},\"count\":1.5}}"),
            format!("{{{base},\"count\":\"1\"}}"),
            format!("{{{base},\"count\":4294967296}}"),
            format!("{{{base}}}"),
            r#"["c",1,0,0,true,"red",null]"#.to_owned(),
        ] {
            assert!(deserialize::<Row>(&bad).is_err(), "{bad}");
        }
        assert!(deserialize::<Row>(
            r#"{"id":"c","count":1,"at":0,"share":0,"on":true,"color":"blue","note":null}"#
        )
        .is_err());
        assert!(deserialize::<i64>("9007199254740992").is_err());
        assert_eq!(
            deserialize::<i64>("9007199254740991"),
            Ok(9_007_199_254_740_991)
        );
        assert_eq!(deserialize::<i64>("1e3"), Ok(1000));
        // `IgnoredAny` takes any JSON, `null` included.
        assert!(deserialize::<de::IgnoredAny>("null").is_ok());
        let missing = deserialize::<Row>(
            r#"{"count":1,"at":0,"share":0,"on":true,"color":"red","note":null}"#,
        );
        assert_eq!(
            missing.map_err(|e| e.to_string()),
            Err("missing field `id`".to_owned())
        );
    }

    #[derive(Debug, PartialEq)]
    struct Listed {
        id: String,
        kind: String,
        count: u32,
        at: i64,
        share: f64,
        note: Option<String>,
        tags: Vec<String>,
        on: bool,
    }

    from_json! {
        #[deny_unknown_fields]
        Listed { id, kind = "type", count, at, share, note, #[default] tags, #[default] on }
    }

    fn listed(text: &str) -> Result<Listed, String> {
        read(&parse(text).ok_or("not JSON")?).map_err(|e| e.to_string())
    }

    #[test]
    fn field_lists_read_as_serde_reads() {
        assert_eq!(
            listed(
                r#"{"id":"a","type":"k","count":4294967295,"at":-9007199254740991,"share":2,"note":"n","tags":["x"],"on":true}"#
            ),
            Ok(Listed {
                id: "a".into(),
                kind: "k".into(),
                count: u32::MAX,
                at: -9_007_199_254_740_991,
                share: 2.0,
                note: Some("n".into()),
                tags: vec!["x".into()],
                on: true,
            })
        );
        // Left out: `Option` is `None`, `#[default]` its default.
        let short = listed(r#"{"id":"a","type":"k","count":0,"at":0,"share":0.5}"#);
        assert_eq!(
            short.map(|l| (l.note, l.tags, l.on)),
            Ok((None, vec![], false))
        );
        for (text, error) in [
            (
                r#"{"type":"k","count":0,"at":0,"share":0}"#,
                "missing field `id`",
            ),
            (
                r#"{"id":"a","kind":"k","type":"k","count":0,"at":0,"share":0}"#,
                "unknown field `kind`",
            ),
            (
                r#"{"id":"a","type":"k","count":-1,"at":0,"share":0}"#,
                "invalid value",
            ),
            (
                r#"{"id":"a","type":"k","count":4294967296,"at":0,"share":0}"#,
                "invalid value",
            ),
            (
                r#"{"id":"a","type":"k","count":1.5,"at":0,"share":0}"#,
                "invalid type",
            ),
            (
                r#"{"id":"a","type":"k","count":0,"at":9007199254740992,"share":0}"#,
                "invalid type",
            ),
            (
                r#"{"id":null,"type":"k","count":0,"at":0,"share":0}"#,
                "invalid type",
            ),
            (
                r#"{"id":"a","type":"k","count":0,"at":0,"share":"0"}"#,
                "invalid type",
            ),
            (
                r#"{"id":"a","type":"k","count":0,"at":0,"share":0,"tags":[1]}"#,
                "invalid type",
            ),
            (r#"["a","k",0,0,0]"#, "invalid type"),
        ] {
            let read = listed(text);
            assert!(
                read.as_ref().is_err_and(|e| e.starts_with(error)),
                "{text}: {read:?}"
            );
        }
    }
}
