//! Touchpoint: listen to website visitors and talk to them person to person.
//!
//! One crate builds every part of the product; cargo features pick the artifact
//! (see `wasm-pack.toml` for the list the build produces). The recorder alone
//! builds without the `std` feature, as `no_std`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

/// Pure decisions: wire schema, touchpoint model, validation, API errors. No I/O.
pub mod domain;

/// The recorder's interface to the page script (numbers and UTF-8 text, no glue).
#[cfg(all(feature = "recorder", target_arch = "wasm32"))]
pub mod recorder_abi;

/// The conversation panel, a Yew app loaded when the visitor opens the launcher.
#[cfg(feature = "widget")]
pub mod widget;

/// The staff console, a Yew app served by the worker at `/console/`.
#[cfg(feature = "console")]
pub mod console;

/// The edge worker's fetch handler over D1.
#[cfg(feature = "edge")]
pub mod edge;

/// The command-line tool's commands, kept here so they can be tested natively.
#[cfg(feature = "cli")]
pub mod cli;

/// JSON calls to the worker from the browser apps.
#[cfg(any(feature = "widget", feature = "console"))]
pub mod fetch;

/// Yew hooks shared by the browser apps (polling on gloo's timers).
#[cfg(any(feature = "widget", feature = "console"))]
pub mod hooks;

/// Plain JS objects read and built field by field, without serde.
#[cfg(any(feature = "widget", feature = "console", feature = "edge"))]
pub mod js_object;

/// The only `#[wasm_bindgen]` exports: what the widget, the console and the worker shim call.
#[cfg(any(feature = "widget", feature = "console", feature = "edge"))]
pub mod js_api;
