//! Saved replies in D1: listed to a site's staff, kept and deleted by its
//! admins (`domain::saved_reply` decides what is valid).

use web_sys::{Request, Response};

use super::admin::managed_site;
use super::http::{json_response, read_json};
use super::runtime::now_ms;
use super::{db, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::saved_reply::{
    check_shortcut, check_text, SavedReplies, SavedReply, SavedReplyBody, SAVED_REPLIES_MAX,
};

async fn load(env: &Env, site: &str) -> Result<SavedReplies, ApiError> {
    let saved_replies: Vec<SavedReply> = db::rows(
        &env.db,
        "SELECT shortcut, text, updated_at FROM saved_replies WHERE site_id = ?1 ORDER BY shortcut",
        args![site],
    )
    .await?;
    Ok(SavedReplies { saved_replies })
}

/// `GET /v1/staff/saved-replies`: the caller's site's saved replies.
pub async fn for_staff(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = super::staff::authorize(request, env).await?;
    json_response(200, &load(env, &staff.site_id).await?, None)
}

/// `GET /v1/admin/sites/{site}/saved-replies`.
pub async fn list(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    json_response(200, &load(env, &site.id).await?, None)
}

/// `PUT /v1/admin/sites/{site}/saved-replies/{shortcut}`: keeps one (201
/// when new), up to `SAVED_REPLIES_MAX` a site.
pub async fn put(
    request: &Request,
    env: &Env,
    site: &str,
    shortcut: &str,
) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    check_shortcut(shortcut)?;
    let body: SavedReplyBody = read_json(request).await?;
    check_text(&body.text)?;
    #[derive(serde::Deserialize)]
    struct Counts {
        total: i64,
        this: i64,
    }
    let counts: Option<Counts> = db::row(
        &env.db,
        "SELECT COUNT(*) AS total, COALESCE(SUM(shortcut = ?2), 0) AS this FROM saved_replies WHERE site_id = ?1",
        args![&site.id, shortcut],
    )
    .await?;
    let (total, exists) = counts.map_or((0, false), |c| (c.total, c.this > 0));
    if !exists && total >= SAVED_REPLIES_MAX {
        return Err(ApiError::Conflict(
            "a site keeps at most 200 saved replies: delete one first".into(),
        ));
    }
    let saved = SavedReply {
        shortcut: shortcut.to_owned(),
        text: body.text,
        updated_at: now_ms(),
    };
    db::run(
        &env.db,
        "INSERT INTO saved_replies (site_id, shortcut, text, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (site_id, shortcut) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
        args![&site.id, shortcut, &saved.text, saved.updated_at],
    )
    .await?;
    json_response(if exists { 200 } else { 201 }, &saved, None)
}

/// `DELETE /v1/admin/sites/{site}/saved-replies/{shortcut}`: 404 when the
/// site keeps none by that shortcut.
pub async fn delete(
    request: &Request,
    env: &Env,
    site: &str,
    shortcut: &str,
) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    check_shortcut(shortcut)?;
    let deleted = db::run(
        &env.db,
        "DELETE FROM saved_replies WHERE site_id = ?1 AND shortcut = ?2",
        args![&site.id, shortcut],
    )
    .await?;
    if deleted == 0 {
        return Err(ApiError::NotFound);
    }
    json_response(
        200,
        &serde_json::json!({ "shortcut": shortcut, "deleted": true }),
        None,
    )
}
