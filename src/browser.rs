//! Browser glue for the always-on part of Touchpoint. It reads what the page
//! offers (location, title, viewport, clock, random source) and carries out
//! what `domain` decides; it holds no decisions of its own.

/// The touchpoint recorder: observes the page and posts event batches.
pub mod recorder;
/// The launcher button, in its own shadow root, that opens the widget.
pub mod launcher;
