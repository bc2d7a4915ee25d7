//! Identifiers. Randomness is passed in by the caller (the browser's
//! `crypto.getRandomValues`, the worker's Web Crypto), so these stay pure.

use alloc::string::String;

/// An event id: 128 random bits as 32 lower-case hex characters. Ingestion is
/// idempotent on it, so a retried batch stores each event once.
pub fn event_id(random: [u8; 16]) -> String {
    let mut id = String::with_capacity(32);
    for byte in random {
        id.push(super::json::hex_digit(byte >> 4));
        id.push(super::json::hex_digit(byte));
    }
    id
}

/// Whether `id` is acceptable as a client-chosen event id: 16 to 64 characters
/// from the URL-safe alphabet. Anything else is rejected before storage.
pub fn is_valid_client_id(id: &str) -> bool {
    (16..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_hex_and_distinct_for_distinct_bytes() {
        let a = event_id([0; 16]);
        let b = event_id([0xab; 16]);
        assert_eq!(a, "00000000000000000000000000000000");
        assert_eq!(b, "abababababababababababababababab");
        assert!(is_valid_client_id(&a));
    }

    #[test]
    fn client_ids_are_checked() {
        assert!(!is_valid_client_id("short"));
        assert!(!is_valid_client_id("has space in the middle of it"));
        assert!(!is_valid_client_id(&"x".repeat(65)));
        assert!(is_valid_client_id("0123456789abcdef"));
    }
}
