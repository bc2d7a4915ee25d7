// The recorder in headless Chromium against the real worker and D1: every
// event kind, single-page-app navigation, the pre-load queue, double include,
// privacy defaults, consent, Do Not Track and automation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRuntime, launchChromium, eventually, newPersonPage, ADMIN_TOKEN } from '../support.mjs';

let runtime;
let browser;
before(async () => {
  runtime = await startTestRuntime();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await runtime?.close();
});

const STUB = 'window.touchpoint = window.touchpoint || function(){(touchpoint.q = touchpoint.q || []).push(arguments)}';

/** Serves `body` at /lab/<name> (same origin as the worker), with the script tag. */
async function labPage(page, name, body, { head = '', scriptAttrs = '', scriptTwice = false } = {}) {
  const tag = `<script src="/touchpoint.js" data-site="demo" ${scriptAttrs} async></script>`;
  await page.route(`**/lab/${name}*`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><title>Lab ${name}</title>${head}${tag}${scriptTwice ? tag : ''}</head><body>${body}</body></html>`,
  }));
}

async function rows(where, ...params) {
  const { results } = await runtime.d1.prepare(`SELECT * FROM events WHERE ${where} ORDER BY occurred_at, id`).bind(...params).all();
  return results;
}
async function waitRows(where, count, ...params) {
  return eventually(async () => { const r = await rows(where, ...params); return r.length >= count ? r : null; }, 8000);
}

test('single-page-app navigation records each view: pushState, replaceState, back, hash routes', async () => {
  const page = await newPersonPage(browser);
  await labPage(page, 'spa', '<p>app</p>');
  await page.goto(`${runtime.url}/lab/spa`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  // A navigation's view is read 300 ms after it: each step waits longer.
  await page.evaluate(() => history.pushState({}, '', '/lab/spa/step-2'));
  await page.waitForTimeout(400);
  await page.evaluate(() => history.replaceState({}, '', '/lab/spa/step-3'));
  await page.waitForTimeout(400);
  await page.evaluate(() => history.back());
  await page.waitForURL('**/lab/spa');
  await page.waitForTimeout(400);
  await page.evaluate(() => { location.hash = '#/settings/profile'; });
  await page.waitForTimeout(400);
  await page.evaluate(() => window.touchpoint.flush());
  const views = await waitRows("kind = 'pageview' AND path LIKE '/lab/spa%'", 5);
  assert.deepEqual(views.map((r) => r.path), ['/lab/spa', '/lab/spa/step-2', '/lab/spa/step-3', '/lab/spa', '/lab/spa#/settings/profile']);
  assert.equal(views[0].channel, 'direct', 'the landing view carries acquisition');
  assert.equal(views[1].channel, '', 'later views of the same visit do not');
  await page.close();
});

test('single-page-app views carry the title the app sets after navigating; pushState then replaceState is one view', async () => {
  // Routers (React Router, Next.js, Vue) change the URL first and the title
  // in an effect or a timeout; a Back restores the title the same way.
  const page = await newPersonPage(browser);
  await labPage(page, 'titles', `<script>
    addEventListener('popstate', () => setTimeout(() => { document.title = location.pathname.endsWith('/product') ? 'Product' : '?'; }));
  </script>`);
  await page.goto(`${runtime.url}/lab/titles`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  await page.evaluate(() => { history.pushState({}, '', '/lab/titles/cart'); setTimeout(() => { document.title = 'Cart'; }); });
  await page.waitForTimeout(400);
  await page.evaluate(() => { history.pushState({}, '', '/lab/titles/product'); document.title = 'Product'; });
  await page.waitForTimeout(400);
  await page.evaluate(() => {
    history.pushState({}, '', '/lab/titles/redirecting');
    history.replaceState({}, '', '/lab/titles/checkout');
    setTimeout(() => { document.title = 'Checkout'; });
  });
  await page.waitForTimeout(400);
  await page.evaluate(() => history.back());
  await page.waitForURL('**/lab/titles/product');
  await page.waitForTimeout(400);
  await page.evaluate(() => window.touchpoint.flush());
  await waitRows("kind = 'pageview' AND path LIKE '/lab/titles%'", 5);
  await page.waitForTimeout(500);
  assert.deepEqual((await rows("kind = 'pageview' AND path LIKE '/lab/titles%'")).map((r) => [r.path, r.title]), [
    ['/lab/titles', 'Lab titles'],
    ['/lab/titles/cart', 'Cart'],
    ['/lab/titles/product', 'Product'],
    ['/lab/titles/checkout', 'Checkout'],
    ['/lab/titles/product', 'Product'],
  ]);
  await page.close();
});

test('a page hidden within the delay records the navigation\'s view by beacon, once', async () => {
  const page = await newPersonPage(browser);
  await labPage(page, 'leaving', '<p>app</p>');
  await page.goto(`${runtime.url}/lab/leaving`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  await page.evaluate(() => {
    history.pushState({}, '', '/lab/leaving/next');
    document.title = 'Next';
    // Left at once: the 300 ms have not passed.
    window.dispatchEvent(new Event('pagehide'));
  });
  const views = await waitRows("kind = 'pageview' AND path LIKE '/lab/leaving%'", 2);
  assert.deepEqual(views.map((r) => [r.path, r.title]), [['/lab/leaving', 'Lab leaving'], ['/lab/leaving/next', 'Next']]);
  // The view's own timer, later, records nothing more.
  await page.waitForTimeout(500);
  await page.evaluate(() => window.touchpoint.flush());
  await page.waitForTimeout(1000);
  assert.equal((await rows("kind = 'pageview' AND path LIKE '/lab/leaving%'")).length, 2);
  await page.close();
});

test('an app that navigates the moment the recorder starts: the landing view keeps its own path, title and campaign', async () => {
  // The recorder is built from what the page was at start-up only when first
  // needed; this app retitles and navigates in the very task it starts in.
  const page = await newPersonPage(browser);
  await page.addInitScript(() => {
    let api;
    Object.defineProperty(window, 'touchpoint', {
      configurable: true,
      get() { return api; },
      set(value) {
        api = value;
        value?.ready?.then(() => {
          window.__navigatedBeforeIdle = true;
          document.title = 'Retitled';
          history.pushState({}, '', '/lab/early/next');
        });
      },
    });
  });
  await labPage(page, 'early', '<p>app</p>');
  await page.goto(`${runtime.url}/lab/early?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
  await page.waitForFunction(() => window.__navigatedBeforeIdle);
  await page.evaluate(() => window.touchpoint.flush());
  const views = await waitRows("kind = 'pageview' AND path LIKE '/lab/early%'", 2);
  assert.deepEqual(views.map((r) => [r.path, r.title]), [['/lab/early', 'Lab early'], ['/lab/early/next', 'Retitled']]);
  assert.deepEqual([views[0].channel, views[0].utm_campaign], ['email', 'spring']);
  assert.equal(views[1].utm_campaign, '');
  await page.close();
});

test('clicks on outbound links, downloads and tagged elements, and form submissions (never values)', async () => {
  const page = await newPersonPage(browser);
  await labPage(page, 'clicks', `
    <a id="out" href="https://partner.example/offer?ref=abc">Partner</a>
    <a id="file" href="/files/catalogue.pdf">Catalogue</a>
    <button id="tagged" data-touchpoint-event="add-to-cart" data-touchpoint-sku="JKT-42" data-touchpoint-colour="red">Add</button>
    <a id="inside" href="/pricing">Pricing</a>
    <form id="newsletter" action="/subscribe">
      <input name="email" value="jane@example.com"><input name="first" value="Jane"><select name="topic"><option>x</option></select>
      <input type="hidden" name="csrf" value="t0k3n"><button type="submit">Go</button>
    </form>
    <script src="/lab/clicks-guard.js"></script>`);
  await page.route('**/lab/clicks-guard.js', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: "document.addEventListener('click', e => { if (e.target.closest('a')) e.preventDefault(); }); document.addEventListener('submit', e => e.preventDefault());",
  }));
  await page.goto(`${runtime.url}/lab/clicks`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  for (const id of ['out', 'file', 'tagged', 'inside']) await page.click(`#${id}`);
  await page.click('#newsletter button');
  await page.evaluate(() => window.touchpoint.flush());
  const clicks = await waitRows("kind = 'click' AND path = '/lab/clicks'", 3);
  assert.deepEqual(clicks.map((r) => [r.name, r.target]), [
    ['outbound', 'https://partner.example/offer'],
    // The test site's host is an IP address, which the worker redacts in a
    // target as anywhere else (a site on a name keeps its URL whole).
    ['download', `${runtime.url.replace(/\/\/127\.0\.0\.1:/, '//[ip]:')}/files/catalogue.pdf`],
    ['add-to-cart', ''],
  ]);
  assert.deepEqual(JSON.parse(clicks[2].props), { sku: 'JKT-42', colour: 'red' });
  const [form] = await waitRows("kind = 'form' AND path = '/lab/clicks'", 1);
  assert.equal(form.name, 'newsletter');
  assert.equal(form.fields, 3);
  const everything = JSON.stringify(await rows("path = '/lab/clicks'"));
  for (const secret of ['jane@example.com', 'Jane"', 't0k3n', 'ref=abc']) assert.ok(!everything.includes(secret), secret);
  await page.close();
});

test('calls queued by the stub before load are replayed; the script included twice records once', async () => {
  const page = await newPersonPage(browser);
  await labPage(page, 'stub', '<p>stub</p>', {
    head: `<script>${STUB}; touchpoint('track', 'signup', { plan: 'pro', seats: 3, trial: true });</script>`,
    scriptTwice: true,
  });
  await page.goto(`${runtime.url}/lab/stub?utm_source=newsletter&utm_medium=email&utm_campaign=winter`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  await page.evaluate(() => window.touchpoint.track('after-load', { step: 2 }));
  await page.evaluate(() => window.touchpoint.flush());
  const events = await waitRows("path = '/lab/stub'", 3);
  const views = events.filter((r) => r.kind === 'pageview');
  assert.equal(views.length, 1, 'one page view despite two script tags');
  assert.deepEqual([views[0].channel, views[0].utm_source, views[0].utm_campaign], ['email', 'newsletter', 'winter']);
  const custom = events.filter((r) => r.kind === 'custom').map((r) => [r.name, JSON.parse(r.props)]);
  assert.deepEqual(custom, [['signup', { plan: 'pro', seats: '3', trial: 'true' }], ['after-load', { step: '2' }]]);
  assert.equal(await page.locator('[data-touchpoint-launcher]').count(), 1);
  await page.close();
});

test('an event too big for any batch is counted as dropped and blocks none after it, on this page or the next', async () => {
  // From an outside audit: sent alone it passed Chromium's 64 KB keepalive
  // budget, failed as a network error and was retried forever, with every
  // later event behind it (and, with consent, on the next page too).
  const page = await newPersonPage(browser);
  await labPage(page, 'big', '<p>big</p>');
  await page.goto(`${runtime.url}/lab/big`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  await page.evaluate(() => window.touchpoint.consent('granted'));
  const droppedBefore = (await runtime.d1.prepare('SELECT COALESCE(SUM(dropped), 0) AS n FROM dropped_events').first()).n;
  await page.evaluate(() => {
    window.touchpoint.track('x'.repeat(100000));
    window.touchpoint.track('props-too-big', { blob: 'y'.repeat(70000) });
    window.touchpoint.track('after-big', { step: 1 });
  });
  await page.evaluate(() => window.touchpoint.flush());
  const [after] = await waitRows("path = '/lab/big' AND kind = 'custom' AND name = 'after-big'", 1);
  assert.deepEqual(JSON.parse(after.props), { step: '1' });
  await eventually(async () => {
    const { n } = await runtime.d1.prepare('SELECT COALESCE(SUM(dropped), 0) AS n FROM dropped_events').first();
    return n === droppedBefore + 2 ? n : null;
  }, 8000);
  assert.equal((await rows("path = '/lab/big' AND kind = 'custom'")).length, 1);
  // Nothing big waits on the device for the next page.
  const pending = await page.evaluate(() => Object.entries(localStorage).reduce((sum, [k, v]) => sum + k.length + v.length, 0));
  assert.ok(pending < 4096, `${pending} bytes stored`);
  await page.goto(`${runtime.url}/lab/big?next=1`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  await page.evaluate(() => { window.touchpoint.track('next-page'); return window.touchpoint.flush(); });
  await waitRows("path = '/lab/big' AND kind = 'custom' AND name = 'next-page'", 1);
  await page.evaluate(() => window.touchpoint.consent('denied'));
  await page.close();
});

test('by default nothing is stored on the device; consent stores an id that revoking deletes', async () => {
  const page = await newPersonPage(browser);
  await labPage(page, 'privacy', '<p>privacy</p>');
  await page.goto(`${runtime.url}/lab/privacy`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  await page.evaluate(() => window.touchpoint.track('looked'));
  await page.evaluate(() => window.touchpoint.flush());
  await waitRows("path = '/lab/privacy' AND kind = 'custom'", 1);
  const storage = async () => page.evaluate(async () => ({
    cookies: document.cookie,
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    indexedDB: (await indexedDB.databases()).length,
  }));
  assert.deepEqual(await storage(), { cookies: '', local: [], session: [], indexedDB: 0 });

  await page.evaluate(() => window.touchpoint.consent('granted'));
  const visitor = await page.evaluate(() => localStorage.getItem('touchpoint.visitor'));
  assert.match(visitor, /^[0-9a-f]{32}$/);
  await page.evaluate(() => { window.touchpoint.track('consented'); window.touchpoint.flush(); });
  const [row] = await waitRows("path = '/lab/privacy' AND name = 'consented'", 1);
  assert.equal(row.visitor_id, visitor);
  await page.evaluate(() => window.touchpoint.consent('denied'));
  assert.deepEqual((await storage()).local, []);
  await page.close();
});

test('Do Not Track keeps no identifier, a site can skip such visitors, and automation is not recorded', async () => {
  const dnt = await newPersonPage(browser);
  await dnt.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await labPage(dnt, 'dnt', '<p>dnt</p>');
  await dnt.goto(`${runtime.url}/lab/dnt`);
  const [view] = await waitRows("path = '/lab/dnt'", 1);
  assert.deepEqual([view.visitor_key, view.visitor_id], ['', '']);
  await dnt.close();

  const skip = await newPersonPage(browser);
  await skip.addInitScript(() => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }));
  await labPage(skip, 'dnt-skip', '<p>skip</p>', { scriptAttrs: 'data-dnt="skip"' });
  await skip.goto(`${runtime.url}/lab/dnt-skip`);
  await skip.locator('[data-touchpoint-launcher]').waitFor({ state: 'attached' });

  const robot = await browser.newPage();
  await labPage(robot, 'robot', '<p>robot</p>');
  await robot.goto(`${runtime.url}/lab/robot`);
  await robot.locator('[data-touchpoint-launcher]').waitFor({ state: 'attached' });
  await new Promise((resolve) => setTimeout(resolve, 4000));
  assert.equal((await rows("path IN ('/lab/dnt-skip', '/lab/robot')")).length, 0);
  await skip.close();
  await robot.close();
});

test('a site records its own automated tests only with the page opt-in and its own setting', async () => {
  // Headless Chromium as a test runner drives it: navigator.webdriver, HeadlessChrome in the user agent.
  const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/142.0.0.0 Safari/537.36';
  const setting = async (on) => {
    const res = await fetch(`${runtime.url}/v1/admin/sites/demo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ record_automation: on }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const visit = async (name) => {
    const page = await browser.newPage({ userAgent });
    await labPage(page, name, `<p>${name}</p>`, { scriptAttrs: 'data-record-automation="true"' });
    // The worker's receipt, read on its way back to the page.
    const answers = [];
    await page.route('**/v1/events', async (route) => {
      const response = await route.fetch();
      answers.push(await response.json());
      await route.fulfill({ response });
    });
    await page.goto(`${runtime.url}/lab/${name}`);
    await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
    await page.evaluate(() => window.touchpoint.flush());
    assert.ok(await eventually(() => answers.length > 0, 8000), 'the page sent its batch');
    await page.close();
    return answers[0];
  };
  // The page opts in, the site does not: the worker ignores it as a bot's.
  assert.deepEqual([(await visit('automation-off'))?.ignored_as_bot, (await rows("path = '/lab/automation-off'")).length], [1, 0]);
  await setting(true);
  try {
    assert.equal((await visit('automation-on'))?.ignored_as_bot, 0);
    assert.equal((await waitRows("path = '/lab/automation-on' AND kind = 'pageview'", 1)).length, 1);
  } finally {
    await setting(false);
  }
});

test('engagement time and scroll depth are sent when the page is left; personal data in paths is masked', async () => {
  const page = await newPersonPage(browser, { viewport: { width: 800, height: 600 } });
  await labPage(page, 'users/jane@example.com/orders', '<div style="height:3000px">long page</div>');
  await page.goto(`${runtime.url}/lab/users/jane@example.com/orders`);
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
  await page.bringToFront();
  await page.evaluate(() => window.scrollTo(0, 1200));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await page.goto(`${runtime.url}/`);
  const [engagement] = await waitRows("kind = 'engagement' AND path = '/lab/users/:email/orders'", 1);
  assert.ok(engagement.engaged_ms >= 1000, `engaged ${engagement.engaged_ms} ms`);
  assert.ok(engagement.scroll_percent >= 55 && engagement.scroll_percent <= 70, `scroll ${engagement.scroll_percent}%`);
  assert.equal((await rows("path LIKE '%jane%'")).length, 0);
  await page.close();
});

/** Console warnings and uncaught errors of a page. */
function consoleOf(page) {
  const log = { warnings: [], errors: [] };
  page.on('console', (m) => { if (m.type() === 'warning') log.warnings.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  return log;
}
const settled = (page) => page.waitForFunction(() => !!window.touchpoint?.ready).then(() => page.evaluate(
  () => window.touchpoint.ready.then((value) => ({ value }), (e) => ({ name: e.name, code: e.code, message: e.message }))));

test('track sends the props\' own keys only, never what a polluted Object.prototype adds', async () => {
  const page = await newPersonPage(browser);
  await labPage(page, 'own-keys', '<p>own keys</p>');
  await page.goto(`${runtime.url}/lab/own-keys`);
  await settled(page);
  await page.evaluate(() => {
    Object.prototype.polluted = 'yes';
    const props = Object.create({ inherited: 'leak' });
    props.plan = 'pro';
    window.touchpoint('track', 'own-keys', props);
    window.touchpoint.track('no-props');
    delete Object.prototype.polluted;
    window.touchpoint.flush();
  });
  const custom = await waitRows("path = '/lab/own-keys' AND kind = 'custom'", 2);
  // Both in the same millisecond: rows of equal time come in id order, so sorted by name.
  assert.deepEqual(custom.map((r) => [r.name, JSON.parse(r.props || '{}')]).sort(), [['no-props', {}], ['own-keys', { plan: 'pro' }]]);
  await page.close();
});

test('a late init sets the hooks but not the site or the endpoint the recorder started with', async () => {
  const page = await newPersonPage(browser);
  const elsewhere = [];
  page.on('request', (r) => { if (r.url().startsWith('http://127.0.0.1:9/')) elsewhere.push(r.url()); });
  await labPage(page, 'late-init', '<p>late init</p>');
  await page.goto(`${runtime.url}/lab/late-init`);
  assert.deepEqual(await settled(page), { value: true });
  await page.evaluate(() => {
    window.touchpoint('init', {
      site: 'another-site',
      endpoint: 'http://127.0.0.1:9',
      beforeSendEvent: (event) => { if (event.type === 'custom') event.name = 'hooked-' + event.name; },
    });
    window.touchpoint.track('late');
    window.touchpoint.flush();
  });
  const [row] = await waitRows("path = '/lab/late-init' AND kind = 'custom'", 1);
  assert.deepEqual([row.name, row.site_id], ['hooked-late', 'demo']);
  // The widget reads the settings when it opens: still this site at this endpoint.
  const availability = page.waitForRequest((r) => r.url().includes('/v1/availability?site='));
  await page.evaluate(() => window.touchpoint.open());
  assert.equal((await availability).url(), `${runtime.url}/v1/availability?site=demo`);
  assert.deepEqual(elsewhere, []);
  await page.close();
});

test('a page whose fetch throws at once: one warning, ready rejects with wasm_unavailable, the page goes on', async () => {
  const page = await newPersonPage(browser);
  const log = consoleOf(page);
  await labPage(page, 'fetch-throws', '<p id="host">host</p><script>window.__after = true;</script>', {
    head: `<script>window.fetch = function () { throw new TypeError('fetch blocked by the page'); };</script>`,
  });
  await page.goto(`${runtime.url}/lab/fetch-throws`);
  const outcome = await settled(page);
  assert.deepEqual([outcome.name, outcome.code], ['TouchpointError', 'wasm_unavailable'], JSON.stringify(outcome));
  assert.match(outcome.message, /touchpoint_recorder_bg\.wasm was not loaded \(TypeError: fetch blocked by the page\)/);
  assert.equal(await page.evaluate(() => window.__after), true);
  assert.deepEqual(log.errors, []);
  assert.equal(log.warnings.filter((w) => w.startsWith('Touchpoint')).length, 1, log.warnings.join('\n'));
  assert.equal(await page.locator('[data-touchpoint-launcher]').count(), 0);
  await page.close();
});

test('a module script tag (no document.currentScript) reads its data- attributes and records', async () => {
  const page = await newPersonPage(browser);
  const log = consoleOf(page);
  await labPage(page, 'module-tag', '<p>module</p>', { scriptAttrs: 'type="module"' });
  await page.goto(`${runtime.url}/lab/module-tag`);
  assert.deepEqual(await settled(page), { value: true });
  await page.evaluate(() => window.touchpoint.flush());
  await waitRows("path = '/lab/module-tag' AND kind = 'pageview'", 1);
  assert.deepEqual(log.warnings.filter((w) => w.startsWith('Touchpoint')), []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a batch an older version kept that is too big to send is counted as dropped, not retried ahead of the rest', async () => {
  const page = await newPersonPage(browser);
  await page.addInitScript(() => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('touchpoint.visitor', '0123456789abcdef0123456789abcdef');
    localStorage.setItem('touchpoint.pending', `3\t{"v":1,"site":"demo","events":["${'z'.repeat(70000)}"]}\n`);
  });
  await labPage(page, 'old-pending', '<p>old pending</p>');
  const droppedBefore = (await runtime.d1.prepare('SELECT COALESCE(SUM(dropped), 0) AS n FROM dropped_events').first()).n;
  await page.goto(`${runtime.url}/lab/old-pending`);
  await settled(page);
  await page.evaluate(() => { window.touchpoint.track('after-old'); window.touchpoint.flush(); });
  await waitRows("path = '/lab/old-pending' AND kind = 'custom' AND name = 'after-old'", 1);
  assert.ok(await eventually(async () => {
    const { n } = await runtime.d1.prepare('SELECT COALESCE(SUM(dropped), 0) AS n FROM dropped_events').first();
    return n === droppedBefore + 3;
  }, 8000), 'the three events are reported as dropped');
  const kept = await page.evaluate(() => localStorage.getItem('touchpoint.pending') ?? '');
  assert.ok(kept.length < 4096, `${kept.length} bytes still stored`);
  await page.evaluate(() => window.touchpoint.consent('denied'));
  await page.close();
});
