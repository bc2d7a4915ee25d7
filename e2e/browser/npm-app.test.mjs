// The npm package as a front-end team meets it: packed with `npm pack`,
// checked with `npm publish --dry-run`, installed into the Vite + TypeScript
// app in examples/vite-app, type-checked under `strict`, built with Vite,
// served from its own origin and run in Chromium against the worker; and
// imported in Node, as server-side rendering does, where it must not throw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
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
    out.wrong = [undefined, 42, { text: 'hi' }].map((x) => { try { t.classify(x); return 'classified'; } catch (e) { return e instanceof t.TouchpointError && e.code; } });
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
  assert.deepEqual(out.wrong, ['invalid_argument', 'invalid_argument', 'invalid_argument'], 'a message must be a string');
  assert.equal(out.model, 'TPCM', 'the built-in model is exported as touchpoint/model.tpcm');
});

test('bundled into one server file (esbuild, as Vite `ssr.noExternal` does): without the package files a clear fix; with wasmBytes and modelBytes it classifies, and later rules apply', () => {
  // An outside audit deployed a Next.js standalone build and a fully bundled
  // Vite SSR build: the classifier looked for the package's files beside
  // the build machine's node_modules.
  const out = join(work, 'server-bundle');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(app, 'server-entry.mjs'), `
    import { loadClassifier, classify } from 'touchpoint';
    const [wasm, model] = process.argv.slice(2);
    const { readFileSync } = await import('node:fs');
    const out = {};
    try { await loadClassifier(); } catch (e) { out.missing = [e.code, e.message]; }
    await loadClassifier({ wasmBytes: readFileSync(wasm), modelBytes: readFileSync(model) });
    out.topic = classify('I was charged twice, please refund me').topic;
    await loadClassifier({ modelBytes: readFileSync(model), rules: [{ keyword: 'charged twice', topic: 'sales' }] });
    out.ruled = classify('I was charged twice, please refund me').topic;
    await loadClassifier();
    out.kept = classify('I was charged twice, please refund me').topic;
    console.log(JSON.stringify(out));`);
  execFileSync(bin('esbuild'), ['server-entry.mjs', '--bundle', '--platform=node', '--format=esm', `--outfile=${join(out, 'server.mjs')}`, '--log-level=warning'], { cwd: app });
  const installed = join(app, 'node_modules', 'touchpoint');
  const result = JSON.parse(execFileSync(process.execPath, [join(out, 'server.mjs'),
    join(installed, 'widget', 'touchpoint_widget_bg.wasm'), join(installed, 'widget', 'touchpoint.tpcm')], { cwd: out }).toString());
  assert.equal(result.missing[0], 'wasm_unavailable');
  assert.match(result.missing[1], /keep it external \(Next\.js: serverExternalPackages: \['touchpoint'\]; Vite: no ssr\.noExternal for it\), or pass wasmBytes and modelBytes/);
  assert.equal(result.topic, 'billing');
  assert.equal(result.ruled, 'sales', 'a later call with rules loads them (it was ignored)');
  assert.equal(result.kept, 'sales', 'a call without a model of its own keeps what is loaded');
});

test('page functions on a page where init() never comes say so once, after 10 s', () => {
  // An outside audit: `await open()` in a click handler hung without a word
  // when the app's init() had failed before it was called.
  const script = `
    globalThis.window = globalThis; globalThis.document = { querySelector: () => null };
    const warnings = []; console.warn = (...parts) => warnings.push(parts.join(' '));
    const t = await import(${JSON.stringify(join(app, 'node_modules', 'touchpoint', 'index.js'))});
    let settled = false;
    t.track('x').then(() => { settled = true; }); t.open(); t.flush();
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    console.log(JSON.stringify({ settled, warnings }));
    process.exit(0);`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app }).toString());
  assert.equal(out.settled, false, 'they still wait for init()');
  assert.deepEqual(out.warnings, ['Touchpoint: page functions wait for init({ site, endpoint }), which has not started Touchpoint on this page 10 s after the first call']);
});

test('on a server, modelBytes from an older Touchpoint load, and bytes that fail their checks fall back to the built-in model', () => {
  // The built-in model as format version 5 wrote it (the same weights as today's version 6 file).
  const older = join(root, 'fuzz', 'corpus', 'model', 'builtin_v5.tpcm');
  const run = (bytes) => {
    const script = `
      const t = await import('touchpoint');
      const warnings = [];
      console.warn = (...parts) => warnings.push(parts.join(' '));
      await t.loadClassifier({ modelBytes: ${bytes} });
      const c = t.classify('I was charged twice, card 4111 1111 1111 1111, refund me please');
      console.log(JSON.stringify({ topic: c.topic, confidence: c.topic_confidence, warnings }));`;
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app }).toString());
  };
  const builtin = run('undefined');
  assert.equal(builtin.topic, 'billing');
  assert.deepEqual(builtin.warnings, []);
  const fromOlder = run(`(await import('node:fs')).readFileSync(${JSON.stringify(older)})`);
  assert.deepEqual(fromOlder, builtin, 'the version 5 file classifies as the built-in version 6 one, without a warning');
  // A file from a newer Touchpoint (version 7) and a damaged one.
  for (const bytes of ['new Uint8Array([84, 80, 67, 77, 7, 0, 14, 10, 0, 0, 0, 0, 0, 0, 0, 0])', 'new Uint8Array([1, 2, 3])']) {
    const fallback = run(bytes);
    assert.equal(fallback.topic, builtin.topic);
    assert.equal(fallback.confidence, builtin.confidence);
    assert.equal(fallback.warnings.length, 1, JSON.stringify(fallback.warnings));
    assert.match(fallback.warnings[0], /^Touchpoint: the model given as modelBytes was not loaded \(.+\); using the built-in model\.$/);
  }
  assert.match(run('new Uint8Array([84, 80, 67, 77, 7, 0, 14, 10, 0, 0, 0, 0, 0, 0, 0, 0])').warnings[0], /version 7/);
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
  const models = [];
  page.on('request', (r) => { if (/\/v1\/sites\/demo\/model$/.test(r.url())) models.push(r.url()); });
  await page.goto(`${site.url}/?site=demo&endpoint=${encodeURIComponent(runtime.url)}`);
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('"done":true'), null, { timeout: 20_000 });
  // The README's `await preload()` after init() loads the site's model (an
  // outside audit: it loaded the built-in one and kept the site's out).
  assert.equal(models.length, 1, 'preload() after init() fetched the site model once');
  const report = JSON.parse(await page.locator('#status').textContent());
  assert.deepEqual({ ...report, done: undefined }, {
    early: 'not_ready', incomplete: 'invalid_config', recorded: true, topic: 'billing', redacted: 'mail me at [email]', done: undefined,
  });
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  const rows = await eventually(async () => {
    const { results } = await runtime.d1.prepare("SELECT name FROM events WHERE site_id = 'demo' AND kind = 'custom' AND name IN ('signup', 'before-init') ORDER BY name").all();
    return results.length === 2 ? results : null;
  }, 8000);
  assert.deepEqual(rows?.map((r) => r.name), ['before-init', 'signup'], 'the custom events landed, the one called before init() too');
  // The Help button is tagged `data-touchpoint-event`: its click waits in
  // the recorder's batch, and opening the panel sends it at once (so a
  // conversation started then has this page as its context).
  await page.locator('#help').click();
  await page.locator('[data-touchpoint-launcher] >> [role=dialog]').waitFor();
  const opened = Date.now();
  const help = await eventually(async () => runtime.d1.prepare("SELECT received_at FROM events WHERE site_id = 'demo' AND kind = 'click' AND name = 'help'").first(), 8000);
  assert.ok(help, 'the click was recorded');
  assert.ok(help.received_at < opened + 1500, `stored ${help.received_at - opened} ms after the panel showed: sent as it opened, not with the batch 3 s after the click`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the app on an origin the site does not allow: init() rejects with a typed error naming the origin, and nothing else throws', async () => {
  const page = await newPersonPage(browser);
  const other = await serve(join(app, 'dist'));
  // The README's track() after its try/catch, and the one before init(),
  // once rejected again: an unhandled rejection is a page error.
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    for (const calls of ['all', 'none']) {
      await page.goto(`${other.url}/?site=demo&endpoint=${encodeURIComponent(runtime.url)}&calls=${calls}`);
      await page.waitForFunction(() => document.getElementById('status').textContent.includes('"done":true'), null, { timeout: 20_000 });
      const report = JSON.parse(await page.locator('#status').textContent());
      assert.equal(report.refused, `origin_not_allowed ${other.url}`);
      assert.equal(await page.locator('[data-touchpoint-launcher]').count(), 0);
      await page.waitForTimeout(200);
      assert.deepEqual(errors, [], `page functions called: ${calls}`);
    }
  } finally {
    other.server.close();
    await page.close();
  }
});

// esbuild leaves `new URL('./x.wasm', import.meta.url)` alone, so the package's
// files are not shipped with the bundle: the app copies them and says where
// (`assets`), as pkg/README.md tells it to. Served from the allowed origin.
test('bundled with esbuild: a clear error without `assets`; with it, records and classifies; a stalled site model falls back', async () => {
  const { build } = await import('esbuild');
  const out = join(app, 'dist', 'esbuild');
  mkdirSync(out, { recursive: true });
  const entry = join(app, 'src', 'esbuild-entry.js');
  writeFileSync(entry, `
    import { init, loadClassifier, classify, TouchpointError } from 'touchpoint';
    const params = new URLSearchParams(location.search);
    const report = {};
    try {
      report.recorded = await init({ site: 'demo', endpoint: params.get('endpoint'), assets: params.get('assets') ?? undefined });
      const started = performance.now();
      await loadClassifier({ siteModelUrl: params.get('model') ?? undefined });
      report.seconds = Math.round((performance.now() - started) / 1000);
      report.topic = classify('I was charged twice, please refund me').topic;
    } catch (error) {
      report.refused = error instanceof TouchpointError ? error.code : 'untyped: ' + error;
      report.message = error.message;
    }
    document.getElementById('status').textContent = JSON.stringify(report);`);
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(out, 'app.js'), logLevel: 'warning' });
  writeFileSync(join(out, 'index.html'), '<!doctype html><title>esbuild app</title><pre id="status">starting</pre><script type="module" src="/esbuild/app.js"></script>');
  assert.ok(!readdirSync(out).some((f) => f.endsWith('.wasm')), 'esbuild does not ship the wasm');

  const page = await newPersonPage(browser);
  const endpoint = encodeURIComponent(runtime.url);
  const report = async (query) => {
    await page.goto(`${site.url}/esbuild/index.html?endpoint=${endpoint}${query}`);
    await page.waitForFunction(() => document.getElementById('status').textContent !== 'starting', null, { timeout: 30_000 });
    return JSON.parse(await page.locator('#status').textContent());
  };
  try {
    const missing = await report('');
    assert.equal(missing.refused, 'wasm_unavailable');
    assert.match(missing.message, /recorder\/touchpoint_recorder_bg\.wasm.*`assets`/);

    for (const folder of ['recorder', 'widget']) cpSync(join(app, 'node_modules', 'touchpoint', folder), join(out, 'touchpoint', folder), { recursive: true });
    const served = await report('&assets=/esbuild/touchpoint/');
    assert.deepEqual(served, { recorded: true, seconds: served.seconds, topic: 'billing' });

    // A host that sends .wasm as application/octet-stream (an outside audit:
    // the recorder and launcher vanished): loaded whole, with one warning.
    const mime = [];
    page.on('console', (m) => { if (m.type() === 'warning') mime.push(m.text()); });
    await page.route('**/esbuild/touchpoint/**/*.wasm', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
    });
    const untyped = await report('&assets=/esbuild/touchpoint/');
    assert.deepEqual(untyped, { recorded: true, seconds: untyped.seconds, topic: 'billing' });
    assert.ok(mime.some((w) => /recorder_bg\.wasm is not served as application\/wasm: loaded without streaming compilation/.test(w)), mime.join('\n'));
    await page.unroute('**/esbuild/touchpoint/**/*.wasm');

    // A browser without constructable style sheets (Safari before 16.4)
    // cannot draw the launcher: it still records, and says why once.
    const old = await newPersonPage(browser);
    const said = [];
    old.on('console', (m) => { if (m.type() === 'warning') said.push(m.text()); });
    await old.addInitScript(() => { delete CSSStyleSheet.prototype.replaceSync; });
    await old.goto(`${site.url}/esbuild/index.html?endpoint=${endpoint}&assets=/esbuild/touchpoint/`);
    await old.waitForFunction(() => document.getElementById('status').textContent !== 'starting', null, { timeout: 30_000 });
    const withoutSheets = JSON.parse(await old.locator('#status').textContent());
    assert.deepEqual(withoutSheets, { recorded: true, seconds: withoutSheets.seconds, topic: 'billing' });
    assert.equal(said.filter((w) => /the launcher could not be drawn \(.*\); recording goes on/.test(w)).length, 1, said.join('\n'));
    assert.equal(await old.locator('[data-touchpoint-launcher]').count(), 0);
    await old.close();

    // A site model that never answers costs at most the 10 s timeout: the built-in model is used.
    await page.route('**/stalled-model', () => { /* never answered */ });
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    const stalled = await report(`&assets=/esbuild/touchpoint/&model=${encodeURIComponent(`${site.url}/stalled-model`)}`);
    assert.equal(stalled.topic, 'billing');
    assert.ok(stalled.seconds >= 9 && stalled.seconds <= 12, `gave up after ${stalled.seconds} s`);
    assert.ok(warnings.some((w) => /stalled-model was not loaded \(no answer within 10 s\); using the built-in model/.test(w)), warnings.join('\n'));
  } finally {
    await page.close();
  }
});
