//! Runtime of the recorder when it is built alone, as the script on every
//! page of a customer's site. The page script (`www/page.js`) observes the
//! page; `domain::recorder` decides; nothing here but what a `no_std` wasm
//! module needs to run.

// The recorder allocates little (a few strings per event, one batch at a
// time), so a small free-list allocator beats dlmalloc's speed on size.
#[cfg(not(any(feature = "widget", feature = "console", feature = "edge")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without atomics runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Without `std` nothing formats a panic message: the wasm call traps, the
/// page script's try/catch logs it once, and the host page is left alone.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn abort(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
