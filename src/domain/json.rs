//! Writes JSON by hand. The recorder ships on every page of a customer's site,
//! so it cannot afford serde_json or `core::fmt`; this writer covers exactly what
//! the recorder sends: objects, arrays, strings and unsigned integers.

use alloc::string::String;

/// Appends `value` as a JSON string literal, escaping what JSON requires.
pub fn push_string(out: &mut String, value: &str) {
    out.push('"');
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(hex_digit((c as u32 >> 4) as u8));
                out.push(hex_digit((c as u32 & 0xf) as u8));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends an unsigned integer in decimal without going through `core::fmt`.
/// Divides by constants only, so no division-by-zero check (and its panic
/// message) is compiled in.
pub fn push_u64(out: &mut String, value: u64) {
    if value >= 10 {
        push_u64(out, value / 10);
    }
    out.push(char::from(b'0' + (value % 10) as u8));
}

/// Lower-case hexadecimal digit for a nibble (0..=15).
pub fn hex_digit(nibble: u8) -> char {
    let nibble = nibble & 0xf;
    if nibble < 10 {
        (b'0' + nibble) as char
    } else {
        (b'a' + nibble - 10) as char
    }
}

/// Builds one JSON object field by field; `finish` closes it.
pub struct ObjectWriter<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    /// Opens an object at the end of `out`.
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        ObjectWriter { out, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        push_string(self.out, key);
        self.out.push(':');
    }

    /// A string field.
    pub fn string(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        push_string(self.out, value);
        self
    }

    /// A string field, left out when empty (keeps batches small).
    pub fn string_if_present(&mut self, key: &str, value: &str) -> &mut Self {
        if !value.is_empty() {
            self.string(key, value);
        }
        self
    }

    /// An unsigned integer field.
    pub fn uint(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        push_u64(self.out, value);
        self
    }

    /// A field whose value is already-encoded JSON written by `write`.
    pub fn raw(&mut self, key: &str, write: impl FnOnce(&mut String)) -> &mut Self {
        self.key(key);
        write(self.out);
        self
    }

    /// Closes the object.
    pub fn finish(self) {
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_like_serde_json() {
        for sample in [
            "plain",
            "quote \" and \\ slash",
            "line\nbreak\ttab\r",
            "\u{1}\u{1f}",
            "émoji 🎉 ✓",
            "",
        ] {
            let mut out = String::new();
            push_string(&mut out, sample);
            let decoded: String = serde_json::from_str(&out).unwrap();
            assert_eq!(decoded, sample);
        }
    }

    #[test]
    fn integers_match_decimal_notation() {
        for n in [0u64, 7, 10, 99, 1_700_000_000_123, u64::MAX] {
            let mut out = String::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn objects_are_valid_json() {
        let mut out = String::new();
        let mut object = ObjectWriter::new(&mut out);
        object
            .string("a", "x")
            .string_if_present("skipped", "")
            .uint("n", 3)
            .raw("list", |o| o.push_str("[1,2]"));
        object.finish();
        assert_eq!(out, r#"{"a":"x","n":3,"list":[1,2]}"#);
        let _: serde_json::Value = serde_json::from_str(&out).unwrap();
    }
}
