// A site's time zone at the real worker (workerd + D1). The worker ships no
// tz database: it reads the runtime's own through Intl (src/edge/zones.rs,
// worker/zone.js; tests/zones.rs holds those offsets to chrono-tz's). Here:
// every zone the API lists is one the worker schedules in, to the minute,
// and no other spelling is taken.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';

let runtime;
before(async () => { runtime = await startTestRuntime(); });
after(async () => { await runtime?.close(); });

const admin = async (method, path, body) => {
  const response = await fetch(`${runtime.url}${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
};

const HOUR = 3_600_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The wall clock in `zone` at `ms`, read by Node (its own ICU, not the worker's). */
function wallClock(zone, ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric',
  }).formatToParts(ms).map(({ type, value }) => [type, value]));
  return { weekday: parts.weekday.slice(0, 3).toLowerCase(), hour: Number(parts.hour) % 24 };
}

test('every listed zone is one the worker schedules in: a team open this local hour is open and closes at its end', async () => {
  const zones = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')).components.schemas.TimeZone.enum;
  assert.ok(zones.length > 500 && zones.includes('Pacific/Kiritimati') && zones.includes('Etc/GMT+12'));
  assert.equal((await admin('PUT', '/v1/admin/sites/zones', { name: 'Zones', allowed_origins: [runtime.url] })).status, 201);
  let checked = 0;
  for (const [index, zone] of zones.entries()) {
    // The hour now began on the wall clock at `start`, and the next begins at `end`.
    const now = Date.now();
    const start = now - (now % HOUR);
    const here = wallClock(zone, start);
    const later = wallClock(zone, start + HOUR);
    // Half-hour and quarter-hour zones, and an hour a clock change cuts, are
    // read the same way, but their local hour is not this UTC hour: skip.
    if (later.hour !== (here.hour + 1) % 24 || wallClock(zone, start - 1).hour === here.hour || now + 20_000 > start + HOUR) continue;
    const close = later.hour === 0 ? '24:00' : `${String(later.hour).padStart(2, '0')}:00`;
    const hours = { weekly: [{ day: here.weekday, open: `${String(here.hour).padStart(2, '0')}:00`, close }] };
    assert.equal((await admin('PUT', '/v1/admin/sites/zones', { time_zone: zone })).status, 200, zone);
    const team = await admin('PUT', '/v1/admin/sites/zones/teams/desk', { name: 'Desk', hours });
    assert.ok([200, 201].includes(team.status), `${zone}: ${JSON.stringify(team.json)}`);
    const response = await fetch(`${runtime.url}/v1/availability?site=zones`, {
      headers: { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `203.0.113.${index % 250}` },
    });
    const availability = await response.json();
    assert.equal(response.status, 200, JSON.stringify(availability));
    assert.equal(availability.time_zone, zone);
    const [desk] = availability.teams;
    assert.deepEqual([desk.open, desk.closes_at], [true, start + HOUR], `${zone} ${JSON.stringify(hours)}`);
    checked += 1;
  }
  assert.ok(checked > zones.length * 0.8, `${checked} of ${zones.length} zones checked`);
});

test('a zone is spelled as the API lists it: other spellings, offsets and unknown names are refused', async () => {
  assert.equal((await admin('PUT', '/v1/admin/sites/zones', { name: 'Zones', time_zone: 'Europe/Berlin' })).status < 300, true);
  for (const spelling of ['europe/berlin', 'EUROPE/BERLIN', 'Europe/Berlin ', '+01:00', 'UTC+1', 'Mars/Olympus', 'Etc/GMT+15', '', 'Europe\u2215Berlin']) {
    const refused = await admin('PUT', '/v1/admin/sites/zones', { time_zone: spelling });
    assert.equal(refused.status, 422, spelling);
    assert.equal(refused.json.error.code, 'invalid_request');
    assert.match(refused.json.error.message, /time zone/);
  }
  assert.equal((await admin('GET', '/v1/admin/sites/zones')).json.site.time_zone, 'Europe/Berlin');
});
