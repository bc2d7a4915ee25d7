//! The classifier as the widget uses it. The model is not compiled into the
//! widget: it is a separate file fetched when the panel opens (the widget stays
//! small), parsed once, and replaceable by the site's own model.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::domain::classify::model::Model;
use crate::domain::classify::rules::TopicRule;
use crate::domain::classify::{Classification, Classifier};
use crate::domain::pii;

thread_local! {
    static CLASSIFIER: RefCell<Option<Classifier>> = const { RefCell::new(None) };
}

fn with_classifier<T>(f: impl FnOnce(&Classifier) -> T) -> Result<T, JsError> {
    CLASSIFIER.with(|cell| {
        cell.borrow().as_ref().map(f).ok_or_else(|| {
            JsError::new("no classifier model is loaded yet (call loadModel or setModel)")
        })
    })
}

fn parse_rules(rules: JsValue) -> Vec<TopicRule> {
    if rules.is_undefined() || rules.is_null() {
        return Vec::new();
    }
    super::answers::topic_rules(&rules).unwrap_or_else(|| {
        warn("Touchpoint: ignoring the site's topic rules: expected [{ keyword, topic }]");
        Vec::new()
    })
}

fn install(model: Model, rules: Vec<TopicRule>) -> Result<(), String> {
    let classifier = Classifier::new(model, rules).map_err(|e| e.to_string())?;
    CLASSIFIER.with(|cell| *cell.borrow_mut() = Some(classifier));
    Ok(())
}

/// Uses the model in `bytes` (already fetched), with the site's topic rules.
pub fn set_model(bytes: &[u8], rules: JsValue) -> Result<(), JsError> {
    let model = Model::from_bytes(bytes).map_err(|e| JsError::new(&e.to_string()))?;
    install(model, parse_rules(rules)).map_err(|e| JsError::new(&e))
}

/// Classifies `text` for the panel; `None` until a model is loaded.
pub fn analyse(text: &str) -> Option<Classification> {
    with_classifier(|c| c.classify(text)).ok()
}

/// Classifies with the current model.
pub fn classify(text: &str) -> Result<JsValue, JsError> {
    let classification: Classification = with_classifier(|c| c.classify(text))?;
    Ok(super::answers::classification_js(&classification))
}

/// Redacts personal data only (no model needed).
pub fn redact(text: &str) -> Result<JsValue, JsError> {
    let redaction = pii::redact(text);
    Ok(crate::js_object::Object::new()
        .set("redacted", redaction.redacted)
        .set("pii", super::answers::findings_js(&redaction.findings))
        .build())
}

fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

async fn fetch_model(url: &str) -> Result<Model, String> {
    let global: web_sys::Window = js_sys::global().unchecked_into();
    let response = JsFuture::from(global.fetch_with_str(url))
        .await
        .map_err(|_| "the request failed".to_string())?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        let mut error = String::from("HTTP ");
        crate::domain::json::push_u64(&mut error, u64::from(response.status()));
        return Err(error);
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| "no body".to_string())?)
        .await
        .map_err(|_| "the body could not be read".to_string())?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    Model::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// Where the site's model is: `site` itself when it is a URL; for the script
/// tag's settings, their `model`, else the worker's model URL for their site
/// (which serves the default model until the site has one) — none when the
/// site takes its messages to its own backend.
fn site_model_url(site: &JsValue) -> Option<String> {
    let field = |key| crate::js_object::string(site, key);
    if let Some(url) = site.as_string().or_else(|| field("model")) {
        return Some(url);
    }
    if field("backend").is_some() {
        return None;
    }
    let mut url = field("endpoint")?;
    url.push_str("/v1/sites/");
    url.push_str(&String::from(js_sys::encode_uri_component(&field("site")?)));
    url.push_str("/model");
    Some(url)
}

/// Loads the site's model (when `site` names one, see `site_model_url`) or
/// the built-in model file at `builtin_url`, with the site's topic rules. A
/// site model that fails to load or check is reported once on the console and
/// the built-in model is used instead. Resolves to whether the site's model
/// is in use.
pub async fn load_model(
    site: JsValue,
    builtin_url: String,
    rules: JsValue,
) -> Result<bool, JsError> {
    let rules = parse_rules(rules);
    if let Some(url) = site_model_url(&site) {
        match fetch_model(&url).await.and_then(|model| install(model, rules.clone())) {
            Ok(()) => return Ok(true),
            Err(error) => warn(&format!(
                "Touchpoint: the site's model at {url} was not loaded ({error}); using the built-in model."
            )),
        }
    }
    let model = fetch_model(&builtin_url).await.map_err(|error| {
        JsError::new(&format!(
            "the built-in model at {builtin_url} was not loaded: {error}"
        ))
    })?;
    install(model, rules).map_err(|e| JsError::new(&e))?;
    Ok(false)
}
