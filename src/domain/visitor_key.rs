//! Who sent a batch, without storing anything on the visitor's device: a
//! cookieless key from a daily salt, the site, the IP address and the user
//! agent (origins: see `site`; bots: see `bots`).

use sha2::{Digest, Sha256};

/// The UTC civil date (year, month, day) of a Unix time in milliseconds.
pub fn utc_date(unix_ms: i64) -> (i64, i64, i64) {
    // Civil-from-days (H. Hinnant), exact for the proleptic Gregorian calendar.
    let days = unix_ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The UTC day (`YYYY-MM-DD`) of a Unix time in milliseconds; salts rotate on it.
pub fn utc_day(unix_ms: i64) -> String {
    let (year, month, day) = utc_date(unix_ms);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The cookieless visitor key: 128 bits of SHA-256 over the day's salt, the
/// site, the IP and the user agent, as hex. Stable for one day; after the salt
/// is deleted nobody can recompute it.
pub fn visitor_key(salt: &str, site: &str, ip: &str, user_agent: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [salt, site, ip, user_agent] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a request's headers say the visitor opted out of tracking: Global
/// Privacy Control (`Sec-GPC: 1`) or Do Not Track (`DNT: 1`), as a browser or
/// extension sends them whether or not the page's script can see the setting.
pub fn opted_out_by_headers(dnt: Option<&str>, sec_gpc: Option<&str>) -> bool {
    [dnt, sec_gpc]
        .iter()
        .any(|value| value.is_some_and(|v| v.trim() == "1"))
}

/// The key a conversation of a visitor who opted out is stored under: a
/// hash of the day's key, marked, so that it equals no touchpoint's key
/// (theirs are stored without one) and the day's key cannot be read back
/// from it (staff and exports see conversations' keys): no journey or page
/// is ever linked to it. A first message sent again from the same device
/// still finds its conversation, and limits still count per device.
pub fn unlinked(key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"unlinked\0");
    hasher.update(key.as_bytes());
    let mut unlinked = String::from("unlinked:");
    for byte in &hasher.finalize()[..16] {
        unlinked.push_str(&format!("{byte:02x}"));
    }
    unlinked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opting_out_by_headers() {
        for (dnt, gpc, out) in [
            (None, None, false),
            (Some("1"), None, true),
            (None, Some("1"), true),
            (Some(" 1 "), None, true),
            (Some("0"), Some("0"), false),
            (Some("null"), None, false),
            (Some(""), Some("yes"), false),
        ] {
            assert_eq!(opted_out_by_headers(dnt, gpc), out, "{dnt:?} {gpc:?}");
        }
        let key = visitor_key("salt", "demo", "203.0.113.7", "UA");
        assert_ne!(unlinked(&key), key);
        assert!(!unlinked(&key).chars().all(|c| c.is_ascii_hexdigit()));
        // Stable for a device and day, and the day's key is not in it.
        assert_eq!(unlinked(&key), unlinked(&key));
        assert!(!unlinked(&key).contains(&key));
        assert_eq!(unlinked(&key).len(), "unlinked:".len() + 32);
    }

    #[test]
    fn days_and_keys() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_763_800_000_000), "2025-11-22");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        let a = visitor_key("salt1", "demo", "203.0.113.7", "UA");
        assert_eq!(a.len(), 32);
        assert_eq!(a, visitor_key("salt1", "demo", "203.0.113.7", "UA"));
        assert_ne!(a, visitor_key("salt2", "demo", "203.0.113.7", "UA"));
        assert_ne!(a, visitor_key("salt1", "other", "203.0.113.7", "UA"));
        // Length-prefixing: shifting bytes between parts changes the key.
        assert_ne!(
            visitor_key("ab", "c", "", ""),
            visitor_key("a", "bc", "", "")
        );
    }
}
