//! Site models (MODEL.md, "Site models"): labelled examples uploaded by the
//! operator, training on them and on the site's label corrections (on demand
//! or from the scheduled job), and serving the site's model to the widget,
//! the default model when the site has none or its stored file is bad.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Headers, Request, Response, ResponseInit};

use super::http::private_json as json;
use super::runtime::{internal, log, now_ms};
use super::sites::cached_site;
use super::{admin, db, http, Env};
use crate::args;
use crate::domain::api::ApiError;
use crate::domain::classify::model::Model;
use crate::domain::classify::train::{train_site_model, Labelled, TrainError, WORKER_TUNING};
use crate::domain::classify::{Classifier, BUILTIN_MODEL};
use crate::domain::pii;
use crate::domain::site_model::{
    checksum_hex, from_hex, parse_examples, served_file, upload_is_array, ExamplesAdded, LineError,
    ModelStatus, NotServed, TrainedModel, MAX_SITE_EXAMPLES, MAX_TRAINING_EXAMPLES,
    MAX_UPLOAD_BYTES, MAX_UPLOAD_EXAMPLES,
};
use crate::js_object;

/// How much a site has stored, and the newest ids.
struct Counts {
    examples: u32,
    last_example_id: i64,
    corrections: u32,
    last_correction_id: i64,
}

fn number(row: &JsValue, key: &str) -> i64 {
    js_object::integer(row, key).unwrap_or(0)
}

fn text(row: &JsValue, key: &str) -> String {
    js_object::string(row, key).unwrap_or_default()
}

/// The first row of a query as a JS object (`undefined` when none).
async fn first(env: &Env, sql: &str, args: &[db::Arg<'_>]) -> Result<JsValue, ApiError> {
    Ok(db::js_rows(&env.db, sql, args)
        .await?
        .into_iter()
        .next()
        .unwrap_or(JsValue::UNDEFINED))
}

async fn counts(env: &Env, site: &str) -> Result<Counts, ApiError> {
    let row = first(
        env,
        "SELECT (SELECT COUNT(*) FROM model_examples WHERE site_id = ?1) AS examples, \
         (SELECT COALESCE(MAX(id), 0) FROM model_examples WHERE site_id = ?1) AS last_example_id, \
         (SELECT COUNT(DISTINCT message_id) FROM label_corrections WHERE site_id = ?1) AS corrections, \
         (SELECT COALESCE(MAX(id), 0) FROM label_corrections WHERE site_id = ?1) AS last_correction_id",
        args![site],
    )
    .await?;
    Ok(Counts {
        examples: number(&row, "examples") as u32,
        last_example_id: number(&row, "last_example_id"),
        corrections: number(&row, "corrections") as u32,
        last_correction_id: number(&row, "last_correction_id"),
    })
}

/// The site's stored model row: checksum, file (hex), training report and
/// the newest ids it learned from (`undefined` when it has none).
async fn stored_model(env: &Env, site: &str) -> Result<JsValue, ApiError> {
    first(
        env,
        "SELECT checksum, hex(model) AS model, report, last_example_id, last_correction_id \
         FROM site_models WHERE site_id = ?1",
        args![site],
    )
    .await
}

/// The stored training report (`None` without a model).
fn report_of(stored: &JsValue) -> Result<Option<TrainedModel>, ApiError> {
    js_object::string(stored, "report")
        .map(|text| serde_json::from_str::<TrainedModel>(&text))
        .transpose()
        .map_err(|error| {
            internal(
                &JsValue::from_str(&error.to_string()),
                "stored model report",
            )
        })
}

/// The stored model as visitors get it: its file, or why the default is served.
fn served(stored: &JsValue, report: Option<&TrainedModel>) -> Option<Result<Vec<u8>, NotServed>> {
    let checksum = js_object::string(stored, "checksum")?;
    let hex = js_object::string(stored, "model")?;
    Some(served_file(&checksum, &hex, report))
}

/// Makes a site whose stored file is damaged due again ("retrain or
/// remove", as after an erasure): the scheduled job trains a good file over
/// it, and the status says it is stale. A failure is logged, not answered:
/// the caller still serves the default model or the status. Whether the
/// mark was made.
async fn retrain_broken(env: &Env, site: &str, stored: &JsValue) -> bool {
    let checksum = js_object::string(stored, "checksum").unwrap_or_default();
    match db::run(
        &env.db,
        "UPDATE site_models SET last_correction_id = -1 WHERE site_id = ?1 AND checksum = ?2 \
         AND last_correction_id != -1",
        args![site, &checksum],
    )
    .await
    {
        Ok(_) => true,
        Err(error) => {
            log(
                "could not mark a refused site model for retraining",
                &JsValue::from_str(&error.to_string()),
            );
            false
        }
    }
}

/// `SiteModelStatus` (openapi.json): the stored report, what visitors get,
/// and the counts.
async fn status_of(env: &Env, site: &str) -> Result<String, ApiError> {
    let stored = stored_model(env, site).await?;
    let report = report_of(&stored)?;
    let refused = served(&stored, report.as_ref()).and_then(Result::err);
    let mut last_correction_id = number(&stored, "last_correction_id");
    // Found here before any visitor asked for it: due again all the same.
    if matches!(refused, Some(NotServed::Broken(_)))
        && last_correction_id != -1
        && retrain_broken(env, site, &stored).await
    {
        last_correction_id = -1;
    }
    let counts = counts(env, site).await?;
    let untrainable = first(
        env,
        "SELECT 1 AS found FROM site_model_untrainable WHERE site_id = ?1 \
         AND last_example_id >= ?2 AND last_correction_id >= ?3",
        args![site, counts.last_example_id, counts.last_correction_id],
    )
    .await?;
    // As the scheduled job reads it: a mark never outranks a refused file.
    // A site with nothing stored is simply untrained.
    let needs_more = number(&untrainable, "found") == 1
        && last_correction_id != -1
        && counts.examples + counts.corrections > 0;
    let stale = !needs_more
        && if report.is_some() {
            number(&stored, "last_example_id") < counts.last_example_id
                || last_correction_id < counts.last_correction_id
        } else {
            counts.last_example_id > 0 || counts.last_correction_id > 0
        };
    let status = ModelStatus {
        serving: if report.is_some() && refused.is_none() {
            "site"
        } else {
            "default"
        }
        .into(),
        refused: refused.map(|why| why.reason().to_string()),
        model: report,
        examples: counts.examples,
        corrections: counts.corrections,
        stale,
        needs_more,
    };
    serde_json::to_string(&status).map_err(|_| ApiError::Internal)
}

#[derive(Serialize)]
struct Refusal<'a> {
    error: RefusalBody<'a>,
}

#[derive(Serialize)]
struct RefusalBody<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[LineError]>::is_empty")]
    lines: &'a [LineError],
}

/// An error answer with a message of its own (and, for refused lines, each line).
fn refuse(
    status: u16,
    code: &str,
    message: &str,
    lines: &[LineError],
) -> Result<Response, ApiError> {
    json(
        status,
        &Refusal {
            error: RefusalBody {
                code,
                message,
                lines,
            },
        },
    )
}

/// `GET /v1/admin/sites/{site}/model`.
pub async fn status(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    admin::managed_site(request, env, site).await?;
    http::text_json_response(200, &status_of(env, site).await?)
}

/// `POST /v1/admin/sites/{site}/model/examples`: all lines stored, or none.
pub async fn add_examples(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    admin::managed_site(request, env, site).await?;
    let array = upload_is_array(http::header(request, "content-type").as_deref())?;
    let body = http::read_text(request, MAX_UPLOAD_BYTES).await?;
    let examples = match parse_examples(&body, array) {
        Ok(examples) => examples,
        Err(refused) => {
            // An array's items are numbered, not its lines.
            let what = if refused.lines.iter().any(|e| e.item.is_some()) {
                "item"
            } else {
                "line"
            };
            let message = if refused.count as usize > refused.lines.len() {
                format!(
                    "{} {what}s refused, the first {} listed; nothing was stored",
                    refused.count,
                    refused.lines.len()
                )
            } else {
                format!("{} {what}(s) refused; nothing was stored", refused.count)
            };
            return refuse(422, "invalid_request", &message, &refused.lines);
        }
    };
    if examples.is_empty() {
        return Err(ApiError::InvalidRequest("no examples in the body".into()));
    }
    if examples.len() > MAX_UPLOAD_EXAMPLES {
        let message = format!(
            "{} examples in one request; at most {MAX_UPLOAD_EXAMPLES}: send them in parts",
            examples.len()
        );
        return refuse(413, "payload_too_large", &message, &[]);
    }
    // Stored redacted, as visitors' messages are: the model never learns personal data.
    let rows: Vec<(String, &str, &str, &str)> = examples
        .iter()
        .map(|e| {
            (
                pii::redact(&e.text).redacted,
                e.topic.as_str(),
                e.sentiment.as_str(),
                e.kind.as_str(),
            )
        })
        .collect();
    let rows = serde_json::to_string(&rows).map_err(|_| ApiError::Internal)?;
    // An example the site already has (the same text and labels) is not
    // stored again, so uploading a file twice changes nothing, and does not
    // count against the site's limit; repeats within one upload stay, as a
    // message visitors send often weighs more. (SQLite reads the whole
    // SELECT before inserting, as it reads the table it inserts into.)
    const NEW_ROWS: &str = "FROM (SELECT key, json_extract(value, '$[0]') AS text, json_extract(value, '$[1]') AS topic, \
         json_extract(value, '$[2]') AS sentiment, json_extract(value, '$[3]') AS kind FROM json_each(?2)) u \
         WHERE NOT EXISTS (SELECT 1 FROM model_examples m WHERE m.site_id = ?1 AND m.text = u.text \
         AND m.topic = u.topic AND m.sentiment = u.sentiment AND m.kind = u.kind)";
    let row = first(
        env,
        &format!(
            "SELECT (SELECT COUNT(*) FROM model_examples WHERE site_id = ?1) AS stored, \
             (SELECT COUNT(*) {NEW_ROWS}) AS new"
        ),
        args![site, &rows],
    )
    .await?;
    let (stored, new) = (number(&row, "stored"), number(&row, "new"));
    if stored + new > i64::from(MAX_SITE_EXAMPLES) {
        let message = format!(
            "the site has {stored} examples stored and this adds {new}; a site keeps at most {MAX_SITE_EXAMPLES} ({} more fit)",
            (i64::from(MAX_SITE_EXAMPLES) - stored).max(0)
        );
        return refuse(413, "payload_too_large", &message, &[]);
    }
    // One statement for the whole upload (D1 counts statements per request).
    let added = db::run(
        &env.db,
        &format!(
            "INSERT INTO model_examples (site_id, text, topic, sentiment, kind, created_at) \
             SELECT ?1, u.text, u.topic, u.sentiment, u.kind, ?3 {NEW_ROWS} ORDER BY u.key"
        ),
        args![site, &rows, now_ms()],
    )
    .await?;
    let stored = u32::try_from(stored).unwrap_or(u32::MAX);
    json(
        201,
        &ExamplesAdded {
            added,
            duplicates: (examples.len() as u32).saturating_sub(added),
            examples: stored.saturating_add(added),
        },
    )
}

/// `DELETE /v1/admin/sites/{site}/model/examples`: every uploaded example
/// goes (staff's corrections stay). The site's model is due again: the next
/// training learns from the corrections alone, or the model is removed and
/// the default served when they teach nothing.
pub async fn delete_examples(
    request: &Request,
    env: &Env,
    site: &str,
) -> Result<Response, ApiError> {
    admin::managed_site(request, env, site).await?;
    super::http::read_no_body(request).await?;
    let deleted = db::batch(
        &env.db,
        vec![
            env.db.statement(
                "UPDATE site_models SET last_correction_id = -1 WHERE site_id = ?1 \
                 AND EXISTS (SELECT 1 FROM model_examples WHERE site_id = ?1)",
                args![site],
            ),
            env.db
                .statement("DELETE FROM model_examples WHERE site_id = ?1", args![site]),
            env.db.statement(
                "DELETE FROM site_model_untrainable WHERE site_id = ?1",
                args![site],
            ),
        ],
    )
    .await?;
    let status = status_of(env, site).await?;
    let body = format!(
        "{{\"deleted\":{},\"status\":{status}}}",
        // The batch's second statement is the DELETE.
        deleted.get(1).copied().unwrap_or(0)
    );
    http::text_json_response(200, &body)
}

/// `POST /v1/admin/sites/{site}/model/train`.
pub async fn train_now(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    admin::managed_site(request, env, site).await?;
    super::http::read_no_body(request).await?;
    match train(env, site, now_ms()).await {
        Ok(()) => http::text_json_response(200, &status_of(env, site).await?),
        Err(Trained::Nothing(error)) => Err(ApiError::Conflict(format!(
            "{error}: upload labelled examples or correct labels in the console first"
        ))),
        Err(Trained::Failed(error)) => Err(error),
    }
}

/// Why a training run stored nothing.
enum Trained {
    Nothing(TrainError),
    Failed(ApiError),
}

impl From<ApiError> for Trained {
    fn from(error: ApiError) -> Self {
        Trained::Failed(error)
    }
}

/// Labelled texts as stored: (text, topic, sentiment, kind), oldest first.
async fn labelled(
    env: &Env,
    sql: &str,
    site: &str,
    limit: usize,
) -> Result<Vec<[String; 4]>, ApiError> {
    let rows = db::js_rows(&env.db, sql, args![site, limit as i64]).await?;
    Ok(rows
        .iter()
        .rev()
        .map(|row| ["text", "topic", "sentiment", "kind"].map(|key| text(row, key)))
        .collect())
}

/// Trains `site`'s model from its newest corrections (the latest per
/// message) and uploaded examples, at most `MAX_TRAINING_EXAMPLES`, and stores it.
async fn train(env: &Env, site: &str, now: i64) -> Result<(), Trained> {
    let counts = counts(env, site).await?;
    let corrections = labelled(
        env,
        "SELECT text, topic, sentiment, kind FROM label_corrections WHERE id IN \
         (SELECT MAX(id) FROM label_corrections WHERE site_id = ?1 GROUP BY message_id) ORDER BY id DESC LIMIT ?2",
        site,
        MAX_TRAINING_EXAMPLES as usize,
    )
    .await?;
    let examples = labelled(
        env,
        "SELECT text, topic, sentiment, kind FROM model_examples WHERE site_id = ?1 ORDER BY id DESC LIMIT ?2",
        site,
        MAX_TRAINING_EXAMPLES as usize - corrections.len(),
    )
    .await?;
    let labelled: Vec<Labelled> = corrections
        .iter()
        .chain(&examples)
        .map(|[text, topic, sentiment, kind]| Labelled::stored(text, topic, sentiment, kind))
        .collect();
    let base = Model::from_bytes(BUILTIN_MODEL).map_err(|_| ApiError::Internal)?;
    let trained = match train_site_model(&base, &labelled, WORKER_TUNING) {
        Ok(trained) => trained,
        // The built-in model has every head a site trains: not the site's doing.
        Err(TrainError::NoHead(head)) => {
            return Err(Trained::Failed(internal(
                &JsValue::from_str(head),
                "the built-in model lacks a head sites train",
            )));
        }
        Err(nothing) => {
            // Corrections it learned from were erased and what is left
            // teaches nothing: the model goes too, and the default is served.
            // Until something newer arrives the scheduled job passes the site by.
            db::batch(
                &env.db,
                vec![
                    env.db.statement(
                        "DELETE FROM site_models WHERE site_id = ?1 AND last_correction_id = -1",
                        args![site],
                    ),
                    env.db.statement(
                        "INSERT OR REPLACE INTO site_model_untrainable (site_id, last_example_id, last_correction_id, tried_at) \
                         VALUES (?1, ?2, ?3, ?4)",
                        args![site, counts.last_example_id, counts.last_correction_id, now],
                    ),
                ],
            )
            .await?;
            return Err(Trained::Nothing(nothing));
        }
    };
    let file = trained.model.to_bytes();
    let checksum = checksum_hex(&file);
    let report = TrainedModel::new(
        now,
        checksum.clone(),
        examples.len() as u32,
        corrections.len() as u32,
        [trained.topic, trained.sentiment, trained.kind],
    );
    let report = serde_json::to_string(&report).map_err(|_| ApiError::Internal)?;
    db::batch(
        &env.db,
        vec![
            env.db.statement(
                "INSERT OR REPLACE INTO site_models (site_id, model, checksum, last_example_id, last_correction_id, report) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![site, &file[..], &checksum, counts.last_example_id, counts.last_correction_id, &report],
            ),
            env.db.statement(
                "DELETE FROM site_model_untrainable WHERE site_id = ?1",
                args![site],
            ),
        ],
    )
    .await?;
    Ok(())
}

/// The scheduled job's step: trains the first site (of up to ten) with
/// examples or corrections newer than its model; one per run keeps each run's
/// CPU time bounded. Resolves to how many were trained (0 or 1).
pub async fn train_due(env: &Env, now: i64) -> Result<u32, ApiError> {
    let due = db::js_rows(
        &env.db,
        "SELECT d.id FROM (SELECT s.id, m.last_example_id AS trained_example, m.last_correction_id AS trained_correction, \
         (SELECT COALESCE(MAX(id), 0) FROM model_examples e WHERE e.site_id = s.id) AS newest_example, \
         (SELECT COALESCE(MAX(id), 0) FROM label_corrections c WHERE c.site_id = s.id) AS newest_correction \
         FROM sites s LEFT JOIN site_models m ON m.site_id = s.id) d \
         WHERE (COALESCE(trained_example, 0) < newest_example OR COALESCE(trained_correction, 0) < newest_correction) \
         AND (trained_correction = -1 OR NOT EXISTS (SELECT 1 FROM site_model_untrainable u WHERE u.site_id = d.id \
         AND u.last_example_id >= newest_example AND u.last_correction_id >= newest_correction)) \
         ORDER BY d.id LIMIT 10",
        args![],
    )
    .await?;
    for site in due {
        match train(env, &text(&site, "id"), now).await {
            Ok(()) => return Ok(1),
            // Too little to learn from yet (e.g. everything held out): the next site.
            Err(Trained::Nothing(_)) => continue,
            Err(Trained::Failed(error)) => return Err(error),
        }
    }
    Ok(0)
}

thread_local! {
    /// Site classifiers built in this isolate: site, the checksum of the file
    /// they were built from, the classifier. A retrained model has a new
    /// checksum and replaces its entry.
    static SITE_CLASSIFIERS: RefCell<Vec<(String, String, Rc<Classifier>)>> =
        const { RefCell::new(Vec::new()) };
}

/// Site classifiers kept per isolate (each holds its model, ~115 KB).
const CACHED_SITE_CLASSIFIERS: usize = 8;

/// The classifier for a site's incoming messages at the edge: its own model
/// when it has one that checks, so routing learns from the site's staff as
/// the widget does; `None` (the built-in model) otherwise. One D1 read of the
/// checksum per message; the file itself only when it changed.
pub async fn classifier_for(env: &Env, site: &str) -> Option<Rc<Classifier>> {
    let row = first(
        env,
        "SELECT checksum, report FROM site_models WHERE site_id = ?1",
        args![site],
    )
    .await
    .ok()?;
    let checksum = js_object::string(&row, "checksum")?;
    // Visitors get the default model then (see `serve`), and so does routing.
    if report_of(&row)
        .ok()?
        .is_some_and(|report| report.worse_than_default)
    {
        return None;
    }
    let cached = SITE_CLASSIFIERS.with(|cache| {
        cache
            .borrow()
            .iter()
            .find(|(s, c, _)| s == site && *c == checksum)
            .map(|(_, _, classifier)| classifier.clone())
    });
    if cached.is_some() {
        return cached;
    }
    let stored = first(
        env,
        "SELECT hex(model) AS model FROM site_models WHERE site_id = ?1 AND checksum = ?2",
        args![site, &checksum],
    )
    .await
    .ok()?;
    let bytes = from_hex(&js_object::string(&stored, "model")?)?;
    // A file that does not check is served as the default (see `serve`): the
    // edge classifies with the built-in model too.
    if checksum_hex(&bytes) != checksum {
        return None;
    }
    let classifier = Rc::new(Classifier::new(Model::from_bytes(&bytes).ok()?, Vec::new()).ok()?);
    SITE_CLASSIFIERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        cache.retain(|(s, _, _)| s != site);
        if cache.len() >= CACHED_SITE_CLASSIFIERS {
            cache.remove(0);
        }
        cache.push((site.to_owned(), checksum, classifier.clone()));
    });
    Some(classifier)
}

/// `GET /v1/sites/{site}/model`: the site's model file, or the default one.
/// A stored file that does not parse or check is refused: the default is
/// served instead, the reason in `x-touchpoint-model-refused` and the log.
pub async fn serve(request: &Request, env: &Env, site: &str) -> Result<Response, ApiError> {
    cached_site(env, site).await?;
    let etag_of = |checksum: &str| format!("\"{checksum}\"");
    let if_none_match = http::header(request, "if-none-match");
    let stored = stored_model(env, site).await?;
    // A report that does not read is no reason to refuse a good file.
    let report = report_of(&stored).ok().flatten();
    let (site_file, refused) = match served(&stored, report.as_ref()) {
        Some(Ok(file)) => (Some(file), None),
        Some(Err(why)) => (None, Some(why)),
        None => (None, None),
    };
    if let Some(NotServed::Broken(reason)) = &refused {
        log(
            "site model refused; serving the default model",
            &JsValue::from_str(&format!("{site}: {reason}")),
        );
        retrain_broken(env, site, &stored).await;
    }
    let which = if site_file.is_some() {
        "site"
    } else {
        "default"
    };
    let mut file = site_file.unwrap_or_else(|| BUILTIN_MODEL.to_vec());
    let etag = etag_of(&checksum_hex(&file));
    let not_modified = if_none_match.is_some_and(|tags| {
        tags.split(',')
            .any(|tag| tag.trim().trim_start_matches("W/") == etag)
    });
    let mut build = || -> Result<Response, JsValue> {
        let headers = Headers::new()?;
        headers.set("content-type", "application/octet-stream")?;
        // Browsers check back after five minutes: a retrained model reaches
        // visitors soon, and an unchanged one costs a 304.
        headers.set("cache-control", "public, max-age=300")?;
        headers.set("etag", &etag)?;
        headers.set("x-touchpoint-model", which)?;
        if let Some(why) = &refused {
            headers.set("x-touchpoint-model-refused", why.reason())?;
        }
        headers.set("access-control-allow-origin", "*")?;
        headers.set(
            "access-control-expose-headers",
            "etag, x-touchpoint-model, x-touchpoint-model-refused",
        )?;
        headers.set("cross-origin-resource-policy", "cross-origin")?;
        headers.set("x-content-type-options", "nosniff")?;
        let init = ResponseInit::new();
        init.set_headers(headers.unchecked_ref());
        if not_modified {
            init.set_status(304);
            return Response::new_with_opt_str_and_init(None, &init);
        }
        init.set_status(200);
        Response::new_with_opt_u8_array_and_init(Some(&mut file), &init)
    };
    build().map_err(|e| internal(&e, "model response failed"))
}
