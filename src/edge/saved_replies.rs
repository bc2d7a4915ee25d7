//! Saved replies in D1: listed to a site's staff, kept and deleted by its
//! admins (`domain::saved_reply` decides what is valid).

use web_sys::{Request, Response};

use super::admin::managed_site;
use super::http::{private_json, read_json, read_no_body};
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
        "SELECT shortcut, text, team_id AS team, updated_at FROM saved_replies WHERE site_id = ?1 ORDER BY shortcut",
        args![site],
    )
    .await?;
    Ok(SavedReplies { saved_replies })
}

/// `GET /v1/staff/saved-replies`: the caller's site's saved replies.
pub async fn for_staff(request: &Request, env: &Env) -> Result<Response, ApiError> {
    let staff = super::staff::authorize(request, env).await?;
    private_json(200, &load(env, &staff.site_id).await?)
}

/// `GET /v1/admin/sites/{site}/saved-replies`.
pub async fn list(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    let site = managed_site(request, env, site).await?;
    private_json(200, &load(env, &site.id).await?)
}

/// `PUT /v1/admin/sites/{site}/saved-replies/{shortcut}`: keeps one (201
/// when new), up to `SAVED_REPLIES_MAX` a site, for every team or for one
/// of the site's teams.
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
    if let Some(team) = body.team.as_deref().filter(|team| !team.is_empty()) {
        if super::sites::load_team(env, &site.id, team)
            .await?
            .is_none()
        {
            return Err(ApiError::InvalidRequest(
                "team must be one of the site's teams, or empty for every team".into(),
            ));
        }
    }
    #[derive(serde::Deserialize)]
    struct Kept {
        team_id: String,
    }
    let kept = db::row::<Kept>(
        &env.db,
        "SELECT team_id FROM saved_replies WHERE site_id = ?1 AND shortcut = ?2",
        args![&site.id, shortcut],
    )
    .await?;
    let exists = kept.is_some();
    let saved = SavedReply {
        shortcut: shortcut.to_owned(),
        text: body.text,
        // Left out: the team it has (every team for a new one).
        team: body
            .team
            .or(kept.map(|kept| kept.team_id))
            .unwrap_or_default(),
        updated_at: now_ms(),
    };
    // The limit is checked in the statement that stores, so two admins
    // adding the 200th at once cannot both get in.
    let stored = db::run(
        &env.db,
        "INSERT INTO saved_replies (site_id, shortcut, text, updated_at, team_id) SELECT ?1, ?2, ?3, ?4, ?6 \
         WHERE (SELECT COUNT(*) FROM saved_replies WHERE site_id = ?1) < ?5 \
         OR EXISTS (SELECT 1 FROM saved_replies WHERE site_id = ?1 AND shortcut = ?2) \
         ON CONFLICT (site_id, shortcut) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at, \
         team_id = excluded.team_id",
        args![&site.id, shortcut, &saved.text, saved.updated_at, SAVED_REPLIES_MAX, &saved.team],
    )
    .await?;
    if stored == 0 {
        return Err(ApiError::Conflict(
            "a site keeps at most 200 saved replies: delete one first".into(),
        ));
    }
    private_json(if exists { 200 } else { 201 }, &saved)
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
    read_no_body(request).await?;
    let deleted = db::run(
        &env.db,
        "DELETE FROM saved_replies WHERE site_id = ?1 AND shortcut = ?2",
        args![&site.id, shortcut],
    )
    .await?;
    if deleted == 0 {
        return Err(ApiError::NotFound);
    }
    private_json(
        200,
        &serde_json::json!({ "shortcut": shortcut, "deleted": true }),
    )
}
