//! Rate limits: per-minute counters in D1, one per key (an IP address, a
//! visitor key, a conversation, an intake key). Over any limit, the request
//! is answered 429 with `Retry-After`.

use super::db::{self, D1Database, D1PreparedStatement};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::guard;

/// Adds `amount` to each key's counter for the current minute; fails with 429
/// when a counter passes its limit. Keys with an empty name are skipped.
pub async fn charge(
    db: &D1Database,
    keys: &[(String, u32)],
    amount: u32,
    now_ms: i64,
) -> Result<(), ApiError> {
    let counted = add(db, keys, amount, now_ms).await?;
    if counted.iter().any(|(count, limit)| count > limit) {
        return Err(ApiError::RateLimited {
            retry_after_s: guard::retry_after_seconds(now_ms),
        });
    }
    Ok(())
}

/// Adds `amount` to each named key's counter for the current minute and
/// returns each new count with its limit (keys with an empty name are left
/// out); old windows are deleted in the same batch.
async fn add(
    db: &D1Database,
    keys: &[(String, u32)],
    amount: u32,
    now_ms: i64,
) -> Result<Vec<(u32, u32)>, ApiError> {
    let window = guard::minute_window(now_ms);
    let mut statements = Vec::new();
    let mut limits = Vec::new();
    for (key, limit) in keys.iter().filter(|(key, _)| !key.ends_with(':')) {
        statements.push(count_statement(db, key, window, amount));
        limits.push(*limit);
    }
    statements.push(expire_statement(db, window));
    let outcomes = db::batch_outcomes(db, statements).await?;
    Ok((0..)
        .zip(limits)
        .map(|(index, limit)| (outcomes.count(index), limit))
        .collect())
}

/// Adds `amount` to `key`'s counter for `window` and returns the new count
/// (read back with `db::Outcomes::count`).
pub fn count_statement(
    db: &D1Database,
    key: &str,
    window: i64,
    amount: u32,
) -> D1PreparedStatement {
    db.statement(
        "INSERT INTO rate_limits (key, window, count) VALUES (?1, ?2, ?3) \
         ON CONFLICT (key, window) DO UPDATE SET count = count + excluded.count RETURNING count",
        args![key, window, i64::from(amount)],
    )
}

/// `count_statement` for two keys in one statement (ingestion counts a
/// batch against its IP address and its visitor at once); each new count is
/// read back with `db::Outcomes::count_of` by its key. Keys must differ.
pub fn count_pair_statement(
    db: &D1Database,
    keys: [&str; 2],
    window: i64,
    amount: u32,
) -> D1PreparedStatement {
    db.hot_statement(
        "INSERT INTO rate_limits (key, window, count) VALUES (?1, ?3, ?4), (?2, ?3, ?4) \
         ON CONFLICT (key, window) DO UPDATE SET count = count + excluded.count \
         RETURNING key, count",
        args![keys[0], keys[1], window, i64::from(amount)],
    )
}

/// Deletes the counters of windows before the previous one.
pub fn expire_statement(db: &D1Database, window: i64) -> D1PreparedStatement {
    db.statement(
        "DELETE FROM rate_limits WHERE window < ?1",
        args![window - 1],
    )
}

/// `prefix:value`, the key of one counter.
pub fn key(prefix: &str, value: &str) -> String {
    let mut key = String::from(prefix);
    key.push(':');
    key.push_str(value);
    key
}

/// `key(prefix, …)` for a client address: its network as the limits count
/// it (`guard::limited_network`: an IPv6 client by its /64).
pub fn network_key(prefix: &str, ip: &str) -> String {
    key(prefix, &guard::limited_network(ip))
}

/// Counts a failed sign-in from `ip` naming `token_id` (empty when the
/// token names none) and answers 401, or 429 once the address or the id has
/// failed too often this minute (`guard::judge_sign_in`). Right tokens never
/// come here, so they are never throttled.
pub async fn sign_in_failed(db: &D1Database, ip: &str, token_id: &str, now_ms: i64) -> ApiError {
    // Real ids are 16 characters; longer ones name no account and would
    // only make long keys.
    let token_id = if token_id.len() <= 64 { token_id } else { "" };
    let keys = [
        (network_key("auth-fail", ip), u32::MAX),
        (key("auth-fail-id", token_id), u32::MAX),
    ];
    let counted = match add(db, &keys, 1, now_ms).await {
        Ok(counted) => counted,
        Err(error) => return error,
    };
    // An empty IP or id has no counter: it counts as no failures.
    let count_of = |name: &str, index: usize| {
        if name.is_empty() {
            0
        } else {
            counted.get(index).map_or(0, |(count, _)| *count)
        }
    };
    let ip_failures = count_of(ip, 0);
    let token_failures = count_of(token_id, usize::from(!ip.is_empty()));
    match guard::judge_sign_in(false, ip_failures, token_failures) {
        guard::SignIn::Throttled => ApiError::RateLimited {
            retry_after_s: guard::retry_after_seconds(now_ms),
        },
        _ => ApiError::Unauthorized,
    }
}
