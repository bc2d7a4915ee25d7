//! Rate limits: per-minute counters in D1, one per key (an IP address, a
//! visitor key, a conversation, an intake key). Over any limit, the request
//! is answered 429 with `Retry-After`.

use super::d1::D1Database;
use super::db;
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
    let window = guard::minute_window(now_ms);
    let mut statements = Vec::new();
    let mut limits = Vec::new();
    for (key, limit) in keys.iter().filter(|(key, _)| !key.ends_with(':')) {
        statements.push(db.statement(
            "INSERT INTO rate_limits (key, window, count) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key, window) DO UPDATE SET count = count + excluded.count RETURNING count",
            args![key, window, i64::from(amount)],
        ));
        limits.push(*limit);
    }
    statements.push(db.statement(
        "DELETE FROM rate_limits WHERE window < ?1",
        args![window - 1],
    ));
    let counts = db::batch_counts(db, statements).await?;
    if counts
        .iter()
        .zip(&limits)
        .any(|(count, limit)| count > limit)
    {
        return Err(ApiError::RateLimited {
            retry_after_s: guard::retry_after_seconds(now_ms),
        });
    }
    Ok(())
}

/// The current minute's count for `key`, without adding to it.
pub async fn current(db: &D1Database, key: &str, now_ms: i64) -> Result<u32, ApiError> {
    #[derive(serde::Deserialize)]
    struct Count {
        count: u32,
    }
    let row: Option<Count> = db::row(
        db,
        "SELECT count FROM rate_limits WHERE key = ?1 AND window = ?2",
        args![key, guard::minute_window(now_ms)],
    )
    .await?;
    Ok(row.map_or(0, |r| r.count))
}

/// `prefix:value`, the key of one counter.
pub fn key(prefix: &str, value: &str) -> String {
    let mut key = String::from(prefix);
    key.push(':');
    key.push_str(value);
    key
}

/// Refuses (429) an IP address that failed to sign in too often this minute.
pub async fn check_sign_in_failures(
    db: &D1Database,
    ip: &str,
    now_ms: i64,
) -> Result<(), ApiError> {
    if current(db, &key("auth-fail", ip), now_ms).await? >= guard::AUTH_FAILURES_PER_IP_PER_MINUTE {
        return Err(ApiError::RateLimited {
            retry_after_s: guard::retry_after_seconds(now_ms),
        });
    }
    Ok(())
}

/// Counts a failed sign-in from `ip` and answers 401.
pub async fn sign_in_failed(db: &D1Database, ip: &str, now_ms: i64) -> ApiError {
    match charge(db, &[(key("auth-fail", ip), u32::MAX)], 1, now_ms).await {
        Ok(()) => ApiError::Unauthorized,
        Err(error) => error,
    }
}
