//! Abuse and trust decisions at the edge: rate-limit windows, verification of
//! `identify(userId, hmac)` with the site's identity secret, and bearer-token
//! comparison in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The network a client's address is counted as by the per-IP limits: an
/// IPv6 address's /64, since a subscriber is handed at least that many and
/// may send from any of them; an IPv4 address (also one mapped into IPv6)
/// as it is. Anything else is counted as given.
pub fn limited_network(ip: &str) -> String {
    let ip = ip.trim();
    let Some(segments) = ipv6_segments(ip) else {
        return ip.to_owned();
    };
    if segments[..6] == [0, 0, 0, 0, 0, 0xffff] {
        // IPv4-mapped: the address after the last colon, as IPv4 is counted.
        return ip.rsplit(':').next().unwrap_or(ip).to_owned();
    }
    // Written by hand: core::net's parser and formatter cost the worker 2 KB.
    let mut network = String::new();
    for segment in &segments[..4] {
        for shift in [12, 8, 4, 0] {
            network.push(super::json::hex_digit((segment >> shift & 0xf) as u8));
        }
        network.push(':');
    }
    network.push_str(":/64");
    network
}

/// The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted
/// IPv4 tail read as two groups); `None` for anything else.
fn ipv6_segments(ip: &str) -> Option<[u16; 8]> {
    let groups = |part: &str| -> Option<Vec<u16>> {
        let mut out = Vec::new();
        for group in part.split(':').filter(|_| !part.is_empty()) {
            if group.contains('.') {
                let v4: Vec<u8> = group
                    .split('.')
                    .map(|b| b.parse().ok())
                    .collect::<Option<_>>()?;
                let [a, b, c, d] = v4[..] else { return None };
                out.extend([
                    u16::from(a) << 8 | u16::from(b),
                    u16::from(c) << 8 | u16::from(d),
                ]);
            } else if (1..=4).contains(&group.len()) {
                out.push(u16::from_str_radix(group, 16).ok()?);
            } else {
                return None;
            }
        }
        Some(out)
    };
    let (head, tail) = match ip.split_once("::") {
        Some((head, tail)) => (groups(head)?, Some(groups(tail)?)),
        None => (groups(ip)?, None),
    };
    let written = head.len() + tail.as_ref().map_or(0, Vec::len);
    let fits = match tail {
        Some(_) => written < 8,
        None => written == 8,
    };
    if !fits {
        return None;
    }
    let mut segments = [0u16; 8];
    segments[..head.len()].copy_from_slice(&head);
    if let Some(tail) = tail {
        segments[8 - tail.len()..].copy_from_slice(&tail);
    }
    Some(segments)
}

/// Most events one IP address may send per minute.
pub const EVENTS_PER_IP_PER_MINUTE: u32 = 1200;
/// Most events one (cookieless) visitor may send per minute.
pub const EVENTS_PER_VISITOR_PER_MINUTE: u32 = 600;

/// Most conversations one IP address may start per minute.
pub const CONVERSATIONS_PER_IP_PER_MINUTE: u32 = 10;
/// Most conversations one (cookieless) visitor may start per minute.
pub const CONVERSATIONS_PER_VISITOR_PER_MINUTE: u32 = 5;
/// Most messages (and polls are not messages) one IP may send per minute.
pub const MESSAGES_PER_IP_PER_MINUTE: u32 = 60;
/// Most visitor messages one conversation may receive per minute.
pub const MESSAGES_PER_CONVERSATION_PER_MINUTE: u32 = 20;
/// Failed staff, admin or intake sign-ins one IP may make per minute before
/// its further failures are answered 429.
pub const AUTH_FAILURES_PER_IP_PER_MINUTE: u32 = 10;
/// Failed sign-ins naming one token id (the staff account a `tps_<id>.…`
/// token names) per minute, from any address, before further failures are 429.
pub const AUTH_FAILURES_PER_TOKEN_ID_PER_MINUTE: u32 = 5;
/// Most live sockets (WebSocket upgrades) one IP may open per minute: a
/// tab reconnects with backoff, so only a storm or a scraper reaches it.
pub const LIVE_CONNECTS_PER_IP_PER_MINUTE: u32 = 120;
/// Most intake messages one site may receive per minute.
pub const INTAKE_PER_SITE_PER_MINUTE: u32 = 300;

/// The rate-limit window (a Unix minute) of a time in milliseconds.
pub fn minute_window(now_ms: i64) -> i64 {
    now_ms.div_euclid(60_000)
}

/// Seconds until the window of `now_ms` ends: the `Retry-After` to send.
pub fn retry_after_seconds(now_ms: i64) -> u32 {
    let into_window = now_ms.rem_euclid(60_000);
    u32::try_from((60_000 - into_window + 999) / 1000).unwrap_or(60)
}

/// What a sign-in attempt gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// The token is right: always let in, however many failures came before
    /// from its address or for its id (an office behind one NAT, a colleague
    /// who mistyped, or an attacker next door never lock out the right token).
    Accepted,
    /// A wrong token within the budgets: 401.
    Refused,
    /// A wrong token past the per-IP or per-token-id budget this minute: 429
    /// with `Retry-After`, so scripts that keep trying are slowed.
    Throttled,
}

/// Judges one sign-in. `ip_failures` and `token_failures` are this minute's
/// failed attempts from the address and naming the token id, counting this
/// one when it failed. Tokens are 128-bit random secrets (the operator
/// secret at least 16 characters), so the throttle exists to bound the cost
/// and noise of wrong attempts, not to make guessing feasible or not: that
/// is why it can afford never to refuse a right token.
pub fn judge_sign_in(valid: bool, ip_failures: u32, token_failures: u32) -> SignIn {
    if valid {
        SignIn::Accepted
    } else if ip_failures > AUTH_FAILURES_PER_IP_PER_MINUTE
        || token_failures > AUTH_FAILURES_PER_TOKEN_ID_PER_MINUTE
    {
        SignIn::Throttled
    } else {
        SignIn::Refused
    }
}

/// Compares secrets without leaking, through timing, where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The HMAC-SHA256 of `user_id` under the site's identity secret, as hex: what
/// the site's server computes and passes to `identify(userId, hmac)`.
pub fn identity_hmac(secret: &str, user_id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(user_id.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `hmac_hex` proves the site vouched for `user_id`. An empty secret
/// (identity not set up) or user id verifies nothing.
pub fn identity_verified(secret: &str, user_id: &str, hmac_hex: &str) -> bool {
    !secret.is_empty()
        && !user_id.is_empty()
        && constant_time_eq(
            identity_hmac(secret, user_id).as_bytes(),
            hmac_hex.to_ascii_lowercase().as_bytes(),
        )
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_ipv6_client_is_counted_by_its_64_and_ipv4_as_it_is() {
        let one = limited_network("2001:db8:aa:bb:1:2:3:4");
        for same in [
            "2001:db8:aa:bb::ffff",
            "2001:0DB8:00aa:00bb:dead:beef:0:1",
            " 2001:db8:aa:bb:: ",
        ] {
            assert_eq!(limited_network(same), one, "{same}");
        }
        assert_eq!(one, "2001:0db8:00aa:00bb::/64");
        assert_ne!(limited_network("2001:db8:aa:bc::1"), one);
        assert_eq!(limited_network("203.0.113.7"), "203.0.113.7");
        assert_ne!(
            limited_network("203.0.113.8"),
            limited_network("203.0.113.7")
        );
        assert_eq!(limited_network("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(limited_network(""), "");
        assert_eq!(limited_network("not an address"), "not an address");
        assert_eq!(
            limited_network("0:0:0:0:0:ffff:198.51.100.9"),
            "198.51.100.9"
        );
        assert_eq!(limited_network("::1"), "0000:0000:0000:0000::/64");
        assert_eq!(
            limited_network("fe80::1:2:3:4:5"),
            "fe80:0000:0000:0001::/64"
        );
        // Not addresses: counted as given.
        for odd in [
            "1:2:3",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "::ffff:1.2.3",
            "g::1",
        ] {
            assert_eq!(limited_network(odd), odd, "{odd}");
        }
    }

    use super::*;

    #[test]
    fn windows_and_retry_after() {
        assert_eq!(minute_window(59_999), 0);
        assert_eq!(minute_window(60_000), 1);
        assert_eq!(retry_after_seconds(60_000), 60);
        assert_eq!(retry_after_seconds(119_500), 1);
    }

    #[test]
    fn identity_hmac_matches_the_rfc_4231_vector_and_verifies() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            identity_hmac("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let proof = identity_hmac("site-secret", "user-42");
        assert!(identity_verified("site-secret", "user-42", &proof));
        assert!(identity_verified(
            "site-secret",
            "user-42",
            &proof.to_uppercase()
        ));
        assert!(!identity_verified("site-secret", "user-43", &proof));
        assert!(!identity_verified("", "user-42", &proof));
        assert!(!identity_verified("site-secret", "user-42", "00"));
    }

    #[test]
    fn a_right_token_is_never_throttled_and_wrong_ones_are_past_either_budget() {
        // However many failures came from the address or named the id.
        for failures in [0, 10, 11, 1_000, u32::MAX] {
            assert_eq!(judge_sign_in(true, failures, failures), SignIn::Accepted);
        }
        assert_eq!(judge_sign_in(false, 1, 1), SignIn::Refused);
        assert_eq!(
            judge_sign_in(false, AUTH_FAILURES_PER_IP_PER_MINUTE, 1),
            SignIn::Refused
        );
        assert_eq!(
            judge_sign_in(false, AUTH_FAILURES_PER_IP_PER_MINUTE + 1, 1),
            SignIn::Throttled
        );
        assert_eq!(
            judge_sign_in(false, 1, AUTH_FAILURES_PER_TOKEN_ID_PER_MINUTE),
            SignIn::Refused
        );
        assert_eq!(
            judge_sign_in(false, 1, AUTH_FAILURES_PER_TOKEN_ID_PER_MINUTE + 1),
            SignIn::Throttled
        );
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
