//! Bulk export (issue 17): `GET /v1/admin/sites/{site}/export/{stream}` reads
//! a site's touchpoints, conversations (with messages) or label corrections
//! page by page as gzip-compressed NDJSON, and the scheduled job writes each
//! finished UTC day of every enabled R2 destination into the `EXPORTS`
//! bucket. Only what D1 holds leaves: visitors' text already redacted, staff
//! replies redacted on their way out (they are stored as written, for the
//! visitor), the contact a visitor gave; erased and expired rows are simply
//! not there.
//! `domain::export` decides the cursor, the bounds, the keys and the days.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, ReadableStream, Request, Response, ResponseInit};

use super::http::query;
use super::threads::{ConversationRow, MessageRow, StaffMessage};
use super::{admin, db, runtime, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::export::{self, Cursor, PageError, PageRequest, Stream};
use crate::domain::rollup::DAY_MS;
use crate::domain::visitor_key::utc_day;

#[wasm_bindgen]
extern "C" {
    /// An R2 bucket binding (`env.EXPORTS`).
    pub type Bucket;

    #[wasm_bindgen(method, catch)]
    async fn put(
        this: &Bucket,
        key: &str,
        value: &js_sys::Uint8Array,
        options: &JsValue,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = delete)]
    async fn delete_keys(this: &Bucket, keys: js_sys::Array) -> Result<JsValue, JsValue>;
}

/// The columns of a touchpoint as exported (every stored one but the site).
const TOUCHPOINTS: &str = "SELECT id, kind, occurred_at, received_at, path, title, referrer, page_type, \
    channel, source_name, utm_source, utm_medium, utm_campaign, utm_term, utm_content, click_id, name, \
    target, props, engaged_ms, scroll_percent, fields, viewport_width, viewport_height, language, \
    time_zone, visitor_key, visitor_id, user_id FROM events WHERE site_id = ?1 AND occurred_at >= ?2 \
    AND occurred_at < ?3 AND (occurred_at, id) > (?4, ?5) ORDER BY occurred_at, id LIMIT ?6";

const LABELS: &str =
    "SELECT l.id, l.message_id, COALESCE(m.conversation_id, '') AS conversation_id, \
    l.staff_id, l.text, l.topic, l.sentiment, l.kind, l.created_at FROM label_corrections l \
    LEFT JOIN messages m ON m.id = l.message_id WHERE l.site_id = ?1 AND l.created_at >= ?2 \
    AND l.created_at < ?3 AND (l.created_at, l.id) > (?4, ?5) ORDER BY l.created_at, l.id LIMIT ?6";

/// Conversations of a page, by `created_at` (the API) or `updated_at` (a
/// day's object: every conversation that changed that day, as it is now).
fn conversations_where(time: &str) -> String {
    format!(
        "site_id = ?1 AND {time} >= ?2 AND {time} < ?3 AND ({time}, id) > (?4, ?5) \
         ORDER BY {time}, id LIMIT ?6"
    )
}

/// One page: its NDJSON lines appended to `out`; the rows written, the
/// position after the last one, and whether more rows follow.
struct Page {
    rows: u32,
    last: Option<Cursor>,
    more: bool,
}

fn push_line<T: Serialize>(out: &mut String, row: &T) -> Result<(), ApiError> {
    out.push_str(&serde_json::to_string(row).map_err(|_| ApiError::Internal)?);
    out.push('\n');
    Ok(())
}

async fn page(
    env: &Env,
    site: &str,
    stream: Stream,
    request: &PageRequest,
    by_update: bool,
    out: &mut String,
) -> Result<Page, ApiError> {
    let (at, id) = request.start();
    // One row more than asked tells whether another page follows.
    let fetch = i64::from(request.limit) + 1;
    let id_arg = if stream.numeric_ids() {
        db::Arg::Int(id.parse::<i64>().unwrap_or(0))
    } else {
        db::Arg::Text(id)
    };
    let bind = [
        db::Arg::Text(site),
        db::Arg::Int(request.since),
        db::Arg::Int(request.until),
        db::Arg::Int(at),
        id_arg,
        db::Arg::Int(fetch),
    ];
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    // (time, id) of each row written, and how many rows came back.
    let mut positions: Vec<(i64, String)> = Vec::new();
    let fetched = match stream {
        Stream::Touchpoints | Stream::Labels => {
            let (sql, time) = if stream == Stream::Labels {
                (LABELS, "created_at")
            } else {
                (TOUCHPOINTS, "occurred_at")
            };
            let rows: Vec<serde_json::Value> = db::rows(&env.db, sql, &bind).await?;
            for row in rows.iter().take(limit) {
                push_line(out, row)?;
                let id = match row.get("id") {
                    Some(serde_json::Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let at = row.get(time).and_then(serde_json::Value::as_i64);
                positions.push((at.unwrap_or(0), id));
            }
            rows.len()
        }
        Stream::Conversations => {
            let time = if by_update {
                "updated_at"
            } else {
                "created_at"
            };
            let condition = conversations_where(time);
            let conversations: Vec<ConversationRow> = db::rows(
                &env.db,
                &format!("SELECT * FROM conversations WHERE {condition}"),
                &bind,
            )
            .await?;
            // In the conversations' own order, so each takes the next run of
            // messages. A conversation that left the range between the two
            // reads (updated again, erased) has no run and is written without
            // messages; with `updated_at` it is written again on its new day.
            let messages: Vec<MessageRow> = db::rows(
                &env.db,
                &format!(
                    "SELECT m.* FROM messages m JOIN (SELECT id, {time} AS t FROM conversations \
                     WHERE {condition}) c ON c.id = m.conversation_id ORDER BY c.t, c.id, m.id"
                ),
                &bind,
            )
            .await?;
            let mut messages = messages.iter().peekable();
            #[derive(Serialize)]
            struct Line<'a> {
                conversation: &'a ConversationRow,
                messages: Vec<StaffMessage>,
            }
            for conversation in conversations.iter().take(limit) {
                let mut own = Vec::new();
                while let Some(message) = messages.next_if(|m| m.conversation_id == conversation.id)
                {
                    own.push(message.for_export());
                }
                push_line(
                    out,
                    &Line {
                        conversation,
                        messages: own,
                    },
                )?;
                let at = if by_update {
                    conversation.updated_at
                } else {
                    conversation.created_at
                };
                positions.push((at, conversation.id.clone()));
            }
            conversations.len()
        }
    };
    Ok(Page {
        rows: u32::try_from(positions.len()).unwrap_or(u32::MAX),
        last: positions.pop().map(|(at, id)| Cursor { at, id }),
        more: fetched > limit,
    })
}

/// Gzips `bytes` with the runtime's `CompressionStream`: a stream of the result.
fn gzip_stream(bytes: &[u8]) -> Result<ReadableStream, JsValue> {
    let global = js_sys::global();
    let class = js_sys::Reflect::get(&global, &JsValue::from_str("CompressionStream"))?;
    let compressor = js_sys::Reflect::construct(
        class.unchecked_ref::<js_sys::Function>(),
        &js_sys::Array::of1(&JsValue::from_str("gzip")),
    )?;
    let source = Response::new_with_opt_buffer_source(Some(&js_sys::Uint8Array::from(bytes)))?
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    let pipe = js_sys::Reflect::get(&source, &JsValue::from_str("pipeThrough"))?;
    Ok(pipe
        .unchecked_into::<js_sys::Function>()
        .call1(&source, &compressor)?
        .unchecked_into())
}

async fn gzip(bytes: &[u8]) -> Result<js_sys::Uint8Array, JsValue> {
    let stream = gzip_stream(bytes)?;
    let buffer =
        JsFuture::from(Response::new_with_opt_readable_stream(Some(&stream))?.array_buffer()?)
            .await?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

/// `GET /v1/admin/sites/{site}/export/{stream}?since=&until=&limit=&cursor=`:
/// one page as `application/gzip` (NDJSON inside). `x-touchpoint-cursor` is
/// the position after its last row (pass it as `cursor` for the next page,
/// or later for rows added since); `x-touchpoint-more` says whether a full
/// next page may follow; `x-touchpoint-count` counts the lines.
pub async fn export(
    request: &Request,
    env: &Env,
    site: &str,
    stream: &str,
) -> Result<Response, ApiError> {
    admin::authorize_for(request, env, Some(site)).await?;
    super::sites::load_site(env, site).await?;
    let stream = Stream::parse(stream).ok_or(ApiError::NotFound)?;
    let get = |name: &str| query(request, name);
    let page_request = export::page_request(
        stream,
        site,
        get("since").as_deref(),
        get("until").as_deref(),
        get("limit").as_deref(),
        get("cursor").as_deref(),
    )
    .map_err(|error| match error {
        PageError::BadCursor => ApiError::InvalidCursor,
        PageError::UnboundCursor { since } => ApiError::UnboundCursor { since },
        PageError::Invalid(message) => ApiError::InvalidRequest(message),
    })?;
    let mut body = String::new();
    let page = page(env, site, stream, &page_request, false, &mut body).await?;
    let cursor = page.last.or(page_request.after);
    let respond = || -> Result<Response, JsValue> {
        let headers = Headers::new()?;
        headers.set("content-type", "application/gzip")?;
        headers.set("cache-control", "no-store")?;
        headers.set("x-content-type-options", "nosniff")?;
        headers.set("x-touchpoint-count", &page.rows.to_string())?;
        headers.set(
            "x-touchpoint-more",
            if page.more { "true" } else { "false" },
        )?;
        if let Some(cursor) = &cursor {
            headers.set("x-touchpoint-cursor", &cursor.encode(stream, site))?;
        }
        let init = ResponseInit::new();
        init.set_status(200);
        init.set_headers(headers.unchecked_ref());
        Response::new_with_opt_readable_stream_and_init(Some(&gzip_stream(body.as_bytes())?), &init)
    };
    respond().map_err(|e| runtime::internal(&e, "export response"))
}

// ---------------------------------------------------------------- R2 days

/// An enabled R2 destination, the last day it wrote and its site's oldest row.
#[derive(Deserialize)]
struct Target {
    id: String,
    site_id: String,
    prefix: String,
    created_at: i64,
    retention_days: i64,
    done: Option<i64>,
    first: Option<i64>,
}

/// Writes the due days of every enabled R2 destination (a day once: its
/// `export_days` row is written after its objects, so a run cut short
/// writes the same objects again). Returns the days written.
pub async fn to_r2(env: &Env, now: i64) -> Result<u32, ApiError> {
    let Some(bucket) = &env.exports else {
        return Ok(0);
    };
    let targets: Vec<Target> = db::rows(
        &env.db,
        "SELECT d.id, d.site_id, d.prefix, d.created_at, s.retention_days, \
         (SELECT CAST(julianday(MAX(x.day)) - 2440587.5 AS INTEGER) FROM export_days x WHERE x.destination_id = d.id) AS done, \
         CASE WHEN EXISTS (SELECT 1 FROM export_days x WHERE x.destination_id = d.id) THEN NULL ELSE \
         (SELECT MIN(t) FROM (SELECT MIN(occurred_at) AS t FROM events WHERE site_id = d.site_id \
         UNION ALL SELECT MIN(updated_at) FROM conversations WHERE site_id = d.site_id \
         UNION ALL SELECT MIN(created_at) FROM label_corrections WHERE site_id = d.site_id)) END AS first \
         FROM destinations d JOIN sites s ON s.id = d.site_id WHERE d.kind = 'r2' AND d.enabled = 1",
        args![],
    )
    .await?;
    let mut written = 0;
    for target in targets {
        let first = target.first.map(crate::domain::rollup::day_of);
        for day in export::days_due(now, target.done, first, target.created_at) {
            write_day(
                env,
                bucket,
                &target.id,
                &target.site_id,
                &target.prefix,
                day,
                now,
            )
            .await?;
            written += 1;
        }
        expire(env, bucket, &target, now).await?;
    }
    Ok(written)
}

/// The site's retention applies to its objects too: days past it are
/// deleted from the bucket. Their rows go, but the newest stays, so the days
/// after it are not written again.
async fn expire(env: &Env, bucket: &Bucket, target: &Target, now: i64) -> Result<(), ApiError> {
    let cutoff = utc_day(now - target.retention_days.max(1) * DAY_MS);
    let expired: Vec<serde_json::Value> = db::rows(
        &env.db,
        "SELECT day FROM export_days WHERE destination_id = ?1 AND day < ?2 \
         AND day < (SELECT MAX(day) FROM export_days WHERE destination_id = ?1) ORDER BY day LIMIT 30",
        args![&target.id, &cutoff],
    )
    .await?;
    let days: Vec<&str> = expired.iter().filter_map(|d| d["day"].as_str()).collect();
    let Some(last) = days.last() else {
        return Ok(());
    };
    let keys: js_sys::Array = days
        .iter()
        .flat_map(|day| {
            Stream::ALL.map(|s| export::object_key(&target.prefix, &target.site_id, day, s))
        })
        .map(|key| JsValue::from_str(&key))
        .collect();
    bucket
        .delete_keys(keys)
        .await
        .map_err(|e| runtime::unavailable(&e, "R2 export delete"))?;
    db::run(
        &env.db,
        "DELETE FROM export_days WHERE destination_id = ?1 AND day <= ?2 \
         AND day < (SELECT MAX(day) FROM export_days WHERE destination_id = ?1)",
        args![&target.id, *last],
    )
    .await?;
    Ok(())
}

async fn write_day(
    env: &Env,
    bucket: &Bucket,
    destination: &str,
    site: &str,
    prefix: &str,
    day: i64,
    now: i64,
) -> Result<(), ApiError> {
    let date = utc_day(day * DAY_MS);
    let mut counts = [0i64; 3];
    let mut bytes = 0i64;
    for (stream, count) in Stream::ALL.into_iter().zip(counts.iter_mut()) {
        let mut request = PageRequest {
            since: day * DAY_MS,
            until: (day + 1) * DAY_MS,
            limit: export::MAX_LIMIT,
            after: None,
        };
        let mut body = String::new();
        loop {
            let page = page(env, site, stream, &request, true, &mut body).await?;
            *count += i64::from(page.rows);
            if !page.more {
                break;
            }
            request.after = page.last;
        }
        let key = export::object_key(prefix, site, &date, stream);
        let stored = async {
            let compressed = gzip(body.as_bytes()).await?;
            bytes += i64::from(compressed.length());
            let options = js_sys::Object::new();
            let http = js_sys::Object::new();
            js_sys::Reflect::set(
                &http,
                &JsValue::from_str("contentType"),
                &JsValue::from_str("application/gzip"),
            )?;
            js_sys::Reflect::set(&options, &JsValue::from_str("httpMetadata"), &http)?;
            bucket.put(&key, &compressed, &options).await
        };
        stored
            .await
            .map_err(|e| runtime::unavailable(&e, "R2 export put"))?;
    }
    db::run(
        &env.db,
        "INSERT OR IGNORE INTO export_days (destination_id, day, touchpoints, conversations, labels, bytes, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![destination, &date, counts[0], counts[1], counts[2], bytes, now],
    )
    .await?;
    Ok(())
}
