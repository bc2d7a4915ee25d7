//! The console's root: shows the worker's live health (version, storage), the
//! first screen staff see before the inbox.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::prelude::*;

/// What the console knows about the worker it talks to.
#[derive(Clone, PartialEq)]
pub enum WorkerStatus {
    Checking,
    Reachable { version: String, storage: String },
    Unreachable(String),
}

async fn fetch_health() -> Result<(String, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str("/v1/health"))
        .await
        .map_err(|_| "the worker did not answer".to_string())?;
    let response: web_sys::Response = response.unchecked_into();
    let json = JsFuture::from(response.json().map_err(|_| "no JSON body".to_string())?)
        .await
        .map_err(|_| "the answer was not JSON".to_string())?;
    let field = |name: &str| {
        js_sys::Reflect::get(&json, &name.into())
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    };
    Ok((field("version"), field("storage")))
}

/// The console application.
#[function_component(ConsoleApp)]
pub fn console_app() -> Html {
    let status = use_state(|| WorkerStatus::Checking);
    {
        let status = status.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                status.set(match fetch_health().await {
                    Ok((version, storage)) => WorkerStatus::Reachable { version, storage },
                    Err(reason) => WorkerStatus::Unreachable(reason),
                });
            });
        });
    }
    let line = match &*status {
        WorkerStatus::Checking => "Checking the worker…".to_string(),
        WorkerStatus::Reachable { version, storage } => {
            format!("Worker {version} is up; storage {storage}.")
        }
        WorkerStatus::Unreachable(reason) => format!("Worker unreachable: {reason}"),
    };
    html! {
        <main>
            <h1>{ "Touchpoint console" }</h1>
            <p role="status" data-worker-status={ matches!(&*status, WorkerStatus::Reachable { .. }).to_string() }>{ line }</p>
        </main>
    }
}
