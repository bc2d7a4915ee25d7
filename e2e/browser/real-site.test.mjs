// Touchpoint on a customer's own website: pages served from other origins
// than the worker, with the README's snippet and the README's Content
// Security Policy copied from README.md, a hostile stylesheet, the
// self-hosted folder, the versioned URL with Subresource Integrity, an origin
// the site does not allow, opt-out and debug mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { startTestRuntime, launchChromium, eventually, newPersonPage, ADMIN_TOKEN } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const README = readFileSync(join(root, 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## On a website: the script tag'), README.indexOf('## In a front-end app'));
// The fenced code blocks of a section, in order, with their language.
function fences(markdown) {
  const found = [];
  let open = null;
  for (const line of markdown.split('\n')) {
    if (open === null && line.startsWith('```')) open = { lang: line.slice(3).trim(), lines: [] };
    else if (open !== null && line.startsWith('```')) { found.push({ lang: open.lang, text: open.lines.join('\n').trim() }); open = null; }
    else if (open !== null) open.lines.push(line);
  }
  return found;
}
const blocks = (lang) => fences(section).filter((f) => f.lang === lang).map((f) => f.text);
// The README's snippets, verbatim but for the worker's address and the site key.
const [SNIPPET, VERSIONED_SNIPPET, SELF_HOSTED_SNIPPET] = blocks('html');
const [CSP] = blocks('');

// Every rule a careless or hostile page stylesheet might carry.
const HOSTILE_CSS = `
* { font-family: "Comic Sans MS", cursive !important; letter-spacing: 5px !important; color: lime !important;
    text-transform: uppercase !important; line-height: 3 !important; box-sizing: content-box !important; }
div { padding: 30px !important; margin: 20px !important; font-size: 30px !important; border: 5px solid red !important; }
[data-touchpoint-launcher] { display: none !important; opacity: .1 !important; transform: scale(3) !important; }
body > div:last-child { filter: blur(4px) !important; visibility: hidden !important; }
html { font-size: 40px; direction: rtl; }
body { transform: translateZ(0); filter: blur(6px) !important; opacity: .3 !important; contain: paint; min-height: 5000px; }
`;

let runtime, browser, staff, shop, stranger;
const fill = (html, worker) => html.replaceAll('wss://touchpoint.example.com', worker.replace(/^http/, 'ws'))
  .replaceAll('https://touchpoint.example.com', worker).replaceAll('YOUR_SITE_KEY', 'demo');

/** A customer's web server on its own port: its pages, its stylesheet, and optionally the self-hosted folder. */
function customerSite(pages) {
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    // The folder again under /touchpoint-untyped/, as a plain static server
    // sends it: .wasm as application/octet-stream.
    const folder = path.match(/^\/touchpoint(-untyped)?\//);
    if (folder) {
      const file = normalize(join(root, 'dist', 'self-host', path.slice(folder[0].length)));
      if (!file.startsWith(join(root, 'dist', 'self-host')) || !existsSync(file)) { response.writeHead(404).end(); return; }
      const type = file.endsWith('.wasm') && !folder[1] ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      response.writeHead(200, { 'content-type': type }).end(readFileSync(file));
      return;
    }
    if (path === '/favicon.ico') { response.writeHead(204).end(); return; }
    if (path === '/hostile.css') { response.writeHead(200, { 'content-type': 'text/css' }).end(HOSTILE_CSS); return; }
    const page = pages[path];
    if (!page) { response.writeHead(404).end(); return; }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': fill(page.csp ?? CSP, runtime.url) });
    response.end(`<!doctype html><html lang="en"><head><title>${path}</title>${page.css ? '<link rel="stylesheet" href="/hostile.css">' : ''}
      ${fill(page.head, runtime.url)}</head><body><h1>Shop</h1><div id="host">host content</div></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

const integrity = () => JSON.parse(readFileSync(join(root, 'dist', 'integrity.json'), 'utf8'));
const PAGES = {
  '/': { head: SNIPPET, css: true },
  '/clean': { head: SNIPPET, css: false },
  '/self-hosted': { head: SELF_HOSTED_SNIPPET, css: true },
  '/self-hosted-untyped': { head: SELF_HOSTED_SNIPPET.replaceAll('/touchpoint/', '/touchpoint-untyped/'), css: false },
  '/debug': { head: SNIPPET.replace('async>', 'data-debug="true" async>'), css: false },
  // A policy that leaves out the README's 'wasm-unsafe-eval': the recorder cannot compile.
  '/no-wasm-eval': { head: SNIPPET, css: false, csp: CSP.replace(" 'wasm-unsafe-eval'", '') },
  get '/versioned'() {
    const { integrity: hash } = integrity();
    return { head: SNIPPET.slice(0, SNIPPET.indexOf('</script>') + 9) + VERSIONED_SNIPPET.replace(/sha384-[^"]*/, hash), css: false };
  },
};

before(async () => {
  runtime = await startTestRuntime();
  shop = await customerSite(PAGES);
  stranger = await customerSite(PAGES);
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN, shop.url);
  staff = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await runtime?.close();
  shop?.server.close();
  stranger?.server.close();
});

/** A person's page that records console messages, page errors and CSP violations. */
async function visit(url) {
  const page = await newPersonPage(browser, { viewport: { width: 1280, height: 800 } });
  const log = { errors: [], warnings: [], debug: [], violations: [], eventPosts: 0 };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
    if (m.type() === 'warning') log.warnings.push(m.text());
    if (m.type() === 'debug') log.debug.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => { if (r.url().endsWith('/v1/events')) log.eventPosts += 1; });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { page, log };
}
const violations = (page) => page.evaluate(() => window.__violations);
const launcher = (page) => page.locator('[data-touchpoint-launcher] >> button.launcher');
async function pageViews(origin, path) {
  await fetch(`${runtime.url}/v1/health`); // let D1 settle
  const { results } = await runtime.d1
    .prepare("SELECT path FROM events WHERE site_id = 'demo' AND kind = 'pageview' AND path = ?1").bind(path).all();
  return results;
}
const flushed = (page) => page.evaluate(() => { window.touchpoint('flush'); });

test('the README snippet under the README CSP on another origin records, opens the panel and reaches staff', async () => {
  assert.ok(SNIPPET && CSP, 'README has the snippet and the CSP');
  assert.ok(shop.url !== runtime.url);
  const { page, log } = await visit(`${shop.url}/`);
  assert.equal(await page.evaluate(() => window.touchpoint.ready), true);
  await flushed(page);
  assert.ok(await eventually(async () => (await pageViews(shop.url, '/')).length === 1, 5000), 'the page view landed');

  await launcher(page).click();
  const panel = page.locator('[data-touchpoint-panel]');
  await panel.locator('.presence').waitFor();
  await panel.locator('#tp-message').fill('Do you ship the blue parka to Norway? My email is kari@example.no');
  await panel.locator('input[type=email]').fill('kari@example.no').catch(() => {});
  await panel.locator('button.send').click();
  await panel.locator('.thread .visitor').waitFor();
  const inbox = await eventually(async () => {
    const response = await fetch(`${runtime.url}/v1/staff/inbox`, { headers: { authorization: `Bearer ${staff.token}` } });
    const body = await response.json();
    return body.conversations?.length ? body : null;
  });
  assert.ok(inbox, 'the message reached the staff inbox');
  assert.deepEqual(await violations(page), [], 'no CSP violation');
  assert.deepEqual(log.errors, [], 'no console error');
  assert.deepEqual(log.warnings, [], 'no console warning');
  await page.close();
});

test('a hostile page stylesheet changes no computed style inside the launcher or the panel', async () => {
  const styles = async (path) => {
    const { page } = await visit(`${shop.url}${path}`);
    await page.evaluate(() => window.touchpoint.ready);
    const corner = await launcher(page).boundingBox();
    const viewport = page.viewportSize();
    assert.ok(corner.y > 0 && corner.y + corner.height <= viewport.height, `the launcher is in the window's corner on ${path}: ${JSON.stringify(corner)}`);
    await launcher(page).click();
    await page.locator('[data-touchpoint-panel] .panel').waitFor();
    await page.locator('[data-touchpoint-panel] .presence').waitFor();
    const result = await page.evaluate(() => {
      const host = document.querySelector('[data-touchpoint-launcher]');
      const root = host.shadowRoot;
      const props = ['display', 'visibility', 'opacity', 'transform', 'filter', 'font-family', 'font-size', 'letter-spacing',
        'line-height', 'color', 'background-color', 'text-transform', 'padding-top', 'margin-top', 'border-top-width',
        'box-sizing', 'direction', 'position', 'width', 'height'];
      const pick = (element) => element && Object.fromEntries(props.map((p) => [p, getComputedStyle(element).getPropertyValue(p)]));
      const sample = ['button.launcher', '.panel', '.panel header', '.panel h2', '.panel textarea', '.panel .send', '.panel .presence'];
      // What the page does to the host's ancestors reaches it too (a transform
      // or filter on <body> moves or blurs fixed children), and where it lands.
      const ancestors = [];
      for (let at = host.parentElement; at; at = at.parentElement) {
        const { filter, opacity, transform, contain } = getComputedStyle(at);
        ancestors.push({ tag: at.tagName, filter, opacity, transform, contain });
      }
      const box = (element) => { const { x, y, width, height } = element.getBoundingClientRect(); return { x, y, width, height }; };
      const place = { panel: box(root.querySelector('.panel')), viewport: { width: innerWidth, height: innerHeight } };
      return Object.fromEntries([['host', pick(host)], ...sample.map((s) => [s, pick(root.querySelector(s))]), ['ancestors', ancestors], ['place', place]]);
    });
    await page.close();
    return result;
  };
  const clean = await styles('/clean');
  const hostile = await styles('/');
  for (const [element, props] of Object.entries(clean)) {
    assert.ok(props, `${element} exists`);
    assert.deepEqual(hostile[element], props, `${element} is styled as on a clean page`);
  }
  const { panel, viewport } = hostile.place;
  assert.ok(panel.y >= 0 && panel.y + panel.height <= viewport.height, `the panel is on screen: ${JSON.stringify(hostile.place)}`);
  assert.equal(clean.host.visibility, 'visible');
  assert.equal(clean['button.launcher']['letter-spacing'], 'normal');
});

test('the self-hosted folder from the README works from the site\'s own origin', async () => {
  assert.match(SELF_HOSTED_SNIPPET, /src="\/touchpoint\/touchpoint.js"/);
  const { page, log } = await visit(`${shop.url}/self-hosted`);
  assert.equal(await page.evaluate(() => window.touchpoint.ready), true);
  await flushed(page);
  assert.ok(await eventually(async () => (await pageViews(shop.url, '/self-hosted')).length === 1, 5000));
  const loaded = [];
  page.on('request', (r) => loaded.push(r.url()));
  await launcher(page).click();
  await page.locator('[data-touchpoint-panel] .presence').waitFor();
  assert.ok(loaded.some((u) => u.startsWith(`${shop.url}/touchpoint/widget/touchpoint_widget_bg.wasm`)), 'the widget came from the site');
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the self-hosted folder on a server that sends .wasm as application/octet-stream: recorded and answered, with a warning naming the type to serve it as', async () => {
  const { page, log } = await visit(`${shop.url}/self-hosted-untyped`);
  assert.equal(await page.evaluate(() => window.touchpoint.ready), true);
  await flushed(page);
  assert.ok(await eventually(async () => (await pageViews(shop.url, '/self-hosted-untyped')).length === 1, 5000));
  assert.ok(log.warnings.some((w) => /touchpoint-untyped\/touchpoint_recorder_bg\.wasm is not served as application\/wasm: loaded without streaming compilation/.test(w)), log.warnings.join('\n'));
  await launcher(page).click();
  await page.locator('[data-touchpoint-panel] .presence').waitFor();
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the versioned script with its Subresource Integrity hash loads cross-origin; a wrong hash is blocked', async () => {
  const { page, log } = await visit(`${shop.url}/versioned`);
  assert.equal(await page.evaluate(() => window.touchpoint.ready), true);
  await flushed(page);
  assert.ok(await eventually(async () => (await pageViews(shop.url, '/versioned')).length === 1, 5000));
  assert.deepEqual(log.errors, []);
  await page.close();

  const tampered = await newPersonPage(browser);
  const errors = [];
  tampered.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await tampered.goto(`${shop.url}/clean`);
  await tampered.evaluate(([worker, version]) => new Promise((resolve) => {
    const script = document.createElement('script');
    script.src = `${worker}/v/${version}/touchpoint.js?again`;
    script.integrity = 'sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    script.crossOrigin = 'anonymous';
    script.onerror = resolve;
    script.onload = resolve;
    document.head.appendChild(script);
  }), [runtime.url, integrity().version]);
  assert.ok(errors.some((e) => /integrity/i.test(e)), 'the browser refused the tampered script');
  await tampered.close();
});

test('an origin the site does not allow: one warning naming it, ready rejects with a typed error, nothing sent', async () => {
  const { page, log } = await visit(`${stranger.url}/clean`);
  const refusal = await page.evaluate(() => window.touchpoint.ready.then(
    () => null, (e) => ({ name: e.name, code: e.code, origin: e.origin, message: e.message })));
  assert.equal(refusal?.name, 'TouchpointError');
  assert.equal(refusal.code, 'origin_not_allowed');
  assert.equal(refusal.origin, stranger.url);
  await page.evaluate(() => { window.touchpoint('track', 'x'); window.touchpoint('flush'); });
  await page.waitForTimeout(300);
  const ours = log.warnings.filter((w) => w.includes('Touchpoint'));
  assert.equal(ours.length, 1, ours.join('\n'));
  assert.ok(ours[0].includes(stranger.url), 'the warning names the origin');
  assert.match(ours[0], /allowed origins/);
  assert.equal(await page.locator('[data-touchpoint-launcher]').count(), 0);
  assert.equal(log.eventPosts, 0);
  assert.equal(await page.locator('#host').textContent(), 'host content');
  assert.deepEqual(log.errors.filter((e) => !/403/.test(e)), [], 'no error but the browser\'s own note of the 403');
  await page.close();
});

test('a policy without \'wasm-unsafe-eval\': one warning, ready rejects with wasm_unavailable, the page is left as it was', async () => {
  assert.notEqual(PAGES['/no-wasm-eval'].csp, CSP);
  const { page, log } = await visit(`${shop.url}/no-wasm-eval`);
  await page.waitForFunction(() => !!window.touchpoint?.ready);
  const failure = await page.evaluate(() => window.touchpoint.ready.then(
    () => null, (e) => ({ name: e.name, code: e.code, message: e.message })));
  assert.deepEqual([failure?.name, failure?.code], ['TouchpointError', 'wasm_unavailable'], JSON.stringify(failure));
  assert.match(failure.message, /touchpoint_recorder_bg\.wasm was not loaded \(CompileError/);
  await page.evaluate(() => { window.touchpoint('track', 'x'); window.touchpoint('flush'); });
  await page.waitForTimeout(300);
  const ours = log.warnings.filter((w) => w.includes('Touchpoint'));
  assert.equal(ours.length, 1, ours.join('\n'));
  assert.equal(await page.locator('[data-touchpoint-launcher]').count(), 0);
  assert.equal(log.eventPosts, 0);
  assert.equal(await page.locator('#host').textContent(), 'host content');
  // Only the browser's own report of the blocked compile, never an uncaught error.
  assert.deepEqual(log.errors.filter((e) => !/WebAssembly|wasm-unsafe-eval/.test(e)), [], log.errors.join('\n'));
  await page.close();
});

test('opt-out stops recording now and on later pages and deletes what was kept; opt-in resumes', async () => {
  const { page, log } = await visit(`${shop.url}/clean`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => { window.touchpoint('consent', 'granted'); });
  assert.ok(await page.evaluate(() => localStorage.getItem('touchpoint.visitor')));
  await page.evaluate(() => { window.touchpoint('optout'); window.touchpoint('track', 'after_optout'); window.touchpoint('flush'); });
  assert.equal(await page.evaluate(() => localStorage.getItem('touchpoint.visitor')), null);
  assert.equal(await page.evaluate(() => localStorage.getItem('touchpoint.optout')), '1');
  const before = log.eventPosts;
  await page.evaluate(() => history.pushState({}, '', '/clean#next'));
  await page.waitForTimeout(300);
  assert.equal(log.eventPosts, before, 'nothing sent after opting out');
  await page.reload();
  assert.equal(await page.evaluate(() => window.touchpoint.ready), false, 'not recorded on a later page');
  await page.evaluate(() => window.touchpoint('optin'));
  await page.reload();
  assert.equal(await page.evaluate(() => window.touchpoint.ready), true);
  const { results } = await runtime.d1.prepare("SELECT id FROM events WHERE site_id = 'demo' AND name = 'after_optout'").all()
    .catch(() => ({ results: [] }));
  assert.equal(results.length, 0);
  await page.close();
});

test('debug mode logs each decision and each event sent', async () => {
  const { page, log } = await visit(`${shop.url}/debug`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => { window.touchpoint('track', 'debugged', { step: 2 }); window.touchpoint('flush'); });
  assert.ok(await eventually(() => log.debug.some((d) => /Touchpoint sends/.test(d)), 3000), log.debug.join('\n'));
  assert.ok(log.debug.some((d) => /recording for site demo/.test(d)));
  await page.close();
});
