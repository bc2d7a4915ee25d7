// Delivery under faults, with Playwright's network control against the real
// worker and D1. Each test counts the events the page recorded and the events
// stored: with consent nothing is lost and nothing is duplicated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRuntime, launchChromium, eventually, newPersonPage } from '../support.mjs';

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

async function labPages(context, prefix) {
  await context.route(`**/${prefix}/**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><title>${prefix}</title><script src="/touchpoint.js" data-site="demo" async></script><p>page</p>`,
  }));
}
async function stored(prefix) {
  const { results } = await runtime.d1
    .prepare("SELECT id, kind, name FROM events WHERE path LIKE ?1 AND kind IN ('pageview', 'custom')")
    .bind(`/${prefix}/%`)
    .all();
  return results;
}
async function ready(page) {
  await page.waitForFunction(() => window.touchpoint?.ready).then(() => page.evaluate(() => window.touchpoint.ready));
}
async function trackMany(page, count) {
  await page.evaluate((n) => { for (let i = 0; i < n; i++) window.touchpoint.track('step', { i }); window.touchpoint.flush(); }, count);
}

test('the endpoint failing with 503 for a while: retried with backoff until stored, once each', async () => {
  const page = await newPersonPage(browser);
  await labPages(page.context(), 'outage');
  let failures = 0;
  await page.route('**/v1/events', (route) => {
    if (failures < 2) {
      failures += 1;
      return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable"}}' });
    }
    return route.continue();
  });
  await page.goto(`${runtime.url}/outage/a`);
  await ready(page);
  await trackMany(page, 5);
  // 1 page view + 5 custom events, after two failed attempts (backoff 0.5-1 s, then 1-2 s).
  const rows = await eventually(async () => { const r = await stored('outage'); return r.length >= 6 ? r : null; }, 10_000);
  assert.equal(failures, 2);
  assert.equal(rows?.length, 6);
  assert.equal(new Set(rows.map((r) => r.id)).size, 6);
  await page.close();
});

test('a response lost after the server stored the batch: the resend is a duplicate, stored once', async () => {
  const page = await newPersonPage(browser);
  await labPages(page.context(), 'lost');
  let lost = 0;
  const receipts = [];
  await page.route('**/v1/events', async (route) => {
    const response = await route.fetch();
    receipts.push(await response.json());
    if (lost === 0) {
      lost += 1;
      return route.abort('connectionreset');
    }
    return route.fulfill({ response });
  });
  await page.goto(`${runtime.url}/lost/a`);
  await ready(page);
  await trackMany(page, 3);
  const rows = await eventually(async () => { const r = await stored('lost'); return r.length >= 4 && receipts.some((x) => x.duplicates > 0) ? r : null; }, 10_000);
  assert.equal(rows?.length, 4);
  assert.ok(receipts.some((receipt) => receipt.duplicates > 0), JSON.stringify(receipts));
  await page.close();
});

test('collector unreachable across several page loads, with consent: kept on the device, sent later, nothing lost or doubled', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
  // Pages under /offline/down/ send to a port where nothing listens, so fetch
  // and sendBeacon both fail, as when the visitor's network is gone.
  await context.route('**/offline/**', (route) => {
    const down = route.request().url().includes('/offline/down/');
    const endpoint = down ? 'data-endpoint="http://127.0.0.1:9"' : '';
    return route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>offline</title><script src="/touchpoint.js" data-site="demo" ${endpoint} async></script><p>page</p>`,
    });
  });
  const page = await context.newPage();
  await page.goto(`${runtime.url}/offline/consent`);
  await ready(page);
  await page.evaluate(() => window.touchpoint.consent('granted'));
  await page.evaluate(() => window.touchpoint.flush());
  await eventually(async () => (await stored('offline')).length >= 1);
  let recorded = 1;
  for (const name of ['one', 'two', 'three']) {
    await page.goto(`${runtime.url}/offline/down/${name}`);
    await ready(page);
    await trackMany(page, 2);
    recorded += 3;
  }
  await page.goto(`${runtime.url}/offline/down/last`);
  await ready(page);
  recorded += 1;
  const kept = await page.evaluate(() => localStorage.getItem('touchpoint.pending') ?? '');
  assert.ok(kept.split('\n').filter(Boolean).length >= 1, 'batches are kept while the collector is unreachable');
  assert.equal((await stored('offline')).length, 1, 'nothing reached the server meanwhile');
  // Reachable again: the next page load sends what was kept.
  await page.goto(`${runtime.url}/offline/back`);
  await ready(page);
  recorded += 1;
  await page.evaluate(() => window.touchpoint.flush());
  const rows = await eventually(async () => { const r = await stored('offline'); return r.length >= recorded ? r : null; }, 15_000);
  assert.equal(rows?.length, recorded, `stored ${rows?.length} of ${recorded}`);
  assert.equal(new Set(rows.map((r) => r.id)).size, recorded);
  await context.close();
});

test('a page closed mid-batch hands its events to sendBeacon', async () => {
  const page = await newPersonPage(browser);
  await labPages(page.context(), 'closing');
  await page.goto(`${runtime.url}/closing/a`);
  await ready(page);
  // Queued (the batch timer has not fired yet), then the tab is closed.
  await page.evaluate(() => { for (let i = 0; i < 4; i++) window.touchpoint.track('late', { i }); });
  // Requests that outlive the page must not pass through Playwright's
  // interception, whose session ends with the page (the lab page route).
  await page.context().unrouteAll({ behavior: 'wait' });
  await page.close({ runBeforeUnload: true });
  const rows = await eventually(async () => { const r = await stored('closing'); return r.length >= 5 ? r : null; }, 8000);
  assert.equal(rows?.length, 5, JSON.stringify(await stored('closing')));
});

test('without consent, loss is counted and reported with the next batch, never silent', async () => {
  const page = await newPersonPage(browser);
  await labPages(page.context(), 'refused');
  const receipts = [];
  let refused = 0;
  await page.route('**/v1/events', async (route) => {
    if (refused === 0) {
      refused += 1;
      // A permanent refusal (4xx other than 429) is not retried.
      return route.fulfill({ status: 400, contentType: 'application/json', body: '{"error":{"code":"invalid_request"}}' });
    }
    const response = await route.fetch();
    receipts.push(await response.json());
    return route.fulfill({ response });
  });
  await page.goto(`${runtime.url}/refused/a`);
  await ready(page);
  // The page view's batch goes first and alone (refused), however late
  // the browser finds the idle time to record it.
  assert.ok(await eventually(() => refused === 1, 10_000), 'the page view was sent');
  await trackMany(page, 1);
  const report = await eventually(() => receipts.find((r) => r.dropped_by_client > 0), 8000);
  assert.equal(report?.dropped_by_client, 1, 'the refused page view is reported as dropped');
  await page.close();
});

test('a long visit keeps delivering: batches past 64 KB in all are sent as they come, not held until the page hides', async () => {
  const page = await newPersonPage(browser);
  await labPages(page.context(), 'long');
  await page.goto(`${runtime.url}/long/a`);
  await ready(page);
  // No interception from here: the requests go as a real page sends them.
  await page.context().unrouteAll({ behavior: 'wait' });
  // Chromium caps a page's keepalive requests in flight at 64 KB of bodies,
  // and a request stays in flight until its response is read or dropped.
  // 16 batches of about 6 KB each, every one awaited in the store.
  const pad = 'x'.repeat(180);
  for (let round = 0; round < 16; round += 1) {
    await page.evaluate(([round, pad]) => {
      for (let i = 0; i < 20; i++) window.touchpoint.track('long', { round, i, pad });
      window.touchpoint.flush();
    }, [round, pad]);
    const want = 1 + 20 * (round + 1);
    const rows = await eventually(async () => { const r = await stored('long'); return r.length >= want ? r : null; }, 8000);
    assert.equal(rows?.length, want, `round ${round}: ${(await stored('long')).length} of ${want} stored while the page is open`);
  }
  await page.close();
});
