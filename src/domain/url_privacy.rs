//! Keeps personal data out of recorded URLs. The recorder sends only paths
//! (never query strings or fragments) and masks path segments that look like
//! an email address, a long number (card, account, phone) or a secret token.
//! Byte-wise and allocation-light: it runs in the recorder on every page.

use alloc::string::String;

use super::text::{find, split};

/// What replaces a masked segment.
pub const MASK_EMAIL: &str = ":email";
pub const MASK_NUMBER: &str = ":number";
pub const MASK_TOKEN: &str = ":token";

fn mask_for(segment: &str) -> Option<&'static str> {
    let bytes = segment.as_bytes();
    if segment.bytes().any(|b| b == b'@') || find(segment, "%40").is_some() {
        return Some(MASK_EMAIL);
    }
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = bytes.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let numeric_shape = bytes
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b' ' | b'+' | b'.'));
    if numeric_shape && digits >= 9 {
        return Some(MASK_NUMBER);
    }
    // Tokens and keys: long runs mixing letters and digits (hex ids, JWTs,
    // reset links). Slugs like "winter-jackets-2024" have separators and few digits.
    let separators = bytes
        .iter()
        .filter(|b| matches!(b, b'-' | b'_' | b'.'))
        .count();
    if bytes.len() >= 20 && digits >= 4 && letters >= 4 && separators * 8 < bytes.len() {
        return Some(MASK_TOKEN);
    }
    None
}

/// The path with personal-looking segments masked.
pub fn mask_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (index, segment) in split(path, b'/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        out.push_str(mask_for(segment).unwrap_or(segment));
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// A referrer reduced to origin and masked path.
pub fn clean_referrer(referrer: &str) -> String {
    let end = referrer
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(referrer.len());
    let without_query = referrer.get(..end).unwrap_or_default();
    let path_start = find(without_query, "://").and_then(|scheme| {
        without_query
            .get(scheme + 3..)
            .and_then(|rest| rest.bytes().position(|b| b == b'/'))
            .map(|p| p + scheme + 3)
    });
    match path_start {
        Some(at) => {
            let mut out = String::with_capacity(without_query.len());
            out.push_str(without_query.get(..at).unwrap_or_default());
            out.push_str(&mask_path(without_query.get(at..).unwrap_or_default()));
            out
        }
        None => without_query.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_personal_segments_and_keeps_ordinary_ones() {
        assert_eq!(
            mask_path("/users/jane@example.com/orders"),
            "/users/:email/orders"
        );
        assert_eq!(mask_path("/u/jane%40example.com"), "/u/:email");
        assert_eq!(mask_path("/cards/4111111111111111"), "/cards/:number");
        assert_eq!(
            mask_path("/reset/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"),
            "/reset/:token"
        );
        assert_eq!(
            mask_path("/reset/eyJhbGciOiJIUzI1NiJ9x1y2z3"),
            "/reset/:token"
        );
        assert_eq!(mask_path("/orders/48213"), "/orders/48213");
        assert_eq!(
            mask_path("/blog/2024/11/winter-jackets-for-long-trips-2024"),
            "/blog/2024/11/winter-jackets-for-long-trips-2024"
        );
        assert_eq!(mask_path("/"), "/");
        assert_eq!(mask_path(""), "/");
    }

    #[test]
    fn referrers_lose_query_and_personal_segments() {
        assert_eq!(
            clean_referrer("https://www.google.com/search?q=my+email"),
            "https://www.google.com/search"
        );
        assert_eq!(
            clean_referrer("https://app.example/u/jane@example.com#x"),
            "https://app.example/u/:email"
        );
        assert_eq!(
            clean_referrer("https://shop.example"),
            "https://shop.example"
        );
        assert_eq!(clean_referrer(""), "");
    }
}
