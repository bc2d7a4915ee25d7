// Insights read the daily roll-ups where a chart is a daily aggregate (issue
// 19), against the real worker (workerd + D1): where the site's visitors came
// from over 60 days is the same figure as the raw-event count, and stays the
// same once the raw touchpoints of the rolled-up days are gone. The site is in
// Tokyo (UTC+9, no summer time): its roll-ups keep Tokyo's days.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { checkResponse } from './openapi.mjs';

const DAY = 86_400_000;
let runtime, staff, worker;
before(async () => {
  runtime = await startTestRuntime();
  worker = await runtime.mf.getWorker();
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  staff = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  const put = await fetch(`${runtime.url}/v1/admin/sites/demo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ time_zone: 'Asia/Tokyo' }),
  });
  assert.equal(put.status, 200, await put.text());
});

const TOKYO_MS = 9 * 3_600_000;
/** The Tokyo date of an instant, and when a Tokyo date begins. */
const tokyoDate = (ms) => new Date(ms + TOKYO_MS).toISOString().slice(0, 10);
const tokyoMidnight = (date) => Date.parse(`${date}T00:00:00+09:00`);
after(async () => { await runtime?.close(); });

const all = async (sql, ...params) => (await runtime.d1.prepare(sql).bind(...params).all()).results;

async function insights(days) {
  const response = await fetch(`${runtime.url}/v1/staff/insights?days=${days}`, { headers: { authorization: `Bearer ${staff.token}` } });
  const json = await response.json();
  checkResponse('GET', '/v1/staff/insights', response.status, response.headers.get('content-type'), json);
  assert.equal(response.status, 200, JSON.stringify(json));
  return json;
}

/** The arrivals chart as the raw events answer it (what Insights read before roll-ups). */
const rawArrivals = (from) => all(
  "SELECT channel, source_name, COUNT(*) AS visits FROM events WHERE site_id = 'demo' AND occurred_at >= ?1 " +
  "AND kind = 'pageview' AND channel NOT IN ('', 'internal') GROUP BY channel, source_name " +
  'ORDER BY visits DESC, channel, source_name LIMIT 20', from);

test('arrivals over 60 days read the rolled-up days from their roll-ups, with the same figures as the raw events', async () => {
  // 70 days of seeded traffic (older than ingestion takes, so written to D1
  // directly): landings from five sources, visits that continue inside the
  // site, engagement, and days with nothing.
  const now = Date.now();
  const sources = [['email', 'Newsletter'], ['organic_search', 'Google'], ['paid_search', 'Google'], ['referral', 'blog.example'], ['social', 'Facebook']];
  let n = 0;
  const insert = 'INSERT INTO events (site_id, id, kind, occurred_at, received_at, path, page_type, channel, source_name, utm_campaign, visitor_key, engaged_ms) ' +
    "VALUES ('demo', ?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
  const statements = [];
  for (let day = 0; day < 70; day++) {
    if (day % 9 === 4) continue;
    for (let visit = 0; visit < 1 + ((day * 7) % 5); visit++) {
      const [channel, source] = sources[(day + visit * 3) % sources.length];
      // Spread over the day, away from the period's start (the server's clock reads it a moment later).
      const at = now - day * DAY - (visit * 3 + 1) * 3_600_000;
      const key = `k${day}-${visit}`;
      const event = (kind, offset, path, extra = {}) => {
        n += 1;
        statements.push(runtime.d1.prepare(insert).bind(`seeded-${String(n).padStart(12, '0')}`, kind, at + offset, path,
          path === '/' ? 'home' : 'product', extra.channel ?? '', extra.source ?? '', extra.campaign ?? '', key, extra.engaged ?? 0));
      };
      event('pageview', 0, '/', { channel, source, campaign: channel === 'email' ? 'spring-sale' : '' });
      event('pageview', 60_000, '/shop/boots', visit % 2 ? { channel: 'internal' } : {});
      event('engagement', 120_000, '/shop/boots', { engaged: 30_000 });
    }
  }
  await runtime.d1.batch(statements);
  // Today's landings through the API too, as the recorder sends them.
  const response = await fetch(`${runtime.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36' },
    body: JSON.stringify({ v: 1, site: 'demo', sent_at: now, events: [
      { id: 'arrival-today-00000001', type: 'pageview', ts: now - 1000, path: '/', channel: 'email', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring-sale' },
    ] }),
  });
  assert.equal(response.status, 202);

  // The scheduled job rolls up the final days (a few per run) until it has caught up.
  let rolled = '';
  for (let run = 0; run < 40; run++) {
    await worker.scheduled({ cron: '* * * * *', scheduledTime: new Date(now) });
    const [site] = await all("SELECT rolled_through FROM sites WHERE id = 'demo'");
    if (site.rolled_through === rolled) break;
    rolled = site.rolled_through;
  }
  const rolledEnd = tokyoMidnight(rolled) + DAY;
  assert.ok(rolledEnd < now - 30 * DAY, rolled);
  // Each rolled day's landings are the raw landing views of that Tokyo date.
  const perDay = new Map();
  for (const e of await all("SELECT occurred_at FROM events WHERE site_id = 'demo' AND kind = 'pageview' AND channel NOT IN ('', 'internal') AND occurred_at < ?1", rolledEnd)) {
    perDay.set(tokyoDate(e.occurred_at), (perDay.get(tokyoDate(e.occurred_at)) ?? 0) + 1);
  }
  const rolledDays = await all("SELECT day, SUM(landings) AS landings FROM daily_touchpoints WHERE site_id = 'demo' GROUP BY day HAVING SUM(landings) > 0 ORDER BY day");
  assert.ok(rolledDays.length >= 20, JSON.stringify(rolledDays));
  assert.deepEqual(rolledDays, [...perDay].sort().map(([day, landings]) => ({ day, landings })));

  const figures = await insights(60);
  const expected = await rawArrivals(figures.from);
  assert.equal(expected.length, 6, JSON.stringify(expected)); // five seeded sources and today's newsletter (no source name)
  assert.ok(expected.reduce((sum, a) => sum + a.visits, 0) > 100);
  assert.deepEqual(figures.arrivals, expected);
  // A shorter period, inside the raw days only, and a period starting mid-day in a rolled day.
  for (const days of [7, 45]) {
    const shorter = await insights(days);
    assert.deepEqual(shorter.arrivals, await rawArrivals(shorter.from), `${days} days`);
  }

  // Once the rolled-up days' raw touchpoints are gone (the site's journey
  // window), the figure is still the same: it is read from the roll-ups.
  const firstWholeDay = tokyoMidnight(tokyoDate(figures.from)) + DAY;
  const removed = await runtime.d1.prepare("DELETE FROM events WHERE site_id = 'demo' AND occurred_at >= ?1 AND occurred_at < ?2")
    .bind(firstWholeDay, rolledEnd).run();
  assert.ok(removed.meta.changes > 50);
  const after = await insights(60);
  assert.equal(after.from >= figures.from, true);
  assert.deepEqual(after.arrivals, expected);
  assert.notDeepEqual(await rawArrivals(after.from), expected, 'the raw events alone no longer hold the figure');
});

test('topics by day count the site\'s days: a conversation at 21:00 UTC is on the next Tokyo date, chart and drill-down alike', async () => {
  const started = await fetch(`${runtime.url}/v1/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': '198.51.100.77' },
    body: JSON.stringify({ site: 'demo', message: { text: 'My parcel never arrived and nobody answers my e-mails' } }),
  }).then((r) => r.json());
  const { id } = started.conversation;
  // Yesterday 21:00 UTC: today 06:00 in Tokyo.
  const at = Date.now() - (Date.now() % DAY) - 3 * 3_600_000;
  await runtime.d1.prepare('UPDATE conversations SET created_at = ?1 WHERE id = ?2').bind(at, id).run();
  const { topic } = await runtime.d1.prepare('SELECT topic FROM conversations WHERE id = ?1').bind(id).first();
  const local = tokyoDate(at);
  const utc = new Date(at).toISOString().slice(0, 10);
  assert.notEqual(local, utc);
  const figures = await insights(2);
  const days = figures.by_day.filter((d) => d.topic === topic).map((d) => d.day);
  assert.ok(days.includes(local), `${topic} on ${JSON.stringify(days)}, expected ${local}`);
  assert.ok(!days.includes(utc), `${utc} is the UTC date, not Tokyo's`);
  const drill = await fetch(`${runtime.url}/v1/staff/insights/conversations?days=2&topic=${topic}&day=${local}`, { headers: { authorization: `Bearer ${staff.token}` } });
  const listed = await drill.json();
  assert.equal(drill.status, 200, JSON.stringify(listed));
  assert.ok(listed.conversations.some((c) => c.id === id), 'the bar and its conversations agree');
});
