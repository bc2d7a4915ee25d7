//! Byte-level string helpers for the recorder. Core's pattern searchers
//! (`str::find` with a `&str`, `split`) carry slicing panic paths and their
//! messages into the wasm that ships on every page; these do not.

/// Where `needle` first occurs in `haystack`, by bytes.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    (0..=haystack.len().checked_sub(needle.len())?).find(|&at| {
        haystack
            .get(at..at + needle.len())
            .is_some_and(|window| window == needle)
    })
}

/// The pieces of `text` between ASCII `separator`s, like `str::split`.
pub fn split(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = current.get(at + 1..);
                current.get(..at)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_and_split_match_the_standard_library() {
        for (haystack, needle) in [
            ("a://b", "://"),
            ("abc", ""),
            ("", "x"),
            ("%40%40", "%40"),
            ("ab", "abc"),
        ] {
            assert_eq!(
                find(haystack, needle),
                haystack.find(needle),
                "{haystack} {needle}"
            );
        }
        for text in ["", "/", "a/b", "/a//b/", "é/ü"] {
            let ours: Vec<&str> = split(text, b'/').collect();
            let std: Vec<&str> = text.split('/').collect();
            assert_eq!(ours, std, "{text}");
        }
    }
}
