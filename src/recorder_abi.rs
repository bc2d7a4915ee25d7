//! The recorder's interface to the page script (`www/page.js`), which
//! observes the page and carries out what `domain::recorder` decides.
//!
//! It is written by hand rather than with wasm-bindgen because it ships on
//! every page of a customer's site: its calls pass only numbers and UTF-8
//! text, and generated glue for that costs more bytes than the recorder's own
//! logic. Text goes in through one input buffer — the page script writes a
//! call's strings there back to back and passes their byte lengths — and comes
//! out through one output buffer, whose length the call returns (−1 for none).
//! The module imports nothing. The recorder-only build is `no_std`; its
//! allocator and panic handler are here too.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::domain::recorder::{should_record, PageFacts, Recorder, Start};

/// A value the single wasm thread owns.
struct Single<T>(RefCell<T>);

// SAFETY: wasm32-unknown-unknown without atomics runs on one thread.
unsafe impl<T> Sync for Single<T> {}

static RECORDER: Single<Option<Recorder>> = Single(RefCell::new(None));
static INPUT: Single<Vec<u8>> = Single(RefCell::new(Vec::new()));
static OUTPUT: Single<String> = Single(RefCell::new(String::new()));

/// Runs `f` on the page's recorder; nothing before `tp_start`.
fn with_recorder<T: Default>(f: impl FnOnce(&mut Recorder) -> T) -> T {
    match RECORDER.0.try_borrow_mut() {
        Ok(mut recorder) => recorder.as_mut().map(f).unwrap_or_default(),
        Err(_) => T::default(),
    }
}

/// The call's strings, read from the input buffer by their byte lengths (at
/// most 8). Copied out so one non-generic function serves every export.
/// Callers borrow from the array they keep: moving parts out copies them, and
/// drops the rest with a drop function for each length left (215 B brotli).
fn inputs(lengths: &[u32]) -> [String; 8] {
    let mut parts: [String; 8] = Default::default();
    let Ok(input) = INPUT.0.try_borrow() else {
        return parts;
    };
    let mut at = 0usize;
    for (part, length) in parts.iter_mut().zip(lengths) {
        let end = at.saturating_add(*length as usize);
        // A part that is not UTF-8 is read as empty.
        if !input
            .get(at..end)
            .is_some_and(|bytes| crate::domain::text::push_utf8(part, bytes))
        {
            part.clear();
        }
        at = end;
    }
    parts
}

/// Leaves `text` in the output buffer; returns its byte length, or −1 for none.
fn output(text: Option<String>) -> i32 {
    match (text, OUTPUT.0.try_borrow_mut()) {
        (Some(text), Ok(mut out)) => {
            *out = text;
            i32::try_from(out.len()).unwrap_or(-1)
        }
        _ => -1,
    }
}

/// Room for `length` bytes of a call's strings; the page script writes them here.
#[no_mangle]
pub extern "C" fn tp_input(length: u32) -> *mut u8 {
    match INPUT.0.try_borrow_mut() {
        Ok(mut input) => {
            input.clear();
            input.resize(length as usize, 0);
            input.as_mut_ptr()
        }
        Err(_) => core::ptr::null_mut(),
    }
}

/// Where the last call's text is.
#[no_mangle]
pub extern "C" fn tp_output() -> *const u8 {
    OUTPUT
        .0
        .try_borrow()
        .map_or(core::ptr::null(), |out| out.as_ptr())
}

/// Whether this visit is recorded at all (see
/// `domain::recorder::should_record`): 1 if it is. Asked at start-up, while
/// `tp_start` waits until the recorder is first needed.
#[no_mangle]
pub extern "C" fn tp_recorded(
    automated: i32,
    do_not_track: i32,
    record_automation: i32,
    skip_dnt_visitors: i32,
) -> i32 {
    i32::from(should_record(
        automated != 0,
        do_not_track != 0,
        record_automation != 0,
        skip_dnt_visitors != 0,
    ))
}

/// Starts recording the page and records its first view, as the page was at
/// `now`. Strings: site, language, `location.search`, host name, then the
/// page (pathname, hash, title, referrer); the seed is 128 random bits as
/// four words; `engaged`: the page was visible and focused.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn tp_start(
    site: u32,
    language: u32,
    search: u32,
    host: u32,
    pathname: u32,
    hash: u32,
    title: u32,
    referrer: u32,
    seed0: u32,
    seed1: u32,
    seed2: u32,
    seed3: u32,
    viewport_width: u32,
    viewport_height: u32,
    do_not_track: i32,
    engaged: i32,
    now: f64,
) {
    let parts = inputs(&[
        site, language, search, host, pathname, hash, title, referrer,
    ]);
    let [site, language, search, host, pathname, hash, title, referrer] = &parts;
    let start = Start {
        site,
        do_not_track: do_not_track != 0,
        seed: [seed0, seed1, seed2, seed3],
        language,
    };
    let page = PageFacts {
        pathname,
        hash,
        title,
        referrer,
        viewport_width,
        viewport_height,
    };
    let mut recorder = Recorder::start(&start, &page, search, host, now);
    recorder.engagement(engaged != 0, now);
    if let Ok(mut slot) = RECORDER.0.try_borrow_mut() {
        *slot = Some(recorder);
    }
}

/// A view of the page as it is now: a single-page-app navigation
/// (`navigation`; nothing when the recorded path did not change), or
/// `page()` and back/forward-cache restores. Strings: pathname, hash, title,
/// referrer.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn tp_view(
    pathname: u32,
    hash: u32,
    title: u32,
    referrer: u32,
    viewport_width: u32,
    viewport_height: u32,
    now: f64,
    navigation: i32,
) {
    let parts = inputs(&[pathname, hash, title, referrer]);
    let [pathname, hash, title, referrer, ..] = &parts;
    let page = PageFacts {
        pathname,
        hash,
        title,
        referrer,
        viewport_width,
        viewport_height,
    };
    with_recorder(|r| {
        if navigation != 0 {
            r.navigated(&page, now);
        } else {
            r.page_view(&page, now);
        }
    });
}

/// What earlier pages kept with consent: the visitor id (empty: none) and
/// unconfirmed batches.
#[no_mangle]
pub extern "C" fn tp_restore(visitor: u32, pending: u32, now: f64) {
    let parts = inputs(&[visitor, pending]);
    let [visitor, pending, ..] = &parts;
    with_recorder(|r| r.restore(Some(visitor), Some(pending), now));
}

/// The page is idle: the browser's IANA time zone; the first page view is
/// recorded now (see `Recorder::idle`).
#[no_mangle]
pub extern "C" fn tp_idle(zone: u32) {
    let parts = inputs(&[zone]);
    let [zone, ..] = &parts;
    with_recorder(|r| r.idle(zone));
}

/// Stages a property (key, value) for the next `tp_track` or `tp_tagged_click`.
#[no_mangle]
pub extern "C" fn tp_prop(key: u32, value: u32) {
    let parts = inputs(&[key, value]);
    let [key, value, ..] = &parts;
    with_recorder(|r| r.prop(key, value));
}

/// A custom event from `track(name, props)`.
#[no_mangle]
pub extern "C" fn tp_track(name: u32, now: f64) {
    let parts = inputs(&[name]);
    let [name, ..] = &parts;
    with_recorder(|r| r.track(name, now));
}

/// A click on an element tagged `data-touchpoint-event="name"`.
#[no_mangle]
pub extern "C" fn tp_tagged_click(name: u32, now: f64) {
    let parts = inputs(&[name]);
    let [name, ..] = &parts;
    with_recorder(|r| r.tagged_click(name, now));
}

/// A click on a link (absolute href, page host); 1 if it was recorded.
#[no_mangle]
pub extern "C" fn tp_link_click(href: u32, host: u32, now: f64) -> i32 {
    let parts = inputs(&[href, host]);
    let [href, host, ..] = &parts;
    i32::from(with_recorder(|r| r.link_click(href, host, now)))
}

/// A form submission. Strings: its id or name, its action URL; then the
/// number of named fields.
#[no_mangle]
pub extern "C" fn tp_form_submitted(name: u32, action: u32, fields: u32, now: f64) {
    let parts = inputs(&[name, action]);
    let [name, action, ..] = &parts;
    with_recorder(|r| r.form_submitted(name, fields, action, now));
}

/// The page is visible and focused now (`engaged`), or stopped being.
#[no_mangle]
pub extern "C" fn tp_engagement(engaged: i32, now: f64) {
    with_recorder(|r| r.engagement(engaged != 0, now));
}

/// The page was scrolled.
#[no_mangle]
pub extern "C" fn tp_scrolled(scroll_y: f64, viewport_height: f64, page_height: f64) {
    with_recorder(|r| r.scrolled(scroll_y, viewport_height, page_height));
}

/// The page is hidden or left: batches wait for `tp_take_beacon`.
#[no_mangle]
pub extern "C" fn tp_hidden(now: f64) {
    with_recorder(|r| r.hidden(now));
}

/// The next batch for `navigator.sendBeacon`, in the output buffer.
#[no_mangle]
pub extern "C" fn tp_take_beacon() -> i32 {
    output(with_recorder(Recorder::take_beacon))
}

/// Whether `sendBeacon` queued the last batch.
#[no_mangle]
pub extern "C" fn tp_beacon_sent(queued: i32, now: f64) {
    with_recorder(|r| r.beacon_sent(queued != 0, now));
}

/// `flush()`: send what is waiting now.
#[no_mangle]
pub extern "C" fn tp_flush(now: f64) {
    with_recorder(|r| r.flush(now));
}

/// The batch to `fetch` now, if one is due, in the output buffer.
#[no_mangle]
pub extern "C" fn tp_take_batch(now: f64) -> i32 {
    output(with_recorder(|r| r.take_batch(now)))
}

/// Milliseconds until the next batch is due; −1 when none waits.
#[no_mangle]
pub extern "C" fn tp_wait_ms(now: f64) -> f64 {
    with_recorder(|r| r.wait_ms(now)).unwrap_or(-1.0)
}

/// The `fetch` answered `status` (0: network error).
#[no_mangle]
pub extern "C" fn tp_finished(status: u32, random: f64, now: f64) {
    let status = u16::try_from(status).unwrap_or(0);
    with_recorder(|r| r.finished(status, random, now));
}

/// With consent, what to store for the next page when it changed.
#[no_mangle]
pub extern "C" fn tp_take_unsaved() -> i32 {
    output(with_recorder(Recorder::take_unsaved))
}

/// The visitor's consent; the visitor id to store (empty: delete what is
/// stored) goes to the output buffer.
#[no_mangle]
pub extern "C" fn tp_consent(granted: i32) -> i32 {
    output(Some(with_recorder(|r| r.consent(granted != 0))))
}

/// The site's signed user id (user id, HMAC), for what is sent from now on.
#[no_mangle]
pub extern "C" fn tp_identify(user_id: u32, hmac: u32, now: f64) {
    let parts = inputs(&[user_id, hmac]);
    let [user_id, hmac, ..] = &parts;
    with_recorder(|r| r.identify(user_id, hmac, now));
}

// The recorder allocates little (a few strings per event, one batch at a
// time), so a small free-list allocator beats dlmalloc's speed on size.
#[cfg(not(any(feature = "widget", feature = "console", feature = "edge")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without atomics runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Without `std` nothing formats a panic message: the call traps, the page
/// script's try/catch logs it once, and the host page is left alone.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn abort(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
