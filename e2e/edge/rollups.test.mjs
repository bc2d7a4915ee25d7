// Daily roll-ups (issue 19, domain::rollup) against the real worker (workerd +
// D1): the scheduled job rolls up a day once it is final, deletes raw
// touchpoints past the site's journey window only once rolled up, and the
// roll-ups past the retention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { checkResponse } from './openapi.mjs';

let runtime;
let worker;
before(async () => {
  runtime = await startTestRuntime();
  worker = await runtime.mf.getWorker();
});
after(async () => { await runtime?.close(); });

const DAY = 86_400_000;
const runCron = (at) => worker.scheduled({ cron: '* * * * *', scheduledTime: new Date(at) });
const all = async (sql, ...params) => (await runtime.d1.prepare(sql).bind(...params).all()).results;

async function send(ip, events) {
  const response = await fetch(`${runtime.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': ip },
    body: JSON.stringify({ v: 1, site: 'demo', sent_at: Date.now(), events }),
  });
  assert.equal(response.status, 202, await response.text());
}

/** The roll-up's definition (domain::rollup::roll_up), computed here from the raw rows. */
function expectedRollUp(rows) {
  const groups = new Map();
  for (const e of rows) {
    if (e.kind !== 'pageview' && e.kind !== 'engagement') continue;
    const day = new Date(Math.floor(e.occurred_at / DAY) * DAY).toISOString().slice(0, 10);
    const key = [day, e.path, e.page_type, e.channel, e.source_name, e.utm_campaign].join('|');
    const g = groups.get(key) ?? { day, path: e.path, page_type: e.page_type, channel: e.channel, source_name: e.source_name,
      utm_campaign: e.utm_campaign, views: 0, visitors: new Set(), landings: 0, engaged_ms: 0 };
    if (e.kind === 'pageview') g.views += 1;
    else g.engaged_ms += e.engaged_ms;
    if (e.kind === 'pageview' && e.channel !== '' && e.channel !== 'internal') g.landings += 1;
    if (e.visitor_id) g.visitors.add(`i${e.visitor_id}`);
    else if (e.visitor_key) g.visitors.add(`k${e.visitor_key}`);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ ...g, visitors: g.visitors.size })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
const ROLLUP_COLUMNS = 'day, path, page_type, channel, source_name, utm_campaign, views, visitors, landings, engaged_ms';
const storedRollUp = async () => (await all(`SELECT ${ROLLUP_COLUMNS} FROM daily_touchpoints WHERE site_id = 'demo'`))
  .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

test('a day is rolled up once final; raw touchpoints go after the journey window, roll-ups after the retention', async () => {
  // The operator keeps raw touchpoints 40 days; the retention stays 395.
  const put = await fetch(`${runtime.url}/v1/admin/sites/demo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ journey_days: 40 }),
  });
  const saved = await put.json();
  checkResponse('PUT', '/v1/admin/sites/{site}', put.status, put.headers.get('content-type'), saved);
  assert.equal(saved.site.journey_days, 40);
  assert.equal(saved.site.retention_days, 395);
  const refused = await fetch(`${runtime.url}/v1/admin/sites/demo`, {
    method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ journey_days: 0 }),
  });
  assert.equal(refused.status, 422);

  // Three visitors: two from the spring-sale newsletter, one from Google.
  const now = Date.now();
  // A rate-limit counter of a long-gone minute: the isolate's first batch of a minute deletes it.
  await runtime.d1.prepare("INSERT INTO rate_limits (key, window, count) VALUES ('ip:gone', ?1, 3)").bind(Math.floor(now / 60_000) - 5).run();
  const id = (visitor, n) => `rollup-${visitor}-${String(n).padStart(10, '0')}`;
  const landing = { type: 'pageview', path: '/shop/jackets', title: 'Jackets' };
  await send('10.9.0.1', [
    { ...landing, id: id('a', 1), ts: now - 5000, channel: 'email', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring-sale' },
    { id: id('a', 2), type: 'pageview', ts: now - 4000, path: '/cart', title: 'Cart' },
    { id: id('a', 3), type: 'engagement', ts: now - 3000, path: '/cart', title: 'Cart', engaged_ms: 5000, scroll: 50 },
    { id: id('a', 4), type: 'click', ts: now - 2500, path: '/cart', name: 'checkout', target: 'https://pay.example/' },
  ]);
  await send('10.9.0.2', [
    { ...landing, id: id('b', 1), ts: now - 5000, channel: 'email', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring-sale' },
    { id: id('b', 2), type: 'pageview', ts: now - 4000, path: '/cart', title: 'Cart' },
  ]);
  await send('10.9.0.3', [
    { ...landing, id: id('c', 1), ts: now - 5000, channel: 'organic_search', referrer: 'https://www.google.com/' },
  ]);
  assert.deepEqual(await all("SELECT key FROM rate_limits WHERE key = 'ip:gone'"), []);
  const raw = await all("SELECT * FROM events WHERE site_id = 'demo'");
  assert.equal(raw.length, 7);
  const expected = expectedRollUp(raw);

  // Today is not final: late events may still arrive, nothing is rolled up or deleted.
  await runCron(now);
  assert.deepEqual(await storedRollUp(), []);
  assert.equal((await all("SELECT id FROM events WHERE site_id = 'demo'")).length, 7);

  // 32 days on, no event for today can arrive any more: it is rolled up.
  await runCron(now + 32 * DAY);
  const rolled = await storedRollUp();
  assert.deepEqual(rolled, expected);
  const jackets = rolled.filter((r) => r.path === '/shop/jackets' && r.utm_campaign === 'spring-sale');
  assert.deepEqual(jackets.map((r) => [r.channel, r.views, r.visitors, r.landings]), [['email', 2, 2, 2]]);
  const cart = rolled.find((r) => r.path === '/cart');
  assert.deepEqual([cart.views, cart.visitors, cart.landings, cart.engaged_ms], [2, 2, 0, 5000]);
  assert.equal(rolled.reduce((n, r) => n + r.views, 0), 5, 'page views only, each once');
  assert.equal((await all("SELECT id FROM events WHERE site_id = 'demo'")).length, 7, 'raw touchpoints stay for the journey window');
  // Running again changes nothing.
  await runCron(now + 32 * DAY + 60_000);
  assert.deepEqual(await storedRollUp(), expected);

  // Past the journey window the raw touchpoints go; the day's roll-up stays.
  await runCron(now + 41 * DAY);
  assert.equal((await all("SELECT id FROM events WHERE site_id = 'demo'")).length, 0);
  assert.deepEqual(await storedRollUp(), expected);

  // Past the retention the roll-up goes too.
  await runCron(now + 397 * DAY);
  assert.deepEqual(await storedRollUp(), []);
});

test('raw touchpoints past the retention go even before their day is rolled up', async () => {
  const put = await fetch(`${runtime.url}/v1/admin/sites/brief`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Brief', retention_days: 2, journey_days: 30 }),
  });
  assert.equal(put.status, 201);
  const old = Date.now() - 3 * DAY;
  await runtime.d1.prepare("INSERT INTO events (site_id, id, kind, occurred_at, received_at, path) VALUES ('brief', 'brief-event-00000001', 'pageview', ?1, ?1, '/')").bind(old).run();
  await runtime.d1.prepare("INSERT INTO events (site_id, id, kind, occurred_at, received_at, path) VALUES ('brief', 'brief-event-00000002', 'pageview', ?1, ?1, '/')").bind(Date.now()).run();
  await runCron(Date.now());
  assert.deepEqual((await all("SELECT id FROM events WHERE site_id = 'brief'")).map((r) => r.id), ['brief-event-00000002']);
  assert.deepEqual(await all("SELECT day FROM daily_touchpoints WHERE site_id = 'brief'"), []);
});
