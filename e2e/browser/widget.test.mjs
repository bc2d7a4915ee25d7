// The visitor widget in headless Chromium against the real worker and D1: a
// visitor talks to a real person, with availability, redaction and routing in
// view; plus strict CSP, XSS, keyboard-only use, an axe scan and a phone.
// Screenshots of the main states go to test-results/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, launchChromium, eventually, newPersonPage, ADMIN_TOKEN } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const shots = join(root, 'test-results', 'screenshots');
// Below this topic confidence the panel offers its team as a guess
// (domain::contact::UNSURE_TOPIC_CONFIDENCE).
const UNSURE_TOPIC_CONFIDENCE = 0.6;
let runtime, browser, staff, channel, unsureDraft;
before(async () => {
  mkdirSync(shots, { recursive: true });
  // The draft the classifier is unsure of is chosen by asking the widget's
  // own classifier (wasm, in Node) with the shipped model, well below the
  // line, so a retrained model moves the choice rather than failing the test.
  const dir = join(root, 'dist', 'site', 'widget');
  const widget = await import(join(dir, 'touchpoint_widget.js'));
  widget.initSync({ module: readFileSync(join(dir, 'touchpoint_widget_bg.wasm')) });
  widget.setModel(readFileSync(join(dir, 'touchpoint.tpcm')));
  const vague = ['i need help', 'i have a problem', 'quick question', 'can someone help me', 'hello?'];
  unsureDraft = vague.find((text) => widget.classify(text).topic_confidence < UNSURE_TOPIC_CONFIDENCE - 0.1);
  assert.ok(unsureDraft, `the model is sure of every vague draft: ${vague.join(' / ')}`);
  // Presence rooms recheck twice a second here (a minute when deployed).
  runtime = await startTestRuntime({ PRESENCE_RECHECK_MS: '500' });
  channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  staff = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await runtime?.close();
});

const staffApi = async (method, path, body) => {
  const response = await fetch(`${runtime.url}${path}`, {
    method, headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  return response.json();
};
// Each page is a visitor with an address of their own: this file starts
// more conversations than one address may in a minute (domain::guard).
let addresses = 0;
// The operator API on the demo site (team hours for the availability tests).
const siteAdmin = async (method, path, body) => (await fetch(`${runtime.url}/v1/admin/sites/demo${path}`, {
  method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
})).json();
const DAY_MS = 86_400_000;
// Dates as the site reads them (Europe/Berlin), whatever the hour in UTC.
const dayOf = (ms) => new Date(ms).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
const ROUND_THE_CLOCK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => ({ day: d, open: '00:00', close: '24:00' }));

async function visitorPage(browser, options) {
  const page = await newPersonPage(browser, options);
  await page.setExtraHTTPHeaders({ 'cf-connecting-ip': `203.0.113.${++addresses}` });
  return page;
}
const panel = (page) => page.locator('[data-touchpoint-panel]');
/** The red, green and blue of a CSS `rgb()` colour. */
const rgb = (text) => (text.match(/\d+(\.\d+)?/g) || []).slice(0, 3).map(Number);
/** WCAG 2 contrast ratio of two colours given as [r, g, b]. */
function contrast(a, b) {
  const luminance = ([r, g, bl]) => {
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl);
  };
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

async function openPanel(page, path = '/') {
  await page.goto(`${runtime.url}${path}`);
  await page.locator('button.launcher').click();
  await panel(page).locator('.panel').waitFor();
  // Availability has arrived once the presence line shows.
  await panel(page).locator('.presence').waitFor();
}
async function conversationsOf(where, ...params) {
  return (await runtime.d1.prepare(`SELECT * FROM conversations WHERE ${where}`).bind(...params).all()).results;
}

/**
 * From the open panel of `page`: picks the first team, sends `text` and
 * waits for it in the thread. The conversation it started, found by `mark`
 * (a part of the stored, redacted text).
 */
async function sendFirst(page, text, mark) {
  await panel(page).locator('input[type=radio]').first().check();
  await panel(page).locator('#tp-message').fill(text);
  await panel(page).locator('button.send').click();
  await panel(page).locator('.thread .visitor').waitFor({ timeout: 10_000 });
  const [conversation] = await conversationsOf("id IN (SELECT conversation_id FROM messages WHERE instr(text, ?1) > 0)", mark);
  return conversation;
}

test('a billing question with a card number: redacted before sending, routed to billing, answered by a person, kept across reloads', async () => {
  await staffApi('PUT', '/v1/staff/presence', { presence: 'away' });
  const page = await visitorPage(browser, { viewport: { width: 1280, height: 800 } });
  await openPanel(page);
  // Nothing is stored on the device before the visitor starts a conversation.
  assert.equal(await page.evaluate(() => Object.keys(localStorage).length), 0);
  // A draft the classifier is unsure of: its team is offered as a guess
  // (below 0.6 confidence the team is right about half the time).
  await panel(page).locator('#tp-message').fill(unsureDraft);
  await panel(page).locator('.guess').waitFor();
  assert.match(await panel(page).locator('.guess').innerText(), /guess: pick another team/);
  await panel(page).locator('#tp-message').fill('I was charged twice for order 5521, card 4111 1111 1111 1111. Please refund one payment.');
  assert.equal(await panel(page).locator('.guess').count(), 0, 'a clear billing question is not a guess');
  await assert.doesNotReject(panel(page).locator('.pii').waitFor());
  assert.match(await panel(page).locator('.pii').innerText(), /Card number removed/);
  assert.match(await panel(page).locator('.redacted').innerText(), /card \[card\]/);
  assert.equal(await panel(page).locator('#tp-team').inputValue(), 'billing');
  // Nobody is online: the e-mail path is offered first, honestly worded.
  assert.equal(await panel(page).locator('input[type=email]').count(), 1);
  await panel(page).locator('input[type=email]').fill('jo@example.com');
  await page.screenshot({ path: join(shots, 'widget-composer-redaction.png') });
  await panel(page).locator('button.send').click();
  await panel(page).locator('.thread .visitor').waitFor();

  const [conversation] = await conversationsOf("reply_email = 'jo@example.com'");
  assert.equal(conversation.team_id, 'billing');
  assert.equal(conversation.reply_channel, 'email');
  const stored = await runtime.d1.prepare('SELECT text FROM messages WHERE conversation_id = ?1').bind(conversation.id).first();
  assert.ok(!stored.text.includes('4111'), 'the card number never left the browser');
  assert.match(stored.text, /\[card\]/);

  // A person answers through the staff API; the widget shows it.
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/messages`, { text: 'Sorry about that — the second payment is refunded today.' });
  await panel(page).locator('.thread .staff').waitFor({ timeout: 10_000 });
  assert.match(await panel(page).locator('.thread .staff').innerText(), /Ana[\s\S]*refunded today/);
  assert.match(await panel(page).locator('.thread .system').innerText(), /Ana joined/);
  // Read out once: the thread is the one live region that holds the reply.
  const liveRegions = panel(page).locator('[aria-live], [role=log], [role=status], [role=alert]');
  const holding = [];
  for (const region of await liveRegions.all()) if (/Sorry about that/.test(await region.innerText())) holding.push(await region.getAttribute('role'));
  assert.deepEqual(holding, ['log']);
  // Her reply made Ana the assignee. Claimed again: nothing changes and
  // nothing is said. Handed back to the team, then taken by Ana: the visitor
  // is told of the taking only.
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/assign`, { staff: 'me' });
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/assign`, { staff: '' });
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/assign`, { staff: 'me' });
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/messages`, { text: 'Anything else I can do?' });
  await panel(page).locator('.thread .staff', { hasText: 'Anything else' }).waitFor({ timeout: 10_000 });
  const notices = await panel(page).locator('.thread .system').allInnerTexts();
  assert.equal(notices.length, 2, JSON.stringify(notices));
  assert.match(notices[0], /Ana.* joined/);
  assert.equal(notices[1], 'The conversation was assigned');
  await page.screenshot({ path: join(shots, 'widget-thread.png') });

  // The conversation survives a reload (its token is stored now, as the visitor asked for it).
  await page.reload();
  await page.locator('button.launcher').click();
  await panel(page).locator('.thread .staff').first().waitFor({ timeout: 10_000 });
  assert.equal(await panel(page).locator('.thread .visitor').count(), 1);
  const read = await eventually(async () => (await conversationsOf('id = ?1', conversation.id))[0].visitor_read_id > 0);
  assert.ok(read, 'seen staff messages are marked read');

  // The visitor deletes the conversation from the panel: the first press
  // asks, and anything else they do takes the question back.
  const deleteButton = panel(page).locator('button.delete');
  await deleteButton.click();
  assert.equal((await deleteButton.innerText()).trim(), 'Really delete?');
  // The question is read out where it appears (the focus stays on the button).
  assert.equal(await deleteButton.getAttribute('aria-live'), 'polite');
  await panel(page).locator('#tp-message').click();
  await panel(page).locator('#tp-message').pressSequentially('x');
  assert.equal((await deleteButton.innerText()).trim(), 'Delete conversation');
  // A double click is not a question and its answer: it asks, then takes it back.
  await deleteButton.dblclick();
  assert.equal((await deleteButton.innerText()).trim(), 'Delete conversation');
  assert.equal((await conversationsOf('id = ?1', conversation.id)).length, 1, 'nothing deleted yet');
  await deleteButton.click();
  await page.waitForTimeout(700); // read the question, then answer it
  await deleteButton.click();
  await panel(page).locator('.notice').waitFor();
  assert.equal((await conversationsOf('id = ?1', conversation.id)).length, 0);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('touchpoint')).length), 0);
  await page.close();
});

test('with someone online the panel says who, and answers come here', async () => {
  await staffApi('PUT', '/v1/staff/presence', { presence: 'online' });
  const page = await visitorPage(browser);
  await openPanel(page);
  assert.match(await panel(page).locator('.presence').innerText(), /Here now: Ana/);
  assert.equal(await panel(page).locator('input[type=radio]').first().isChecked(), true);
  await page.screenshot({ path: join(shots, 'widget-online.png') });
  // Ana's console went quiet ten minutes ago: the open panel stops naming her, with no reload.
  await runtime.d1.prepare('UPDATE staff SET last_seen_at = ?2 WHERE id = ?1').bind(staff.staff.id, Date.now() - 11 * 60_000).run();
  assert.ok(await eventually(async () => !/Here now: Ana/.test(await panel(page).locator('.presence').innerText()), 8000),
    await panel(page).locator('.presence').innerText());
  // The launcher tells assistive technology whether its panel is open.
  assert.equal(await page.locator('button.launcher').getAttribute('aria-expanded'), 'true');
  await panel(page).locator('#tp-message').focus();
  await page.keyboard.press('Escape');
  await panel(page).locator('.panel').waitFor({ state: 'detached' });
  assert.equal(await page.locator('button.launcher').getAttribute('aria-expanded'), 'false');
  await staffApi('PUT', '/v1/staff/presence', { presence: 'away' });
  await page.close();
});

test('a draft for a team closed two weeks hears of that team (its date, its reason), not of someone online elsewhere; an Arabic page reads it in English', async () => {
  // An outside audit: billing closed, Eli online for support only; a visitor
  // writing about a double charge read "Here now: Eli" and "Back Monday".
  const stored = Object.fromEntries((await siteAdmin('GET', '')).teams.map((t) => [t.id, t.hours]));
  const eli = await channel.createStaff('Eli Park', ['support']);
  const presence = (token, value) => fetch(`${runtime.url}/v1/staff/presence`, {
    method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ presence: value }),
  });
  await presence(staff.token, 'away');
  await siteAdmin('PUT', '/teams/support', { hours: { weekly: ROUND_THE_CLOCK, closures: [] } });
  await siteAdmin('PUT', '/teams/billing', { hours: { weekly: stored.billing.weekly, closures: [{ from: dayOf(Date.now() - DAY_MS), to: dayOf(Date.now() + 14 * DAY_MS), reason: 'Winter break' }] } });
  await presence(eli.token, 'online');
  try {
    const billing = (await (await fetch(`${runtime.url}/v1/availability?site=demo`)).json()).teams.find((t) => t.id === 'billing');
    assert.ok(billing.next_opening > Date.now() + 13 * DAY_MS, JSON.stringify(billing));
    const month = new Intl.DateTimeFormat('en', { month: 'long' }).format(new Date(billing.next_opening));
    const draft = 'I was charged twice for my order. Please refund one payment.';
    for (const lang of ['en', 'ar']) {
      const page = await visitorPage(browser);
      await page.route(`${runtime.url}/`, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: (await response.text()).replace('<html lang="en">', `<html lang="${lang}">`) });
      });
      await openPanel(page);
      const line = panel(page).locator('.presence');
      const radios = panel(page).locator('input[type=radio]');
      // Before a draft: the site, where Eli is there to answer here.
      assert.ok(await eventually(async () => /Here now: Eli/.test(await line.innerText()), 8000), await line.innerText());
      assert.equal(await radios.nth(0).isChecked(), true);
      await panel(page).locator('#tp-message').fill(draft);
      await panel(page).locator('#tp-team').waitFor();
      assert.equal(await panel(page).locator('#tp-team').inputValue(), 'billing');
      // The draft goes to billing: closed two weeks, with its date and
      // reason, nobody named, and the e-mail path first.
      const text = await line.innerText();
      assert.match(text, /^We are closed\. Back .+ \(your time\)\.$/);
      assert.ok(text.includes(month), `${lang}: ${text} names ${month}`);
      assert.doesNotMatch(text, /Eli/);
      assert.doesNotMatch(text, /[\u0600-\u06ff]/, `${lang}: the English panel writes its times in English`);
      assert.equal(await panel(page).locator('.closure').innerText(), 'Winter break');
      assert.equal(await radios.nth(1).isChecked(), true, 'the e-mail path comes first');
      assert.equal(await panel(page).locator('.promise').innerText(), 'A person will write to this address.');
      if (lang === 'en') {
        await page.screenshot({ path: join(shots, 'widget-team-closed.png') });
        // Sent to support instead: Eli is there for it, and answers come here.
        await panel(page).locator('#tp-team').selectOption('support');
        assert.ok(await eventually(async () => /Here now: Eli/.test(await line.innerText()), 4000), await line.innerText());
        assert.equal(await radios.nth(0).isChecked(), true);
        assert.equal(await panel(page).locator('.closure').count(), 0);
      }
      await page.close();
    }
  } finally {
    await presence(eli.token, 'away');
    await siteAdmin('PUT', '/teams/support', { hours: stored.support });
    await siteAdmin('PUT', '/teams/billing', { hours: stored.billing });
  }
});

test('a call back window is offered from now to 30 days ahead, and a window outside the team\'s hours is explained', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  await panel(page).locator('input[type=radio]').nth(2).check();
  const [from, to] = [panel(page).locator('input[type=datetime-local]').nth(0), panel(page).locator('input[type=datetime-local]').nth(1)];
  for (const input of [from, to]) {
    const [min, max] = [await input.getAttribute('min'), await input.getAttribute('max')];
    const [minMs, maxMs] = await page.evaluate(([a, b]) => [new Date(a).getTime(), new Date(b).getTime()], [min, max]);
    assert.ok(Math.abs(minMs - Date.now()) < 120_000, `min ${min}`);
    assert.ok(Math.abs(maxMs - minMs - 30 * 86_400_000) <= 3_600_000, `max ${max}`);
  }
  // Ten minutes at night: not 15 minutes of anyone's hours; the worker's 422.
  const night = await page.evaluate(() => {
    const d = new Date(Date.now() + 86_400_000);
    const pad = (n) => String(n).padStart(2, '0');
    const at = (h, m) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(h)}:${pad(m)}`;
    return [at(3, 0), at(3, 10)];
  });
  await panel(page).locator('input[type=tel]').fill('+49 30 1234567');
  await from.fill(night[0]);
  await to.fill(night[1]);
  await panel(page).locator('#tp-message').fill('Please call me about my order');
  await panel(page).locator('button.send').click();
  await panel(page).locator('.error', { hasText: "15 minutes of the team's hours" }).waitFor();
  assert.equal(await panel(page).locator('#tp-message').inputValue(), 'Please call me about my order');
  // The window is what to change: both its times are marked and described
  // by the error, and the focus is on the first (an outside audit found
  // nothing marked and the focus in the message box).
  const focusedInput = () => page.evaluate(() => {
    const active = document.activeElement?.shadowRoot?.activeElement;
    return active && `${active.tagName.toLowerCase()}[type=${active.type}]`;
  });
  const marks = (input) => input.evaluate((e) => [e.getAttribute('aria-invalid'), e.getAttribute('aria-describedby')]);
  const tel = panel(page).locator('input[type=tel]');
  assert.equal(await panel(page).locator('.error').getAttribute('id'), 'tp-error');
  assert.deepEqual(await marks(from), ['true', 'tp-error']);
  assert.deepEqual(await marks(to), ['true', 'tp-error']);
  assert.deepEqual(await marks(tel), [null, null]);
  assert.ok(await eventually(async () => (await focusedInput()) === 'input[type=datetime-local]'), `focus on ${await focusedInput()}`);
  // A number the worker cannot read, in a week-long window: the number is
  // what to check this time, not the window (a verifier: one sentence for both).
  const week = await page.evaluate(() => {
    const pad = (n) => String(n).padStart(2, '0');
    const at = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return [at(new Date(Date.now() + 3_600_000)), at(new Date(Date.now() + 7 * 86_400_000))];
  });
  await panel(page).locator('input[type=tel]').fill('12');
  await from.fill(week[0]);
  await to.fill(week[1]);
  await panel(page).locator('button.send').click();
  await panel(page).locator('.error', { hasText: 'phone number' }).waitFor();
  assert.equal(await panel(page).locator('.error', { hasText: "team's hours" }).count(), 0);
  assert.deepEqual(await marks(tel), ['true', 'tp-error']);
  assert.deepEqual(await marks(from), [null, null], 'the window is fine this time');
  assert.ok(await eventually(async () => (await focusedInput()) === 'input[type=tel]'), `focus on ${await focusedInput()}`);
  await page.close();
});

test('a message whose answer was lost, then edited and sent again, goes as the edited text (not refused for its id)', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  const conversation = await sendFirst(page, 'Do you deliver to Iceland?', 'deliver to Iceland');
  // The follow-up reaches the worker, which stores it, but its answer is lost.
  let dropped = false;
  await page.route('**/v1/conversations/*/messages', async (route) => {
    if (route.request().method() === 'POST' && !dropped) { dropped = true; await route.fetch(); return route.abort('connectionreset'); }
    return route.continue();
  });
  await panel(page).locator('#tp-message').fill('And to the Faroe Islads?');
  await panel(page).locator('button.send').click();
  await panel(page).locator('[role=alert], .error').first().waitFor();
  await panel(page).locator('#tp-message').fill('And to the Faroe Islands?');
  await panel(page).locator('button.send').click();
  await panel(page).locator('.thread .visitor', { hasText: 'Faroe Islands' }).waitFor({ timeout: 10_000 });
  const texts = (await runtime.d1.prepare("SELECT text FROM messages WHERE conversation_id = ?1 AND author = 'visitor' ORDER BY created_at").bind(conversation.id).all()).results.map((m) => m.text);
  assert.deepEqual(texts, ['Do you deliver to Iceland?', 'And to the Faroe Islads?', 'And to the Faroe Islands?']);
  await page.close();
});

test('a first message whose answer was lost, sent again to be answered at another address, goes with that address (not refused for its id)', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  let dropped = false;
  await page.route('**/v1/conversations', async (route) => {
    if (route.request().method() === 'POST' && !dropped) { dropped = true; await route.fetch(); return route.abort('connectionreset'); }
    return route.continue();
  });
  await panel(page).locator('input[type=radio]').first().check();
  await panel(page).locator('#tp-message').fill('Can you send me the size chart for the rain jacket?');
  // By e-mail (offered first when nobody is online; chosen here either way).
  if (await panel(page).locator('input[type=email]').count() === 0) await panel(page).locator('input[name=tp-reply]').nth(1).check();
  await panel(page).locator('input[type=email]').fill('jo@example.com');
  await panel(page).locator('button.send').click();
  await panel(page).locator('[role=alert], .error').first().waitFor();
  // The visitor notices a better address and sends again.
  await panel(page).locator('input[type=email]').fill('jo.work@example.com');
  await panel(page).locator('button.send').click();
  await panel(page).locator('.thread .visitor', { hasText: 'size chart' }).waitFor({ timeout: 10_000 });
  const stored = await conversationsOf("id IN (SELECT conversation_id FROM messages WHERE instr(text, 'size chart for the rain jacket') > 0) ORDER BY created_at");
  // The first request reached the worker before its answer was lost; the
  // second is its own, with the address the visitor chose last.
  assert.deepEqual(stored.map((c) => c.reply_email), ['jo@example.com', 'jo.work@example.com']);
  await page.close();
});

test('markup from either side is shown as text and never runs', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  const conversation = await sendFirst(page, '<img src=x onerror="window.__xss=1"> hello', 'onerror');
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/messages`, { text: '<script>window.__xss=2</script><b onmouseover="window.__xss=3">bold</b>' });
  await panel(page).locator('.thread .staff').waitFor({ timeout: 10_000 });
  await panel(page).locator('.thread .staff').hover();
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.match(await panel(page).locator('.thread .staff .text').innerText(), /<script>window.__xss=2<\/script>/);
  assert.equal(await panel(page).locator('.thread img, .thread script, .thread b').count(), 0);
  await page.close();
});

test('an answer the widget cannot read is explained in the panel, and the draft is kept', async () => {
  const page = await visitorPage(browser);
  const errors = [];
  const warnings = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'warning') warnings.push(message.text()); });
  // Availability with a field of the wrong type, then a start answer missing its token.
  await page.route(`${runtime.url}/v1/availability*`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{"teams":"support"}' }));
  await page.goto(`${runtime.url}/`);
  await page.locator('button.launcher').click();
  await panel(page).locator('.error').waitFor();
  // The visitor reads it in their words; the reason goes to the console.
  assert.match(await panel(page).locator('.error').innerText(), /^That did not work\. Your message is still here/);
  assert.ok(warnings.some((w) => /unexpected_answer: the answer could not be read/.test(w)), warnings.join('\n'));
  let starts = 0;
  await page.route(`${runtime.url}/v1/conversations`, (route) => {
    starts += 1;
    return route.fulfill({ status: 201, contentType: 'application/json', body: '{"conversation":{"id":"c_1"}}' });
  });
  await panel(page).locator('#tp-message').fill('Where is my parcel?');
  await panel(page).locator('button.send').click();
  await eventually(async () => starts === 1 && !(await panel(page).locator('button.send').isDisabled()));
  assert.equal(starts, 1);
  assert.match(await panel(page).locator('.error').innerText(), /^That did not work/);
  assert.equal(await panel(page).locator('#tp-message').inputValue(), 'Where is my parcel?');
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'no conversation is remembered');
  assert.deepEqual(errors, []);
  await page.close();
});

test('works under a strict Content Security Policy', async () => {
  const page = await visitorPage(browser);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.route(`${runtime.url}/`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'" } });
  });
  await openPanel(page);
  await panel(page).locator('#tp-message').fill('Do you ship to Norway?');
  await panel(page).locator('#tp-team').waitFor();
  assert.deepEqual(violations, []);
  const background = await panel(page).locator('header').evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(background, 'rgb(31, 79, 209)', 'the constructable stylesheet applies under the CSP');
  await page.close();
});

test('keyboard only: open, write, send, close, and focus returns to the launcher', async () => {
  const page = await visitorPage(browser);
  await page.goto(`${runtime.url}/`);
  await page.locator('button.launcher').waitFor();
  // Tab through the page's links to the launcher.
  let onLauncher = false;
  for (let i = 0; i < 10 && !onLauncher; i++) {
    await page.keyboard.press('Tab');
    onLauncher = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.classList.contains('launcher') ?? false);
  }
  assert.ok(onLauncher, 'the launcher is reachable with Tab');
  await page.keyboard.press('Enter');
  await panel(page).locator('.presence').waitFor();
  const focused = () => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id || document.activeElement?.shadowRoot?.activeElement?.className);
  assert.equal(await eventually(async () => (await focused()) === 'tp-message'), true, 'focus moves into the message box');
  await page.keyboard.type('Where can I find the size chart?');
  await page.keyboard.press('Escape');
  assert.equal(await panel(page).locator('.panel').count(), 0);
  assert.equal(await focused(), 'launcher', 'focus returns to the launcher');
  await page.close();
});

test('after a message goes, focus is back in the message box and Escape still closes the panel', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  await panel(page).locator('input[type=radio]').first().check();
  await panel(page).locator('#tp-message').fill('Is the store open on Sundays?');
  await panel(page).locator('button.send').focus();
  await page.keyboard.press('Enter');
  await panel(page).locator('.thread .visitor').waitFor({ timeout: 10_000 });
  const focused = () => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id ?? document.activeElement?.tagName);
  assert.ok(await eventually(async () => (await focused()) === 'tp-message'), `focus is on ${await focused()}`);
  await page.keyboard.press('Escape');
  await panel(page).locator('.panel').waitFor({ state: 'detached' });
  await page.close();
});

test('a draft of only invisible characters is not a message: nothing is posted, no error, the next real message goes alone', async () => {
  const page = await visitorPage(browser);
  const posts = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/conversations') posts.push(request.postData());
  });
  await openPanel(page);
  // Zero-width space, word joiner, zero-width joiner, a space, a byte-order
  // mark: the worker would refuse it as empty (message.text).
  await panel(page).locator('#tp-message').fill('\u200b\u2060\u200d \ufeff');
  assert.equal(await panel(page).locator('.redacted').count(), 0, 'no preview of an invisible draft');
  await panel(page).locator('input[type=email]').fill('jo@example.com');
  await panel(page).locator('button.send').click();
  await panel(page).locator('#tp-message').fill('Do you ship to Norway?');
  await panel(page).locator('button.send').click();
  await panel(page).locator('.thread .visitor').waitFor();
  assert.equal(await panel(page).locator('.error').count(), 0);
  assert.equal(posts.length, 1, 'only the real message was posted');
  assert.match(posts[0], /Do you ship to Norway/);
  assert.match(await panel(page).locator('.thread .visitor').first().innerText(), /Do you ship to Norway/);
  await page.close();
});

test('a site with no team yet says so and takes no message; its first team opens the composer', async () => {
  const admin = (method, path, body) => fetch(`${runtime.url}/v1/admin/sites/unstaffed${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal((await admin('PUT', '', { name: 'Unstaffed', allowed_origins: [runtime.url], default_team: 'support' })).status, 201);
  const page = await visitorPage(browser);
  await page.route(`${runtime.url}/`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()).replace('data-site="demo"', 'data-site="unstaffed"') });
  });
  await openPanel(page);
  assert.match(await panel(page).locator('.presence').innerText(), /not taking messages yet/);
  assert.equal(await panel(page).locator('form.composer').count(), 0, 'no composer invites a message nobody could receive');
  await page.close();
  assert.equal((await admin('PUT', '/teams/support', { name: 'Support' })).status, 201);
  const later = await visitorPage(browser);
  await later.route(`${runtime.url}/`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()).replace('data-site="demo"', 'data-site="unstaffed"') });
  });
  await openPanel(later);
  assert.doesNotMatch(await panel(later).locator('.presence').innerText(), /not taking messages/);
  assert.equal(await panel(later).locator('form.composer').count(), 1);
  await later.close();
});

test('axe finds no serious or critical accessibility problem in the open panel', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  await panel(page).locator('#tp-message').fill('My card 4111 1111 1111 1111 was charged twice');
  await panel(page).locator('.pii').waitFor();
  await page.addScriptTag({ content: readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8') });
  const results = await page.evaluate(async () => {
    const host = document.querySelector('[data-touchpoint-launcher]');
    const r = await window.axe.run({ include: [[host]] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  const serious = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], JSON.stringify(results));
  await page.close();
});

test('on a phone the panel fills the screen; German pages get German words', async () => {
  const page = await visitorPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'de-DE' });
  await page.route(`${runtime.url}/`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()).replace('<html lang="en">', '<html lang="de">') });
  });
  await openPanel(page);
  const box = await panel(page).locator('.panel').boundingBox();
  assert.equal(Math.round(box.width), 390);
  assert.equal(Math.round(box.height), 844);
  assert.equal(await panel(page).locator('h2').innerText(), 'Sprechen Sie mit unserem Team');
  await page.screenshot({ path: join(shots, 'widget-phone-de.png') });
  await page.close();
});

// Where the focus is: in the widget (its host, beside <body>), past the
// document's end (the browser's own controls: <body> here), or on something
// of the page's (its start; null for the first two).
const onPageOf = (page) => page.evaluate(() => {
  const at = document.activeElement;
  return at && at !== document.body && !at.closest('[data-touchpoint-launcher]') ? at.outerHTML.slice(0, 80) : null;
});

test('on a small phone the full-screen panel keeps the keyboard: Tab never reaches the page hidden under it, and closing gives the page back', async () => {
  const page = await visitorPage(browser, { viewport: { width: 320, height: 568 }, isMobile: true, hasTouch: true });
  await openPanel(page);
  const onPage = () => onPageOf(page);
  let inPanel = 0;
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
    assert.equal(await onPage(), null, `Tab ${i + 1} reached the page`);
    inPanel += await page.evaluate(() => !!document.activeElement?.closest('[data-touchpoint-launcher]'));
  }
  assert.ok(inPanel > 15, `focus stayed in the panel ${inPanel} of 25 times`);
  assert.equal(await page.evaluate(() => document.body.inert), true);
  await page.keyboard.press('Escape');
  await panel(page).locator('.panel').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.body.inert), false, 'the page is back');
  // A page that made itself inert (its own dialog, say) keeps it: the panel
  // gives back only what it took.
  await page.evaluate(() => { document.body.inert = true; });
  await page.locator('button.launcher').click();
  await panel(page).locator('.panel').waitFor();
  await page.keyboard.press('Escape');
  await panel(page).locator('.panel').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.body.inert), true, 'the page\'s own inert is left as it was');
  await page.close();
  // On a desktop the panel sits beside the page, which stays usable.
  const desk = await visitorPage(browser);
  await openPanel(desk);
  assert.equal(await desk.evaluate(() => document.body.inert), false);
  // Zoomed in while open (400% leaves 320 CSS pixels): the panel fills the
  // screen, and the next key pressed in it, before Tab moves the focus,
  // makes the page inert; zoomed out again, the next key gives it back.
  const inert = () => desk.evaluate(() => document.body.inert);
  await desk.setViewportSize({ width: 320, height: 480 });
  await desk.keyboard.press('Tab');
  assert.equal(await inert(), true, 'full screen after the zoom: the page is inert');
  assert.equal(await onPageOf(desk), null);
  await desk.setViewportSize({ width: 1280, height: 720 });
  await desk.keyboard.press('Shift+Tab');
  assert.equal(await inert(), false, 'beside the page again: the page is back');
  await desk.close();
});

test('each of the seven languages (and Brazil\'s Portuguese) gets its words, and a refusal is explained in them, never in the worker\'s English', async () => {
  // Seven pages in the classifier's seven languages, and one the panel does
  // not speak; the worker answers the first message with a 429, then a 422.
  const expected = {
    en: ['Talk to our team', 'That did not work. Your message is still here', 'Please check your e-mail address'],
    de: ['Sprechen Sie mit unserem Team', 'Das hat nicht geklappt. Ihre Nachricht ist noch da', 'Bitte prüfen Sie E-Mail-Adresse'],
    fr: ['Parlez à notre équipe', "Cela n'a pas fonctionné. Votre message est conservé", 'Vérifiez votre adresse e-mail'],
    es: ['Habla con nuestro equipo', 'No ha funcionado. Tu mensaje sigue aquí', 'Revisa tu correo electrónico'],
    it: ['Parla con il nostro team', 'Non ha funzionato. Il tuo messaggio è ancora qui', 'Controlla indirizzo e-mail'],
    nl: ['Praat met ons team', 'Dat lukte niet. Je bericht staat er nog', 'Controleer je e-mailadres'],
    pt: ['Fale com a nossa equipa', 'Não funcionou. A sua mensagem continua aqui', 'Verifique o seu e-mail'],
    // Brazil's Portuguese where it differs from Portugal's.
    'pt-BR': ['Fale com nossa equipe', 'Não funcionou. Sua mensagem continua aqui', 'Verifique seu e-mail'],
    ar: ['Talk to our team', 'That did not work. Your message is still here', 'Please check your e-mail address'],
  };


  for (const [lang, [title, failed, check]] of Object.entries(expected)) {
    const page = await visitorPage(browser);
    const warnings = [];
    page.on('console', (message) => { if (message.type() === 'warning') warnings.push(message.text()); });
    await page.route(`${runtime.url}/`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.text()).replace('<html lang="en">', `<html lang="${lang}"${lang === 'ar' ? ' dir="rtl"' : ''}>`) });
    });
    let refusals = [
      [429, { error: { code: 'rate_limited', message: 'too many requests; retry after 11 seconds' } }],
      [422, { error: { code: 'invalid_request', message: 'invalid request: reply.email is not an e-mail address' } }],
    ];
    await page.route(`${runtime.url}/v1/conversations`, (route) => {
      const [status, body] = refusals.shift() ?? [];
      return status ? route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) }) : route.continue();
    });
    await openPanel(page);
    const section = panel(page).locator('section.panel');
    assert.equal(await panel(page).locator('h2').innerText(), title, lang);
    assert.deepEqual([await section.getAttribute('lang'), await section.getAttribute('dir')], [lang === 'ar' ? 'en' : lang, 'ltr'], lang);
    // The panel sits where the launcher is, on a right-to-left page too.
    const [launcherBox, panelBox] = [await page.locator('button.launcher').boundingBox(), await section.boundingBox()];
    assert.ok(Math.abs(launcherBox.x + launcherBox.width - (panelBox.x + panelBox.width)) < 40, `${lang}: ${JSON.stringify([launcherBox, panelBox])}`);
    await panel(page).locator('input[type=radio]').first().check();
    await panel(page).locator('#tp-message').fill('Where is my parcel?');
    // A 429 is "try again later"; a 422, what to check.
    for (const [attempt, text] of [[1, failed], [2, check]]) {
      await panel(page).locator('button.send').click();
      await panel(page).locator('.error', { hasText: text }).waitFor();
      assert.equal(refusals.length, 2 - attempt, lang);
      assert.doesNotMatch(await panel(page).locator('.error').innerText(), /retry after|invalid request/, lang);
      assert.equal(await panel(page).locator('#tp-message').inputValue(), 'Where is my parcel?', `${lang}: the draft stays`);
    }
    assert.ok(warnings.some((w) => /rate_limited: too many requests; retry after 11 seconds/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /invalid_request: invalid request: reply.email/.test(w)), warnings.join('\n'));
    await page.close();
  }
});

test('the page can open, close and toggle the panel and listen to it; replies while closed show as a badge, also on the next page', async () => {
  const page = await visitorPage(browser);
  await page.goto(`${runtime.url}/`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => {
    window.__events = [];
    for (const name of ['open', 'close', 'message', 'unread']) window.touchpoint.on(name, (detail) => window.__events.push([name, detail]));
  });
  await page.evaluate(() => window.touchpoint.open());
  await panel(page).locator('.presence').waitFor();
  const conversation = await sendFirst(page, 'Is the Arctic parka waterproof?', 'Arctic parka');
  await page.evaluate(() => window.touchpoint.toggle());
  await panel(page).locator('.panel').waitFor({ state: 'detached' });
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/messages`, { text: 'Yes, it is rated 20,000 mm.' });
  await page.locator('button.launcher[data-unread="1"]').waitFor({ timeout: 10_000 });
  // Said as well as shown: the launcher's status region, in the panel's words
  // (a screen reader heard nothing of a badge).
  const said = page.locator('[data-touchpoint-launcher] .said[role=status]');
  assert.equal(await said.innerText(), 'New message from Ana', 'the name visitors see');
  const events = await page.evaluate(() => window.__events);
  assert.deepEqual(events.map(([name]) => name).filter((n) => n !== 'unread'), ['open', 'close', 'message']);
  assert.equal(events.find(([n]) => n === 'message')[1].text, 'Yes, it is rated 20,000 mm.');
  assert.ok(events.some(([n, d]) => n === 'unread' && d === 1));
  await page.evaluate(() => window.touchpoint.toggle());
  await panel(page).locator('.thread .staff').waitFor();
  assert.equal(await page.locator('button.launcher[data-unread]').count(), 0, 'opening clears the badge');
  // The read mark follows the poll that opening starts; a page left before
  // it lands would leave this reply unread (the browser cancels the
  // request), and the next page's badge would say 2. A visitor reading the
  // reply gives it the time.
  assert.ok(await eventually(async () => (await conversationsOf('id = ?1', conversation.id))[0].visitor_read_id > 0, 10_000), 'opening marks the reply read');
  await page.evaluate(() => window.touchpoint.close());

  // The next page follows the conversation without opening the panel.
  await page.goto(`${runtime.url}/pricing`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('touchpoint_widget_bg.wasm')));
  await page.waitForTimeout(1500); // the first poll replays the thread, which is not news
  await staffApi('POST', `/v1/staff/conversations/${conversation.id}/messages`, { text: 'It also packs into its own pocket.' });
  await page.locator('button.launcher[data-unread="1"]').waitFor({ timeout: 10_000 });
  assert.equal(await panel(page).locator('.panel').count(), 0, 'the panel stays closed');
  await page.screenshot({ path: join(shots, 'widget-unread-badge.png'), clip: { x: 900, y: 600, width: 380, height: 120 } });

  // Not seen yet, so still news on the page after: the badge is there at
  // once, and nothing is marked read (the mailer's "unseen" reminder counts on it).
  const lastReply = async () => (await runtime.d1.prepare("SELECT MAX(id) AS id FROM messages WHERE conversation_id = ?1 AND author = 'staff'").bind(conversation.id).first()).id;
  await page.goto(`${runtime.url}/`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.locator('button.launcher[data-unread="1"]').waitFor({ timeout: 10_000 });
  await page.waitForTimeout(1500);
  const [unseen] = await conversationsOf('id = ?1', conversation.id);
  assert.ok(unseen.visitor_read_id < await lastReply(), 'a closed panel marks nothing read');
  // Opened, it is read: the badge goes, the marker moves, the next page shows none.
  await page.evaluate(() => window.touchpoint.open());
  await panel(page).locator('.thread .staff >> text=pocket').waitFor();
  assert.ok(await eventually(async () => (await conversationsOf('id = ?1', conversation.id))[0].visitor_read_id === await lastReply(), 10_000), 'opening marks them read');
  await page.evaluate(() => window.touchpoint.close());
  // What the next page hears: nothing (an outside audit: every page load
  // announced the last reply again, to screen readers and to on('message')).
  await page.addInitScript(() => {
    window.__heard = [];
    addEventListener('touchpoint:message', (event) => window.__heard.push(event.detail.text));
  });
  await page.goto(`${runtime.url}/pricing`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.waitForTimeout(2000);
  assert.equal(await page.locator('button.launcher[data-unread]').count(), 0, 'read on the page before: no badge');
  assert.deepEqual(await page.evaluate(() => window.__heard), [], 'nor an announcement');
  assert.equal(await page.locator('[data-touchpoint-launcher] .said').textContent(), '');
  await page.close();
});

test('a visitor who writes as soon as they arrive: the page they wrote on is stored before the conversation starts (opening the panel sends what waits)', async () => {
  const page = await visitorPage(browser);
  await page.goto(`${runtime.url}/`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => window.touchpoint.flush());
  // The next page: the recorder's first batch would wait a few seconds.
  await page.goto(`${runtime.url}/pricing`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => window.touchpoint.open());
  await panel(page).locator('.presence').waitFor();
  const conversation = await sendFirst(page, 'Is the mauve rucksack sold with a rain cover?', 'mauve rucksack');
  const view = await runtime.d1.prepare("SELECT received_at FROM events WHERE site_id = 'demo' AND visitor_key = ?1 AND kind = 'pageview' AND path = '/pricing'")
    .bind(conversation.visitor_key).first();
  assert.ok(view, 'the page view is stored');
  assert.ok(view.received_at <= conversation.created_at, `stored ${view.received_at - conversation.created_at} ms after the conversation started`);
  await page.close();
});

test('a reply that arrives while the panel closes goes to the badge, not to the read mark', async () => {
  const page = await visitorPage(browser);
  await page.goto(`${runtime.url}/`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.evaluate(() => window.touchpoint.open());
  await panel(page).locator('.presence').waitFor();
  const conversation = await sendFirst(page, 'Do the trail shoes come in half sizes?', 'trail shoes');
  await page.evaluate(() => window.touchpoint.close());
  const reply = async (text) => (await staffApi('POST', `/v1/staff/conversations/${conversation.id}/messages`, { text })).message.id;
  const shown = await reply('Yes, from 38 to 47.');
  await page.locator('button.launcher[data-unread="1"]').waitFor({ timeout: 10_000 });
  // Polls are held at the network while the visitor opens (seeing the first
  // reply), a second reply comes, and the panel closes again.
  const held = [];
  let holding = true;
  await page.route(/\/v1\/conversations\/[^/]+\/messages\?after=/, (route) => (holding ? held.push(route) : route.continue()));
  await page.evaluate(() => window.touchpoint.open());
  await panel(page).locator('.thread .staff >> text=38 to 47').waitFor();
  await eventually(async () => held.length > 0);
  const unseen = await reply('Half sizes ship from our Lyon warehouse.');
  await page.evaluate(() => window.touchpoint.close());
  await panel(page).locator('.panel').waitFor({ state: 'detached' });
  holding = false;
  for (const route of held) await route.continue();
  await page.locator('button.launcher[data-unread="1"]').waitFor({ timeout: 10_000 });
  assert.ok(await eventually(async () => (await conversationsOf('id = ?1', conversation.id))[0].visitor_read_id === shown, 10_000), 'what the panel showed is read');
  await page.waitForTimeout(1500);
  assert.equal((await conversationsOf('id = ?1', conversation.id))[0].visitor_read_id, shown, `the reply the panel never showed (${unseen}) is not`);
  // And the next page still has it as news.
  await page.goto(`${runtime.url}/pricing`);
  await page.evaluate(() => window.touchpoint.ready);
  await page.locator('button.launcher[data-unread="1"]').waitFor({ timeout: 10_000 });
  await page.close();
});

test('a visitor the site vouches for finds the conversation on another device', async () => {
  const { createHmac } = await import('node:crypto');
  await fetch(`${runtime.url}/v1/admin/sites/demo`, {
    method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Northwind Outfitters (demo)', identity_secret: 'demo-identity-secret-1' }),
  });
  const hmac = createHmac('sha256', 'demo-identity-secret-1').update('customer-314').digest('hex');
  const phone = await visitorPage(browser, { viewport: { width: 390, height: 844 } });
  await phone.goto(`${runtime.url}/`);
  await phone.evaluate(([h]) => window.touchpoint('identify', 'customer-314', h), [hmac]);
  await phone.evaluate(() => window.touchpoint.open());
  await panel(phone).locator('.presence').waitFor();
  await sendFirst(phone, 'I started this on my phone: can I change my delivery address?', 'started this on my phone');
  await phone.close();

  const laptop = await browser.newContext();
  const page = await newPersonPage(laptop);
  await page.goto(`${runtime.url}/`);
  // Someone claiming the id without the site's proof sees nothing.
  await page.evaluate(() => window.touchpoint('identify', 'customer-314', 'forged'));
  await page.evaluate(() => window.touchpoint.open());
  await panel(page).locator('.presence').waitFor();
  await page.waitForTimeout(1000);
  assert.equal(await panel(page).locator('.thread .visitor').count(), 0);
  await page.reload();
  await page.evaluate(([h]) => window.touchpoint('identify', 'customer-314', h), [hmac]);
  await page.evaluate(() => window.touchpoint.open());
  await panel(page).locator('.thread .visitor', { hasText: 'started this on my phone' }).waitFor({ timeout: 10_000 });
  await laptop.close();
});

test('the site places, colours, names and marks the launcher: data-position, data-color, data-label, data-icon', async () => {
  const withAttributes = async (attributes, viewport = { width: 1280, height: 800 }) => {
    const page = await visitorPage(browser, { viewport });
    await page.route(`${runtime.url}/`, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace('data-site="demo"', `data-site="demo" ${attributes}`);
      await route.fulfill({ response, body });
    });
    return page;
  };
  const iconOf = (page) => page.locator('button.launcher').evaluate((button) => {
    const svg = button.querySelector('svg');
    return svg ? { hidden: svg.getAttribute('aria-hidden'), d: svg.querySelector('path').getAttribute('d') } : null;
  });
  const plain = await withAttributes('');
  await plain.goto(`${runtime.url}/`);
  await plain.locator('button.launcher').waitFor();
  const chat = await iconOf(plain);
  assert.equal(chat.hidden, 'true', 'the icon is decoration: the label names the button');
  await plain.close();
  const mail = await withAttributes('data-icon="mail"');
  await mail.goto(`${runtime.url}/`);
  await mail.locator('button.launcher').waitFor();
  const mailIcon = await iconOf(mail);
  assert.ok(mailIcon && mailIcon.d !== chat.d, 'data-icon="mail" draws another icon');
  await mail.close();
  const none = await withAttributes('data-icon="none"');
  await none.goto(`${runtime.url}/`);
  await none.locator('button.launcher').waitFor();
  assert.equal(await iconOf(none), null, 'data-icon="none" shows the label only');
  assert.equal(await none.locator('button.launcher').innerText(), 'Talk to us');
  assert.equal(await none.locator('button.launcher').getAttribute('lang'), 'en');
  await none.close();
  // The default label in the panel's language, marked as such (an outside
  // audit heard "Talk to us" on every page, read in the page's voice);
  // Brazil's however the tag is written, as the panel reads it.
  for (const [attributes, label, lang] of [['data-locale="de"', 'Kontakt', 'de'], ['data-locale="pt-BR"', 'Contato', 'pt-br'], ['data-locale="pt_BR"', 'Contato', 'pt-br'], ['data-locale="pt-br"', 'Contato', 'pt-br'], ['data-locale="PT-BR"', 'Contato', 'pt-br'], ['data-locale="pt-Latn-BR"', 'Contato', 'pt-br'], ['data-locale="pt-PT"', 'Contacto', 'pt'], ['data-locale="ar"', 'Talk to us', 'en']]) {
    const localized = await withAttributes(`data-icon="none" ${attributes}`);
    await localized.goto(`${runtime.url}/`);
    await localized.locator('button.launcher').waitFor();
    assert.deepEqual([await localized.locator('button.launcher').innerText(), await localized.locator('button.launcher').getAttribute('lang')], [label, lang], attributes);
    await localized.close();
  }

  const page = await withAttributes('data-position="left" data-color="#8a1c7c" data-label="Ask a person"');
  await openPanel(page);
  const launcher = await page.locator('button.launcher').boundingBox();
  assert.ok(launcher.x < 100, `launcher on the left: ${JSON.stringify(launcher)}`);
  assert.equal(await page.locator('button.launcher').innerText(), 'Ask a person');
  assert.equal(await page.locator('button.launcher').getAttribute('lang'), null, "the site's own label is in the page's language");
  const colour = await page.locator('button.launcher').evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(colour, 'rgb(138, 28, 124)');
  const box = await panel(page).locator('.panel').boundingBox();
  assert.ok(box.x < 100, 'the panel opens on the same side');
  await page.close();

  // Text on the site's colour is black on a light one, white on a dark one
  // (a yellow launcher kept white text, 1.6:1): 4.5:1 at least, everywhere
  // it is drawn on that colour.
  for (const [colour, text] of [['#f5c400', [0, 0, 0]], ['#8a1c7c', [255, 255, 255]], ['#7fdbff', [0, 0, 0]], ['#1f4fd1', [255, 255, 255]], ['white', [0, 0, 0]], ['rgb(0 90 0)', [255, 255, 255]]]) {
    const coloured = await withAttributes(`data-color="${colour}"`);
    await openPanel(coloured);
    await panel(coloured).locator('#tp-message').fill('How long does delivery take?');
    for (const [where, part] of [['launcher', coloured.locator('button.launcher')], ['header', panel(coloured).locator('.panel header')], ['send', panel(coloured).locator('button.send')]]) {
      // As drawn (a 1-pixel canvas): the computed text colour is written in lch.
      const [background, foreground] = await part.evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color].map((css) => {
        const context = Object.assign(document.createElement('canvas'), { width: 1, height: 1 }).getContext('2d');
        context.fillStyle = css;
        context.fillRect(0, 0, 1, 1);
        return `rgb(${[...context.getImageData(0, 0, 1, 1).data.slice(0, 3)].join(', ')})`;
      }));
      assert.deepEqual(rgb(foreground), text, `${where} on ${colour}: ${foreground} on ${background}`);
      assert.ok(contrast(rgb(foreground), rgb(background)) >= 4.5, `${where} on ${colour}: ${foreground} on ${background}`);
    }
    await coloured.close();
  }
  // A colour the browser cannot read (a typo) leaves the default, and says so.
  const typo = await withAttributes('data-color="#f5c40"');
  const warnings = [];
  typo.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await typo.goto(`${runtime.url}/`);
  await typo.locator('button.launcher').waitFor();
  assert.equal(await typo.locator('button.launcher').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(31, 79, 209)');
  assert.ok(warnings.some((w) => /data-color is not a colour/.test(w)), warnings.join('\n'));
  await typo.close();
});

test('a model that never arrives does not hold the panel: the message goes, redacted', async () => {
  const page = await visitorPage(browser);
  await page.route(/\/v1\/sites\/[^/]+\/model$|\/widget\/touchpoint\.tpcm$/, () => {});
  await openPanel(page);
  const conversation = await sendFirst(page, 'stalled-model check: my card 4111 1111 1111 1111 was charged twice', 'stalled-model check');
  const stored = await runtime.d1.prepare('SELECT text FROM messages WHERE conversation_id = ?1').bind(conversation.id).first();
  assert.ok(!stored.text.includes('4111'), 'the card number never left the browser');
  assert.match(stored.text, /\[card\]/);
  await page.close();
});

test('a message near the longest one shows its length, and text pasted past it is cut where the count says', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  const box = panel(page).locator('#tp-message');
  await box.fill('Where is my order? '.repeat(150));
  assert.equal(await panel(page).locator('.count').count(), 0, 'a long message far from the limit shows no count');
  await box.fill('I was charged twice. '.repeat(200)); // 4,200 characters pasted
  assert.equal((await box.inputValue()).length, 4000);
  assert.equal(await panel(page).locator('.count').innerText(), '4000 / 4000');
  // The count describes the message box: read out with it (an audit found it apart).
  const describedBy = await box.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the message box is described by its count');
  assert.equal(await panel(page).locator(`#${describedBy}`).innerText(), '4000 / 4000');
  await box.fill('ok');
  assert.equal(await panel(page).locator('.count').count(), 0);
  assert.equal(await box.getAttribute('aria-describedby'), null, 'nothing to describe it far from the limit');
  await page.close();
});

test('a short viewport (a landscape phone with its keyboard up, 200% zoom) gets the whole screen, and the message box stays in sight', async () => {
  // An outside audit: at 640x200 the panel was 90 px high from 84 px above
  // the bottom, its scroll area 24 px, the box being typed into out of sight.
  // Every team closed for a break: the header's tallest (the date, then the
  // reason), which arrives after the box was focused and pushes it down, at
  // any hour the suite runs (CI once ran it at an hour whose header was two
  // lines, and the focused box was left below the scroll area).
  const stored = (await siteAdmin('GET', '')).teams;
  for (const team of stored) {
    await siteAdmin('PUT', `/teams/${team.id}`, { hours: { weekly: team.hours.weekly, closures: [{ from: dayOf(Date.now() - DAY_MS), to: dayOf(Date.now() + 14 * DAY_MS), reason: 'Winter break: we are back in the new year' }] } });
  }
  try {
    for (const viewport of [{ width: 640, height: 200 }, { width: 683, height: 384 }]) {
      const page = await visitorPage(browser, { viewport });
      await openPanel(page);
      await panel(page).locator('.closure', { hasText: 'Winter break' }).waitFor();
      const box = await panel(page).locator('.panel').boundingBox();
      assert.deepEqual([box.x, box.y, Math.round(box.width), Math.round(box.height)], [0, 0, viewport.width, viewport.height]);
      const message = panel(page).locator('#tp-message');
      await message.focus();
      // Whole, inside the viewport and inside the panel's scroll area (to a
      // pixel: the panel scrolls it into view to a fraction of one).
      const [area, body] = await message.evaluate((e) => [e.getBoundingClientRect().toJSON(), e.closest('.body').getBoundingClientRect().toJSON()]);
      assert.ok(area.height >= 60, JSON.stringify(area));
      assert.ok(area.top >= body.top - 1 && area.bottom <= body.bottom + 1, `${JSON.stringify(area)} in ${JSON.stringify(body)}`);
      assert.ok(area.top >= 0 && area.bottom <= viewport.height + 1, JSON.stringify(area));
      assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id), 'tp-message');
      await page.keyboard.type('Typed with the keyboard up');
      assert.equal(await message.inputValue(), 'Typed with the keyboard up');
      if (viewport.height === 200) await page.screenshot({ path: join(shots, 'widget-landscape-keyboard.png') });
      await page.close();
    }
  } finally {
    for (const team of stored) await siteAdmin('PUT', `/teams/${team.id}`, { hours: team.hours });
  }
});

test('right-to-left drafts read right to left in the box and in the preview of what is sent', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  const message = panel(page).locator('#tp-message');
  await message.fill('دفعت مرتين ببطاقتي 4111 1111 1111 1111 أرجو استرداد المبلغ!');
  await panel(page).locator('.redacted').waitFor();
  assert.equal(await message.evaluate((e) => e.matches(':dir(rtl)')), true, 'the box');
  assert.equal(await panel(page).locator('.redacted').evaluate((e) => e.matches(':dir(rtl)')), true, 'the preview');
  // An English draft in the same box stays left to right.
  await message.fill('My card 4111 1111 1111 1111 was charged twice');
  assert.equal(await message.evaluate((e) => e.matches(':dir(ltr)')), true);
  assert.equal(await panel(page).locator('.redacted').evaluate((e) => e.matches(':dir(ltr)')), true);
  await page.close();
});

test('typing personal data says which kinds were removed, once per change of kinds, never the draft itself', async () => {
  // An outside audit counted 31 live-region changes while 55 characters
  // were typed: the whole redacted draft was a status, read out again and again.
  const page = await visitorPage(browser);
  await openPanel(page);
  const said = await panel(page).locator('.panel').evaluate((root) => {
    const live = '[role=status],[role=alert],[role=log],[aria-live]';
    window.__said = [];
    new MutationObserver((records) => {
      for (const record of records) {
        const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
        const region = node?.closest(live);
        if (region && !region.matches('[role=log]')) window.__said.push(region.textContent);
      }
    }).observe(root, { subtree: true, childList: true, characterData: true });
    return true;
  });
  assert.ok(said);
  const message = panel(page).locator('#tp-message');
  await message.pressSequentially('Call me on +49 30 1234567 please, or write to jo@example.com today');
  await panel(page).locator('.redacted').waitFor();
  // What will be sent is shown, and not in a live region.
  assert.match(await panel(page).locator('.redacted').innerText(), /\[phone\].*\[email\]/);
  assert.equal(await panel(page).locator('.redacted').evaluate((e) => e.closest('[role=status],[role=alert],[aria-live]')), null);
  const changes = await page.evaluate(() => window.__said);
  const distinct = changes.filter((text, at) => at === 0 || text !== changes[at - 1]);
  // Nothing, then the phone number, then the phone number and the address
  // (a number may read as another kind for a keystroke or two while it grows).
  assert.ok(distinct.length <= 4, JSON.stringify(distinct));
  assert.match(distinct.at(-1), /Phone number removed[\s\S]*E-mail address removed|E-mail address removed[\s\S]*Phone number removed/);
  // The same set of kinds says the same, whatever order they came in.
  const status = panel(page).locator('.composer [role=status]');
  const before = await status.textContent();
  await message.fill('Write to jo@example.com or call +49 30 1234567');
  assert.equal(await status.textContent(), before);
  await page.close();
});

test('after sending, the header keeps telling of the team the conversation is with, not of the site', async () => {
  // An outside audit: a draft for billing read "Back Monday 09:00"; once
  // sent, the header read the site's "Back Monday 08:00".
  const stored = Object.fromEntries((await siteAdmin('GET', '')).teams.map((t) => [t.id, t.hours]));
  await staffApi('PUT', '/v1/staff/presence', { presence: 'away' });
  await siteAdmin('PUT', '/teams/support', { hours: { weekly: ROUND_THE_CLOCK, closures: [] } });
  await siteAdmin('PUT', '/teams/billing', { hours: { weekly: stored.billing.weekly, closures: [{ from: dayOf(Date.now() - DAY_MS), to: dayOf(Date.now() + 14 * DAY_MS), reason: 'Winter break' }] } });
  try {
    const page = await visitorPage(browser);
    await openPanel(page);
    const line = panel(page).locator('.presence');
    await panel(page).locator('#tp-message').fill('I was charged twice for my order. Please refund one payment.');
    await panel(page).locator('#tp-team').waitFor();
    assert.equal(await panel(page).locator('#tp-team').inputValue(), 'billing');
    const billing = await line.innerText();
    assert.match(billing, /^We are closed\. Back /);
    await panel(page).locator('input[type=email]').fill('jo@example.com');
    await panel(page).locator('button.send').click();
    await panel(page).locator('.thread .visitor').waitFor({ timeout: 10_000 });
    // The composer is empty now, the conversation is billing's: so is the header.
    await page.waitForTimeout(500); // the first poll has come back
    assert.equal(await line.innerText(), billing);
    assert.equal(await panel(page).locator('.closure').innerText(), 'Winter break');
    // A follow-up about something else is still billing's conversation.
    await panel(page).locator('#tp-message').fill('Also, where is my parcel?');
    assert.equal(await line.innerText(), billing);
    // And on the next page.
    await page.reload();
    await page.locator('button.launcher').click();
    await panel(page).locator('.thread .visitor').waitFor({ timeout: 10_000 });
    assert.ok(await eventually(async () => (await line.innerText()) === billing, 4000), await line.innerText());
    await page.close();
  } finally {
    await siteAdmin('PUT', '/teams/support', { hours: stored.support });
    await siteAdmin('PUT', '/teams/billing', { hours: stored.billing });
  }
});

test('the focus ring reaches 3:1 on the panel\'s white and on the site\'s colour, light or dark', async () => {
  const page = await visitorPage(browser);
  await openPanel(page);
  const message = panel(page).locator('#tp-message');
  await message.focus();
  const ring = await message.evaluate((e) => {
    const style = getComputedStyle(e);
    return { outline: style.outlineColor, width: style.outlineWidth, halo: style.boxShadow };
  });
  const header = await panel(page).locator('header').evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(ring.width, '0px');
  const colours = [rgb(ring.outline), ...(ring.halo === 'none' ? [] : [rgb(ring.halo)])];
  for (const background of [[255, 255, 255], rgb(header), [245, 196, 0], [0, 0, 0]]) {
    const best = Math.max(...colours.map((c) => contrast(c, background)));
    assert.ok(best >= 3, `ring ${JSON.stringify(ring)} on rgb(${background}): ${best.toFixed(2)}:1`);
  }
  await page.close();
});

test('a visitor with Global Privacy Control who writes gets a conversation no page is linked to (the page sees the setting; no header says it)', async () => {
  const page = await visitorPage(browser);
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  // Another visit from the same address and browser earlier that day, not opted out.
  const ip = `203.0.113.${addresses}`;
  const earlier = await fetch(`${runtime.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: runtime.url, 'user-agent': await page.evaluate(() => navigator.userAgent).catch(() => undefined) ?? '', 'cf-connecting-ip': ip },
    body: JSON.stringify({ v: 1, site: 'demo', sent_at: Date.now(), dropped: 0, events: [{ id: 'gpc-someone-else-001', type: 'pageview', ts: Date.now() - 60_000, path: '/links' }] }),
  });
  assert.equal(earlier.status, 202);
  await openPanel(page);
  assert.equal(await page.evaluate(() => navigator.globalPrivacyControl), true);
  // Words no other test of this file sends: the conversation is found by them.
  const conversation = await sendFirst(page, 'Could the gray raincoat go to a parcel locker instead?', 'gray raincoat go to a parcel locker');
  assert.ok(conversation, 'the conversation was stored');
  assert.equal(conversation.visitor_id, '');
  const view = await staffApi('GET', `/v1/staff/conversations/${conversation.id}`);
  assert.deepEqual(view.journey, [], 'no touchpoint is linked to it');
  await page.close();
  // The control: the same address and browser without the setting is
  // linked to that earlier visit.
  const control = await newPersonPage(browser);
  await control.setExtraHTTPHeaders({ 'cf-connecting-ip': ip });
  await openPanel(control);
  const linked = await sendFirst(control, 'Could the green raincoat go to a parcel locker instead?', 'green raincoat go to a parcel locker');
  const linkedView = await staffApi('GET', `/v1/staff/conversations/${linked.id}`);
  assert.ok(linkedView.journey.some((t) => t.path === '/links'), JSON.stringify(linkedView.journey.map((t) => t.path)));
  await control.close();
});
