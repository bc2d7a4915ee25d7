// The npm package as a front-end team meets it: packed with `npm pack`,
// checked with `npm publish --dry-run`, installed into the Vite + TypeScript
// app in examples/vite-app, type-checked under `strict`, built with Vite,
// served from its own origin and run in Chromium against the worker; and
// imported in Node, as server-side rendering does, where it must not throw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join, normalize, extname } from 'node:path';
import { startTestRuntime, launchChromium, eventually, newPersonPage, ADMIN_TOKEN } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const work = join(root, 'target', 'npm-app');
const app = join(work, 'vite-app');
const bin = (name) => join(root, 'node_modules', '.bin', name);
let tarball, runtime, browser, site;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
function serve(dir) {
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    if (path === '/favicon.ico') { response.writeHead(204).end(); return; }
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir) || !existsSync(file)) { response.writeHead(404).end(); return; }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

before(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: join(root, 'pkg') }));
  tarball = { path: join(work, packed[0].filename), files: packed[0].files.map((f) => f.path) };
  cpSync(join(root, 'examples', 'vite-app'), app, { recursive: true });
  // `npm install` of the tarball, as a team would (nothing else to fetch: the
  // package has no dependencies; Vite and TypeScript come from the repository).
  execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball.path],
    { cwd: app, stdio: 'pipe' });
});
after(async () => {
  await browser?.close();
  await runtime?.close();
  site?.server.close();
});

test('the packed package holds its README, licences, types and files, and is publish-ready', () => {
  for (const file of ['README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'index.d.ts', 'widget.d.ts', 'script-tag.d.ts',
    'server.js', 'recorder/touchpoint_recorder_bg.wasm', 'widget/touchpoint_widget_bg.wasm', 'widget/touchpoint.tpcm']) {
    assert.ok(tarball.files.includes(file), `${file} is in the tarball`);
  }
  // wasm-bindgen's own declarations (InitInput, __wbindgen_malloc…) are not part of the public surface.
  assert.ok(!tarball.files.includes('widget/touchpoint_widget.d.ts'));
  const publicTypes = ['index.d.ts', 'widget.d.ts', 'script-tag.d.ts'].map((f) => readFileSync(join(root, 'pkg', f), 'utf8')).join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  assert.doesNotMatch(publicTypes, /__wbindgen|InitInput|[:<(|,]\s*any\b/);
  const dryRun = spawnSync('npm', ['publish', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, 'pkg') });
  assert.equal(dryRun.status, 0, dryRun.stderr.toString());
  assert.equal(JSON.parse(dryRun.stdout.toString()).touchpoint.version, '0.1.0');
  // Clean: npm corrected nothing in package.json; the only note is that a real publish needs a login.
  const warnings = dryRun.stderr.toString().split('\n').filter((l) => /warn/i.test(l) && !/logged in/.test(l));
  assert.deepEqual(warnings, []);
});

test('the example app type-checks under strict with the packed package, including expected type errors', () => {
  // tsc fails on any error, and on any `@ts-expect-error` that is not an error.
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { stdio: 'pipe' });
});

test('importing the package on a server does nothing and never throws; the classifier works in Node', () => {
  const script = `
    const t = await import('touchpoint');
    const w = await import('touchpoint/widget');
    const out = { recorded: await t.init({ site: 'demo', endpoint: 'https://x.example' }) };
    await t.track('x'); await t.open(); t.optOut(); t.on('open', () => {})();
    try { t.classify('early'); } catch (e) { out.early = e instanceof t.TouchpointError && e.code; }
    await t.loadClassifier();
    const c = t.classify('I was charged twice, card 4111 1111 1111 1111, refund me please');
    out.topic = c.topic; out.redacted = c.redacted; out.same = w.redact('a@example.com').redacted;
    await w.preload();
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    out.model = readFileSync(fileURLToPath(import.meta.resolve('touchpoint/model.tpcm'))).subarray(0, 4).toString('latin1');
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app }).toString());
  assert.equal(out.recorded, false);
  assert.equal(out.early, 'not_ready');
  assert.equal(out.topic, 'billing');
  assert.doesNotMatch(out.redacted, /4111/);
  assert.equal(out.same, '[email]');
  assert.equal(out.model, 'TPCM', 'the built-in model is exported as touchpoint/model.tpcm');
});

test('the app, built with Vite and served from its own origin, records, opens the panel and classifies', async () => {
  const { build } = await import(join(root, 'node_modules', 'vite', 'dist', 'node', 'index.js'));
  await build({ root: app, logLevel: 'warn', build: { outDir: join(app, 'dist'), emptyOutDir: true } });
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `the wasm files ship with the app: ${assets}`);
  assert.ok(assets.some((f) => f.endsWith('.tpcm')), 'the model ships with the app');

  site = await serve(join(app, 'dist'));
  runtime = await startTestRuntime();
  await seedContactChannel(runtime.url, ADMIN_TOKEN, site.url);
  browser = await launchChromium();
  const page = await newPersonPage(browser);
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${site.url}/?site=demo&endpoint=${encodeURIComponent(runtime.url)}`);
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('"done":true'), null, { timeout: 20_000 });
  const report = JSON.parse(await page.locator('#status').textContent());
  assert.deepEqual({ ...report, done: undefined }, {
    early: 'not_ready', recorded: true, topic: 'billing', redacted: 'mail me at [email]', done: undefined,
  });
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  const rows = await eventually(async () => {
    const { results } = await runtime.d1.prepare("SELECT name FROM events WHERE site_id = 'demo' AND kind = 'custom' AND name = 'signup'").all();
    return results.length ? results : null;
  }, 8000);
  assert.equal(rows?.length, 1, 'the custom event landed');
  await page.locator('#help').click();
  await page.locator('[data-touchpoint-launcher] >> [role=dialog]').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the app on an origin the site does not allow: init() rejects with a typed error naming the origin', async () => {
  const page = await newPersonPage(browser);
  const other = await serve(join(app, 'dist'));
  try {
    await page.goto(`${other.url}/?site=demo&endpoint=${encodeURIComponent(runtime.url)}`);
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('refused'), null, { timeout: 10_000 });
    const report = JSON.parse(await page.locator('#status').textContent());
    assert.equal(report.refused, `origin_not_allowed ${other.url}`);
    assert.equal(await page.locator('[data-touchpoint-launcher]').count(), 0);
  } finally {
    other.server.close();
    await page.close();
  }
});
