// What a customer's page fetches from the worker, asked for from another
// origin: the script, the recorder, the widget and the model with CORS, CORP,
// the right types and caching; the versioned URL; the site check that tells
// a page whether its origin may record; demo pages turned off in production.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime } from '../support.mjs';
import { startRuntime, seedDemo } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';
import { checkResponse } from './openapi.mjs';

const SHOP = 'https://shop.example';
const VERSION = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
let runtime, production;
before(async () => {
  runtime = await startTestRuntime();
  await runtime.d1.prepare('UPDATE sites SET allowed_origins = ?1 WHERE id = ?2').bind(JSON.stringify([SHOP]), 'demo').run();
  production = await startRuntime({ port: 0, vars: { DEMO_PAGES: 'off' } });
});
after(async () => {
  await runtime?.close();
  await production?.close();
});

const get = (base, path, origin = SHOP) => fetch(`${base}${path}`, { headers: origin ? { origin } : {} });

const EMBEDDABLE = {
  '/touchpoint.js': 'text/javascript',
  '/touchpoint_recorder_bg.wasm': 'application/wasm',
  '/widget/touchpoint_widget.js': 'text/javascript',
  '/widget/touchpoint_widget_bg.wasm': 'application/wasm',
  '/widget/touchpoint.tpcm': 'application/octet-stream',
};

test('every file a page loads is readable cross-origin, with its type and short caching', async () => {
  for (const [path, type] of Object.entries(EMBEDDABLE)) {
    const response = await get(runtime.url, path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('access-control-allow-origin'), '*', path);
    assert.equal(response.headers.get('cross-origin-resource-policy'), 'cross-origin', path);
    assert.ok(response.headers.get('content-type').startsWith(type), `${path}: ${response.headers.get('content-type')}`);
    assert.match(response.headers.get('cache-control'), /max-age=300/, path);
    await response.arrayBuffer();
  }
});

test('the versioned URLs are the same bytes, cached as immutable; other versions are not served', async () => {
  for (const path of Object.keys(EMBEDDABLE)) {
    const plain = Buffer.from(await (await get(runtime.url, path)).arrayBuffer());
    const response = await get(runtime.url, `/v/${VERSION}${path}`);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(plain), path);
  }
  const old = await get(runtime.url, '/v/0.0.0-old/touchpoint.js');
  assert.equal(old.status, 404);
  assert.equal((await old.json()).error.code, 'not_found');
});

test('the console and the demo pages are not made cross-origin', async () => {
  const console = await get(runtime.url, '/console/');
  assert.equal(console.status, 200);
  assert.equal(console.headers.get('access-control-allow-origin'), null);
  assert.match(console.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  await console.text();
  const demo = await get(runtime.url, '/');
  assert.equal(demo.status, 200);
  assert.equal(demo.headers.get('access-control-allow-origin'), null);
  await demo.text();
  const missing = await get(runtime.url, '/no-such-page.html');
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'not_found', 'an unknown file gets the JSON 404 every unknown path gets');
});

test('with DEMO_PAGES off the demo pages are gone, and the script, widget and console stay', async () => {
  for (const path of ['/', '/index.html', '/pricing.html', '/demo.css']) {
    const response = await get(production.url, path);
    assert.equal(response.status, 404, path);
    assert.equal((await response.json()).error.code, 'not_found');
  }
  for (const path of [...Object.keys(EMBEDDABLE), '/console/']) {
    const response = await get(production.url, path);
    assert.equal(response.status, 200, path);
    await response.arrayBuffer();
  }
});

test('the site check answers whether a page\'s origin may record, readable by that page', async () => {
  const check = async (site, origin) => {
    const response = await get(runtime.url, `/v1/sites/${site}/check`, origin);
    const json = await response.json();
    checkResponse('GET', `/v1/sites/${site}/check`, response.status, response.headers.get('content-type'), json);
    return { status: response.status, json, headers: response.headers };
  };
  const allowed = await check('demo', SHOP);
  assert.equal(allowed.status, 200);
  assert.deepEqual(allowed.json, { site: 'demo', origin_allowed: true });
  assert.equal(allowed.headers.get('access-control-allow-origin'), SHOP);
  assert.match(allowed.headers.get('cache-control'), /max-age=60/);
  const stranger = await check('demo', 'https://elsewhere.example');
  assert.equal(stranger.status, 403);
  assert.equal(stranger.json.error.code, 'origin_not_allowed');
  assert.match(stranger.json.error.message, /^https:\/\/elsewhere\.example may not record for site "demo": add it to the site's allowed origins/);
  assert.equal(stranger.headers.get('access-control-allow-origin'), 'https://elsewhere.example', 'the page can read why');
  const unknown = await check('no-such-site', SHOP);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'unknown_site');
  assert.match(unknown.json.error.message, /no site "no-such-site"/);
});

// The worker scripts and tests reach D1 through (scripts/d1-access.worker.js):
// Miniflare routes any client of the port to a worker named in a header, so
// without the process's secret it must answer nothing and run no SQL.
test('the local runtime\'s D1 access worker answers no client of the port, whatever header picks it', async () => {
  for (const headers of [
    { 'MF-Route-Override': 'd1-access' },
    { 'MF-Route-Override': 'd1-access', 'x-d1-access': 'guess' },
  ]) {
    const response = await fetch(`${runtime.url}/`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ op: 'exec', sql: 'CREATE TABLE intruder (a)' }),
    });
    assert.notEqual(response.status, 200, JSON.stringify(headers));
    await response.arrayBuffer();
  }
  const tables = await runtime.d1.prepare("SELECT name FROM sqlite_master WHERE name = 'intruder'").all();
  assert.deepEqual(tables.results, []);
});
