//! Time zones at the edge: the runtime's own IANA database through `Intl`
//! (`worker/zone.js`), so the worker ships none. Only the names
//! `domain::zone` lists (openapi.json's) are looked up; a site's settings
//! take one only if the runtime knows it too (`admin::put_site`).

use wasm_bindgen::prelude::*;

use crate::domain::zone::{self, TimeZones, Zone};

#[wasm_bindgen(module = "/worker/zone.js")]
extern "C" {
    /// An `Intl.DateTimeFormat` that reads one zone's wall clock.
    #[derive(Clone)]
    pub type ZoneClock;

    #[wasm_bindgen(js_name = zoneClock)]
    fn zone_clock(name: &str) -> Option<ZoneClock>;

    #[wasm_bindgen(js_name = zoneOffsetMs)]
    fn zone_offset_ms(clock: &ZoneClock, utc_ms: f64) -> f64;
}

/// The runtime's zones.
pub struct Intl;

/// A zone the runtime knows, or UTC.
#[derive(Clone)]
pub struct IntlZone(Option<ZoneClock>);

impl Zone for IntlZone {
    fn offset_ms(&self, utc_ms: i64) -> i64 {
        self.0
            .as_ref()
            .map_or(0, |clock| zone_offset_ms(clock, utc_ms as f64) as i64)
    }
}

impl TimeZones for Intl {
    type Zone = IntlZone;
    fn zone(&self, name: &str) -> Option<IntlZone> {
        zone::is_known(name)
            .then(|| zone_clock(name))
            .flatten()
            .map(|clock| IntlZone(Some(clock)))
    }
}

/// A site's zone for its days (roll-ups, insights): UTC when the name is
/// not one the runtime knows.
pub fn site_zone(name: &str) -> IntlZone {
    Intl.zone(name).unwrap_or(IntlZone(None))
}
