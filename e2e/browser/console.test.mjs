// The staff console in headless Chromium against the real worker and D1, with
// a visitor's widget in a second page: the whole loop from a visitor's message
// to a person's reply. Screenshots go to test-results/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, launchChromium, eventually, newPersonPage, ADMIN_TOKEN } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const shots = join(root, 'test-results', 'screenshots');
let runtime, browser, ana;
before(async () => {
  mkdirSync(shots, { recursive: true });
  runtime = await startTestRuntime();
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  ana = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await runtime?.close();
});

async function signIn(page, token = ana.token) {
  await page.goto(`${runtime.url}/console/`);
  await page.locator('#token').fill(token);
  await page.locator('form button[type=submit]').click();
  await page.locator('.console').waitFor();
}
const widget = (page) => page.locator('[data-touchpoint-panel]');
/** A visitor at address `ip` starts a conversation on the demo site through the API: `{conversation, visitor_token, …}`. */
async function visitorStarts(ip, body) {
  const response = await fetch(`${runtime.url}/v1/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: runtime.url, 'user-agent': 'Mozilla/5.0 Chrome/156', 'cf-connecting-ip': ip },
    body: JSON.stringify({ site: 'demo', ...body }),
  });
  return response.json();
}

test('a visitor message reaches the right inbox with its journey; a person replies; the widget shows it', async () => {
  // The visitor looks at pricing, then asks sales a question from the widget.
  const visitor = await newPersonPage(browser);
  await visitor.goto(`${runtime.url}/?utm_source=newsletter&utm_medium=email&utm_campaign=autumn`);
  await visitor.evaluate(() => window.touchpoint.ready);
  await visitor.waitForTimeout(1200);
  await visitor.goto(`${runtime.url}/pricing`);
  await visitor.locator('button.launcher').click();
  await widget(visitor).locator('.presence').waitFor();
  await widget(visitor).locator('input[type=radio]').first().check();
  await widget(visitor).locator('#tp-message').fill('Do you offer volume discounts for 300 jackets with our logo?');
  await widget(visitor).locator('button.send').click();
  await widget(visitor).locator('.thread .visitor').waitFor();

  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const violations = [];
  staff.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await signIn(staff);
  assert.ok(!staff.url().includes(ana.token), 'the token never appears in the URL');
  // The team filter names teams as the rest of the console does.
  const teamFilter = staff.locator('nav.filters select').first();
  await staff.locator('nav.filters option', { hasText: 'Customer support' }).waitFor({ state: 'attached' });
  assert.deepEqual((await teamFilter.locator('option').allInnerTexts()).sort(), ['All my teams', 'Billing', 'Customer support', 'Product', 'Sales']);
  await teamFilter.selectOption('sales');
  const row = staff.locator('.inbox .row', { hasText: 'volume discounts' });
  await row.waitFor();
  assert.match(await row.innerText(), /sales · neutral/);
  assert.match(await staff.title(), /^\(\d+\) Touchpoint console$/, 'waiting conversations are counted in the title');
  await staff.screenshot({ path: join(shots, 'console-inbox.png') });

  await row.click();
  const journey = await eventually(async () => {
    const text = await staff.locator('.journey').innerText();
    return /\/pricing \[pricing\]/.test(text) && /s on the page/.test(text) ? text : null;
  }, 10_000);
  assert.ok(journey, await staff.locator('.journey').innerText());
  assert.match(journey, /pageview \/ \[home\][\s\S]*email \(newsletter\), campaign autumn[\s\S]*\d+ s on the page/);
  assert.match(await staff.locator('.conversation .classification').innerText(), /Topic sales/);

  await staff.locator('#reply').fill('Yes — from 100 pieces we take 12% off. I will send you a quote today.');
  await staff.locator('.composer button[type=submit]').click();
  await staff.locator('.thread .staff').waitFor();
  await staff.screenshot({ path: join(shots, 'console-conversation.png') });

  await widget(visitor).locator('.thread .staff').waitFor({ timeout: 10_000 });
  assert.match(await widget(visitor).locator('.thread .staff').innerText(), /Ana[\s\S]*12% off/);
  assert.equal(await widget(visitor).locator('.thread .staff .text bdi').evaluate((e) => getComputedStyle(e).unicodeBidi), 'isolate');
  assert.deepEqual(violations, []);
  await visitor.close();
  await staff.close();
});

test('direction controls in a message are shown, and the text is isolated, in the inbox and the thread', async () => {
  const started = await visitorStarts('198.51.100.230', { message: { text: 'please open bidi \u202egnp.exe\u202c from my order' } });
  const staff = await browser.newPage();
  await signIn(staff);
  const row = staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`);
  assert.match(await row.locator('.preview bdi').innerText(), /bidi ⟨RLO⟩gnp\.exe⟨PDF⟩/);
  await row.click();
  const text = staff.locator('.thread .visitor .text bdi');
  await text.waitFor();
  assert.equal(await text.innerText(), 'please open bidi ⟨RLO⟩gnp.exe⟨PDF⟩ from my order');
  assert.equal(await text.evaluate((e) => getComputedStyle(e).unicodeBidi), 'isolate');
  await staff.close();
});

test('presence in the console changes what visitors see', async () => {
  const staff = await browser.newPage();
  await signIn(staff);
  const toggle = staff.locator('button.presence');
  if ((await toggle.getAttribute('aria-pressed')) === 'true') await toggle.click();
  await eventually(async () => (await toggle.getAttribute('aria-pressed')) === 'false');
  const availability = async () => (await (await fetch(`${runtime.url}/v1/availability?site=demo`)).json()).teams.find((t) => t.id === 'sales').staff_online;
  assert.deepEqual(await availability(), []);
  await toggle.click();
  assert.ok(await eventually(async () => (await availability()).includes('Ana')), 'Ana shows as online to visitors');
  await toggle.click();
  assert.ok(await eventually(async () => (await availability()).length === 0));
  await staff.close();
});

test('the console says when it cannot reach the worker, and when the open conversation was deleted by its visitor', async () => {
  const started = await visitorStarts('198.51.100.203', { message: { text: 'Please forget this question about my order' } });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const staff = await context.newPage();
  await signIn(staff);
  // One main landmark and one level-one heading on every page (axe's first two findings).
  for (const tab of ['Insights', 'Settings', 'Inbox']) {
    await staff.locator('.top .tab', { hasText: tab }).click();
    assert.deepEqual([await staff.locator('main').count(), await staff.locator('h1').count()], [1, 1], tab);
  }
  // The unread count is read out with its meaning, not as a bare number.
  const badge = staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"] .badge`);
  assert.equal(await badge.textContent(), '1 unread');
  await staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`).click();
  await staff.locator('#reply').waitFor();
  assert.equal(await staff.locator('.offline').count(), 0);
  await context.setOffline(true);
  await staff.locator('.offline[role=alert]', { hasText: 'cannot be reached' }).waitFor({ timeout: 10_000 });
  await context.setOffline(false);
  await staff.locator('.offline').waitFor({ state: 'detached', timeout: 10_000 });
  // The visitor deletes the conversation: the pane says so instead of showing it as waiting.
  const deleted = await fetch(`${runtime.url}/v1/conversations/${started.conversation.id}`, {
    method: 'DELETE', headers: { authorization: `Bearer ${started.visitor_token}`, origin: runtime.url },
  });
  assert.equal(deleted.status, 200);
  await staff.locator('.conversation.empty', { hasText: 'no longer exists' }).waitFor({ timeout: 10_000 });
  assert.equal(await staff.locator('#reply').count(), 0);
  await context.close();
});

test('a reply that fails to send stays in the composer and is posted once when sent again; labels are corrected with one click', async () => {
  const started = await visitorStarts('198.51.100.200', { message: { text: 'The zipper of my jacket broke after two days' } });
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(staff);
  await staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`).click();
  await staff.locator('#reply').waitFor();
  // The first attempt reaches the worker, which stores it, but the answer is lost.
  let dropped = false;
  await staff.route('**/v1/staff/conversations/*/messages', async (route) => {
    if (!dropped) { dropped = true; await route.fetch(); return route.abort('connectionreset'); }
    return route.continue();
  });
  await staff.locator('#reply').fill('So sorry — a replacement is on its way.');
  await staff.locator('.composer button[type=submit]').click();
  await staff.locator('.composer .error').waitFor();
  assert.equal(await staff.locator('#reply').inputValue(), 'So sorry — a replacement is on its way.', 'the reply stays in the composer');
  await staff.locator('.composer button[type=submit]').click();
  await eventually(async () => (await staff.locator('#reply').inputValue()) === '');
  const count = await runtime.d1.prepare("SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?1 AND author = 'staff'").bind(started.conversation.id).first();
  assert.equal(count.n, 1, 'sending twice posted once');
  // An edited retry after a lost answer is another reply: it goes, with an id of its own.
  dropped = false;
  await staff.locator('#reply').fill('A replacment ships today.');
  await staff.locator('.composer button[type=submit]').click();
  const error = await staff.locator('.composer .error').innerText();
  assert.doesNotMatch(error, /\.\./, 'one full stop');
  await staff.locator('#reply').fill('A replacement ships today.');
  await staff.locator('.composer button[type=submit]').click();
  await eventually(async () => (await staff.locator('#reply').inputValue()) === '');
  const texts = (await runtime.d1.prepare("SELECT text FROM messages WHERE conversation_id = ?1 AND author = 'staff' ORDER BY created_at").bind(started.conversation.id).all()).results.map((m) => m.text);
  assert.deepEqual(texts, ['So sorry — a replacement is on its way.', 'A replacment ships today.', 'A replacement ships today.']);

  await staff.locator('.thread .visitor select.correct-topic').selectOption('product');
  await staff.locator('.thread .visitor select.correct-tone').selectOption('negative');
  const lines = await eventually(async () => {
    const text = await (await fetch(`${runtime.url}/v1/staff/corrections`, { headers: { authorization: `Bearer ${ana.token}` } })).text();
    return text.includes('zipper') ? text : null;
  });
  assert.match(lines, /"topic":"product"/);
  assert.ok(await eventually(async () => {
    const text = await (await fetch(`${runtime.url}/v1/staff/corrections`, { headers: { authorization: `Bearer ${ana.token}` } })).text();
    return /"topic":"product","sentiment":"negative"/.test(text);
  }), 'the tone correction is kept too');
  // After a reload the selects start from the latest correction, so
  // correcting the tone again keeps the corrected topic.
  await staff.reload();
  await staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`).click();
  await staff.locator('.thread .visitor select.correct-topic').waitFor();
  assert.equal(await staff.locator('.thread .visitor select.correct-topic').inputValue(), 'product');
  assert.equal(await staff.locator('.thread .visitor select.correct-tone').inputValue(), 'negative');
  await staff.locator('.thread .visitor select.correct-tone').selectOption('positive');
  assert.ok(await eventually(async () => {
    const text = await (await fetch(`${runtime.url}/v1/staff/corrections`, { headers: { authorization: `Bearer ${ana.token}` } })).text();
    return /"topic":"product","sentiment":"positive"/.test(text);
  }), 'a correction after a reload keeps the corrected topic');

  // Keyboard: on Settings and Insights the inbox's shortcuts do nothing,
  // though a conversation stays selected for coming back.
  const status = async () => (await runtime.d1.prepare('SELECT status FROM conversations WHERE id = ?1').bind(started.conversation.id).first()).status;
  const closes = [];
  staff.on('request', (request) => { if (request.url().endsWith('/close')) closes.push(request.url()); });
  for (const tab of ['Settings', 'Insights']) {
    await staff.locator('button.tab', { hasText: tab }).click();
    await staff.locator('button.tab.current', { hasText: tab }).focus();
    await staff.keyboard.press('Shift+C');
    await staff.keyboard.press('j');
  }
  await staff.waitForTimeout(1000);
  assert.deepEqual(closes, [], 'Shift+C away from the inbox asks to close nothing');
  assert.notEqual(await status(), 'closed');
  await staff.locator('button.tab', { hasText: 'Inbox' }).click();
  await staff.locator('.thread .visitor select.correct-topic').waitFor();
  assert.equal(await staff.evaluate(() => location.hash), `#/inbox/${started.conversation.id}`, 'j away from the inbox moved nothing');
  // Shift+C closes the open conversation.
  // Focus out of the fields (a click on the page's middle may land in the composer).
  await staff.locator('.conversation header h2').click();
  await staff.keyboard.press('Shift+C');
  assert.ok(await eventually(async () => (await status()) === 'closed'));
  // The thread says who closed it (staff see the name; the notice is stored as a code).
  await staff.locator('.thread .system', { hasText: 'Closed by Ana Weber' }).waitFor();
  await staff.close();
});

test('a console session ends after 12 hours, even in an open tab', async () => {
  const page = await browser.newPage();
  await signIn(page);
  await page.evaluate(() => sessionStorage.setItem('touchpoint:staff-session-expires', String(Date.now() - 1)));
  await page.locator('.sign-in #token').waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('touchpoint:staff-token')), null);
  await page.close();
});

test('a wrong token is refused and nothing is stored', async () => {
  const page = await browser.newPage();
  await page.goto(`${runtime.url}/console/`);
  await page.locator('#token').fill('tps_0000000000000000.nope');
  await page.locator('form button[type=submit]').click();
  await page.locator('.sign-in .error').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.close();
});

test('the insights page shows figures that match the stored data, with tables and CSV', async () => {
  // A visitor who read the returns page complains.
  const headers = { 'content-type': 'text/plain', origin: runtime.url, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36', 'cf-connecting-ip': '198.51.100.210' };
  // The browser reports three events it could not keep (offline too long): counted and said.
  await fetch(`${runtime.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ v: 1, site: 'demo', sent_at: Date.now(), dropped: 3, events: [
    { id: 'insights-ui-event-0001', type: 'pageview', ts: Date.now() - 60_000, path: '/returns', title: 'Returns' },
    // A landing from ChatGPT, as the recorder sends it; the edge names the assistant.
    { id: 'insights-ui-event-0002', type: 'pageview', ts: Date.now() - 90_000, path: '/', title: 'Home', channel: 'referral', referrer: 'https://chatgpt.com/' },
  ] }) });
  await fetch(`${runtime.url}/v1/conversations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'demo', message: { text: 'Terrible service, the boots fell apart and I expected a refund by now.' } }) });

  const staff = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await signIn(staff);
  await staff.locator('button.tab', { hasText: 'Insights' }).click();
  await staff.locator('.insights article').first().waitFor();
  // Every conversation of the site is counted once in "by topic and tone".
  const stored = await runtime.d1.prepare("SELECT topic, COUNT(*) AS n FROM conversations WHERE site_id = 'demo' GROUP BY topic ORDER BY topic").all();
  const topicTable = staff.locator('.insights article').first().locator('table tbody tr');
  await staff.locator('.insights article').first().locator('summary').click();
  const shown = await topicTable.evaluateAll((rows) => rows.map((r) => [r.cells[0].textContent, Number(r.cells[4].textContent)]));
  assert.deepEqual(shown, stored.results.map((r) => [r.topic, r.n]));
  // The returns page is named among the pages before trouble.
  const pages = staff.locator('.insights article').nth(2);
  await pages.locator('summary').click();
  assert.match(await pages.locator('table').innerText(), /\/returns/);
  const href = await pages.locator('a.csv').getAttribute('href');
  const csv = decodeURIComponent(href.replace('data:text/csv;charset=utf-8,', ''));
  assert.match(csv, /^"page","page type","conversations","visitors","lift","lift low \(95%\)","lift high \(95%\)","enough data"\r\n/);
  assert.match(csv, /"\/returns","[^"]*","1"/);
  // Where visitors came from: the AI assistant is a channel of its own, in the chart, the table and the CSV.
  const arrivals = staff.locator('.insights article').nth(5);
  assert.match(await arrivals.locator('svg.chart').innerHTML(), /AI assistant/);
  await arrivals.locator('summary').click();
  assert.match(await arrivals.locator('table').innerText(), /AI assistant\s+ChatGPT\s+\d+/);
  const arrivalsCsv = decodeURIComponent((await arrivals.locator('a.csv').getAttribute('href')).replace('data:text/csv;charset=utf-8,', ''));
  assert.match(arrivalsCsv, /^"channel","source","visits"\r\n/);
  assert.match(arrivalsCsv, /"AI assistant","ChatGPT","\d+"/);
  assert.match(await arrivals.innerText(), /browsers had to drop 3 events in this period/);
  assert.equal(await staff.locator('.insights svg.chart').count(), 7);
  // From the returns page's bar to the conversation behind it, and into the inbox with it open.
  await pages.locator('.drill button', { hasText: '/returns' }).click();
  const listed = pages.locator('.behind li button.row');
  await listed.first().waitFor();
  const complaint = await runtime.d1.prepare("SELECT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id WHERE m.text LIKE 'Terrible service, the boots%'").first();
  assert.deepEqual(await listed.evaluateAll((rows) => rows.map((r) => r.dataset.conversation)), [complaint.id]);
  assert.match(await listed.first().innerText(), /Terrible service, the boots fell apart/);
  await staff.screenshot({ path: join(shots, 'console-insights.png'), fullPage: true });
  await listed.first().click();
  await staff.locator('section.conversation .classification').waitFor();
  assert.match(await staff.locator('section.conversation').innerText(), /Terrible service, the boots fell apart/);
  assert.equal(await staff.locator('.insights').count(), 0, 'back in the inbox');
  await staff.close();
});

test('on a tablet: assign to a colleague and move to another team from the conversation', async () => {
  const bo = await (await fetch(`${runtime.url}/v1/admin/sites/demo/staff`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bo Lind', teams: ['support', 'billing'] }),
  })).json();
  const started = await visitorStarts('198.51.100.220', { team: 'support', message: { text: 'Can I exchange my boots for a bigger size?' } });
  const staff = await browser.newPage({ viewport: { width: 1024, height: 768 }, hasTouch: true });
  await signIn(staff);
  await staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`).click();
  await staff.locator('select.assign-staff option', { hasText: 'Bo Lind' }).waitFor({ state: 'attached' });
  await staff.locator('select.assign-staff').selectOption(bo.staff.id);
  const row = () => runtime.d1.prepare('SELECT assignee_id, team_id FROM conversations WHERE id = ?1').bind(started.conversation.id).first();
  assert.ok(await eventually(async () => (await row()).assignee_id === bo.staff.id), 'assigned to Bo');
  // "nobody" unassigns (it sent nothing and kept Bo).
  await staff.locator('select.assign-staff').selectOption('');
  assert.ok(await eventually(async () => (await row()).assignee_id === ''), 'assigned to nobody');
  assert.equal(await staff.locator('select.assign-staff').inputValue(), '');
  await staff.locator('select.move-team').selectOption('billing');
  assert.ok(await eventually(async () => (await row()).team_id === 'billing'), 'moved to billing');
  // The thread says whom it went to, that it went back to the team, which team
  // it moved to, and who did each.
  const notices = () => staff.locator('section.conversation li.system').allInnerTexts();
  const expected = JSON.stringify(['Assigned to Bo by Ana Weber', 'Unassigned by Ana Weber', 'Moved to Billing by Ana Weber']);
  assert.ok(await eventually(async () => JSON.stringify(await notices()) === expected), JSON.stringify(await notices()));
  // At tablet width the journey sits below the conversation, not squeezed beside it.
  const conversation = await staff.locator('.conversation').boundingBox();
  const journey = await staff.locator('.journey').boundingBox();
  assert.ok(journey.y >= conversation.y + conversation.height - 1, JSON.stringify({ conversation, journey }));
  await staff.screenshot({ path: join(shots, 'console-tablet.png') });
  await staff.close();
});

test('a site admin edits office hours, routing and staff in Settings; agents see no Settings', async () => {
  const staff = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await signIn(staff);
  await staff.locator('button.tab', { hasText: 'Settings' }).click();
  const support = staff.locator('form.team-settings[data-team="support"]');
  await support.waitFor();
  await support.locator('button.add-hours').click();
  const row = support.locator('.hours-row').last();
  await row.locator('select').selectOption('sun');
  await row.locator('input[aria-label=Opens]').fill('10:00');
  await row.locator('input[aria-label=Closes]').fill('14:00');
  await support.locator('input.team-target').fill('20');
  await support.locator('button.save').click();
  await staff.locator('.settings .saved', { hasText: 'saved' }).waitFor();
  const settings = await (await fetch(`${runtime.url}/v1/admin/sites/demo`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  const team = settings.teams.find((t) => t.id === 'support');
  assert.equal(team.target_minutes, 20);
  assert.deepEqual(team.hours.weekly.at(-1), { day: 'sun', open: '10:00', close: '14:00' });

  const routing = staff.locator('form.routing');
  await routing.locator('button.add-rule').click();
  await routing.locator('.rule-row').last().locator('select[aria-label=Topic]').selectOption('delivery');
  await routing.locator('.rule-row').last().locator('select[aria-label=Team]').selectOption('billing');
  await routing.locator('button.save').click();
  await staff.locator('.settings .saved', { hasText: 'Routing saved' }).waitFor();
  const after = await (await fetch(`${runtime.url}/v1/admin/sites/demo`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  assert.ok(after.site.routing_rules.some((r) => r.topic === 'delivery' && r.team === 'billing'));

  // Traffic: the site records its own automated tests and allows its monitoring agent.
  const traffic = staff.locator('form.traffic');
  await traffic.locator('input.record-automation').check();
  await traffic.locator('textarea.allowed-agents').fill('ShopMonitor/\n');
  await traffic.locator('button.save').click();
  await staff.locator('.settings .saved', { hasText: 'Traffic settings saved' }).waitFor();
  const withTraffic = (await (await fetch(`${runtime.url}/v1/admin/sites/demo`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()).site;
  assert.deepEqual([withTraffic.record_automation, withTraffic.allowed_agents, withTraffic.search_terms], [true, ['ShopMonitor/'], false]);
  assert.ok(withTraffic.routing_rules.some((r) => r.topic === 'delivery'), 'other settings are kept');
  await traffic.locator('input.record-automation').uncheck();
  await traffic.locator('textarea.allowed-agents').fill('');
  await traffic.locator('button.save').click();
  const trafficOff = async () => !(await (await fetch(`${runtime.url}/v1/admin/sites/demo`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()).site.record_automation;
  assert.ok(await eventually(trafficOff), 'unchecked and saved');

  // The websites the script tag may run on: what the origin_not_allowed warning says to edit.
  const origins = staff.locator('form.origins');
  assert.equal(await origins.locator('textarea.allowed-origins').inputValue(), runtime.url);
  await origins.locator('textarea.allowed-origins').fill(`${runtime.url}\nhttps://shop.example\n`);
  await origins.locator('button.save').click();
  await staff.locator('.settings .saved', { hasText: 'Websites saved.' }).waitFor();
  const site = async () => (await (await fetch(`${runtime.url}/v1/admin/sites/demo`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()).site;
  assert.deepEqual((await site()).allowed_origins, [runtime.url, 'https://shop.example']);
  await origins.locator('textarea.allowed-origins').fill(`${runtime.url}\nhttps://*.example.com`);
  await origins.locator('button.save').click();
  await staff.locator('.settings .error', { hasText: 'allowed_origins must be http(s) origins' }).waitFor();
  assert.deepEqual((await site()).allowed_origins, [runtime.url, 'https://shop.example'], 'a refused list changes nothing');

  // The site's classifier model: trained from Settings, and what visitors get said plainly.
  const model = staff.locator('.site-model');
  assert.match(await eventually(async () => {
    const text = await model.locator('.model-status').innerText();
    return text && text !== '…' ? text : null;
  }), /No site model yet|Trained/);
  const examples = readFileSync(join(root, 'tests', 'data', 'site-examples.jsonl'), 'utf8');
  const uploaded = await fetch(`${runtime.url}/v1/admin/sites/demo/model/examples`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson' }, body: examples,
  });
  assert.equal(uploaded.status, 201);
  await model.locator('button.train').click();
  const trained = await eventually(async () => {
    const text = await model.locator('.model-status').innerText();
    return /^Trained /.test(text) ? text : null;
  }, 30_000);
  assert.match(trained, /on \d+ corrections? and 40 examples\. Held-out accuracy: topic \d+\.\d% \(default model \d+\.\d%\) on \d+ held out/);
  assert.doesNotMatch(trained, /Visitors get the default model/);
  // A model clearly worse than the default (its report as such a training writes it) is not served, and the console says so.
  await runtime.d1.prepare("UPDATE site_models SET report = json_set(report, '$.worse_than_default', json('true')) WHERE site_id = 'demo'").run();
  await staff.locator('button.tab', { hasText: 'Inbox' }).click();
  await staff.locator('button.tab', { hasText: 'Settings' }).click();
  assert.ok(await eventually(async () => (await model.locator('.model-status').innerText())
    .includes("Visitors get the default model: the site model is worse than the default model on the site's held-out examples.")));

  const form = staff.locator('form.new-staff');
  await form.locator('input.staff-name').fill('Dee Novak');
  await form.locator('input[type=checkbox][value=sales]').check();
  await form.locator('button.save').click();
  const first = await form.locator('.new-token code').innerText();
  const me = (token) => fetch(`${runtime.url}/v1/staff/me`, { headers: { authorization: `Bearer ${token}` } });
  const dee = await (await me(first)).json();
  assert.deepEqual([dee.name, dee.role, dee.teams], ['Dee Novak', 'agent', ['sales']]);

  // The staff list: Dee appears once created; a new token ends the old one.
  const accounts = staff.locator('.staff-accounts');
  const deeRow = accounts.locator(`li[data-staff="${dee.id}"]`);
  assert.match(await deeRow.innerText(), /^Dee Novak — agent: sales\b/);
  await deeRow.locator('button.new-token').click();
  const token = await eventually(async () => {
    const text = await accounts.locator('.new-token code').innerText().catch(() => '');
    return text && text !== first ? text : null;
  });
  assert.equal((await me(first)).status, 401, 'the old token no longer works');
  assert.equal((await me(token)).status, 200);
  // An admin cannot revoke themselves: the API says why, and the console shows it.
  await accounts.locator(`li[data-staff="${ana.staff.id}"] button.revoke`).click();
  await accounts.locator(`li[data-staff="${ana.staff.id}"] button.confirm`).click();
  await accounts.locator('.error', { hasText: 'you cannot revoke your own account' }).waitFor();
  await staff.screenshot({ path: join(shots, 'console-settings.png'), fullPage: true });
  await staff.close();

  // Dee is an agent: no Settings tab, and the operator API refuses her token.
  const agent = await browser.newPage();
  await signIn(agent, token);
  assert.equal(await agent.locator('button.tab', { hasText: 'Settings' }).count(), 0);
  const refused = await fetch(`${runtime.url}/v1/admin/sites/demo`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(refused.status, 403);

  // Dee leaves: an admin revokes her in Settings, after a confirmation.
  const admin = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await signIn(admin);
  await admin.locator('button.tab', { hasText: 'Settings' }).click();
  const listed = admin.locator(`.staff-accounts li[data-staff="${dee.id}"]`);
  await listed.locator('button.revoke').click();
  await listed.locator('.confirm', { hasText: 'Revoke Dee Novak?' }).waitFor();
  await listed.locator('button.confirm').click();
  await admin.locator(`.staff-accounts li.revoked[data-staff="${dee.id}"]`, { hasText: '(revoked)' }).waitFor();
  assert.equal(await listed.locator('button.revoke').count(), 0);
  assert.equal((await me(token)).status, 401, 'her token stops at once');
  // Her open console is signed out at its next call, without a reload, and says why.
  await agent.locator('#token').waitFor({ timeout: 15_000 });
  await agent.locator('.sign-in .error', { hasText: 'your token no longer works' }).waitFor();
  await Promise.all([admin.close(), agent.close()]);
});

test('a long inbox shows its first 200 and the rest on asking, in the same order', async () => {
  const ids = [];
  for (let n = 0; n < 205; n++) {
    const started = await visitorStarts(`10.30.${n >> 8}.${n & 255}`, { team: 'product', message: { text: `Long inbox question ${n}` } });
    ids.push(started.conversation.id);
  }
  const staff = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    await signIn(staff);
    const rows = staff.locator('.inbox .row');
    const cut = staff.locator('.inbox .cut');
    await cut.waitFor();
    assert.equal(await rows.count(), 200);
    const total = Number((await cut.innerText()).match(/Showing 200 of (\d+)/)[1]);
    assert.ok(total >= 205, await cut.innerText());
    const first = await rows.evaluateAll((buttons) => buttons.map((b) => b.dataset.conversation));
    await cut.locator('button.more').click();
    assert.ok(await eventually(async () => (await rows.count()) === Math.min(total, 400)), `${await rows.count()} rows`);
    const after = await rows.evaluateAll((buttons) => buttons.map((b) => b.dataset.conversation));
    assert.deepEqual(after.slice(0, 200), first, 'the first 200 stay where they were');
    // Focus is on the first row it brought (the button may be gone with the last ones).
    assert.equal(await staff.evaluate(() => document.activeElement?.dataset?.conversation), after[200]);
    for (const id of ids) assert.ok(total > 400 || after.includes(id), `conversation ${id} is listed`);
    // A refresh keeps what was asked for (a live console refreshes every five seconds).
    await staff.waitForTimeout(5500);
    assert.equal(await rows.count(), Math.min(total, 400));
  } finally {
    await staff.close();
    // The flood is the test's own: gone, so no later job (escalation) works on it.
    await runtime.d1.prepare('DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?1))').bind(JSON.stringify(ids)).run();
  }
});

/** Staff messages of a conversation, oldest first. */
const staffTexts = async (id) => (await runtime.d1.prepare("SELECT text FROM messages WHERE conversation_id = ?1 AND author = 'staff' ORDER BY created_at, id").bind(id).all()).results.map((m) => m.text);
/** Holds the console's reply posts until `release()`; then lets them through, or fails them when `fail`. */
async function holdReplies(page, fail = false) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const pattern = '**/v1/staff/conversations/*/messages';
  await page.unroute(pattern);
  await page.route(pattern, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    await held;
    return fail ? route.abort('connectionreset') : route.continue();
  });
  return release;
}

test('a conversation moved out of your teams closes with the reason and its socket stops; a pushed move renames its team at once', async () => {
  const cara = await (await fetch(`${runtime.url}/v1/admin/sites/demo/staff`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Cara Support', teams: ['support'] }),
  })).json();
  const started = await visitorStarts('198.51.100.240', { team: 'support', message: { text: 'Where is my parcel? It is a week late.' } });
  const id = started.conversation.id;
  const move = (team) => fetch(`${runtime.url}/v1/staff/conversations/${id}/assign`, {
    method: 'POST', headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ team }),
  });
  // Ana (on every team) has it open; only a push can tell her it moved.
  const admin = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(admin);
  await admin.locator(`.inbox .row[data-conversation="${id}"]`).click();
  await admin.locator('.conversation header h2', { hasText: 'Customer support' }).waitFor();
  await admin.route((url) => new URL(url).pathname === `/v1/staff/conversations/${id}`, (route) => route.abort());
  // Cara (support only) has it open too.
  const agent = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const sockets = [];
  agent.on('websocket', (ws) => { if (ws.url().includes(`/conversations/${id}/live`)) sockets.push(Date.now()); });
  await signIn(agent, cara.token);
  await agent.locator(`.inbox .row[data-conversation="${id}"]`).click();
  await agent.locator('#reply').fill('Let me check with the carrier.');
  assert.equal((await move('billing')).status, 200);
  await admin.locator('.conversation header h2', { hasText: 'Billing' }).waitFor({ timeout: 8000 });
  await agent.locator('.conversation.empty', { hasText: 'moved out of your teams' }).waitFor({ timeout: 10_000 });
  assert.equal(await agent.locator('#reply').count(), 0, 'no reply box on a conversation that is not hers');
  const closedAt = Date.now();
  await agent.waitForTimeout(4000);
  assert.deepEqual(sockets.filter((t) => t > closedAt), [], 'its socket is not opened again');
  await Promise.all([admin.close(), agent.close()]);
});

test('each conversation keeps its own reply: text typed while one is on its way stays, and a failure shows where it happened', async () => {
  const a = (await visitorStarts('198.51.100.241', { message: { text: 'Draft probe A: my parcel is late' } })).conversation.id;
  const b = (await visitorStarts('198.51.100.242', { message: { text: 'Draft probe B: my parcel is late too' } })).conversation.id;
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(staff);
  const open = async (id) => {
    await staff.locator(`.inbox .row[data-conversation="${id}"]`).click();
    await staff.locator(`.thread .visitor`, { hasText: id === a ? 'probe A' : 'probe B' }).waitFor();
  };
  const reply = staff.locator('#reply');
  const send = staff.locator('.composer button[type=submit]');
  // Typed on while the reply goes: only what was sent leaves the box.
  await open(a);
  let release = await holdReplies(staff);
  await reply.fill('First reply for A');
  await send.click();
  await reply.press('End');
  await reply.press('Shift+Enter');
  await reply.pressSequentially('P.S. a second thought');
  release();
  assert.ok(await eventually(async () => (await staffTexts(a)).length === 1));
  assert.ok(await eventually(async () => (await reply.inputValue()) === 'P.S. a second thought'), JSON.stringify(await reply.inputValue()));
  // B opened and written in while A's reply goes: B's text and Send are B's.
  release = await holdReplies(staff);
  await reply.fill('Second reply for A');
  await send.click();
  await open(b);
  await reply.pressSequentially('Half-written answer for B');
  assert.equal(await send.isDisabled(), false, "A's send does not hold B's");
  release();
  assert.ok(await eventually(async () => (await staffTexts(a)).length === 2));
  await staff.waitForTimeout(300);
  assert.equal(await reply.inputValue(), 'Half-written answer for B');
  // A's failure, while B is open: said in A, not in B.
  await open(a);
  assert.equal(await reply.inputValue(), '');
  release = await holdReplies(staff, true);
  await reply.fill('Third reply for A (fails)');
  await send.click();
  await open(b);
  release();
  await staff.waitForTimeout(1000);
  assert.equal(await staff.locator('.composer .error').count(), 0, "A's failure is not shown in B");
  assert.equal(await reply.inputValue(), 'Half-written answer for B');
  await open(a);
  assert.equal(await reply.inputValue(), 'Third reply for A (fails)');
  await staff.locator('.composer .error', { hasText: 'Your reply is still here' }).waitFor();
  assert.deepEqual(await staffTexts(a), ['First reply for A', 'Second reply for A']);
  await staff.close();
});

test('a refused action says so beside the actions, and the assignment shown goes back to the stored one', async () => {
  const finn = await (await fetch(`${runtime.url}/v1/admin/sites/demo/staff`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Finn Leaving', teams: ['support'] }),
  })).json();
  const started = await visitorStarts('198.51.100.243', { team: 'support', message: { text: 'Can I change the delivery address of my order?' } });
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(staff);
  await staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`).click();
  await staff.locator('select.assign-staff option', { hasText: 'Finn Leaving' }).waitFor({ state: 'attached' });
  // Finn leaves after the console listed him.
  const revoked = await fetch(`${runtime.url}/v1/admin/sites/demo/staff/${finn.staff.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(revoked.status, 200);
  await staff.locator('#reply').fill('A reply in progress');
  await staff.locator('select.assign-staff').selectOption(finn.staff.id);
  const error = await staff.locator('.conversation .action-error').innerText({ timeout: 5000 });
  assert.match(error, /^Not assigned: /);
  assert.doesNotMatch(error, /reply/i);
  assert.equal(await staff.locator('.composer .error').count(), 0, 'not said as a reply that failed');
  assert.equal(await staff.locator('select.assign-staff').inputValue(), '', 'the select shows the stored assignee: nobody');
  assert.equal(await staff.locator('#reply').inputValue(), 'A reply in progress');
  await staff.close();
});

test('Enter sends and Shift+Enter adds a line, but not while an input method composes; r focuses the reply without typing, Escape leaves it; Caps Lock C does not close', async () => {
  const started = await visitorStarts('198.51.100.244', { message: { text: 'Do the boots come in half sizes?' } });
  const id = started.conversation.id;
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const warnings = [];
  staff.on('console', (m) => { if (/preventDefault/.test(m.text())) warnings.push(m.text()); });
  await signIn(staff);
  await staff.locator(`.inbox .row[data-conversation="${id}"]`).click();
  const reply = staff.locator('#reply');
  await reply.waitFor();
  await staff.locator('.conversation header h2').click();
  await staff.keyboard.press('r');
  assert.equal(await staff.evaluate(() => document.activeElement?.id), 'reply');
  assert.equal(await reply.inputValue(), '', 'r focuses without typing "r"');
  await staff.keyboard.type('Yes, from 38');
  await staff.keyboard.press('Shift+Enter');
  await staff.keyboard.type('to 46.');
  assert.equal(await reply.inputValue(), 'Yes, from 38\nto 46.');
  // An input method's Enter ends its composition: nothing is sent.
  await reply.dispatchEvent('keydown', { key: 'Enter', isComposing: true });
  await staff.waitForTimeout(500);
  assert.deepEqual(await staffTexts(id), []);
  assert.equal(await reply.inputValue(), 'Yes, from 38\nto 46.');
  await staff.keyboard.press('Enter');
  assert.ok(await eventually(async () => (await staffTexts(id)).length === 1));
  assert.deepEqual(await staffTexts(id), ['Yes, from 38\nto 46.']);
  assert.ok(await eventually(async () => (await reply.inputValue()) === ''));
  await staff.keyboard.press('Escape');
  assert.notEqual(await staff.evaluate(() => document.activeElement?.id), 'reply', 'Escape leaves the reply box');
  // "C" without Shift (Caps Lock on) is not Shift+C.
  await staff.keyboard.press('C');
  await staff.waitForTimeout(1000);
  const status = async () => (await runtime.d1.prepare('SELECT status FROM conversations WHERE id = ?1').bind(id).first()).status;
  assert.notEqual(await status(), 'closed');
  assert.deepEqual(warnings, [], 'no passive-listener warnings');
  await staff.close();
});

test("the visitor's name and language are shown", async () => {
  const started = await visitorStarts('198.51.100.245', { name: 'María Pérez', locale: 'es', message: { text: '¿Tienen las botas en talla 39?' } });
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(staff);
  const row = staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`);
  assert.equal(await row.locator('.who').innerText(), 'María Pérez');
  await row.click();
  assert.equal(await staff.locator('.conversation .visitor-info').innerText(), 'María Pérez, language es');
  assert.equal(await staff.locator('.thread .visitor .meta strong').innerText(), 'María Pérez');
  await staff.close();
});

test('direction, zero-width, soft-hyphen and tag characters in the journey, insights, names and messages are shown by name; a long path wraps', async () => {
  const visitor = `hostile-visitor-${Date.now()}`;
  const now = Date.now();
  const long = `/guides/${'how-to-care-for-merino-wool-base-layers-'.repeat(6)}final`;
  const headers = { 'content-type': 'text/plain', origin: runtime.url, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36', 'cf-connecting-ip': '198.51.100.246' };
  const posted = await fetch(`${runtime.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ v: 1, site: 'demo', sent_at: now, visitor, events: [
    { id: `hostile-${now}-1`, type: 'pageview', ts: now - 60_000, path: '/landing', channel: 'email', utm_source: 'news', utm_medium: 'email', utm_campaign: 'spring\u202Eelas' },
    { id: `hostile-${now}-2`, type: 'pageview', ts: now - 50_000, path: '/\u202Efdp.exe' },
    { id: `hostile-${now}-3`, type: 'pageview', ts: now - 40_000, path: long },
  ] }) });
  assert.ok(posted.ok, await posted.text());
  // The name hides "hi" in tag characters; the message a soft hyphen too.
  const started = await visitorStarts('198.51.100.246', { visitor_id: visitor, name: 'Tagged Tess\u{E0068}\u{E0069}', message: { text: 'Terrible service: pay\u200Bpal.com charged me twice and pay\u00ADpal.com no refund yet.' } });
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(staff);
  const row = staff.locator(`.inbox .row[data-conversation="${started.conversation.id}"]`);
  assert.equal(await row.locator('.who').innerText(), 'Tagged Tess⟨TAG h⟩⟨TAG i⟩');
  await row.click();
  assert.equal(await staff.locator('.thread .visitor .text bdi').innerText(), 'Terrible service: pay⟨ZWSP⟩pal.com charged me twice and pay⟨SHY⟩pal.com no refund yet.');
  assert.equal(await staff.locator('.thread .visitor .meta strong').innerText(), 'Tagged Tess⟨TAG h⟩⟨TAG i⟩');
  const journey = staff.locator('.journey');
  await journey.locator('.what bdi', { hasText: '⟨RLO⟩fdp.exe' }).waitFor({ timeout: 10_000 });
  assert.match(await journey.innerText(), /campaign spring⟨RLO⟩elas/);
  assert.doesNotMatch(await journey.evaluate((e) => e.textContent), /\u202E/);
  const clipped = await journey.locator('.touchpoint').evaluateAll((items) => items.filter((i) => i.scrollWidth > i.clientWidth + 1).map((i) => i.textContent));
  assert.deepEqual(clipped, [], 'long paths wrap');
  assert.ok(await journey.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), 'the journey does not scroll sideways');
  await staff.locator('button.tab', { hasText: 'Insights' }).click();
  await staff.locator('.insights article').first().waitFor();
  const insights = await eventually(async () => {
    const text = await staff.locator('.insights').evaluate((e) => e.textContent);
    return text.includes('spring') ? text : null;
  }, 10_000);
  assert.ok(insights, 'the campaign is in Insights');
  assert.doesNotMatch(insights, /\u202E/);
  assert.match(insights, /spring⟨RLO⟩elas/);
  await staff.close();
});

test('the reply box counts near the 4,000-character limit and will not send over it', async () => {
  const started = await visitorStarts('198.51.100.247', { message: { text: 'Could you send me the full washing instructions?' } });
  const id = started.conversation.id;
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(staff);
  await staff.locator(`.inbox .row[data-conversation="${id}"]`).click();
  const reply = staff.locator('#reply');
  await reply.fill('short');
  assert.equal(await staff.locator('.composer .count').count(), 0, 'no count far from the limit');
  await reply.fill('x'.repeat(3700));
  assert.equal(await staff.locator('.composer .count').innerText(), '3700 of 4000 characters');
  await reply.fill('x'.repeat(4001));
  assert.match(await staff.locator('.composer .count').innerText(), /4001 of 4000 characters: 1 too many to send/);
  assert.equal(await staff.locator('.composer button[type=submit]').isDisabled(), true);
  await reply.press('Enter');
  await staff.waitForTimeout(500);
  assert.deepEqual(await staffTexts(id), [], 'nothing sent, so nothing refused');
  assert.equal(await staff.locator('.composer .error').count(), 0);
  await reply.press('Backspace');
  assert.equal(await staff.locator('.composer button[type=submit]').isDisabled(), false);
  await reply.press('Enter');
  assert.ok(await eventually(async () => (await staffTexts(id)).length === 1), 'exactly the limit is sent');
  await staff.close();
});

test("staff find a conversation by words, name or address, and narrow the inbox to their own or nobody's", async () => {
  const word = `marimba${Date.now() % 100000}`;
  const mine = await visitorStarts('10.40.0.1', { team: 'support', name: 'Idun Falk', message: { text: `Where is my ${word} order?` } });
  const open = await visitorStarts('10.40.0.2', { team: 'billing', message: { text: `Can I pay the ${word} by invoice?` }, reply: { channel: 'email', email: 'rut@example.com' } });
  const assigned = await fetch(`${runtime.url}/v1/staff/conversations/${mine.conversation.id}/assign`, {
    method: 'POST', headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ staff: 'me' }),
  });
  assert.equal(assigned.status, 200);
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await signIn(staff);
    const rows = staff.locator('.inbox .row');
    const listed = () => rows.evaluateAll((buttons) => buttons.map((b) => b.dataset.conversation).sort());
    const shows = async (ids) => {
      const want = [...ids].sort();
      const ok = await eventually(async () => JSON.stringify(await listed()) === JSON.stringify(want), 10_000);
      assert.ok(ok, `${JSON.stringify(await listed())} is not ${JSON.stringify(want)}`);
    };
    await rows.first().waitFor();
    const search = staff.getByLabel('Search');
    // The search runs on Enter (not on leaving the box: a click on a row
    // would change the list under it), in any case of A-Z, through closed
    // conversations too once asked from the default status.
    const status = staff.getByLabel('Status');
    await search.fill(word.toUpperCase());
    await search.blur();
    await staff.waitForTimeout(300);
    assert.equal(await status.inputValue(), 'active', 'not searched on leaving the box');
    assert.equal(await search.inputValue(), word.toUpperCase());
    await search.press('Enter');
    await shows([mine.conversation.id, open.conversation.id]);
    assert.equal(await status.inputValue(), 'all');
    await search.fill('idun');
    await search.press('Enter');
    await shows([mine.conversation.id]);
    await search.fill('rut@example');
    await search.press('Enter');
    await shows([open.conversation.id]);
    // Typed but not yet searched, the words survive the render a chosen
    // filter makes, and narrow the list with it: what the box shows is
    // what the list is searched by.
    await search.fill(word);
    const assignee = staff.getByLabel('Assigned');
    await assignee.selectOption({ label: 'Me' });
    await shows([mine.conversation.id]);
    assert.equal(await search.inputValue(), word);
    await assignee.selectOption({ label: 'Nobody yet' });
    await shows([open.conversation.id]);
    await staff.screenshot({ path: join(shots, 'console-search.png') });
    // Emptied, the search is gone at once: nobody's conversations, every word.
    await search.fill('');
    assert.ok(await eventually(async () => (await listed()).length >= 1 && !(await listed()).includes(mine.conversation.id)));
    await assignee.selectOption({ label: 'Anyone' });
    assert.ok(await eventually(async () => (await listed()).includes(mine.conversation.id) && (await listed()).includes(open.conversation.id)));
  } finally {
    await staff.close();
  }
});

test('an admin keeps saved replies in Settings; in the reply box / and a shortcut puts one in, names filled in, for the person to change and send', async () => {
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await signIn(staff);
    await staff.locator('button.tab', { hasText: 'Settings' }).click();
    const section = staff.locator('.saved-replies-settings');
    const form = section.locator('form.saved-reply-form');
    await form.getByLabel('Shortcut').fill('late-parcel');
    await form.getByLabel('Text').fill('Hi {visitor}, sorry your parcel is late; it left today. {me}');
    await form.locator('button[type=submit]').click();
    await section.locator('li[data-shortcut="late-parcel"]').waitFor();
    assert.equal(await form.getByLabel('Shortcut').inputValue(), '', 'the form is emptied once saved');
    for (const [shortcut, text] of [['vat', 'Our prices include VAT.'], ['refund-time', 'Refunds reach your card within 5 days.']]) {
      await form.getByLabel('Shortcut').fill(shortcut);
      await form.getByLabel('Text').fill(text);
      await form.locator('button[type=submit]').click();
      await section.locator(`li[data-shortcut="${shortcut}"]`).waitFor();
    }
    // Edit fills the form; saving keeps the new text under the same shortcut.
    // Each row's buttons say which reply they act on; Edit moves the focus to the text.
    await section.getByRole('button', { name: 'Edit /vat', exact: true }).click();
    assert.equal(await form.getByLabel('Text').inputValue(), 'Our prices include VAT.');
    assert.equal(await staff.evaluate(() => document.activeElement?.id), 'savedReplyText');
    await form.getByLabel('Text').fill('Our prices include VAT, also for businesses.');
    await form.locator('button[type=submit]').click();
    await section.locator('li[data-shortcut="vat"]', { hasText: 'also for businesses' }).waitFor();
    // Edited under a new shortcut, it is renamed: the old one goes.
    for (const [from, to] of [['vat', 'prices'], ['prices', 'vat']]) {
      await section.getByRole('button', { name: `Edit /${from}`, exact: true }).click();
      await form.getByLabel('Shortcut').fill(to);
      await form.locator('button[type=submit]').click();
      await section.locator('.saved-replies-said', { hasText: `/${from} is now /${to}.` }).waitFor();
      await section.locator(`li[data-shortcut="${from}"]`).waitFor({ state: 'detached' });
      assert.match(await section.locator(`li[data-shortcut="${to}"]`).innerText(), /also for businesses/);
    }
    // A refused shortcut is said, and what was typed stays.
    await form.getByLabel('Shortcut').fill('x');
    await form.getByLabel('Shortcut').evaluate((input) => { input.removeAttribute('pattern'); input.value = 'Not Valid'; input.dispatchEvent(new InputEvent('input', { bubbles: true })); });
    await form.getByLabel('Text').fill('Anything');
    await form.locator('button[type=submit]').click();
    await section.locator('.saved-replies-said', { hasText: /Not saved: .*shortcut must be/ }).waitFor();
    assert.equal(await form.getByLabel('Text').inputValue(), 'Anything');
    // Saving over another shortcut asks first; so does Delete.
    await form.getByLabel('Shortcut').fill('refund-time');
    await form.getByLabel('Text').fill('Overwritten');
    await form.locator('button[type=submit]').click();
    await section.locator('.saved-replies-said', { hasText: '/refund-time exists already: Save again to replace its text.' }).waitFor();
    assert.match(await section.locator('li[data-shortcut="refund-time"]').innerText(), /within 5 days/, 'not replaced yet');
    await form.getByLabel('Shortcut').fill('');
    await form.getByLabel('Text').fill('');
    const remove = section.locator('li[data-shortcut="refund-time"] button.delete');
    await section.getByRole('button', { name: 'Delete /refund-time', exact: true }).click();
    assert.equal(await remove.innerText(), 'Delete it?');
    assert.equal(await remove.getAttribute('aria-label'), 'Delete /refund-time for good? Press again');
    assert.equal(await section.locator('li[data-shortcut="refund-time"]').count(), 1, 'not deleted on the first press');
    await remove.click();
    await section.locator('li[data-shortcut="refund-time"]').waitFor({ state: 'detached' });
    const stored = (await runtime.d1.prepare("SELECT shortcut FROM saved_replies WHERE site_id = 'demo' ORDER BY shortcut").all()).results.map((r) => r.shortcut);
    assert.deepEqual(stored, ['late-parcel', 'vat']);
    // Kept for one team: said in the list, offered in that team's conversations only (below).
    await form.getByLabel('Shortcut').fill('iban');
    await form.getByLabel('Text').fill('Our IBAN for transfers is on every invoice.');
    await form.getByLabel('Offered in').selectOption('billing');
    await form.locator('button[type=submit]').click();
    assert.match(await section.locator('li[data-shortcut="iban"] .team').innerText(), /^Billing only$/);
    assert.equal((await runtime.d1.prepare("SELECT team_id FROM saved_replies WHERE site_id = 'demo' AND shortcut = 'iban'").first()).team_id, 'billing');
    assert.equal(await form.getByLabel('Offered in').inputValue(), '', 'the form is emptied, every team again');

    // In a conversation: "/" and a shortcut offer it; Enter puts it in, not sends.
    const started = await visitorStarts('10.41.0.1', { team: 'support', name: 'Idun Falk', message: { text: 'Where is my parcel? It is a week late.' } });
    const id = started.conversation.id;
    await staff.locator('button.tab', { hasText: 'Inbox' }).click();
    await staff.locator(`.inbox .row[data-conversation="${id}"]`).click();
    const reply = staff.locator('#reply');
    assert.match(await staff.locator('.composer label').innerText(), /\/ starts a saved reply/);
    await reply.pressSequentially('/la');
    const offered = staff.locator('#saved-replies [role=option]');
    assert.deepEqual(await offered.allInnerTexts(), ['/late-parcel Hi {visitor}, sorry your parcel is late; it left today. {me}']);
    assert.equal(await reply.getAttribute('aria-activedescendant'), 'saved-reply-late-parcel');
    assert.match(await staff.locator('.saved-said').innerText(), /1 saved reply: arrows choose/);
    await reply.press('Enter');
    assert.equal(await reply.inputValue(), 'Hi Idun, sorry your parcel is late; it left today. Ana');
    assert.equal(await offered.count(), 0);
    assert.deepEqual(await staffTexts(id), [], 'put in the box, not sent');
    // The person changes it and sends it as their own reply.
    await reply.press('End');
    await reply.pressSequentially(' (support)');
    await reply.press('Enter');
    assert.ok(await eventually(async () => (await staffTexts(id)).length === 1));
    assert.deepEqual(await staffTexts(id), ['Hi Idun, sorry your parcel is late; it left today. Ana (support)']);
    // Arrows pick, a click puts in; Escape hides the list; a / later in a reply is text.
    await reply.pressSequentially('/');
    assert.equal(await offered.count(), 2);
    await reply.press('ArrowDown');
    assert.equal(await reply.getAttribute('aria-activedescendant'), 'saved-reply-vat');
    await reply.press('ArrowDown');
    assert.equal(await reply.getAttribute('aria-activedescendant'), 'saved-reply-late-parcel', 'the arrows wrap around');
    // Typing more starts from the best match again.
    await reply.press('ArrowDown');
    await reply.pressSequentially('l');
    assert.equal(await reply.getAttribute('aria-activedescendant'), 'saved-reply-late-parcel');
    await reply.press('Backspace');
    await offered.nth(1).click();
    assert.equal(await reply.inputValue(), 'Our prices include VAT, also for businesses.');
    await reply.fill('');
    await reply.pressSequentially('/v');
    await reply.press('Escape');
    assert.equal(await offered.count(), 0);
    assert.equal(await reply.evaluate((e) => e === document.activeElement), true, 'Escape hid the list, the box keeps the focus');
    await reply.fill('see /vat');
    assert.equal(await offered.count(), 0);
    // A shortcut that matches nothing is not sent by Enter: said, and kept.
    await reply.fill('');
    await reply.pressSequentially('/refnd');
    await staff.locator('.saved-said', { hasText: 'No saved reply matches /refnd' }).waitFor();
    await reply.press('Enter');
    await staff.waitForTimeout(300);
    assert.equal(await reply.inputValue(), '/refnd');
    assert.equal((await staffTexts(id)).length, 1, 'nothing more sent');
    await staff.screenshot({ path: join(shots, 'console-saved-replies.png') });
    // Billing's reply (not offered above, in Support's conversation) is, in Billing's.
    await reply.fill('');
    const billing = (await visitorStarts('10.41.0.2', { team: 'billing', message: { text: 'How do I pay by bank transfer?' } })).conversation.id;
    await staff.locator(`.inbox .row[data-conversation="${billing}"]`).click();
    await reply.pressSequentially('/');
    assert.deepEqual(await offered.allInnerTexts(), ['/iban Our IBAN for transfers is on every invoice.', '/late-parcel Hi {visitor}, sorry your parcel is late; it left today. {me}', '/vat Our prices include VAT, also for businesses.']);
    await reply.fill('');
    await runtime.d1.prepare("DELETE FROM saved_replies WHERE site_id = 'demo' AND shortcut = 'iban'").run();
  } finally {
    await staff.close();
  }
});

test("the address keeps the page and the open conversation: a reload keeps them with the unsent reply, back steps between conversations, a colleague's link opens one", async () => {
  const a = (await visitorStarts('198.51.100.251', { message: { text: 'Link probe A: my parcel is late' } })).conversation.id;
  const b = (await visitorStarts('198.51.100.252', { message: { text: 'Link probe B: my parcel is late too' } })).conversation.id;
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const reply = staff.locator('#reply');
  const shows = (text) => staff.locator('.thread .visitor', { hasText: text }).waitFor();
  const hash = () => staff.evaluate(() => location.hash);
  try {
    await signIn(staff);
    // The first Tab shows a skip link past the top bar; it moves the focus to the page.
    await staff.locator('body').focus();
    await staff.evaluate(() => document.activeElement?.blur());
    await staff.keyboard.press('Tab');
    const skip = staff.locator('button.skip-link');
    assert.equal(await skip.evaluate((e) => e === document.activeElement), true, 'the skip link comes first');
    assert.ok((await skip.boundingBox()).y >= 0, 'and shows when focused');
    await staff.keyboard.press('Enter');
    assert.equal(await staff.evaluate(() => document.activeElement?.id), 'page');
    assert.equal(await hash(), '#/inbox', 'the skip link leaves the address alone');
    await staff.locator(`.inbox .row[data-conversation="${a}"]`).click();
    await shows('Link probe A');
    assert.equal(await hash(), `#/inbox/${a}`);
    await reply.fill('Half a reply to A, not sent');
    await staff.locator(`.inbox .row[data-conversation="${b}"]`).click();
    await shows('Link probe B');
    assert.equal(await hash(), `#/inbox/${b}`);
    // Back: the conversation opened before, with its draft.
    await staff.goBack();
    await shows('Link probe A');
    assert.equal(await reply.inputValue(), 'Half a reply to A, not sent');
    // A reload signs in again with the tab's session and keeps both.
    await staff.reload();
    await shows('Link probe A');
    assert.ok(await eventually(async () => (await reply.inputValue()) === 'Half a reply to A, not sent'), await reply.inputValue());
    // Stored, but its answer lost on the way back; after a reload the draft
    // is there, and sent again it keeps its id: stored once.
    const lost = '**/v1/staff/conversations/*/messages';
    await staff.route(lost, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await reply.fill('Stored once, answer lost');
    await staff.locator('.composer button[type=submit]').click();
    await staff.locator('.composer .error').waitFor();
    assert.deepEqual(await staffTexts(a), ['Stored once, answer lost']);
    await staff.unroute(lost);
    await staff.reload();
    await shows('Link probe A');
    assert.ok(await eventually(async () => (await reply.inputValue()) === 'Stored once, answer lost'), await reply.inputValue());
    await staff.locator('.composer button[type=submit]').click();
    assert.ok(await eventually(async () => (await reply.inputValue()) === ''));
    assert.deepEqual(await staffTexts(a), ['Stored once, answer lost'], 'sent again after the reload, not stored twice');
    assert.equal(await staff.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('touchpoint:sending:')).length), 0);
    // Sent, the draft is no longer kept: a reload shows an empty box.
    await reply.fill('A reply to A');
    await staff.locator('.composer button[type=submit]').click();
    await staff.locator('.thread .staff', { hasText: 'A reply to A' }).waitFor();
    await staff.reload();
    await shows('Link probe A');
    await staff.waitForTimeout(500);
    assert.equal(await reply.inputValue(), '');
    // Pages are in the address too.
    await staff.locator('button.tab', { hasText: 'Insights' }).click();
    assert.equal(await hash(), '#/insights');
    await staff.reload();
    await staff.locator('button.tab.current', { hasText: 'Insights' }).waitFor();
    await staff.goBack();
    await shows('Link probe A');
    // An address edited by hand to something that is no conversation id opens nothing.
    await staff.evaluate(() => { location.hash = '#/inbox/..%2Fstaff%2Fme'; });
    await staff.locator('.conversation.empty', { hasText: 'Pick a conversation' }).waitFor();
    // Signing out forgets the drafts kept in the tab.
    await staff.locator(`.inbox .row[data-conversation="${b}"]`).click();
    await shows('Link probe B');
    await reply.fill('Draft for B, then sign out');
    assert.ok(await eventually(async () => (await staff.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('touchpoint:draft:')).length)) === 1));
    await staff.locator('button.sign-out').click();
    await staff.locator('#token').waitFor();
    assert.deepEqual(await staff.evaluate(() => Object.keys(sessionStorage)), []);
  } finally {
    await staff.close();
  }

  // A colleague's link opens the conversation once they sign in; an agent
  // whose teams do not hold it is told so, and a link to Settings opens an
  // agent's inbox.
  const team = (await runtime.d1.prepare('SELECT team_id FROM conversations WHERE id = ?1').bind(a).first()).team_id;
  const other = ['support', 'billing', 'sales', 'product'].find((t) => t !== team);
  const outsider = await (await fetch(`${runtime.url}/v1/admin/sites/demo/staff`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Link Outsider', teams: [other], role: 'agent' }),
  })).json();
  const colleague = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await colleague.newPage();
    const linkIn = async (fragment, token) => {
      await page.goto('about:blank'); // a new document, as a link opened from a chat or an email is
      await page.goto(`${runtime.url}/console/${fragment}`);
      await page.locator('#token').fill(token);
      await page.locator('form button[type=submit]').click();
      await page.locator('.console').waitFor();
    };
    await linkIn(`#/inbox/${a}`, ana.token);
    await page.locator('.thread .visitor', { hasText: 'Link probe A' }).waitFor();
    await page.locator('button.sign-out').click();
    await linkIn(`#/inbox/${a}`, outsider.token);
    await page.locator('.conversation.empty', { hasText: 'not on your teams' }).waitFor();
    assert.equal(await page.locator('.thread').count(), 0);
    // A new document, so the console starts from this address.
    await page.goto('about:blank');
    await page.goto(`${runtime.url}/console/#/settings`);
    await page.locator('.console').waitFor();
    await page.locator('button.tab.current', { hasText: 'Inbox' }).waitFor();
    assert.equal(await page.locator('button.tab', { hasText: 'Settings' }).count(), 0);
    await page.waitForFunction(() => location.hash === '#/inbox');
    // Written over, not added: Back leaves the console rather than return to Settings.
    await page.goBack();
    assert.equal(page.url(), 'about:blank');
  } finally {
    await colleague.close();
  }
});

test('the conversation on screen is read as messages arrive; a hidden tab reads nothing until it is shown', async () => {
  const started = await visitorStarts('198.51.100.231', { message: { text: 'Is the grey hoodie coming back in size S?' } });
  const id = started.conversation.id;
  const staff = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(staff);
  const row = staff.locator(`.inbox .row[data-conversation="${id}"]`);
  assert.equal(await row.locator('.badge').textContent(), '1 unread');
  const mark = async () => (await runtime.d1.prepare('SELECT read_id FROM staff_reads WHERE conversation_id = ?1 AND staff_id = ?2').bind(id, ana.staff.id).first())?.read_id ?? 0;
  const lastId = async () => (await runtime.d1.prepare('SELECT MAX(id) AS id FROM messages WHERE conversation_id = ?1').bind(id).first()).id;
  // The tab goes to the background, then the conversation opens in it (a
  // link, a shortcut): loaded and refreshed, but not read.
  const setVisible = (visible) => staff.evaluate((visible) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (visible ? 'visible' : 'hidden') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
  await setVisible(false);
  await row.click();
  await staff.locator('section.conversation .classification').waitFor();
  await staff.waitForTimeout(1500);
  assert.equal(await mark(), 0, 'a hidden tab marks nothing');
  await setVisible(true);
  assert.ok(await eventually(async () => (await mark()) === await lastId()), 'shown: read up to the last message');
  // A message that arrives while it is on screen is read at once, and the
  // row of the conversation on screen shows no badge.
  const more = await fetch(`${runtime.url}/v1/conversations/${id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: runtime.url, authorization: `Bearer ${started.visitor_token}`, 'user-agent': 'Mozilla/5.0 Chrome/156', 'cf-connecting-ip': '198.51.100.231' },
    body: JSON.stringify({ text: 'Or in a size M, that would work too.' }),
  });
  assert.equal(more.status, 201);
  await staff.locator('section.conversation .thread li', { hasText: 'size M' }).waitFor();
  assert.ok(await eventually(async () => (await mark()) === await lastId()), 'read as it arrives');
  assert.equal(await row.locator('.badge').count(), 0);
  // The worker's count agrees.
  const inbox = await (await fetch(`${runtime.url}/v1/staff/inbox`, { headers: { authorization: `Bearer ${ana.token}` } })).json();
  assert.equal(inbox.conversations.find((c) => c.id === id).unread, 0);
  // On another page the conversation is kept to come back to, and its
  // refresh goes on, but what arrives there is not read.
  await staff.locator('.top .tab', { hasText: 'Insights' }).click();
  const readBefore = await mark();
  const third = await fetch(`${runtime.url}/v1/conversations/${id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: runtime.url, authorization: `Bearer ${started.visitor_token}`, 'user-agent': 'Mozilla/5.0 Chrome/156', 'cf-connecting-ip': '198.51.100.231' },
    body: JSON.stringify({ text: 'Any news on the hoodie?' }),
  });
  assert.equal(third.status, 201);
  await staff.waitForTimeout(2500);
  assert.equal(await mark(), readBefore, 'Insights read nothing');
  await staff.locator('.top .tab', { hasText: 'Inbox' }).click();
  assert.ok(await eventually(async () => (await mark()) === await lastId()), 'back in the inbox: read');
  await staff.close();
});
