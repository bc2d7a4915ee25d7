//! The recorder and launcher in a real browser (headless Chromium through
//! wasm-bindgen-test-runner and chromedriver).
#![cfg(all(target_arch = "wasm32", feature = "recorder"))]
#![allow(clippy::unwrap_used)]

use touchpoint::browser::{launcher, recorder};
use touchpoint::domain::event::EventKind;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn page_view_reads_the_real_page() {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    document.set_title("Recorder test page");
    let first = recorder::page_view(&window).unwrap();
    let second = recorder::page_view(&window).unwrap();
    assert_eq!(first.kind, EventKind::PageView);
    assert_eq!(first.page.title, "Recorder test page");
    assert_eq!(first.page.path, window.location().pathname().unwrap());
    assert!(first.page.viewport_width > 0 && first.page.viewport_height > 0);
    assert!(!first.page.language.is_empty());
    assert!(!first.page.time_zone.is_empty());
    assert_eq!(first.id.len(), 32);
    assert_ne!(first.id, second.id, "event ids come from the CSPRNG");
    let now = js_sys::Date::now() as u64;
    assert!(first.timestamp_ms <= now && now - first.timestamp_ms < 10_000);
}

#[wasm_bindgen_test]
fn launcher_mounts_in_an_open_shadow_root_with_adopted_styles() {
    let document = web_sys::window().unwrap().document().unwrap();
    let clicks = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = clicks.clone();
    let on_open =
        wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::ShadowRoot)>::new(move |_root| {
            counter.set(counter.get() + 1);
        });
    let shadow = launcher::mount(
        &document,
        "Ask us",
        on_open.as_ref().unchecked_ref::<js_sys::Function>().clone(),
    )
    .unwrap();
    on_open.forget();

    let host = document
        .query_selector("[data-touchpoint-launcher]")
        .unwrap()
        .unwrap();
    assert!(host.shadow_root().is_some());
    assert!(
        document
            .query_selector("button.launcher")
            .unwrap()
            .is_none(),
        "the button is not in the light DOM"
    );
    let button: web_sys::HtmlElement = shadow
        .query_selector("button.launcher")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(button.text_content().unwrap(), "Ask us");
    assert_eq!(shadow.adopted_style_sheets().length(), 1);
    button.click();
    button.click();
    assert_eq!(clicks.get(), 2);
}
