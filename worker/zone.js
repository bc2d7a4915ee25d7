// Time zones for the edge worker: the runtime's own IANA database, read
// through Intl, so the worker carries none of its own (chrono-tz alone was
// ~58 KB brotli of it). src/edge/zones.rs asks for a zone's offset from UTC
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
  // Outside what a Date holds, there is no wall clock to read.
  if (!(Math.abs(at) <= 8.64e15)) return 0;
  const part = {};
  for (const { type, value } of clock.formatToParts(at)) part[type] = value;
  const wall = new Date(0);
  wall.setUTCFullYear(part.era === 'BC' ? 1 - part.year : +part.year, part.month - 1, +part.day);
  // `% 24`: some engines have written midnight as 24 even with h23.
  wall.setUTCHours(part.hour % 24, +part.minute, +part.second);
  return wall.getTime() - at;
}
