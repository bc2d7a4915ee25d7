// POST /v1/events and GET /v1/health against the real worker (workerd + D1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startTestRuntime, startOfMinute, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { checkResponse } from './openapi.mjs';

let runtime;
before(async () => { runtime = await startTestRuntime(); });
after(async () => { await runtime?.close(); });

const id = (n) => `evt-${String(n).padStart(12, '0')}`;
function batch(events, overrides = {}) {
  return { v: 1, site: 'demo', sent_at: Date.now(), dropped: 0, events, ...overrides };
}
function pageView(n, extra = {}) {
  return { id: id(n), type: 'pageview', ts: Date.now(), path: '/pricing', title: 'Pricing', ...extra };
}
// A person's browser unless a test says otherwise (Node's own `node` agent is a bot's).
async function post(body, headers = { 'content-type': 'text/plain;charset=UTF-8' }) {
  const response = await fetch(`${runtime.url}/v1/events`, {
    method: 'POST', headers: { 'user-agent': BROWSER_USER_AGENT, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  // Every answer must match the committed OpenAPI document.
  checkResponse('POST', '/v1/events', response.status, response.headers.get('content-type'), json);
  return { status: response.status, headers: response.headers, json };
}
async function storedCount(where = '1=1', ...params) {
  const row = await runtime.d1.prepare(`SELECT COUNT(*) AS n FROM events WHERE ${where}`).bind(...params).first();
  return row.n;
}
function assertError(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json.error.code, code);
  assert.equal(typeof res.json.error.message, 'string');
  assert.match(res.headers.get('content-type'), /application\/json/);
}

test('health answers with version and a live D1 check', async () => {
  const response = await fetch(`${runtime.url}/v1/health`);
  assert.equal(response.status, 200);
  const body = await response.json();
  checkResponse('GET', '/v1/health', response.status, response.headers.get('content-type'), body);
  assert.equal(body.status, 'ok');
  assert.equal(body.storage, 'ok');
  assert.equal(body.wire_version, 1);
  assert.match(body.version, /^\d+\.\d+\.\d+/);
});

test('a page view is stored once, however often it is delivered', async () => {
  const body = batch([pageView(1)]);
  const first = await post(body);
  assert.equal(first.status, 202);
  assert.deepEqual(first.json, { accepted: 1, duplicates: 0, rejected: [], dropped_by_client: 0, ignored_as_bot: 0 });
  const retry = await post(body);
  assert.equal(retry.status, 202);
  assert.equal(retry.json.accepted, 0);
  assert.equal(retry.json.duplicates, 1);
  assert.equal(await storedCount('id = ?1', id(1)), 1);
  const row = await runtime.d1.prepare('SELECT * FROM events WHERE id = ?1').bind(id(1)).first();
  assert.equal(row.site_id, 'demo');
  assert.equal(row.kind, 'pageview');
  assert.equal(row.path, '/pricing');
});

test('application/json is accepted as well as the beacon text/plain', async () => {
  const res = await post(batch([pageView(2)]), { 'content-type': 'application/json' });
  assert.equal(res.status, 202);
  assert.equal(res.json.accepted, 1);
});

test('bad events are itemised while good ones in the same batch are kept', async () => {
  const res = await post(batch([pageView(3), pageView(4, { path: 'no-slash' }), { id: id(5), type: 'nope', ts: 1, path: '/' }], { dropped: 2 }));
  assert.equal(res.status, 202);
  assert.equal(res.json.accepted, 1);
  assert.equal(res.json.dropped_by_client, 2);
  assert.deepEqual(res.json.rejected.map((r) => r.index), [1, 2]);
  assert.equal(await storedCount('id IN (?1, ?2, ?3)', id(3), id(4), id(5)), 1);
});

test('malformed JSON gets 400 malformed_json and stores nothing', async () => {
  const before = await storedCount();
  assertError(await post('{"v":1,"site":"demo",'), 400, 'malformed_json');
  assert.equal(await storedCount(), before);
});

test('a body of the wrong shape gets 422 invalid_request', async () => {
  assertError(await post({ v: 1, site: 'demo' }), 422, 'invalid_request');
  assertError(await post(batch([])), 422, 'invalid_request');
});

test('an unsupported wire version gets 400 unsupported_version', async () => {
  assertError(await post(batch([pageView(6)], { v: 99 })), 400, 'unsupported_version');
});

test('a wrong content type gets 415 unsupported_media_type', async () => {
  assertError(await post(batch([pageView(7)]), { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  assert.equal(await storedCount('id = ?1', id(7)), 0);
});

test('an unknown site gets 404 unknown_site and stores nothing', async () => {
  assertError(await post(batch([pageView(8)], { site: 'not-a-site' })), 404, 'unknown_site');
  assert.equal(await storedCount('id = ?1', id(8)), 0);
});

test('an oversized body gets 413 payload_too_large and stores nothing', async () => {
  const events = Array.from({ length: 150 }, (_, n) => pageView(1000 + n, { title: 'x'.repeat(500) }));
  const res = await post(batch(events));
  assertError(res, 413, 'payload_too_large');
  assert.equal(await storedCount('id LIKE ?1', 'evt-0000000010%'), 0);
});

test('unknown API paths and wrong methods answer JSON errors', async () => {
  const missing = await fetch(`${runtime.url}/v1/nothing-here`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'not_found');
  const wrong = await fetch(`${runtime.url}/v1/events`);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'POST, OPTIONS');
  assert.equal((await wrong.json()).error.code, 'method_not_allowed');
});

test('every path that answers GET answers HEAD: the same status and headers, no body', async () => {
  const { connect } = await import('node:net');
  // A raw request: fetch would hide a body the worker wrongly sent.
  const raw = (method, path) => new Promise((resolve, reject) => {
    const { hostname, port } = new URL(runtime.url);
    const socket = connect(Number(port), hostname, () => socket.end(`${method} ${path} HTTP/1.1\r\nhost: ${hostname}\r\nconnection: close\r\n\r\n`));
    const chunks = [];
    socket.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('latin1'))).on('error', reject);
  });
  // Status and headers as GET's, Content-Length included (the date aside).
  const headersOf = (answer) => answer.split('\r\n\r\n')[0].split('\r\n').filter((h) => !/^date:/i.test(h)).sort();
  for (const [path, status] of [['/v1/availability?site=demo', 200], ['/v1/health', 200], ['/v1/sites/demo/model', 200], ['/v1/availability?site=nobody-here', 404], ['/v1/staff/inbox', 401], ['/', 200], ['/touchpoint.js', 200]]) {
    const get = await raw('GET', path);
    const head = await raw('HEAD', path);
    assert.equal(Number(head.split(' ')[1]), status, `${path}: ${head}`);
    assert.deepEqual(headersOf(head), headersOf(get), path);
    assert.ok(headersOf(head).some((h) => /^content-length: [1-9]/i.test(h)), `${path}: ${head}`);
    assert.equal(head.split('\r\n\r\n')[1], '', `${path}: HEAD sends no body`);
  }
  const wrong = await fetch(`${runtime.url}/v1/events`, { method: 'HEAD' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'POST, OPTIONS');
  const getOnly = await fetch(`${runtime.url}/v1/availability?site=demo`, { method: 'PUT' });
  assert.equal(getOnly.headers.get('allow'), 'GET, HEAD, OPTIONS');
});

test('CORS lets a customer page read the answer, with or without a preflight', async () => {
  const origin = runtime.url;
  const preflight = await fetch(`${runtime.url}/v1/events`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
  assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
  const res = await post(batch([pageView(9)]), { 'content-type': 'text/plain', origin });
  assert.equal(res.headers.get('access-control-allow-origin'), origin);
});

test('the worker serves the demo site, the script tag and the console', async () => {
  for (const [path, type] of [['/', /text\/html/], ['/touchpoint.js', /javascript/], ['/console/', /text\/html/],
    ['/widget/touchpoint_widget_bg.wasm', /application\/wasm/]]) {
    const response = await fetch(`${runtime.url}${path}`);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type'), type, path);
  }
});

test('an origin outside the site allow-list gets 403 origin_not_allowed and stores nothing', async () => {
  const res = await post(batch([pageView(20)]), { 'content-type': 'text/plain', origin: 'https://evil.example' });
  assertError(res, 403, 'origin_not_allowed');
  assert.equal(await storedCount('id = ?1', id(20)), 0);
});

test('a batch the edge would refuse for its content is refused first for its caller: unknown site 404, foreign origin 403', async () => {
  const text = { 'content-type': 'text/plain' };
  for (const body of [batch([]), batch([pageView(22)], { tz: 'not a zone!' }), batch([pageView(22)], { visitor: 'not url safe' })]) {
    assertError(await post(body, { ...text, origin: 'https://evil.example' }), 403, 'origin_not_allowed');
    assertError(await post({ ...body, site: 'no-such-site' }, text), 404, 'unknown_site');
    assertError(await post(body, text), 422, 'invalid_request');
  }
  // A batch whose site is itself invalid says so.
  assertError(await post(batch([pageView(22)], { site: '' }), { ...text, origin: 'https://evil.example' }), 422, 'invalid_request');
  assert.equal(await storedCount('id = ?1', id(22)), 0);
});

test('bot traffic is acknowledged but not stored', async () => {
  const res = await post(batch([pageView(21)]), { 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
  assert.equal(res.status, 202);
  assert.equal(res.json.accepted, 0);
  assert.equal(res.json.ignored_as_bot, 1);
  assert.equal(await storedCount('id = ?1', id(21)), 0);
});

test('a cookieless visitor key links one visitor within the day; DNT keeps none', async () => {
  const ua = (n) => ({ 'content-type': 'text/plain', 'user-agent': `Mozilla/5.0 Firefox/${n}`, 'cf-connecting-ip': '203.0.113.9' });
  await post(batch([pageView(30)]), ua(1));
  await post(batch([pageView(31)]), ua(1));
  await post(batch([pageView(32)]), ua(2));
  await post(batch([pageView(33)], { dnt: true, visitor: 'consented-id-1' }), ua(1));
  const keys = {};
  for (const n of [30, 31, 32, 33]) {
    const row = await runtime.d1.prepare('SELECT visitor_key, visitor_id FROM events WHERE id = ?1').bind(id(n)).first();
    keys[n] = row;
  }
  assert.match(keys[30].visitor_key, /^[0-9a-f]{32}$/);
  assert.equal(keys[30].visitor_key, keys[31].visitor_key);
  assert.notEqual(keys[30].visitor_key, keys[32].visitor_key);
  assert.deepEqual(keys[33], { visitor_key: '', visitor_id: '' });
  // The browser's own opt-out headers count as the batch's flag does, even
  // when the page's script could not see the setting (an outside audit).
  await post(batch([pageView(34)], { visitor: 'consented-id-2' }), { ...ua(1), 'sec-gpc': '1' });
  await post(batch([pageView(35)], { visitor: 'consented-id-3' }), { ...ua(1), dnt: '1' });
  await post(batch([pageView(36)]), { ...ua(1), dnt: '0' });
  for (const n of [34, 35]) {
    assert.deepEqual(await runtime.d1.prepare('SELECT visitor_key, visitor_id, user_id FROM events WHERE id = ?1').bind(id(n)).first(), { visitor_key: '', visitor_id: '', user_id: '' }, `event ${n}`);
  }
  assert.equal((await runtime.d1.prepare('SELECT visitor_key FROM events WHERE id = ?1').bind(id(36)).first()).visitor_key, keys[30].visitor_key, 'DNT: 0 is no opt-out');
  const salts = await runtime.d1.prepare('SELECT COUNT(*) AS n FROM salts').first();
  assert.equal(salts.n, 1);
});

test('acquisition, page type and event details are stored', async () => {
  const events = [
    pageView(40, { path: '/pricing', channel: 'paid_search', source: 'Google', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring', click_id: 'gclid' }),
    pageView(41, { type: 'engagement', path: '/checkout/step-2', engaged_ms: 5000, scroll: 75 }),
    pageView(42, { type: 'custom', name: 'signup', props: { plan: 'pro', seats: 5 } }),
  ];
  const res = await post(batch(events));
  assert.equal(res.json.accepted, 3, JSON.stringify(res.json));
  const rows = (await runtime.d1.prepare('SELECT * FROM events WHERE id IN (?1, ?2, ?3) ORDER BY id').bind(id(40), id(41), id(42)).all()).results;
  assert.deepEqual([rows[0].channel, rows[0].source_name, rows[0].utm_campaign, rows[0].click_id, rows[0].page_type], ['paid_search', 'Google', 'spring', 'gclid', 'pricing']);
  assert.deepEqual([rows[1].kind, rows[1].engaged_ms, rows[1].scroll_percent, rows[1].page_type], ['engagement', 5000, 75, 'checkout']);
  assert.deepEqual([rows[2].name, JSON.parse(rows[2].props)], ['signup', { plan: 'pro', seats: 5 }], 'a number stays a number');
});

test('a flood from one visitor gets 429 rate_limited with Retry-After, and the excess is not stored', async () => {
  await startOfMinute(40_000);
  const headers = { 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 Flood/1', 'cf-connecting-ip': '198.51.100.77' };
  const burst = (from) => batch(Array.from({ length: 200 }, (_, n) => pageView(5000 + from + n, { path: '/flood' })));
  const statuses = [];
  for (let round = 0; round < 4; round++) statuses.push((await post(burst(round * 200), headers)).status);
  assert.deepEqual(statuses, [202, 202, 202, 429]);
  const res = await post(burst(800), headers);
  assertError(res, 429, 'rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
  assert.equal(await storedCount("path = '/flood'"), 600);
});

// Site settings change through the admin API, which also refreshes the
// worker's cached copy of the site (a direct D1 update would wait for expiry).
async function setIdentitySecret(secret) {
  const res = await fetch(`${runtime.url}/v1/admin/sites/demo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identity_secret: secret }),
  });
  assert.equal(res.status, 200, await res.text());
}

test('identify(userId, hmac) is kept only when the HMAC verifies with the site identity secret', async () => {
  await setIdentitySecret('id-secret-for-tests');
  const hmac = createHmac('sha256', 'id-secret-for-tests').update('user-42').digest('hex');
  const ua = { 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 Identify/1' };
  await post(batch([pageView(60)], { user: 'user-42', user_hmac: hmac }), ua);
  await post(batch([pageView(61)], { user: 'user-42', user_hmac: hmac.replace(/^./, (c) => (c === '0' ? '1' : '0')) }), ua);
  await post(batch([pageView(62)], { user: 'user-42' }), ua);
  const users = [];
  for (const n of [60, 61, 62]) users.push((await runtime.d1.prepare('SELECT user_id FROM events WHERE id = ?1').bind(id(n)).first()).user_id);
  assert.deepEqual(users, ['user-42', '', '']);
  await setIdentitySecret('');
});

test('the journey endpoint returns one visitor\'s touchpoints in order, for operators only', async () => {
  const headers = { 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 Journey/1', 'cf-connecting-ip': '192.0.2.44' };
  const t = Date.now();
  await post(batch([
    pageView(70, { ts: t - 3000, path: '/', channel: 'organic_search', source: 'Google' }),
    pageView(71, { ts: t - 2000, path: '/pricing' }),
    pageView(72, { ts: t - 1000, type: 'custom', name: 'quote-requested', path: '/pricing' }),
  ]), headers);
  const { visitor_key: key } = await runtime.d1.prepare('SELECT visitor_key FROM events WHERE id = ?1').bind(id(70)).first();
  const get = (query, auth) => fetch(`${runtime.url}/v1/journey?${query}`, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });
  const anonymous = await get(`site=demo&visitor=${key}`);
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).error.code, 'unauthorized');
  assert.equal((await get(`site=demo&visitor=${key}`, 'wrong-token-wrong-token')).status, 401);
  const missing = await get('site=demo', ADMIN_TOKEN);
  assert.equal(missing.status, 422);
  const res = await get(`site=demo&visitor=${key}`, ADMIN_TOKEN);
  assert.equal(res.status, 200);
  const body = await res.json();
  checkResponse('GET', '/v1/journey', res.status, res.headers.get('content-type'), body);
  assert.deepEqual(body.touchpoints.map((p) => [p.kind, p.path, p.page_type]), [
    ['pageview', '/', 'home'], ['pageview', '/pricing', 'pricing'], ['custom', '/pricing', 'pricing'],
  ]);
  assert.equal(body.touchpoints[0].channel, 'organic_search');
  assert.equal(body.touchpoints[2].name, 'quote-requested');
  assert.equal(body.earlier_omitted, false);
  assertErrorCode(await get(`site=nosuch&visitor=${key}`, ADMIN_TOKEN), 404, 'unknown_site');
  // A long journey lists its latest 500, in order, and says more came
  // before (an outside audit got the oldest 500 of 5,001 and no word).
  const insert = runtime.d1.prepare("INSERT INTO events (site_id, id, kind, occurred_at, received_at, path, visitor_id) VALUES ('demo', ?1, 'pageview', ?2, ?2, ?3, 'long-journey')");
  await runtime.d1.batch(Array.from({ length: 503 }, (_, n) => insert.bind(`long-journey-${String(n).padStart(6, '0')}`, t - 600_000 + n, `/step/${n}`)));
  const long = await (await get('site=demo&visitor=long-journey', ADMIN_TOKEN)).json();
  assert.equal(long.touchpoints.length, 500);
  assert.equal(long.earlier_omitted, true);
  assert.deepEqual([long.touchpoints[0].path, long.touchpoints.at(-1).path], ['/step/3', '/step/502']);
});

async function assertErrorCode(response, status, code) {
  assert.equal(response.status, status);
  assert.equal((await response.json()).error.code, code);
}

async function putSite(fields) {
  const res = await fetch(`${runtime.url}/v1/admin/sites/demo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.site;
}
const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/142.0.0.0 Safari/537.36';

test('a site setting, not the page, decides whether its automated tests are recorded', async () => {
  const headless = { 'content-type': 'text/plain', 'user-agent': HEADLESS };
  const off = await post(batch([pageView(9100)]), headless);
  assert.deepEqual([off.json.accepted, off.json.ignored_as_bot], [0, 1]);
  const site = await putSite({ record_automation: true });
  assert.equal(site.record_automation, true);
  const on = await post(batch([pageView(9101)]), headless);
  assert.deepEqual([on.json.accepted, on.json.ignored_as_bot], [1, 0]);
  // A crawler stays a crawler, headless or not.
  const crawler = await post(batch([pageView(9102)]), { 'content-type': 'text/plain', 'user-agent': `${HEADLESS} (compatible; Googlebot/2.1)` });
  assert.equal(crawler.json.ignored_as_bot, 1);
  // Kept when another field changes; the GET shows it.
  assert.equal((await putSite({ retention_days: 395 })).record_automation, true);
  const read = await (await fetch(`${runtime.url}/v1/admin/sites/demo`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  assert.equal(read.site.record_automation, true);
  assert.equal((await putSite({ record_automation: false })).record_automation, false);
  const again = await post(batch([pageView(9103)]), headless);
  assert.equal(again.json.ignored_as_bot, 1);
  assert.equal(await storedCount('id IN (?1, ?2, ?3, ?4)', id(9100), id(9101), id(9102), id(9103)), 1);
});

test('a page view from chatgpt.com lands as ai_assistant / ChatGPT: the edge refines the browser\'s referral', async () => {
  // What the recorder sends for such a visit: its short lists say `referral`.
  const res = await post(batch([pageView(9200, { referrer: 'https://chatgpt.com/', channel: 'referral' })]));
  assert.equal(res.json.accepted, 1, JSON.stringify(res.json));
  const row = await runtime.d1.prepare('SELECT channel, source_name FROM events WHERE id = ?1').bind(id(9200)).first();
  assert.deepEqual(row, { channel: 'ai_assistant', source_name: 'ChatGPT' });
  await post(batch([pageView(9201, { referrer: 'https://email.ionos.de/', channel: 'referral' }), pageView(9202, { referrer: 'https://shop.example/', channel: 'internal' })]));
  const rows = (await runtime.d1.prepare('SELECT channel, source_name FROM events WHERE id IN (?1, ?2) ORDER BY id').bind(id(9201), id(9202)).all()).results;
  assert.deepEqual(rows, [{ channel: 'email', source_name: 'IONOS Mail' }, { channel: 'internal', source_name: '' }]);
});

test('a text message, push or QR code link lands in its own channel, not direct', async () => {
  // What the recorder sends for them: no referrer, so its short lists say `direct`.
  const tagged = [
    [9210, { utm_source: 'acme', utm_medium: 'sms' }, 'sms'],
    [9211, { utm_source: 'acme', utm_medium: 'web_push' }, 'mobile_push'],
    [9212, { utm_source: 'spotify', utm_medium: 'audio' }, 'audio'],
    [9213, { utm_source: 'flyer', utm_medium: 'qr', utm_campaign: 'spring' }, 'other_campaign'],
    [9214, {}, 'direct'],
  ];
  const res = await post(batch(tagged.map(([n, fields]) => pageView(n, { channel: 'direct', ...fields }))));
  assert.equal(res.json.accepted, tagged.length, JSON.stringify(res.json));
  for (const [n, , channel] of tagged) {
    const row = await runtime.d1.prepare('SELECT channel FROM events WHERE id = ?1').bind(id(n)).first();
    assert.equal(row.channel, channel, JSON.stringify(tagged.find(([m]) => m === n)));
  }
  // A sender may name the edge's channels itself; a made-up one is refused.
  const named = await post(batch([pageView(9215, { channel: 'sms' })]));
  assert.equal(named.json.accepted, 1, JSON.stringify(named.json));
  const madeUp = await post(batch([pageView(9216, { channel: 'qr_code' })]));
  assert.deepEqual([madeUp.json.accepted, madeUp.json.rejected.length], [0, 1], JSON.stringify(madeUp.json));
});

test('search words in a referrer are kept as the term only when the site allows it', async () => {
  const fromBing = (n) => pageView(n, { referrer: 'https://www.bing.com/search?q=Blue+Shoes', channel: 'organic_search', source: 'Bing' });
  await post(batch([fromBing(9300)]));
  assert.equal((await putSite({ search_terms: true })).search_terms, true);
  await post(batch([fromBing(9301)]));
  await putSite({ search_terms: false });
  const rows = (await runtime.d1.prepare('SELECT utm_term, referrer FROM events WHERE id IN (?1, ?2) ORDER BY id').bind(id(9300), id(9301)).all()).results;
  assert.deepEqual(rows, [{ utm_term: '', referrer: 'https://www.bing.com/search' }, { utm_term: 'blue shoes', referrer: 'https://www.bing.com/search' }]);
});

test('secrets in a recorded path are masked before it is stored: name=value pairs that name one, in hash routes too', async () => {
  const paths = [
    ['/login/password=hunter2', '/login/password=:secret'],
    ['/app#/auth/callback&access_token=abcdefghijklmnopqrstuvwxyzABCD', '/app#/auth/callback&access_token=:secret'],
    ['/cart;jsessionid=A1B2C3/pay', '/cart;jsessionid=:secret/pay'],
    ['/shop/color=red&size=42', '/shop/color=red&size=42'],
    // Random tokens the script's small rule lets through (a second audit's reset links).
    ['/reset-password/PpD5KHXe3PYiGkPAuNaRL6', '/reset-password/:token'],
    ['/#/users/4ZQrgociJivhKX27NVbyQWLLJdNGJRtX', '/#/users/:token'],
    ['/p/PrivacyPolicyAndTerms', '/p/PrivacyPolicyAndTerms'],
  ];
  const res = await post(batch(paths.map(([path], i) => pageView(900 + i, { path }))));
  assert.equal(res.status, 202, JSON.stringify(res.json));
  for (const [i, [, stored]] of paths.entries()) {
    const row = await runtime.d1.prepare('SELECT path FROM events WHERE id = ?1').bind(id(900 + i)).first();
    assert.equal(row.path, stored);
  }
});

// An outside audit's finds: referrers and link targets kept user info and
// secret-named pairs that a page path has masked.
test('referrers and link targets are stored without user info or secrets, on their own host', async () => {
  const urls = [
    ['https://admin:p!ss-w0rd$@partner.example/', 'https://partner.example/'],
    ['https://bob:hunter2!@ref.example/path', 'https://ref.example/path'],
    ['https://cdn.example/dl/api_key=AKIAIOSFODNN7EXAMPLE/file.pdf', 'https://cdn.example/dl/api_key=:secret/file.pdf'],
    ['https://ref.example/reset/token=Zm9vYmFyYmF6cXV4', 'https://ref.example/reset/token=:secret'],
    ['https://u:p4ssw0rd@out.example/', 'https://out.example/'],
    ['https://partner.example.org/invite/VkaG_qWSESAODj4ZQrbfhA', 'https://partner.example.org/invite/:token'],
  ];
  const res = await post(batch(urls.map(([url], i) => ({
    id: id(950 + i), type: 'click', ts: Date.now(), path: '/pricing', name: 'link', referrer: url, target: url,
  }))));
  assert.equal(res.status, 202, JSON.stringify(res.json));
  assert.equal(res.json.accepted, urls.length);
  for (const [i, [url, stored]] of urls.entries()) {
    const row = await runtime.d1.prepare('SELECT referrer, target FROM events WHERE id = ?1').bind(id(950 + i)).first();
    assert.deepEqual(row, { referrer: stored, target: stored }, url);
  }
});
