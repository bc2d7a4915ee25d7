// Insights find planted causes: the visitor simulator sends a day of traffic
// through the real API (workerd + D1) with two causes planted — a shipping fee
// that appears only on /checkout, and a broken coupon in the `spring-sale`
// e-mail — and Insights must rank that page and that campaign first by lift.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { simulate, CAUSES } from '../../bench/simulate.mjs';
import { checkResponse } from './openapi.mjs';

let runtime, staff, stats;
before(async () => {
  runtime = await startTestRuntime();
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  staff = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  stats = await simulate({ url: runtime.url, staffToken: staff.token, seed: 7, visitors: 400, days: 1 });
});
after(async () => { await runtime?.close(); });

const TROUBLE = (c) => c.kind === 'complaint' || c.sentiment === 'negative' || c.expectation_gap === 1;

async function insights() {
  const response = await fetch(`${runtime.url}/v1/staff/insights?days=1`, { headers: { authorization: `Bearer ${staff.token}` } });
  const json = await response.json();
  checkResponse('GET', '/v1/staff/insights', response.status, response.headers.get('content-type'), json);
  assert.equal(response.status, 200, JSON.stringify(json));
  return json;
}

test('the simulator sends a day of traffic through the API without a failed request', async () => {
  assert.deepEqual(stats.failures, []);
  assert.equal(stats.rejected, 0);
  const stored = await runtime.d1.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT kind) AS kinds FROM events').first();
  assert.equal(stored.n, stats.events);
  assert.equal(stored.kinds, 2, 'page views and engagement');
  assert.ok(stats.conversations.length >= 40, `${stats.conversations.length} conversations`);
  const languages = new Set(stats.conversations.map((c) => c.language));
  assert.ok(languages.size >= 5, [...languages].join(' '));
  assert.ok(stats.conversations.some((c) => c.answered) && stats.conversations.some((c) => !c.answered));
  const answered = await runtime.d1.prepare('SELECT COUNT(*) AS n FROM conversations WHERE first_response_at > 0').first();
  assert.equal(answered.n, stats.conversations.filter((c) => c.answered).length);
});

test('every planted complaint is labelled trouble at the edge, and most everyday questions are not', async () => {
  const rows = (await runtime.d1.prepare('SELECT id, kind, sentiment, expectation_gap FROM conversations').all()).results;
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const c of stats.conversations) {
    const stored = byId.get(c.id);
    if (['checkout_fee', 'coupon', 'late'].includes(c.topic)) assert.ok(TROUBLE(stored), `${c.topic}/${c.language}: ${JSON.stringify(stored)}`);
  }
  const everyday = stats.conversations.filter((c) => !['checkout_fee', 'coupon', 'late'].includes(c.topic));
  const flagged = everyday.filter((c) => TROUBLE(byId.get(c.id)));
  assert.ok(flagged.length <= everyday.length / 10, `${flagged.length} of ${everyday.length} everyday messages labelled trouble`);
});

test('Insights rank the planted page and the planted campaign first, by a lift surely above 1', async () => {
  const figures = await insights();
  const [page] = figures.pages_before_trouble;
  assert.equal(page.label, CAUSES.checkoutFee.path, JSON.stringify(figures.pages_before_trouble.slice(0, 3)));
  assert.equal(page.page_type, 'checkout');
  assert.ok(page.enough_data);
  assert.ok(page.lift > 1 && page.lift_low > 1 && page.lift_high >= page.lift, JSON.stringify(page));
  const [campaign] = figures.campaigns_before_trouble;
  assert.equal(campaign.label, `email · ${CAUSES.coupon.campaign}`, JSON.stringify(figures.campaigns_before_trouble.slice(0, 3)));
  assert.ok(campaign.enough_data);
  assert.ok(campaign.lift > 1 && campaign.lift_low > 1, JSON.stringify(campaign));
  // Ranked by raw counts, as before, another page would come first (the cart at least ties: every checkout passes through it).
  const byCount = [...figures.pages_before_trouble].sort((a, b) => b.conversations - a.conversations || a.label.localeCompare(b.label));
  assert.notEqual(byCount[0].label, CAUSES.checkoutFee.path, JSON.stringify(byCount.slice(0, 3)));
  // The channel most visitors come through is not flagged: its interval reaches below the baseline.
  const biggest = figures.campaigns_before_trouble.reduce((a, b) => (b.visitors > a.visitors ? b : a));
  assert.equal(biggest.label, 'organic_search');
  assert.ok(biggest.lift_low < 1, JSON.stringify(biggest));
  // Ranked items with enough data come first, by the low end of their interval.
  for (const rows of [figures.pages_before_trouble, figures.campaigns_before_trouble]) {
    const sure = rows.filter((r) => r.enough_data);
    assert.deepEqual(rows.slice(0, sure.length), sure);
    for (let i = 1; i < sure.length; i++) assert.ok(sure[i - 1].lift_low >= sure[i].lift_low, JSON.stringify(sure));
  }
});

test('lift is trouble per visitor who saw the page over trouble per visitor, counted from D1', async () => {
  const figures = await insights();
  const visitor = "CASE WHEN visitor_id != '' THEN 'i' || visitor_id ELSE 'k' || visitor_key END";
  const all = await runtime.d1.prepare(`SELECT COUNT(DISTINCT ${visitor}) AS n FROM events WHERE kind = 'pageview'`).first();
  assert.equal(figures.pages_baseline.visitors, all.n);
  assert.equal(figures.pages_baseline.visitors, stats.visitors, 'every simulated visitor is one visitor');
  const trouble = (await runtime.d1.prepare('SELECT kind, sentiment, expectation_gap FROM conversations').all()).results.filter(TROUBLE);
  assert.equal(figures.pages_baseline.conversations, trouble.length);
  const checkout = figures.pages_before_trouble[0];
  const saw = await runtime.d1.prepare(`SELECT COUNT(DISTINCT ${visitor}) AS n FROM events WHERE kind = 'pageview' AND path = ?1`).bind(checkout.label).first();
  assert.equal(checkout.visitors, saw.n);
  const expected = (checkout.conversations / checkout.visitors) / (trouble.length / all.n);
  assert.ok(Math.abs(checkout.lift - expected) < 0.01, `${checkout.lift} vs ${expected}`);
  assert.equal(figures.min_visitors, 20);
  assert.equal(figures.min_trouble, 3);
});

async function behind(query, token = staff.token) {
  const path = '/v1/staff/insights/conversations';
  const response = await fetch(`${runtime.url}${path}?${new URLSearchParams(query)}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const json = await response.json();
  checkResponse('GET', path, response.status, response.headers.get('content-type'), json);
  return { status: response.status, json };
}

test('from a bar to its conversations: the planted page and campaign list exactly the trouble conversations they count', async () => {
  const figures = await insights();
  const visitorEvents = "SELECT COUNT(*) AS n FROM events e WHERE ((?1 != '' AND e.visitor_id = ?1) OR (?1 = '' AND e.visitor_key = ?2)) AND e.occurred_at <= ?3 AND e.occurred_at > ?3 - 86400000";
  for (const [bar, query, condition] of [
    [figures.pages_before_trouble[0], { days: 1, page: figures.pages_before_trouble[0].label }, "e.kind = 'pageview' AND e.path = ?4"],
    [figures.campaigns_before_trouble[0], { days: 1, campaign: figures.campaigns_before_trouble[0].label },
      "e.channel = 'email' AND e.utm_campaign = ?4"],
  ]) {
    const { status, json } = await behind(query);
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.total, bar.conversations, `${bar.label}: the list counts what the bar counts`);
    assert.equal(json.conversations.length, Math.min(bar.conversations, 100));
    assert.equal(new Set(json.conversations.map((c) => c.id)).size, json.conversations.length, 'each conversation once');
    const times = json.conversations.map((c) => c.created_at);
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    const value = query.page ?? query.campaign.split(' · ')[1];
    for (const listed of json.conversations) {
      const stored = await runtime.d1.prepare('SELECT * FROM conversations WHERE id = ?1').bind(listed.id).first();
      assert.ok(TROUBLE(stored), JSON.stringify(stored));
      assert.equal(listed.topic, stored.topic);
      const first = await runtime.d1.prepare("SELECT text FROM messages WHERE conversation_id = ?1 AND author = 'visitor' ORDER BY id LIMIT 1").bind(listed.id).first();
      assert.equal(listed.preview, first.text);
      const saw = await runtime.d1.prepare(`${visitorEvents} AND ${condition}`).bind(stored.visitor_id, stored.visitor_key, stored.created_at, value).first();
      assert.ok(saw.n > 0, `${listed.id} saw ${value} in the day before writing`);
    }
  }
});

test('from a topic bar (and one day, one tone) to its conversations', async () => {
  const figures = await insights();
  const row = [...figures.by_day].sort((a, b) => b.conversations - a.conversations)[0];
  const ofTopic = figures.by_day.filter((d) => d.topic === row.topic).reduce((n, d) => n + d.conversations, 0);
  assert.equal((await behind({ days: 1, topic: row.topic })).json.total, ofTopic);
  const narrowed = await behind({ days: 1, topic: row.topic, day: row.day, sentiment: row.sentiment });
  assert.equal(narrowed.json.total, row.conversations);
  assert.ok(narrowed.json.conversations.every((c) => c.topic === row.topic && c.sentiment === row.sentiment), JSON.stringify(narrowed.json));
  assert.equal((await behind({ days: 1, topic: row.topic, day: '1999-01-01' })).json.total, 0);
});

test('the drill-down answers the wrong caller and a malformed bar with a precise JSON error', async () => {
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  const agent = await channel.createStaff('Bo Lind', ['sales']);
  const expect = async (query, token, status, code) => {
    const answer = await behind(query, token);
    assert.equal(answer.status, status, JSON.stringify(answer.json));
    assert.equal(answer.json.error.code, code);
    return answer.json.error.message;
  };
  await expect({ page: '/checkout' }, null, 401, 'unauthorized');
  await expect({ page: '/checkout' }, 'tps_0000000000000000.nope', 401, 'unauthorized');
  await expect({ page: '/checkout', team: 'support' }, agent.token, 403, 'forbidden');
  assert.match(await expect({}, staff.token, 422, 'invalid_request'), /exactly one of page, campaign or topic/);
  assert.match(await expect({ page: '/checkout', topic: 'delivery' }, staff.token, 422, 'invalid_request'), /exactly one/);
  assert.match(await expect({ topic: 'delivery', day: '2026-13-01' }, staff.token, 422, 'invalid_request'), /day/);
  assert.match(await expect({ page: '/checkout', sentiment: 'negative' }, staff.token, 422, 'invalid_request'), /narrow a topic/);
  assert.match(await expect({ page: '/'.repeat(3000) }, staff.token, 422, 'invalid_request'), /page must be at most 2048 bytes/);
  await expect({ page: '/checkout', days: 0 }, staff.token, 422, 'invalid_request');
  // An agent sees only the conversations of their own teams behind a bar.
  const own = await behind({ days: 1, page: CAUSES.checkoutFee.path }, agent.token);
  assert.equal(own.status, 200);
  for (const c of own.json.conversations) assert.equal(c.team_id, 'sales');
});

test('first-response counts cover every conversation of the window, beyond the 5,000 the median samples', async () => {
  // Last: it adds 5,100 conversations to sales. 3,000 answered in a minute,
  // 2,000 still waiting, 100 closed unanswered (no observation).
  const now = Date.now();
  await runtime.d1.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5100)
    INSERT INTO conversations (id, site_id, team_id, status, created_at, updated_at, first_response_at)
    SELECT printf('bulk-%05d', i), 'demo', 'sales', CASE WHEN i > 5000 THEN 'closed' WHEN i > 3000 THEN 'waiting' ELSE 'open' END,
      ?1 - i * 1000, ?1, CASE WHEN i <= 3000 THEN ?1 - i * 1000 + 60000 ELSE 0 END FROM n`).bind(now - 3_600_000).run();
  const figures = await insights();
  const counted = (await runtime.d1.prepare(`SELECT team_id, SUM(first_response_at > 0) AS answered,
    SUM(first_response_at <= 0 AND status != 'closed') AS waiting FROM conversations
    WHERE site_id = 'demo' AND created_at >= ?1 GROUP BY team_id`).bind(figures.from).all()).results;
  for (const team of figures.first_response) {
    const expected = counted.find((c) => c.team_id === team.team) ?? { answered: 0, waiting: 0 };
    assert.deepEqual({ answered: team.answered, waiting: team.waiting }, { answered: expected.answered, waiting: expected.waiting }, team.team);
  }
  const sales = figures.first_response.find((t) => t.team === 'sales');
  assert.ok(sales.answered >= 3000 && sales.waiting >= 2000, JSON.stringify(sales));
});

test('events a browser reports it had to drop are counted once, capped, and shown with the figures', async () => {
  assert.equal((await insights()).events_dropped, 0, "the simulator's browsers dropped nothing");
  const send = (events, dropped) => fetch(`${runtime.url}/v1/events`, {
    method: 'POST',
    headers: { 'user-agent': BROWSER_USER_AGENT, 'content-type': 'text/plain' },
    body: JSON.stringify({ v: 1, site: 'demo', sent_at: Date.now(), dropped, events }),
  });
  const view = (n) => ({ id: `drop-evt-${String(n).padStart(8, '0')}`, type: 'pageview', ts: Date.now(), path: '/pricing' });
  const batch = [view(1), view(2)];
  assert.equal((await send(batch, 7)).status, 202);
  assert.equal((await insights()).events_dropped, 7);
  // The same batch again (the answer was lost on the way): stored once, counted once.
  assert.equal((await send(batch, 7)).status, 202);
  assert.equal((await insights()).events_dropped, 7);
  // A made-up figure counts at most 1,000 (a recorder holds at most 20 batches).
  assert.equal((await send([view(3)], 4_000_000_000)).status, 202);
  assert.equal((await insights()).events_dropped, 1_007);
  // A batch that leads with an event stored before and carries a new one
  // stored a new event: its figure counts (an outside audit saw it lost).
  assert.equal((await send([view(1), view(4)], 5)).status, 202);
  assert.equal((await insights()).events_dropped, 1_012);
});

test('a year of insights in Berlin, across both clock changes, counts every conversation once on its Berlin date', async () => {
  const response = await fetch(`${runtime.url}/v1/staff/insights?days=365`, { headers: { authorization: `Bearer ${staff.token}` } });
  const year = await response.json();
  checkResponse('GET', '/v1/staff/insights', response.status, response.headers.get('content-type'), year);
  assert.equal(response.status, 200, JSON.stringify(year));
  const stored = await runtime.d1.prepare("SELECT created_at FROM conversations WHERE site_id = 'demo'").all();
  const berlinDate = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(ms);
  const expected = {};
  for (const { created_at: at } of stored.results) expected[berlinDate(at)] = (expected[berlinDate(at)] ?? 0) + 1;
  const counted = {};
  for (const d of year.by_day) counted[d.day] = (counted[d.day] ?? 0) + d.conversations;
  assert.deepEqual(counted, expected);
});
