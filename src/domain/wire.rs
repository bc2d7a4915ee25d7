//! Every JSON shape the worker answers with, one type each: the edge
//! serializes these and the console deserializes the same types; the widget
//! reads the visitor ones field by field (`widget/answers.rs`, no serde there
//! for size). `openapi.json` describes them; the test
//! `tests/wire_schemas.rs` checks each type against its schema.
//!
//! Statuses and authors are enums (`conversation::{Status, Author}`), so no
//! side compares them as strings.

/// Destinations and their delivery logs, for operators and Settings.
pub mod destinations;
/// The insights page's figures.
pub mod insights;
/// How the console reads the answers above, field by field.
pub mod read;
/// What staff see: who they are, colleagues, the inbox, one conversation.
pub mod staff;
/// What the visitor's widget is answered.
pub mod visitor;
