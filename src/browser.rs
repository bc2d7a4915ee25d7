//! Browser glue for the always-on part of Touchpoint. It reads what the page
//! offers (location, title, viewport, clock, random source) and carries out
//! what `domain` decides; it holds no decisions of its own.

/// The launcher button, in its own shadow root, that opens the widget.
pub mod launcher;
/// The touchpoint recorder: observes the page and posts event batches.
pub mod recorder;

// The recorder ships on every page, so when it is built alone it trades
// dlmalloc's speed for a much smaller free-list allocator. It allocates little
// (one batch string at a time), so speed is not at stake.
#[cfg(all(
    target_arch = "wasm32",
    not(any(feature = "widget", feature = "console", feature = "edge"))
))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without atomics runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
