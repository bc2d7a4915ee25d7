// Time zones for the edge worker: the runtime's own IANA database, read
// through Intl, so the worker carries none of its own (chrono-tz was
// about 49 KB of its brotli size). src/edge/zones.rs asks for a zone's offset from UTC
// at an instant; everything else (local days, office hours across
// daylight-saving changes) is decided from those offsets in src/domain/zone.rs.

const clocks = new Map();

/** A formatter reading the wall clock in the zone `name`; undefined when the runtime does not know it. */
export function zoneClock(name) {
  let clock = clocks.get(name);
  if (clock === undefined) {
    try {
      clock = new Intl.DateTimeFormat('en-US', {
        timeZone: name, hourCycle: 'h23', era: 'short',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      return undefined;
    }
    clocks.set(name, clock);
  }
  return clock;
}

/** Milliseconds to add to `utcMs` to read `clock`'s wall clock (zones differ by whole seconds). */
export function zoneOffsetMs(clock, utcMs) {
  const at = Math.floor(utcMs / 1000) * 1000;
  // Outside what a Date holds (or at its very edge, where the wall clock
  // falls outside it), there is no wall clock to read: 0.
  if (!(Math.abs(at) <= 8.64e15)) return 0;
  // "11/27/4 BC, 00:53:28" (en-US, month/day/year): the numbers in order, and
  // the era. Read from the formatted text: three times faster than
  // formatToParts, and the tests hold every zone's offsets to chrono-tz's.
  const text = clock.format(at);
  const [month, day, year, hour, minute, second] = text.match(/\d+/g);
  const wall = new Date(0);
  wall.setUTCFullYear(text.includes('BC') ? 1 - year : +year, month - 1, +day);
  // `% 24`: some engines have written midnight as 24 even with h23.
  wall.setUTCHours(hour % 24, +minute, +second);
  const offset = wall.getTime() - at;
  return Number.isFinite(offset) ? offset : 0;
}
