// A site's time zone at the real worker (workerd + D1). The worker ships no
// tz database: it reads the runtime's own through Intl (src/edge/zones.rs,
// worker/zone.js; tests/zones.rs holds those offsets to chrono-tz's). Here:
// every zone the API lists is one the worker schedules in, to the minute,
// and no other spelling is taken. Clock changes cannot be put in front of
// the real runtime's clock here; src/domain/zone.rs and hours.rs test them
// against chrono-tz for every zone.
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
    timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: 'numeric', minute: 'numeric',
  }).formatToParts(ms).map(({ type, value }) => [type, value]));
  const minutes = (Number(parts.hour) % 24) * 60 + Number(parts.minute);
  return { weekday: parts.weekday.slice(0, 3).toLowerCase(), minutes };
}

const hhmm = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

test('every listed zone is one the worker schedules in: a team open for the local hour from this minute is open and closes when it ends', async () => {
  const zones = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')).components.schemas.TimeZone.enum;
  assert.ok(zones.length > 500 && zones.includes('Pacific/Kiritimati') && zones.includes('Asia/Kathmandu'));
  assert.equal((await admin('PUT', '/v1/admin/sites/zones', { name: 'Zones', allowed_origins: [runtime.url] })).status, 201);
  const checked = [];
  const nearMidnight = [];
  for (const [index, zone] of zones.entries()) {
    // From the start of this minute to an hour later, on the zone's wall
    // clock: whole-hour, half-hour and quarter-hour zones alike.
    const now = Date.now();
    const start = now - (now % 60_000);
    const open = wallClock(zone, start);
    const close = wallClock(zone, start + HOUR);
    // An hour that runs past midnight is checked up to midnight (the team
    // then closes at 24:00 of this weekday). An hour a clock change cuts,
    // or one that leaves less than five minutes before midnight (the minute
    // may turn during the check), is left for another time: a few zones.
    const wrapped = close.weekday !== open.weekday;
    if ((wrapped ? close.minutes + 24 * 60 : close.minutes) - open.minutes !== 60) continue;
    const end = wrapped ? 24 * 60 : close.minutes;
    if (end - open.minutes < 5) {
      nearMidnight.push(zone);
      continue;
    }
    const hours = { weekly: [{ day: open.weekday, open: hhmm(open.minutes), close: hhmm(end) }] };
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
    assert.deepEqual([desk.open, desk.closes_at], [true, start + (end - open.minutes) * 60_000], `${zone} ${JSON.stringify(hours)}`);
    checked.push(zone);
  }
  assert.ok(checked.length > zones.length * 0.9, `${checked.length} of ${zones.length} zones checked`);
  for (const odd of ['Asia/Kathmandu', 'Asia/Kolkata', 'Australia/Eucla', 'Pacific/Chatham', 'Pacific/Kiritimati', 'Etc/GMT+12']) {
    assert.ok(checked.includes(odd) || nearMidnight.includes(odd), `${odd} was checked`);
  }
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
