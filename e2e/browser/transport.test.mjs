// Transports chosen by the site (issue 17): the README's own-backend snippet on
// a customer's page (one origin) posts the classified contact form to a
// third-party endpoint on another origin (a local HTTP server with CORS); what
// arrives is checked against the package's JSON Schema with Ajv, and nothing
// of the conversation goes to the Touchpoint worker. The page's `beforeSend`
// rewrites and drops (also asynchronously: a rejected or hung promise keeps the
// message unsent), `on('submit')` hears the payload, and the recorder's
// `beforeSendEvent` rewrites and drops touchpoint events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { startTestRuntime, launchChromium, eventually, newPersonPage, ADMIN_TOKEN } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const README = readFileSync(join(root, 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## Your own backend'), README.indexOf('## At the edge'));
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
const [BACKEND_SNIPPET, CALLBACKS_SNIPPET] = fences(section).filter((f) => f.lang === 'html').map((f) => f.text);
const [PAYLOAD_EXAMPLE] = fences(section).filter((f) => f.lang === 'json').map((f) => JSON.parse(f.text));

const schema = (file) => JSON.parse(readFileSync(join(root, 'pkg', 'schema', file), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validInteraction = ajv.compile(schema('classified-interaction.v1.json'));
const validEvent = ajv.compile(schema('touchpoint-event.v1.json'));
function assertInteraction(payload) {
  assert.ok(validInteraction(payload), `${JSON.stringify(validInteraction.errors, null, 1)}\n${JSON.stringify(payload)}`);
}

let runtime, browser, shop, crm;
const received = []; // { headers, body } of every POST the third-party endpoint got

/** The company's CRM webhook: another origin, with CORS for the shop's pages. */
function crmEndpoint() {
  const server = createServer((request, response) => {
    const cors = {
      'access-control-allow-origin': request.headers.origin ?? '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, authorization',
    };
    if (request.method === 'OPTIONS') { response.writeHead(204, cors).end(); return; }
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, body: JSON.parse(body) });
      response.writeHead(202, { ...cors, 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  // `localhost`, not 127.0.0.1: a different origin from the shop's pages.
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://localhost:${server.address().port}/hooks/touchpoint` })));
}

/** The shop's pages, on their own origin: the README's snippets, filled in. */
function shopSite() {
  const fill = (html) => html
    .replaceAll('https://touchpoint.example.com', runtime.url)
    .replaceAll('YOUR_SITE_KEY', 'demo')
    .replaceAll('https://crm.example.com/hooks/touchpoint', crm.url)
    .replaceAll('YOUR_CRM_TOKEN', 'crm-post-only-token');
  const pages = {
    '/': () => fill(BACKEND_SNIPPET),
    // The README's callbacks through the stub, then the page's own `init`,
    // whose beforeSend replaces the README's (a later init wins), then the tag.
    '/hooks': () => `${fill(CALLBACKS_SNIPPET)}
      <script>
        window.submitted = [];
        touchpoint('on', 'submit', function (message) { window.submitted.push(message); });
        touchpoint('init', { beforeSend: function (message) {
          if (/drop this/.test(message.text)) return null;
          message.page.title = 'Rewritten by the page';
          message.text = message.text + ' (from the website)';
          return message;
        } });
      </script>${fill(BACKEND_SNIPPET)}`,
    // An asynchronous beforeSend: awaited; a rejection or a hang keeps the message.
    '/async-hooks': () => `${fill(CALLBACKS_SNIPPET)}
      <script>
        window.submitted = []; window.reviewed = []; window.crmUp = false;
        touchpoint('on', 'submit', function (message) { window.submitted.push(message); });
        touchpoint('init', { beforeSend: function (message) {
          window.reviewed.push(message.id);
          if (/drop this/.test(message.text)) return new Promise(function (resolve) { setTimeout(resolve, 100, null); });
          if (/hang/.test(message.text)) return new Promise(function () {});
          if (!window.crmUp) return Promise.reject(new Error('CRM lookup failed'));
          return new Promise(function (resolve) {
            setTimeout(function () { message.text = message.text + ' (checked by the CRM)'; resolve(message); }, 200);
          });
        } });
      </script>${fill(BACKEND_SNIPPET)}`,
    // The recorder's events through the page's beforeSendEvent (the worker's widget).
    '/events': () => `${fill(CALLBACKS_SNIPPET.split('</script>')[0])}</script>
      <script>
        touchpoint('init', { beforeSendEvent: function (event) {
          if (event.type === 'custom' && event.name === 'internal-test') return false;
          // An async hook cannot be waited for (a batch may leave by beacon): dropped, reported.
          if (event.type === 'custom' && event.name === 'async-review') return Promise.resolve(event);
          if (event.type === 'pageview') event.title = 'Title set by beforeSendEvent';
        } });
      </script>${fill(BACKEND_SNIPPET).replace(/\s*data-backend="[^"]*"/, '').replace(/\s*data-backend-headers='[^']*'/, '')}`,
    // The tag first, the page's init after the script has loaded (an async
    // tag often runs before an init block further down the page).
    '/late-hooks': () => `${fill(BACKEND_SNIPPET)}
      <script>
        window.addEventListener('load', function () {
          window.touchpoint.ready.then(function () {
            touchpoint('init', { beforeSend: function (message) {
              if (/drop this/.test(message.text)) return null;
              message.text = message.text + ' (set after load)';
              return message;
            } });
            window.lateInit = true;
          });
        });
      </script>`,
    // A backend the widget refuses: plain http to another host.
    '/bad-backend': () => fill(BACKEND_SNIPPET).replace(crm.url, 'http://crm.example.com/hooks/touchpoint'),
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    const page = pages[url.pathname];
    if (!page) { response.writeHead(404).end(); return; }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="en"><head><title>Checkout for jo@example.com</title>${page()}</head><body><h1>Shop</h1></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

before(async () => {
  runtime = await startTestRuntime();
  crm = await crmEndpoint();
  shop = await shopSite();
  await seedContactChannel(runtime.url, ADMIN_TOKEN, shop.url);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await runtime?.close();
  shop?.server.close();
  crm?.server.close();
});

/** A person's page that notes its console and every request it makes. */
async function visit(path) {
  const page = await newPersonPage(browser, { viewport: { width: 1280, height: 800 } });
  const log = { console: [], requests: [], errors: [] };
  page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => log.requests.push(`${r.method()} ${r.url()}`));
  await page.goto(`${shop.url}${path}`);
  return { page, log };
}
const panel = (page) => page.locator('[data-touchpoint-panel]');
async function send(page, text, email) {
  await panel(page).locator('#tp-message').fill(text);
  if (email) await panel(page).locator('input[type=email]').fill(email);
  await panel(page).locator('button.send').click();
}

test('the README example payload is valid against the shipped schema', () => {
  assert.ok(BACKEND_SNIPPET && CALLBACKS_SNIPPET && PAYLOAD_EXAMPLE, 'README has the snippets and the example');
  assertInteraction(PAYLOAD_EXAMPLE);
});

test('data-backend: a classified contact form that posts the schema\'s payload to another origin, and nothing to the worker', async () => {
  const { page, log } = await visit('/?utm_source=Newsletter&utm_medium=email&utm_campaign=spring-sale');
  await page.locator('[data-touchpoint-launcher] >> button.launcher').click();
  await panel(page).locator('.panel').waitFor();
  // A contact form: the e-mail address only, and the honest promise.
  assert.equal(await panel(page).locator('input[type=radio]').count(), 0, 'no live-thread choice');
  assert.equal(await panel(page).locator('input[type=email]').count(), 1);
  assert.match(await panel(page).locator('.promise').innerText(), /A person will write to this address/);
  // The browser refuses to send without the address (required field).
  await send(page, 'I was charged twice, card 4111 1111 1111 1111. Please refund one payment.');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(received.length, 0, 'not sent without an e-mail address');
  await panel(page).locator('input[type=email]').fill('jo@example.com');
  await panel(page).locator('button.send').click();
  await panel(page).locator('.notice').waitFor();
  assert.match(await panel(page).locator('.notice').innerText(), /your message was sent/);
  assert.equal(await panel(page).locator('#tp-message').inputValue(), '', 'the draft is cleared');

  assert.ok(await eventually(() => received.length === 1));
  const [{ path, headers, body }] = received;
  assert.equal(path, '/hooks/touchpoint');
  assert.equal(headers.authorization, 'Bearer crm-post-only-token');
  assert.match(headers['content-type'], /^application\/json/);
  assert.equal(headers.origin, shop.url, 'a cross-origin request from the shop');
  assertInteraction(body);
  assert.doesNotMatch(JSON.stringify(body), /4111[ -]?1111[ -]?1111[ -]?1111/, 'the card number never left the browser');
  assert.match(body.text, /card \[card\]/);
  assert.deepEqual(body.pii_removed, ['card']);
  assert.equal(body.site, 'demo');
  assert.deepEqual(body.contact, { channel: 'email', email: 'jo@example.com' });
  assert.ok(body.classification, 'classified in the browser');
  assert.equal(body.page.path, '/');
  assert.equal(body.page.title, 'Checkout for [email]', 'the page title is redacted too');
  assert.deepEqual(body.campaign, { source: 'newsletter', medium: 'email', campaign: 'spring-sale', term: '', content: '' });

  // Nothing of the conversation went to the worker: no availability, no conversation.
  const toWorker = log.requests.filter((r) => r.includes(runtime.url) && /\/v1\/(conversations|availability|identity)/.test(r));
  assert.deepEqual(toWorker, []);
  const { results } = await runtime.d1.prepare("SELECT id FROM conversations WHERE site_id = 'demo' AND reply_email = 'jo@example.com'").all();
  assert.equal(results.length, 0);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a data-backend the widget refuses shows no launcher, says why once, and the page still records', async () => {
  const { page, log } = await visit('/bad-backend');
  await page.waitForFunction(() => window.touchpoint?.ready);
  assert.equal(await page.locator('[data-touchpoint-launcher] >> button.launcher').count(), 0, 'no launcher that opens nothing');
  const warnings = log.console.filter((line) => /must be an https:\/\/ URL/.test(line));
  assert.equal(warnings.length, 1, log.console.join('\n'));
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('beforeSend rewrites and drops (logged), on(\'submit\') hears what leaves', async () => {
  const before = received.length;
  const { page, log } = await visit('/hooks');
  await page.locator('[data-touchpoint-launcher] >> button.launcher').click();
  await panel(page).locator('.panel').waitFor();
  // Dropped by the page: nothing posted, the console says so, the visitor sees it as sent.
  await send(page, 'Please drop this one.', 'jo@example.com');
  await panel(page).locator('.notice').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(received.length, before, 'a dropped message is not posted');
  assert.ok(log.console.some((line) => /beforeSend dropped this message/.test(line)), log.console.join('\n'));
  assert.deepEqual(await page.evaluate(() => window.submitted), [], 'on(submit) hears only what leaves');

  // Rewritten by the page: the endpoint gets the page's version, still valid.
  await send(page, 'Where is my parcel? It is late.', 'jo@example.com');
  assert.ok(await eventually(() => received.length === before + 1));
  const { body } = received.at(-1);
  assertInteraction(body);
  assert.equal(body.text, 'Where is my parcel? It is late. (from the website)');
  assert.equal(body.page.title, 'Rewritten by the page');
  const submitted = await eventually(() => page.evaluate(() => window.submitted));
  assert.deepEqual(submitted, [body], 'on(submit) received exactly what was posted');
  await page.close();
});

test('a beforeSend set after the script loaded applies: nothing leaves unreviewed', async () => {
  const before = received.length;
  const { page, log } = await visit('/late-hooks');
  await page.waitForFunction(() => window.lateInit === true);
  await page.locator('[data-touchpoint-launcher] >> button.launcher').click();
  await panel(page).locator('.panel').waitFor();
  await send(page, 'Please drop this one.', 'jo@example.com');
  await panel(page).locator('.notice').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(received.length, before, 'dropped by the late hook, not posted');
  assert.ok(log.console.some((line) => /beforeSend dropped this message/.test(line)), log.console.join('\n'));
  await send(page, 'Where is my parcel?', 'jo@example.com');
  assert.ok(await eventually(() => received.length === before + 1));
  assert.equal(received.at(-1).body.text, 'Where is my parcel? (set after load)');
  await page.close();
});

test('an async beforeSend is awaited: it rewrites and drops; when it rejects or hangs the message stays, unsent', async () => {
  const before = received.length;
  const { page, log } = await visit('/async-hooks');
  await page.locator('[data-touchpoint-launcher] >> button.launcher').click();
  await panel(page).locator('.panel').waitFor();
  // An async drop: nothing posted, logged, the visitor sees it as sent.
  await send(page, 'Please drop this one.', 'jo@example.com');
  await panel(page).locator('.notice').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(received.length, before, 'an async drop is not posted');
  assert.ok(log.console.some((line) => /beforeSend dropped this message/.test(line)), log.console.join('\n'));

  // Rejected: not sent, not lost — the draft stays, the visitor is told, the console says why.
  await send(page, 'Where is my refund?', 'jo@example.com');
  await panel(page).locator('.error').waitFor();
  assert.equal(await panel(page).locator('#tp-message').inputValue(), 'Where is my refund?');
  assert.equal(received.length, before);
  assert.ok(log.console.some((line) => /beforeSend failed; the message stays unsent[\s\S]*CRM lookup failed/.test(line)), log.console.join('\n'));
  assert.deepEqual(await page.evaluate(() => window.submitted), []);

  // The CRM is back: sent again, rewritten asynchronously, under the same id.
  await page.evaluate(() => { window.crmUp = true; });
  await panel(page).locator('button.send').click();
  assert.ok(await eventually(() => received.length === before + 1, 5000));
  const { body } = received.at(-1);
  assertInteraction(body);
  assert.equal(body.text, 'Where is my refund? (checked by the CRM)');
  const reviewed = await page.evaluate(() => window.reviewed);
  assert.equal(reviewed.at(-2), body.id, 'the retry carries the kept message\'s id');
  assert.deepEqual(await eventually(() => page.evaluate(() => window.submitted)), [body]);

  // A hook that never settles: after 5 s the message stays, unsent.
  await panel(page).locator('.notice').waitFor();
  assert.equal(await panel(page).locator('.error').count(), 0);
  const hungAt = Date.now();
  await send(page, 'Please hang on', 'jo@example.com');
  await panel(page).locator('.error').waitFor({ timeout: 8000 });
  assert.ok(Date.now() - hungAt >= 4500, 'waited for the hook');
  assert.ok(log.console.some((line) => /beforeSend failed[\s\S]*no answer in 5 s/.test(line)), log.console.join('\n'));
  assert.equal(await panel(page).locator('#tp-message').inputValue(), 'Please hang on');
  assert.equal(received.length, before + 1, 'nothing more posted');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('beforeSendEvent rewrites and drops the recorder\'s events before they reach the worker', async () => {
  const { page, log } = await visit('/events');
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => {
    window.touchpoint('track', 'internal-test', { secret: 'x' });
    window.touchpoint('track', 'async-review', { secret: 'y' });
    window.touchpoint('track', 'kept-event', { plan: 'pro' });
    window.touchpoint('flush');
  });
  const events = await eventually(async () => {
    const { results } = await runtime.d1
      .prepare("SELECT kind, name, title FROM events WHERE site_id = 'demo' AND path = '/events'").all();
    return results.some((e) => e.name === 'kept-event') && results.some((e) => e.kind === 'pageview') ? results : null;
  }, 10_000);
  assert.ok(events, 'the kept events reached the worker');
  assert.ok(events.every((e) => e.name !== 'internal-test'), 'the dropped event never did');
  assert.ok(events.every((e) => e.name !== 'async-review'), 'nor the one answered with a promise');
  assert.ok(log.console.some((line) => /beforeSendEvent returned a promise/.test(line)), log.console.join('\n'));
  assert.equal(events.find((e) => e.kind === 'pageview').title, 'Title set by beforeSendEvent');
  assert.ok(log.console.some((line) => /beforeSendEvent dropped/.test(line)), log.console.join('\n'));
  await page.close();
});

test('every event the recorder posts validates against the shipped event schema', async () => {
  const page = await newPersonPage(browser, { viewport: { width: 1280, height: 800 } });
  const batches = [];
  page.on('request', (r) => { if (r.url().endsWith('/v1/events')) batches.push(JSON.parse(r.postData())); });
  await page.goto(`${shop.url}/events?utm_source=google&utm_medium=cpc&gclid=abc`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => { window.touchpoint('track', 'signup', { plan: 'pro', seats: 3 }); window.touchpoint('flush'); });
  assert.ok(await eventually(() => batches.length > 0, 10_000));
  const validBatch = ajv.getSchema('urn:touchpoint:schema:touchpoint-event:v1#/$defs/EventBatch');
  for (const batch of batches) {
    assert.ok(validBatch(batch), JSON.stringify(validBatch.errors));
    for (const event of batch.events) assert.ok(validEvent(event), `${JSON.stringify(validEvent.errors)} ${JSON.stringify(event)}`);
  }
  await page.close();
});
