// The demo company site in headless Chromium against the real worker and D1:
// the script tag records the page view, the launcher opens the lazily loaded
// widget, and the console page loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, launchChromium, eventually, newPersonPage, ADMIN_TOKEN } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const shots = join(root, 'test-results', 'screenshots');
let runtime;
let browser;
before(async () => {
  mkdirSync(shots, { recursive: true });
  runtime = await startTestRuntime();
  // The demo site as `make dev` serves it: with its teams (a site with no
  // team yet shows no composer).
  await seedContactChannel(runtime.url, ADMIN_TOKEN);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await runtime?.close();
});

async function pageViews(path) {
  const { results } = await runtime.d1
    .prepare("SELECT * FROM events WHERE site_id = 'demo' AND kind = 'pageview' AND path = ?1")
    .bind(path)
    .all();
  return results;
}

test('the demo page view reaches D1 with the page context', async () => {
  const page = await newPersonPage(browser, { viewport: { width: 1200, height: 800 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  await page.goto(`${runtime.url}/pricing?email=someone%40example.com#top`);
  const rows = await eventually(async () => { const r = await pageViews('/pricing'); return r.length ? r : null; }, 15_000);
  assert.ok(rows, 'no page view stored');
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.equal(row.title, 'Pricing — Northwind Outfitters');
  assert.equal(row.viewport_width, 1200);
  assert.equal(row.viewport_height, 800);
  assert.equal(row.language, 'de-DE');
  assert.equal(row.time_zone, 'Europe/Berlin');
  assert.match(row.id, /^[0-9a-f]{32}$/);
  assert.ok(!JSON.stringify(row).includes('someone'), 'the query string must never be stored');
  await page.close();
});

test('the launcher lives in a shadow root, starts loading the widget on hover and opens it only when clicked', async () => {
  const page = await browser.newPage();
  const requested = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await page.goto(`${runtime.url}/`);
  const launcher = page.locator('[data-touchpoint-launcher] >> button.launcher');
  await launcher.waitFor();
  assert.equal(await launcher.textContent(), 'Talk to us');
  // Host page CSS cannot see into it: the button is not in the light DOM.
  assert.equal(await page.evaluate(() => document.querySelectorAll('button').length), 0);
  assert.ok(!requested.some((p) => p.includes('widget')), 'the widget must not load before the visitor asks');
  await page.screenshot({ path: join(shots, 'demo-launcher.png') });

  // A pointer resting on the launcher starts the download, so the click waits less.
  await launcher.hover();
  assert.ok(await eventually(async () => requested.includes('/widget/touchpoint_widget_bg.wasm')), 'hovering loads the widget');
  const panel = page.locator('[data-touchpoint-launcher] >> [role=dialog]');
  await page.waitForTimeout(300);
  assert.equal(await panel.count(), 0, 'hovering must not open the panel');

  await launcher.click();
  await panel.waitFor();
  assert.equal(await panel.locator('h2').textContent(), 'Talk to our team');
  assert.ok(requested.includes('/widget/touchpoint_widget_bg.wasm'));
  // The site's model URL: the worker answers with the default model until the site has its own.
  assert.ok(requested.includes('/v1/sites/demo/model'), 'the classifier model loads with the widget');
  await page.screenshot({ path: join(shots, 'demo-panel.png') });
  await panel.locator('button.close').click();
  await eventually(async () => (await panel.count()) === 0);
  assert.equal(await panel.count(), 0);
  await page.close();
});

test('keyboard focus on the launcher starts loading the widget; a browser saving data waits for the click', async () => {
  const wasm = '/widget/touchpoint_widget_bg.wasm';
  const focused = await browser.newPage();
  const requested = [];
  focused.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await focused.goto(`${runtime.url}/`);
  await focused.locator('[data-touchpoint-launcher] >> button.launcher').focus();
  assert.ok(await eventually(async () => requested.includes(wasm)), 'focus loads the widget');
  await focused.close();

  const saving = await browser.newPage();
  await saving.addInitScript(() => Object.defineProperty(navigator, 'connection', { value: { saveData: true } }));
  const saved = [];
  saving.on('request', (request) => saved.push(new URL(request.url()).pathname));
  await saving.goto(`${runtime.url}/`);
  const launcher = saving.locator('[data-touchpoint-launcher] >> button.launcher');
  await launcher.hover();
  await launcher.focus();
  await saving.waitForTimeout(500);
  assert.ok(!saved.includes(wasm), 'Save-Data: nothing loads before the click');
  await launcher.click();
  await saving.locator('[data-touchpoint-launcher] >> [role=dialog]').waitFor();
  assert.ok(saved.includes(wasm));
  await saving.close();
});

test('a script tag without data-site logs once and leaves the page untouched', async () => {
  const page = await browser.newPage();
  const warnings = [];
  page.on('console', (message) => { if (message.type() === 'warning') warnings.push(message.text()); });
  await page.route('**/broken.html', (route) => route.fulfill({
    contentType: 'text/html',
    body: '<!doctype html><title>Broken</title><p id="host">host content</p><script src="/touchpoint.js" async></script>',
  }));
  await page.goto(`${runtime.url}/broken.html`);
  await eventually(async () => warnings.length > 0, 3000);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Touchpoint/);
  assert.equal(await page.locator('[data-touchpoint-launcher]').count(), 0);
  assert.equal(await page.locator('#host').textContent(), 'host content');
  await page.close();
});

test('the staff console loads its sign-in form, served with a strict CSP', async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${runtime.url}/console/`);
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  await page.locator('form input#token').waitFor();
  await page.screenshot({ path: join(shots, 'console-sign-in.png') });
  await page.close();
});

test('the npm package starts the recorder from an ES module import', async () => {
  const page = await newPersonPage(browser);
  // Serve pkg/ as a front-end build would, beside a page that imports it.
  await page.route('**/app/**', (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/app\//, '');
    if (path === 'index.html') {
      return route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Npm app</title><script type="module">
          import { init } from '/app/pkg/index.js';
          init({ site: 'demo', endpoint: location.origin }).then(() => { document.title = 'started'; });
        </script>`,
      });
    }
    const type = path.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return route.fulfill({ path: join(root, path), contentType: type });
  });
  await page.goto(`${runtime.url}/app/index.html`);
  await page.waitForFunction(() => document.title === 'started');
  const rows = await eventually(async () => { const r = await pageViews('/app/index.html'); return r.length ? r : null; }, 15_000);
  assert.equal(rows?.length, 1);
  await page.locator('[data-touchpoint-launcher] >> button.launcher').click();
  await page.locator('[data-touchpoint-launcher] >> [role=dialog]').waitFor();
  await page.close();
});

test('in Chromium, a bad site model falls back to the built-in one with one clear warning', async () => {
  const page = await browser.newPage();
  const warnings = [];
  page.on('console', (message) => { if (message.type() === 'warning') warnings.push(message.text()); });
  await page.route('**/site-model.tpcm', (route) => route.fulfill({ body: 'not a model at all' }));
  await page.goto(`${runtime.url}/`);
  const result = await page.evaluate(async () => {
    const widget = await import('/widget/touchpoint_widget.js');
    await widget.default({ module_or_path: '/widget/touchpoint_widget_bg.wasm' });
    const usedSiteModel = await widget.loadModel('/site-model.tpcm', '/widget/touchpoint.tpcm',
      [{ keyword: 'gift card', topic: 'billing' }]);
    return {
      usedSiteModel,
      refund: widget.classify('I want my money back, please refund me').topic,
      rule: widget.classify('My gift card does not work').topic_source,
    };
  });
  assert.equal(result.usedSiteModel, false);
  assert.equal(result.refund, 'refund');
  assert.equal(result.rule, 'rule');
  const modelWarnings = warnings.filter((w) => w.includes('site-model.tpcm'));
  assert.equal(modelWarnings.length, 1);
  assert.match(modelWarnings[0], /bad magic bytes.*using the built-in model/);
  await page.close();
});

// The panel does not wait for the classifier's model: it opens at once, an
// open panel draws again when the model lands (a draft typed before it gets
// its labels and redaction preview), and a model that never arrives costs
// only the labels — the message still goes, redacted.
const MODEL_FILES = /\/v1\/sites\/[^/]+\/model$|\/widget\/touchpoint\.tpcm$/;

test('the panel opens before the model lands, and labels a draft typed earlier once it does', async () => {
  const page = await browser.newPage();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(MODEL_FILES, async (route) => { await held; await route.continue(); });
  await page.goto(`${runtime.url}/`);
  await page.locator('[data-touchpoint-launcher] >> button.launcher').click();
  const dialog = page.locator('[data-touchpoint-launcher] >> [role=dialog]');
  await dialog.waitFor({ timeout: 5000 });
  await dialog.locator('#tp-message').fill('I was charged twice, card 4111 1111 1111 1111, please refund one');
  await page.waitForTimeout(300);
  assert.equal(await dialog.locator('.pii').count(), 0, 'no preview without a model');
  release();
  await dialog.locator('.pii').waitFor({ timeout: 5000 });
  assert.match(await dialog.locator('.redacted').innerText(), /\[card\]/);
  await page.close();
});
