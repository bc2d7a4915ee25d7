// The API's contract against the real worker (workerd + D1): bodies bounded
// while they arrive, UTF-8 refused rather than replaced, the caller checked
// before its body, operator PUTs that keep what they leave out, a short
// ADMIN_TOKEN that fails loudly, and openapi.json agreeing with the server on
// which requests it accepts. Each test reproduces a finding of issues 13/14.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { startTestRuntime, startOfMinute, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { startRuntime, seedDemo, seedContactChannel } from '../../scripts/runtime.mjs';
import { apiClient, checkResponse, openapi, specAcceptsBody, specAcceptsParameter } from './openapi.mjs';

let runtime, channel, api, ana;
before(async () => {
  runtime = await startTestRuntime();
  channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  api = apiClient(runtime.url);
  ana = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
});
after(async () => { await runtime?.close(); });

const visitorHeaders = () => ({ origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `198.51.100.${Math.floor(Math.random() * 250) + 1}` });
const asAdmin = (method, path, body) => api(method, path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body });
const asStaff = (who, method, path, body) => api(method, path, { headers: { authorization: `Bearer ${who.token}` }, body });

function assertError(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json?.error?.code, code, JSON.stringify(res.json));
}

/** Sends `body` (bytes, a string, or a stream of chunks) and checks the answer against openapi.json. */
async function raw(method, path, body, headers = {}) {
  const init = { method, headers: { 'content-type': 'application/json', ...headers }, body };
  if (body instanceof ReadableStream) init.duplex = 'half';
  const response = await fetch(`${runtime.url}${path}`, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  checkResponse(method, path.split('?')[0], response.status, response.headers.get('content-type'), json);
  return { status: response.status, json };
}

/** A chunked body (no Content-Length) of `total` ASCII bytes; `sent()` tells how much the client produced. */
function chunked(total, chunk = 64 * 1024) {
  let produced = 0;
  const piece = new TextEncoder().encode('x'.repeat(chunk));
  const stream = new ReadableStream({
    pull(controller) {
      if (produced >= total) return controller.close();
      produced += piece.length;
      controller.enqueue(piece);
    },
  });
  return { stream, sent: () => produced };
}

/**
 * POSTs a chunked body of up to `total` ASCII bytes over a plain socket, and
 * stops sending once the answer arrives (`status` is null when the connection
 * closed without one). `fetch` cannot be used here: when the
 * worker answers and stops reading mid-upload, undici may report the reset of
 * its own unfinished upload ("fetch failed") instead of the answer already
 * received, depending on timing (seen under load).
 */
function chunkedOverSocket(path, total) {
  const { hostname, port, host } = new URL(runtime.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const received = [];
    let produced = 0;
    let closed = false;
    socket.on('data', (data) => received.push(data));
    // Writes after the worker stopped reading fail; the answer is what counts.
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      // No answer: the reset that ends an unread upload can discard an answer
      // the client's kernel had received but the client had not read yet.
      if (split < 0) return resolve({ status: null, produced });
      const head = text.slice(0, split).split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const header = (name) => head.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
      let body = text.slice(split + 4);
      if (/chunked/i.test(header('transfer-encoding') ?? '')) {
        let decoded = '';
        while (body) {
          const eol = body.indexOf('\r\n');
          const size = parseInt(body.slice(0, eol), 16);
          if (!size) break;
          decoded += body.slice(eol + 2, eol + 2 + size);
          body = body.slice(eol + 2 + size + 2);
        }
        body = decoded;
      }
      resolve({ status, contentType: header('content-type'), json: body ? JSON.parse(body) : null, produced });
    });
    socket.on('connect', async () => {
      socket.write(`POST ${path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`);
      const piece = 64 * 1024;
      const frame = `${piece.toString(16)}\r\n${'x'.repeat(piece)}\r\n`;
      while (produced < total && !closed && received.length === 0) {
        produced += piece;
        if (!socket.write(frame)) {
          await new Promise((drained) => { socket.once('drain', drained); socket.once('close', drained); });
        }
        // Let the answer be read as soon as it arrives, before a reset can drop it.
        await new Promise((next) => setImmediate(next));
      }
      if (!closed) socket.end('0\r\n\r\n');
    });
  });
}

test('a chunked body over the limit is 413 payload_too_large, cut while it arrives, never "not valid UTF-8"', async () => {
  // Issue 14: a 64 MB chunked ASCII body was read whole, then answered 422 "not valid UTF-8".
  // The worker stops reading and answers; when a reset lost the answer, the
  // upload is tried again (the worker must still have stopped reading early).
  let huge;
  for (let attempt = 0; attempt < 5 && !huge?.status; attempt++) {
    huge = await chunkedOverSocket('/v1/events', 64 * 1024 * 1024);
    assert.ok(huge.produced < 16 * 1024 * 1024, `the worker stopped reading early (client produced ${huge.produced} bytes)`);
  }
  checkResponse('POST', '/v1/events', huge.status, huge.contentType, huge.json);
  assertError(huge, 413, 'payload_too_large');
  assert.match(huge.json.error.message, /65536 bytes/);
  // Just over the 32 KB limit of the other endpoints, chunked: the whole body
  // is drained (no reset), and the answer is precise.
  for (let i = 0; i < 20; i++) {
    const small = chunked(40 * 1024, 8 * 1024);
    assertError(await raw('POST', '/v1/conversations', small.stream, visitorHeaders()), 413, 'payload_too_large');
  }
  // Declared with Content-Length, the same rule.
  assertError(await raw('POST', '/v1/conversations', JSON.stringify({ site: 'demo', message: { text: 'x'.repeat(40_000) } }), visitorHeaders()), 413, 'payload_too_large');
  // Within the limit, a chunked body is read as usual.
  const fits = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"site":"demo","message":{"text":"Where is my '));
      controller.enqueue(new TextEncoder().encode('parcel? It was due on Monday"}}'));
      controller.close();
    },
  });
  assert.equal((await raw('POST', '/v1/conversations', fits, visitorHeaders())).status, 201);
});

test('invalid UTF-8 is refused with 400 invalid_utf8 and the offset, never stored as U+FFFD', async () => {
  const bytes = Buffer.concat([Buffer.from('{"site":"demo","message":{"text":"caf'), Buffer.from([0xe9]), Buffer.from(' au lait, broken"}}')]);
  const refused = await raw('POST', '/v1/conversations', bytes, visitorHeaders());
  assertError(refused, 400, 'invalid_utf8');
  assert.match(refused.json.error.message, /offset 37/);
  const stored = await runtime.d1.prepare("SELECT COUNT(*) AS n FROM messages WHERE text LIKE '%au lait, broken%'").first();
  assert.equal(stored.n, 0);
  const batch = Buffer.concat([Buffer.from('{"v":1,"site":"demo","sent_at":1,"events":[{"id":"utf8-event-000001","type":"pageview","ts":1,"path":"/'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]);
  assertError(await raw('POST', '/v1/events', batch, { 'content-type': 'text/plain' }), 400, 'invalid_utf8');
  // Half a UTF-16 surrogate pair escaped is no character either: refused as such, on both body readers.
  const half = await raw('POST', '/v1/conversations', '{"site":"demo","message":{"text":"lone \\uD800 half"}}', visitorHeaders());
  assertError(half, 400, 'malformed_json');
  assert.match(half.json.error.message, /half of a UTF-16 surrogate pair/);
  const halfEvent = await raw('POST', '/v1/events', '{"v":1,"site":"demo","sent_at":1,"events":[{"id":"surrogate-event-0001","type":"pageview","ts":1,"path":"/\\uDC00"}]}', { 'content-type': 'text/plain' });
  assertError(halfEvent, 400, 'malformed_json');
  assert.match(halfEvent.json.error.message, /half of a UTF-16 surrogate pair/);
  // Valid UTF-8 in any script is text as usual.
  assert.equal((await raw('POST', '/v1/conversations', JSON.stringify({ site: 'demo', message: { text: 'Café, 日本語, Ελληνικά — where is my order?' } }), visitorHeaders())).status, 201);
});

test('ids and query values that are not UTF-8 once percent-decoded are refused with 400 invalid_utf8, never kept or replaced', async () => {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const staff = { authorization: `Bearer ${ana.token}` };
  for (const [method, path, headers, body] of [
    ['PUT', '/v1/admin/sites/%ff%fe', admin, JSON.stringify({ name: 'Bytes' })],
    ['PUT', '/v1/admin/sites/demo/teams/%C0%AF', admin, JSON.stringify({ name: 'Overlong' })],
    ['GET', '/v1/admin/sites/demo/visitors/%ff', admin],
    ['GET', '/v1/staff/inbox?q=%ff', staff],
    ['GET', '/v1/staff/inbox?status=open&q=caf%C3', staff],
    ['GET', '/v1/staff/conversations/ab%E9cd', staff],
  ]) {
    const refused = await raw(method, path, body, headers);
    assertError(refused, 400, 'invalid_utf8');
    assert.match(refused.json.error.message, /percent-decoded, is not valid UTF-8 \(invalid byte at offset \d+\)/);
  }
  // Nothing was created under the escapes, and no caller learns of the bytes before its credentials.
  assertError(await raw('GET', '/v1/admin/sites/%25ff%25fe', undefined, admin), 404, 'unknown_site');
  assertError(await raw('GET', '/v1/admin/sites/%ff%fe', undefined, {}), 401, 'unauthorized');
  // UTF-8 escaped is an id and a search as usual.
  assert.equal((await raw('PUT', '/v1/admin/sites/%C3%A9tiquette-utf8', JSON.stringify({ name: 'Étiquette' }), admin)).status, 201);
  assert.equal((await raw('GET', '/v1/admin/sites/%C3%A9tiquette-utf8', undefined, admin)).json.site.id, 'étiquette-utf8');
  assert.equal((await raw('GET', '/v1/staff/inbox?q=caf%C3%A9', undefined, staff)).status, 200);
});

test('a body that names a key twice is malformed (serde_json alone keeps the last), and nothing is stored', async () => {
  const twice = '{"site":"shop","message":{"text":"which site am I on, twice?"},"site":"demo"}';
  const refused = await raw('POST', '/v1/conversations', twice, visitorHeaders());
  assertError(refused, 400, 'malformed_json');
  assert.match(refused.json.error.message, /duplicate key `site`/);
  const nested = '{"site":"demo","message":{"text":"nested twice","text":"the other text"}}';
  assertError(await raw('POST', '/v1/conversations', nested, visitorHeaders()), 400, 'malformed_json');
  const stored = await runtime.d1.prepare("SELECT COUNT(*) AS n FROM messages WHERE text LIKE '%twice%' OR text = 'the other text'").first();
  assert.equal(stored.n, 0);
});

test('JSON endpoints read application/json only; the recorder\'s /v1/events also takes the beacon\'s text/plain', async () => {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded']) {
    const refused = await raw('PUT', '/v1/admin/sites/demo', '{"name":"Renamed by a form"}', { ...admin, 'content-type': type });
    assertError(refused, 415, 'unsupported_media_type');
    assert.equal(refused.json.error.message, 'the Content-Type must be application/json, in UTF-8');
    const body = JSON.stringify({ site: 'demo', message: { text: 'sent as a simple request' } });
    assertError(await raw('POST', '/v1/conversations', body, { ...visitorHeaders(), 'content-type': type }), 415, 'unsupported_media_type');
  }
  // Bodies are read as UTF-8: a body declared in another charset is refused, not misread.
  for (const type of ['application/json; charset=latin1', 'application/json; charset="windows-1252"']) {
    assertError(await raw('PUT', '/v1/admin/sites/demo', '{"name":"Renamed in Latin-1"}', { ...admin, 'content-type': type }), 415, 'unsupported_media_type');
  }
  const site = await asAdmin('GET', '/v1/admin/sites/demo');
  assert.notEqual(site.json.site.name, 'Renamed by a form');
  assert.notEqual(site.json.site.name, 'Renamed in Latin-1');
  const batch = JSON.stringify({ v: 1, site: 'demo', sent_at: Date.now(), events: [{ id: 'beacon-text-plain-0001', type: 'pageview', ts: Date.now(), path: '/' }] });
  assert.equal((await raw('POST', '/v1/events', batch, { ...visitorHeaders(), 'content-type': 'text/plain;charset=UTF-8' })).status, 202);
  const latin = JSON.stringify({ v: 1, site: 'demo', sent_at: Date.now(), events: [{ id: 'beacon-latin-1-0001', type: 'pageview', ts: Date.now(), path: '/' }] });
  assertError(await raw('POST', '/v1/events', latin, { ...visitorHeaders(), 'content-type': 'text/plain; charset=ISO-8859-1' }), 415, 'unsupported_media_type');
});

test('a query parameter given twice, or one the endpoint does not read, is refused by name (which value counts must not depend on the order, and a misspelt one is not ignored)', async () => {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const visitor = await raw('POST', '/v1/conversations', JSON.stringify({ site: 'demo', message: { text: 'a thread to poll twice' } }), visitorHeaders());
  assert.equal(visitor.status, 201, JSON.stringify(visitor.json));
  const { id } = visitor.json.conversation;
  const bearer = { authorization: `Bearer ${visitor.json.visitor_token}`, origin: runtime.url };
  for (const [path, headers, name] of [
    [`/v1/conversations/${id}/messages?after=0&after=abc`, bearer, 'after'],
    [`/v1/conversations/${id}/messages?after=abc&after=0`, bearer, 'after'],
    ['/v1/admin/sites/demo/export/touchpoints?limit=1&limit=99999', admin, 'limit'],
    ['/v1/admin/sites/demo/export/touchpoints?l%69mit=1&limit=2', admin, 'limit'],
    ['/v1/staff/insights?days=7&days=9999', { authorization: `Bearer ${ana.token}` }, 'days'],
    ['/v1/availability?site=shop&site=demo', { origin: runtime.url }, 'site'],
  ]) {
    const refused = await fetch(`${runtime.url}${path}`, { headers });
    const body = await refused.json();
    assert.equal(refused.status, 422, `${path}: ${JSON.stringify(body)}`);
    assert.equal(body.error.code, 'invalid_request');
    assert.equal(body.error.message, `invalid request: ${name}: a query parameter given more than once`);
  }
  for (const [path, headers, name, takes] of [
    ['/v1/staff/insights?from=2026-01-01&to=2026-02-01', { authorization: `Bearer ${ana.token}` }, 'from', 'this endpoint takes days, team'],
    ['/v1/admin/sites/demo/export/touchpoints?limt=5', admin, 'limt', 'this endpoint takes since, until, limit, cursor'],
    ['/v1/health?verbose=1', {}, 'verbose', 'this endpoint takes no query parameters'],
    [`/v1/conversations/${id}/messages?since=0`, bearer, 'since', 'this endpoint takes after'],
  ]) {
    const refused = await fetch(`${runtime.url}${path}`, { headers });
    const body = await refused.json();
    assert.equal(refused.status, 422, `${path}: ${JSON.stringify(body)}`);
    assert.equal(body.error.message, `invalid request: ${name}: not a query parameter here (${takes})`);
  }
  // The wrong caller hears who it is not before what its query lacks: a
  // missing or wrong credential is 401, an agent's token on the operator's API 403.
  const agent = await channel.createStaff('Cy Query', ['sales']);
  for (const [path, headers, status] of [
    ['/v1/staff/insights?from=2026-01-01', {}, 401],
    ['/v1/staff/insights?from=2026-01-01', { authorization: 'Bearer tps_nobody.guess' }, 401],
    ['/v1/admin/sites/demo/export/touchpoints?limt=5', {}, 401],
    ['/v1/admin/sites/demo/export/touchpoints?limt=5', { authorization: 'Bearer not-the-secret' }, 401],
    ['/v1/admin/sites/demo/export/touchpoints?limt=5', { authorization: `Bearer ${agent.token}` }, 403],
    [`/v1/conversations/${id}/messages?since=0`, { origin: runtime.url }, 401],
    [`/v1/conversations/${id}/messages?after=1&after=2`, { authorization: 'Bearer tpv_wrong', origin: runtime.url }, 401],
    ['/v1/journey?site=demo&visitor=v&x=1', {}, 401],
  ]) {
    const refused = await fetch(`${runtime.url}${path}`, { headers });
    const body = await refused.json();
    assert.equal(refused.status, status, `${path} ${JSON.stringify(headers)}: ${JSON.stringify(body)}`);
    assert.equal(body.error.code, status === 401 ? 'unauthorized' : 'forbidden');
  }
  // Every operation that needs a credential, generated from openapi.json:
  // without one, a made-up parameter is answered 401, never 422.
  let guarded = 0;
  for (const [template, item] of Object.entries(openapi.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const schemes = item[method]?.security?.map((scheme) => Object.keys(scheme)[0]) ?? [];
      if (schemes.length === 0 || schemes.includes('intakeKey')) continue;
      guarded += 1;
      const path = template.replace('{site}', 'demo').replace(/\{[^}]+\}/g, 'x1');
      const refused = await fetch(`${runtime.url}${path}?made_up=1`, { method: method.toUpperCase(), headers: { origin: runtime.url } });
      const body = await refused.json();
      assert.equal(refused.status, 401, `${method} ${template}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'unauthorized');
    }
  }
  assert.ok(guarded > 40, `${guarded} operations need a credential`);
  // Once each, the same requests are answered.
  assert.equal((await fetch(`${runtime.url}/v1/conversations/${id}/messages?after=0`, { headers: bearer })).status, 200);
  assert.equal((await fetch(`${runtime.url}/v1/staff/insights?days=7`, { headers: { authorization: `Bearer ${ana.token}` } })).status, 200);
  // A static file's query is not the API's: a cache-busting repeat still gets the file.
  assert.equal((await fetch(`${runtime.url}/?v=1&v=2`)).status, 200);
});

test('an endpoint that takes no body refuses one precisely and does nothing: a key is not rotated by junk', async () => {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const path = '/v1/admin/sites/demo/intake-key';
  const key = (await asAdmin('POST', path)).json.intake_key;
  assertError(await raw('POST', path, 'not json', admin), 400, 'malformed_json');
  assertError(await raw('POST', path, '{"rotate":"please"}', admin), 422, 'invalid_request');
  assertError(await raw('POST', path, 'name=x', { ...admin, 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  assertError(await raw('POST', path, Buffer.from([0x7b, 0xff, 0x7d]), admin), 400, 'invalid_utf8');
  assertError(await raw('POST', path, `{"x":"${'a'.repeat(70_000)}"}`, admin), 413, 'payload_too_large');
  // The key from before still works: nothing above rotated it.
  const mail = { site: 'demo', channel: 'email', text: 'Still the same key?', external_id: '<junk-body@mail.example>' };
  assert.equal((await raw('POST', '/v1/intake', JSON.stringify(mail), { authorization: `Bearer ${key}` })).status, 201);
  // Nothing at all, or {}, is what these endpoints take.
  assert.equal((await raw('POST', path, '{}', admin)).status, 201);
  assert.equal((await raw('POST', path, undefined, admin)).status, 201);
});

test('the caller is checked before the body on authenticated routes', async () => {
  // Issue 14: POST /v1/intake with no key and {} answered 422.
  assertError(await raw('POST', '/v1/intake', '{}'), 401, 'unauthorized');
  assertError(await raw('POST', '/v1/intake', 'not json', { authorization: 'Bearer tpi_wrong' }), 401, 'unauthorized');
  assertError(await raw('POST', '/v1/intake', Buffer.from([0xff, 0xfe])), 401, 'unauthorized');
  assertError(await raw('POST', '/v1/intake', chunked(200 * 1024).stream), 401, 'unauthorized');
  assertError(await raw('POST', '/v1/staff/conversations/x/messages', '{'), 401, 'unauthorized');
  assertError(await raw('PUT', '/v1/staff/presence', '[]'), 401, 'unauthorized');
  assertError(await raw('PUT', '/v1/admin/sites/demo', '{"nonsense":true}'), 401, 'unauthorized');
  assertError(await raw('PUT', '/v1/admin/sites/demo/teams/support', 'x'.repeat(50_000)), 401, 'unauthorized');
  assertError(await raw('POST', '/v1/conversations/abc/messages', '{}', visitorHeaders()), 401, 'unauthorized');
  // With the right key, the body is judged, and it must be for the key's own site.
  const key = (await asAdmin('POST', '/v1/admin/sites/demo/intake-key')).json.intake_key;
  assertError(await raw('POST', '/v1/intake', '{}', { authorization: `Bearer ${key}` }), 422, 'invalid_request');
  await asAdmin('PUT', '/v1/admin/sites/elsewhere', { name: 'Elsewhere' });
  const mail = { site: 'elsewhere', channel: 'email', text: 'Hello there', external_id: '<x1@mail.example>' };
  assertError(await raw('POST', '/v1/intake', JSON.stringify(mail), { authorization: `Bearer ${key}` }), 403, 'forbidden');
  const ok = await raw('POST', '/v1/intake', JSON.stringify({ ...mail, site: 'demo' }), { authorization: `Bearer ${key}` });
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
});

test('wrong secrets for one staff id are slowed from any address, and that token still gets in; the operator secret per address', async () => {
  const dee = await channel.createStaff('Dee Park', ['sales']);
  const [id] = dee.token.slice(4).split('.');
  await startOfMinute();
  const perId = [];
  for (let i = 0; i < 7; i++) {
    perId.push((await api('GET', '/v1/staff/me', { headers: { 'cf-connecting-ip': `203.0.113.${100 + i}`, authorization: `Bearer tps_${id}.wrong${i}` } })).status);
  }
  assert.deepEqual(perId, [401, 401, 401, 401, 401, 429, 429]);
  assert.equal((await api('GET', '/v1/staff/me', { headers: { 'cf-connecting-ip': '203.0.113.106', authorization: `Bearer ${dee.token}` } })).status, 200);
  // The operator secret names no id: wrong ones are limited per address.
  const headers = { 'cf-connecting-ip': '203.0.113.200' };
  const admin = [];
  for (let i = 0; i < 12; i++) admin.push((await api('GET', '/v1/admin/sites/demo', { headers: { ...headers, authorization: `Bearer wrong-admin-token-${i}` } })).status);
  assert.deepEqual(admin, [...Array(10).fill(401), 429, 429]);
  assert.equal((await api('GET', '/v1/admin/sites/demo', { headers: { ...headers, authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200);
  // A request with no credential guesses nothing: 401, never throttled.
  for (let i = 0; i < 12; i++) assertError(await api('GET', '/v1/admin/sites/demo', { headers }), 401, 'unauthorized');
  assertError(await api('GET', '/v1/staff/me', { headers }), 401, 'unauthorized');
});

test('a team PUT keeps every field it leaves out, like a site PUT; unknown keys are refused', async () => {
  // Issue 13 finding 11: name was required and hours were cleared when left out.
  const hours = { weekly: [{ day: 'mon', open: '09:00', close: '17:00' }], closures: [{ from: '2026-12-24', to: '2026-12-26', reason: 'Holidays' }] };
  const created = await asAdmin('PUT', '/v1/admin/sites/demo/teams/returns', { name: 'Returns', hours, target_minutes: 90, visible: false });
  assert.equal(created.status, 201, 'created, as a site PUT that creates');
  const retargeted = await asAdmin('PUT', '/v1/admin/sites/demo/teams/returns', { target_minutes: 45 });
  assert.equal(retargeted.status, 200, JSON.stringify(retargeted.json));
  assert.deepEqual(retargeted.json.team, { id: 'returns', name: 'Returns', hours, target_minutes: 45, visible: false, webhook: false });
  const renamed = await asAdmin('PUT', '/v1/admin/sites/demo/teams/returns', { name: 'Returns & exchanges' });
  assert.deepEqual(renamed.json.team.hours, hours);
  const stored = (await asAdmin('GET', '/v1/admin/sites/demo')).json.teams.find((t) => t.id === 'returns');
  assert.deepEqual([stored.name, stored.hours, stored.target_minutes, stored.visible], ['Returns & exchanges', hours, 45, false]);
  // Creating still needs a name; an unknown key is refused, as the spec says.
  assertError(await asAdmin('PUT', '/v1/admin/sites/demo/teams/brand-new', { target_minutes: 10 }), 422, 'invalid_request');
  assertError(await asAdmin('PUT', '/v1/admin/sites/demo/teams/returns', { name: 'R', colour: 'red' }), 422, 'invalid_request');
  assertError(await asAdmin('PUT', '/v1/admin/sites/demo/teams/returns', { hours: { weekly: [{ day: 'mon', open: '+9:00', close: '17:00' }] } }), 422, 'invalid_request');
});

test("a site's console_url is an https link (http only on this machine), at most 2,000 characters, without credentials", async () => {
  const site = '/v1/admin/sites/console-link-site';
  const created = await asAdmin('PUT', site, { name: 'Console links', console_url: 'https://console.links.example/touchpoint/' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  for (const console_url of [
    'javascript:alert(1)//',
    'data:text/html,<script>alert(1)</script>',
    'not a url at all',
    `https://console.links.example/${'a'.repeat(20_000)}`,
    'http://console.links.example/',
    'https://user:secret@console.links.example/',
    'https://console.links.example/#/inbox',
    'https://console.links.example/<b>|x',
  ]) {
    const refused = await asAdmin('PUT', site, { console_url });
    assertError(refused, 422, 'invalid_request');
    assert.match(refused.json.error.message, /console_url: /);
    assert.ok(!specAcceptsBody('PUT', '/v1/admin/sites/{site}', { console_url }), `openapi.json refuses ${console_url.slice(0, 60)} too`);
  }
  const kept = await asAdmin('GET', site);
  assert.equal(kept.json.site.console_url, 'https://console.links.example/touchpoint/', 'a refused update changes nothing');
  for (const console_url of ['http://localhost:8787/console/', 'http://127.0.0.1:9/console/', 'http://[::1]/', '', 'https://console.links.example:8443/tp/?tenant=a']) {
    const accepted = await asAdmin('PUT', site, { console_url });
    assert.equal(accepted.status, 200, `${console_url}: ${JSON.stringify(accepted.json)}`);
    assert.equal(accepted.json.site.console_url, console_url);
    assert.ok(specAcceptsBody('PUT', '/v1/admin/sites/{site}', { console_url }), console_url);
  }
});

test("a site's identity secret is set through the operator API, and identify() verifies against it", async () => {
  // Issue 13 finding 11: how to set it was written nowhere.
  const secret = 'site-identity-secret-0123456789';
  assertError(await asAdmin('PUT', '/v1/admin/sites/demo', { identity_secret: 'too-short' }), 422, 'invalid_request');
  const set = await asAdmin('PUT', '/v1/admin/sites/demo', { identity_secret: secret });
  assert.equal(set.status, 200);
  assert.equal(set.json.site.identity, true);
  assert.ok(!JSON.stringify(set.json).includes(secret), 'the secret is never returned');
  const headers = visitorHeaders();
  const user = { id: 'user-4242', hmac: createHmac('sha256', secret).update('user-4242').digest('hex') };
  const started = await api('POST', '/v1/conversations', { headers, body: { site: 'demo', user, message: { text: 'Question about my account' } } });
  assert.equal(started.status, 201);
  const history = await api('POST', '/v1/identity/conversations', { headers, body: { site: 'demo', user } });
  assert.equal(history.status, 200);
  assert.deepEqual(history.json.conversations.map((c) => c.conversation.id), [started.json.conversation.id]);
  const removed = await asAdmin('PUT', '/v1/admin/sites/demo', { identity_secret: '' });
  assert.equal(removed.json.site.identity, false);
  assertError(await api('POST', '/v1/identity/conversations', { headers, body: { site: 'demo', user } }), 401, 'unauthorized');
});

test('openapi.json and the server agree on the requests the issue found them disagreeing on', async () => {
  const v = visitorHeaders();
  const started = await api('POST', '/v1/conversations', { headers: v, body: { site: 'demo', message: { text: 'I need help with an order' } } });
  const id = started.json.conversation.id;
  const cases = [
    // [what, does the spec accept it, the server's answer]
    ['GET /v1/staff/insights?days=0', specAcceptsParameter('GET', '/v1/staff/insights', 'days', 0),
      await asStaff(ana, 'GET', '/v1/staff/insights?days=0')],
    ['POST /v1/events {}', specAcceptsBody('POST', '/v1/events', {}), await api('POST', '/v1/events', { body: {} })],
    ['POST /v1/conversations "site":""', specAcceptsBody('POST', '/v1/conversations', { site: '', message: { text: 'hi' } }),
      await api('POST', '/v1/conversations', { headers: v, body: { site: '', message: { text: 'hi' } } })],
    ['staff reply {"text":""}', specAcceptsBody('POST', '/v1/staff/conversations/{id}/messages', { text: '' }),
      await asStaff(ana, 'POST', `/v1/staff/conversations/${id}/messages`, { text: '' })],
    ['team PUT with an unknown key', specAcceptsBody('PUT', '/v1/admin/sites/{site}/teams/{team}', { name: 'X', unknown: 1 }),
      await asAdmin('PUT', '/v1/admin/sites/demo/teams/support', { name: 'X', unknown: 1 })],
    ['assign to an unknown staff member', specAcceptsBody('POST', '/v1/staff/conversations/{id}/assign', { staff: 'nobody' }),
      await asStaff(ana, 'POST', `/v1/staff/conversations/${id}/assign`, { staff: 'nobody' })],
    ['GET /v1/staff/inbox?status=&team=', specAcceptsParameter('GET', '/v1/staff/inbox', 'status', '') && specAcceptsParameter('GET', '/v1/staff/inbox', 'team', ''),
      await asStaff(ana, 'GET', '/v1/staff/inbox?status=&team=')],
  ];
  const disagreements = cases
    // A request the spec accepts may only be refused for what a schema cannot
    // know (409, 404…); one it refuses must be refused by the server too.
    .filter(([, accepted, res]) => (accepted ? [400, 422].includes(res.status) : res.status < 400))
    .map(([what, accepted, res]) => `${what}: spec ${accepted ? 'accepts' : 'refuses'}, server ${res.status}`);
  assert.deepEqual(disagreements, []);
  assert.deepEqual(cases.map(([, accepted]) => accepted), [false, false, false, false, false, true, true]);
});

test('an ADMIN_TOKEN under 16 characters fails loudly: 503 misconfigured naming it, not a silent 401', async () => {
  // Issue 13 finding 10: a short ADMIN_TOKEN was ignored without a word.
  let output = '';
  const short = await startRuntime({ port: 0, adminToken: 'too-short', onOutput: (text) => { output += text; } });
  try {
    await seedDemo(short.d1, short.url);
    const call = apiClient(short.url);
    for (const token of ['too-short', 'anything-else-at-all']) {
      const res = await call('PUT', '/v1/admin/sites/demo', { headers: { authorization: `Bearer ${token}` }, body: { name: 'Demo' } });
      assertError(res, 503, 'misconfigured');
      assert.match(res.json.error.message, /ADMIN_TOKEN is shorter than 16 characters/);
    }
    assertError(await call('GET', '/v1/journey?site=demo&visitor=v'), 503, 'misconfigured');
    // Everything else works: visitors, health.
    assert.equal((await call('GET', '/v1/health')).status, 200);
    // The operator reads it in the logs (`wrangler tail`), once, not per request.
    const logged = output.split('ADMIN_TOKEN is shorter than 16 characters').length - 1;
    assert.equal(logged, 1, output);
  } finally {
    await short.close();
  }
});
