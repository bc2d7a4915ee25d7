// Settings → Destinations in headless Chromium against the real worker, D1
// and the local delivery queue (issue 17): a site admin adds a webhook that
// points at a receiver in this test (a bad URL is refused beside its field),
// a visitor's conversation is delivered and shows in the delivery log, a
// failing receiver gets the retries and a dead entry, replay from the console
// delivers it exactly once, a second replay of a delivered one is refused
// (409) and said so, and the destination is disabled, refiltered and deleted;
// a destination's name, URL and secret are edited (a refusal beside the edit
// form's field), and a long log is paged with Older / Newest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, eventually, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { startRuntime, seedDemo, seedContactChannel } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const shots = join(root, 'test-results', 'screenshots');
let runtime, browser, ana;
before(async () => {
  mkdirSync(shots, { recursive: true });
  // Plain-HTTP receivers on this machine and retries at once: settings a
  // local deployment may choose (production keeps HTTPS and a 30 s backoff).
  runtime = await startRuntime({
    port: 0,
    adminToken: ADMIN_TOKEN,
    vars: { ALLOW_HTTP_DESTINATIONS: 'on', DELIVERY_RETRY_BASE_S: '0', DELIVERY_TIMEOUT_MS: '2000' },
  });
  await seedDemo(runtime.d1, runtime.url);
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  ana = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await runtime?.close();
});

/** A receiver that answers 200, or 500 while `failing`; it records every request and its answer. */
async function receiver() {
  const hook = { received: [], failing: false };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const status = hook.failing ? 500 : 200;
      hook.received.push({ headers: req.headers, body, json: JSON.parse(body), status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${server.address().port}`;
  hook.close = () => { server.closeAllConnections(); server.close(); };
  return hook;
}

const admin = async (method, path, body) => (await fetch(`${runtime.url}${path}`, {
  method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
})).json();

async function openSettings(page) {
  await page.goto(`${runtime.url}/console/`);
  await page.locator('#token').fill(ana.token);
  await page.locator('form button[type=submit]').click();
  await page.locator('button.tab', { hasText: 'Settings' }).click();
  const section = page.locator('section.destinations');
  await section.locator('form.new-destination').waitFor();
  return section;
}

let visitorCount = 0;
async function visitorStarts(text) {
  const res = await fetch(`${runtime.url}/v1/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `198.51.100.${100 + ++visitorCount}` },
    body: JSON.stringify({ site: 'demo', message: { text } }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).conversation.id;
}

test('an admin adds a webhook in Settings, sees deliveries in its log, and replays a dead one exactly once', async () => {
  const hook = await receiver();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    const section = await openSettings(page);
    const form = section.locator('form.new-destination');

    // A bad URL is refused by the API and said beside the URL field.
    await form.locator('select[name=kind]').selectOption('webhook');
    await form.locator('input[name=name]').fill('CRM');
    await form.locator('input[name=url]').fill('ftp://crm.example/hooks');
    await form.locator('button[type=submit]').click();
    const urlError = form.locator('.field-error[data-field=url]');
    await urlError.waitFor();
    assert.match(await urlError.innerText(), /https:\/\//);
    assert.equal(await form.locator('.field-error').count(), 1, 'only the URL is marked');
    assert.deepEqual((await admin('GET', '/v1/admin/sites/demo/destinations')).destinations, []);

    // Fixed: the secret left empty is generated and shown once.
    await form.locator('input[name=url]').fill(`${hook.url}/touchpoint`);
    await form.locator('button[type=submit]').click();
    const secret = await form.locator('.new-secret code').innerText();
    assert.ok(secret.length >= 16, secret);
    assert.equal(await form.locator('.field-error').count(), 0);
    const row = section.locator('li.destination');
    await row.waitFor();
    const [stored] = (await admin('GET', '/v1/admin/sites/demo/destinations')).destinations;
    assert.deepEqual([stored.kind, stored.name, stored.url, stored.secret_hint, stored.enabled], ['webhook', 'CRM', `${hook.url}/touchpoint`, secret.slice(-4), true]);
    assert.match(await row.innerText(), new RegExp(`CRM[\\s\\S]*Webhook[\\s\\S]*secret …${secret.slice(-4)}[\\s\\S]*all events[\\s\\S]*Enabled`));
    assert.ok(!(await row.innerText()).includes(secret), 'the list never shows the secret');

    // A visitor starts a conversation: it reaches the receiver, signed with the shown secret.
    const first = await visitorStarts('Hello, where is my order 1234?');
    assert.ok(await eventually(() => hook.received.some((r) => r.json.type === 'conversation.created'), 10_000), 'delivered');
    const created = hook.received.find((r) => r.json.type === 'conversation.created');
    assert.equal(created.json.data.conversation.id, first);
    const [t, v1] = created.headers['x-touchpoint-signature'].split(',').map((p) => p.split('=')[1]);
    assert.equal(v1, createHmac('sha256', secret).update(`${t}.${created.body}`).digest('hex'), 'signed with the secret Settings showed');

    // The log shows it delivered.
    await row.locator('button.show-log').click();
    const log = row.locator('.delivery-log');
    const deliveredRow = log.locator(`tr.delivery[data-delivery="${created.headers['x-touchpoint-delivery']}"]`);
    await deliveredRow.waitFor({ timeout: 10_000 });
    await log.locator(`tr.delivery[data-delivery="${created.headers['x-touchpoint-delivery']}"][data-status=delivered]`).waitFor({ timeout: 10_000 });
    assert.match(await deliveredRow.innerText(), /conversation\.created\s+delivered\s+1\s+HTTP 200/);
    assert.equal(await deliveredRow.locator('button.replay').count(), 0, 'nothing to replay');

    // The receiver fails: six attempts, then dead, with the last answer shown.
    hook.failing = true;
    await visitorStarts('My invoice shows the wrong address');
    const deadRow = log.locator('tr.delivery[data-status=dead]');
    await deadRow.waitFor({ timeout: 30_000 });
    const deadId = await deadRow.getAttribute('data-delivery');
    assert.match(await deadRow.innerText(), /dead\s+6\s+answered 500/);
    const attempts = hook.received.filter((r) => r.headers['x-touchpoint-delivery'] === deadId);
    assert.equal(attempts.length, 6);
    assert.ok(attempts.every((r) => r.status === 500));
    await page.screenshot({ path: join(shots, 'console-destinations.png'), fullPage: true });

    // Replay from the console: delivered, and received successfully exactly once.
    hook.failing = false;
    const deadLog = JSON.stringify(await admin('GET', `/v1/admin/sites/demo/destinations/${stored.id}/deliveries`));
    await deadRow.locator('button.replay').click();
    await log.locator(`tr.delivery[data-delivery="${deadId}"][data-status=delivered]`).waitFor({ timeout: 10_000 });
    assert.match(await log.locator('.saved').innerText(), /Queued again/);
    const accepted = () => hook.received.filter((r) => r.headers['x-touchpoint-delivery'] === deadId && r.status === 200);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(accepted().length, 1, 'replayed exactly once');

    // A log read before the replay still offers it: the API refuses (409) and the log says why.
    await page.route('**/deliveries', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: deadLog }));
    await log.locator(`tr.delivery[data-delivery="${deadId}"][data-status=dead] button.replay`).click();
    await log.locator('.error', { hasText: 'delivered already' }).waitFor();
    await page.unroute('**/deliveries');
    assert.equal(accepted().length, 1, 'not sent twice');

    // Disable, refilter, delete (after a confirmation).
    await row.locator('button.toggle').click();
    await section.locator('li.destination[data-enabled=false]').waitFor();
    await row.locator('button.edit-filter').click();
    await row.locator('.filter-edit input[value="conversation.closed"]').check();
    await row.locator('.filter-edit input[value="billing"]').first().check();
    await row.locator('button.save-filter').click();
    await row.locator('.filter-summary', { hasText: 'conversation.closed' }).waitFor();
    const [changed] = (await admin('GET', '/v1/admin/sites/demo/destinations')).destinations;
    assert.deepEqual([changed.enabled, changed.filter.events, changed.secret_hint], [false, ['conversation.closed'], secret.slice(-4)]);
    assert.equal(changed.filter.teams.length + changed.filter.topics.length, 1);
    await row.locator('button.delete').click();
    await row.locator('.confirm').waitFor();
    assert.equal((await admin('GET', '/v1/admin/sites/demo/destinations')).destinations.length, 1, 'not before confirming');
    await row.locator('button.confirm-delete').click();
    await section.locator('p.empty').waitFor();
    assert.deepEqual((await admin('GET', '/v1/admin/sites/demo/destinations')).destinations, []);
  } finally {
    await page.close();
    hook.close();
  }
});

test('Segment-compatible, Chatwoot and R2 destinations are added with their own fields', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    const section = await openSettings(page);
    const form = section.locator('form.new-destination');
    // Segment carries touchpoints and new conversations (for identify) only: the form offers no other event.
    await form.locator('select[name=kind]').selectOption('segment');
    assert.deepEqual(await form.locator('input[data-group=events]').evaluateAll((inputs) => inputs.map((i) => i.value)), ['conversation.created', 'touchpoints']);
    await form.locator('input[name=name]').fill('Warehouse');
    await form.locator('input[name=url]').fill('https://collector.example');
    await form.locator('button[type=submit]').click();
    await form.locator('.field-error[data-field=secret]').waitFor();
    await form.locator('input[name=secret]').fill('write-key-123');
    await form.locator('button[type=submit]').click();
    await section.locator('li.destination', { hasText: 'Warehouse' }).waitFor();
    assert.equal(await form.locator('.new-secret').count(), 0, 'a typed key is not shown back');

    // Chatwoot needs its account and API inbox; then the row shows the webhook URL to set in Chatwoot.
    await form.locator('select[name=kind]').selectOption('chatwoot');
    await form.locator('input[name=name]').fill('Help desk');
    await form.locator('input[name=url]').fill('https://chatwoot.example');
    await form.locator('input[name=secret]').fill('api-access-token');
    await form.locator('button[type=submit]').click();
    await form.locator('.field-error[data-field=chatwoot]').waitFor();
    await form.locator('input[name=account_id]').fill('3');
    await form.locator('input[name=inbox_id]').fill('7');
    await form.locator('input[data-group=topics][value=billing]').check();
    await form.locator('button[type=submit]').click();
    const desk = section.locator('li.destination', { hasText: 'Help desk' });
    await desk.waitFor();
    assert.match(await desk.innerText(), new RegExp(`webhook URL in Chatwoot:\\s+${runtime.url.replace(/[.]/g, '\\.')}/v1/hooks/chatwoot/`));
    // R2: a prefix only (the worker's own bucket); no URL, secret or filter to fill.
    await form.locator('select[name=kind]').selectOption('r2');
    assert.equal(await form.locator('input[name=url]').count(), 0);
    assert.equal(await form.locator('input[data-group]').count(), 0);
    await form.locator('input[name=name]').fill('Warehouse export');
    await form.locator('input[name=prefix]').fill('touchpoint');
    await form.locator('button[type=submit]').click();
    await form.locator('.field-error[data-field=prefix]').waitFor();
    await form.locator('input[name=prefix]').fill('touchpoint/');
    await form.locator('button[type=submit]').click();
    const r2 = section.locator('li.destination', { hasText: 'Warehouse export' });
    await r2.waitFor();
    assert.match(await r2.innerText(), /EXPORTS bucket: touchpoint\/site=/);
    // An R2 export's edit form has its name and prefix only.
    await r2.locator('button.edit-filter').click();
    assert.deepEqual(await r2.locator('.filter-edit input').evaluateAll((inputs) => inputs.map((i) => i.name)), ['name', 'prefix']);
    await r2.locator('button.cancel-edit').click();
    const stored = (await admin('GET', '/v1/admin/sites/demo/destinations')).destinations;
    assert.deepEqual(stored.filter((d) => d.kind === 'r2').map((d) => [d.name, d.prefix, d.url]), [['Warehouse export', 'touchpoint/', '']]);
    const segment = stored.find((d) => d.kind === 'segment');
    const chatwoot = stored.find((d) => d.kind === 'chatwoot');
    assert.deepEqual([segment.name, segment.url, segment.secret_hint], ['Warehouse', 'https://collector.example', '-123']);
    assert.deepEqual([chatwoot.chatwoot, chatwoot.filter.topics], [{ account_id: 3, inbox_id: 7 }, ['billing']]);
    for (const d of stored) await admin('DELETE', `/v1/admin/sites/demo/destinations/${d.id}`);
  } finally {
    await page.close();
  }
});

test('an admin edits a destination\'s name, URL and secret, and pages a long log with Older', async () => {
  const hook = await receiver();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    const made = await admin('POST', '/v1/admin/sites/demo/destinations', {
      kind: 'webhook', name: 'CRM', url: `${hook.url}/old`, secret: 'old-secret-0123456789', filter: { events: ['conversation.created'] },
    });
    // A long log: 203 deliveries, older than anything sent in this test.
    const base = Date.now() - 86_400_000;
    const rows = [];
    for (let i = 0; i < 203; i++) {
      const event = `ev_paging_${String(i).padStart(3, '0')}`;
      rows.push(runtime.d1.prepare("INSERT INTO outbound_events (id, site_id, type, conversation_id, data, created_at) VALUES (?1, 'demo', 'conversation.created', '', '{}', ?2)").bind(event, base + i));
      rows.push(runtime.d1.prepare("INSERT INTO destination_deliveries (id, destination_id, event_id, status, attempts, last_status, next_attempt_at, created_at, delivered_at) VALUES (?1, ?2, ?3, 'delivered', 1, 200, 0, ?4, ?4)").bind(`${made.id}.${event}`, made.id, event, base + i));
    }
    await runtime.d1.batch(rows);

    const section = await openSettings(page);
    const row = section.locator('li.destination', { hasText: 'CRM' });
    await row.locator('button.edit-filter').click();
    const edit = row.locator('.filter-edit');
    assert.equal(await edit.locator('input[name=name]').inputValue(), 'CRM');
    assert.equal(await edit.locator('input[name=url]').inputValue(), `${hook.url}/old`);
    assert.equal(await edit.locator('input[name=secret]').inputValue(), '', 'the stored secret is never shown');
    assert.ok(await edit.locator('input[value="conversation.created"]').isChecked(), 'the stored filter');
    // A refused value is named beside the edit form's field, not the add form's.
    await edit.locator('input[name=name]').fill('CRM EU');
    await edit.locator('input[name=url]').fill('ftp://crm.example/eu');
    await edit.locator('input[name=secret]').fill('short');
    await row.locator('button.save-filter').click();
    await edit.locator('.field-error[data-field=url]').waitFor();
    assert.equal(await section.locator('form.new-destination .field-error').count(), 0);
    assert.equal((await admin('GET', '/v1/admin/sites/demo/destinations')).destinations[0].name, 'CRM', 'nothing saved');
    await edit.locator('input[name=url]').fill(`${hook.url}/eu`);
    await row.locator('button.save-filter').click();
    await edit.locator('.field-error[data-field=secret]').waitFor();
    assert.match(await edit.locator('.field-error[data-field=secret]').innerText(), /16/);
    await edit.locator('input[name=secret]').fill('new-secret-abcdef-9876');
    await row.locator('button.save-filter').click();
    await section.locator('li.destination', { hasText: 'CRM EU' }).locator('.filter-summary').waitFor();
    await edit.waitFor({ state: 'detached' });
    const [changed] = (await admin('GET', '/v1/admin/sites/demo/destinations')).destinations;
    assert.deepEqual([changed.name, changed.url, changed.secret_hint, changed.filter.events], ['CRM EU', `${hook.url}/eu`, '9876', ['conversation.created']]);
    // What is sent next goes to the new URL, signed with the new secret.
    await visitorStarts('Edited destination, are you there?');
    assert.ok(await eventually(() => hook.received.length >= 1, 10_000));
    const [delivered] = hook.received;
    const [t, v1] = delivered.headers['x-touchpoint-signature'].split(',').map((p) => p.split('=')[1]);
    assert.equal(v1, createHmac('sha256', 'new-secret-abcdef-9876').update(`${t}.${delivered.body}`).digest('hex'));

    // The log shows the newest 200; Older the rest; Newest goes back.
    const current = section.locator('li.destination', { hasText: 'CRM EU' });
    await current.locator('button.show-log').click();
    const log = current.locator('.delivery-log');
    assert.ok(await eventually(async () => (await log.locator('tr.delivery').count()) === 200, 10_000), 'rows: 200');
    assert.equal(await log.locator('button.newest').count(), 0);
    const newestIds = await log.locator('tr.delivery').evaluateAll((trs) => trs.map((tr) => tr.dataset.delivery));
    assert.ok(!newestIds.includes(`${made.id}.ev_paging_003`));
    await log.locator('button.older').click();
    await log.locator('button.newest').waitFor();
    assert.ok(await eventually(async () => (await log.locator('tr.delivery').count()) === 4, 10_000), 'rows: 4');
    const olderIds = await log.locator('tr.delivery').evaluateAll((trs) => trs.map((tr) => tr.dataset.delivery));
    assert.deepEqual(olderIds, ['003', '002', '001', '000'].map((n) => `${made.id}.ev_paging_${n}`));
    assert.equal(await log.locator('button.older').count(), 0, 'nothing older');
    // The page shown stays put while the log is read again.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await log.locator('tr.delivery').count(), 4);
    await log.locator('button.newest').click();
    assert.ok(await eventually(async () => (await log.locator('tr.delivery').count()) === 200, 10_000), 'rows: 200');
    await admin('DELETE', `/v1/admin/sites/demo/destinations/${made.id}`);
  } finally {
    await page.close();
    hook.close();
  }
});
