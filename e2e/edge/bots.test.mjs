// Bots at the edge (workerd + D1): the maintained isbot list compiled into the
// worker, against public fixture sets sent one event each to /v1/events:
// crawlers from the npm package crawler-user-agents (MIT, every instance) and
// browsers from the npm package user-agents (BSD-2-Clause, every distinct
// agent), both pinned in package.json, plus data/lists/user-agents-extra.tsv.
// Then a site's own rules through the operator API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { root } from '../../scripts/artifacts.mjs';

let runtime;
before(async () => { runtime = await startTestRuntime(); });
after(async () => { await runtime?.close(); });

const json = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const extra = readFileSync(join(root, 'data/lists/user-agents-extra.tsv'), 'utf8').split('\n')
  .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
const crawlers = [...new Set([
  ...json('node_modules/crawler-user-agents/crawler-user-agents.json').flatMap((c) => c.instances ?? []),
  ...extra.filter(([kind]) => kind === 'bot').map(([, ua]) => ua),
])];
const browsers = [...new Set([
  ...json('node_modules/user-agents/dist/user-agents.json').map((u) => u.userAgent),
  ...extra.filter(([kind]) => kind === 'browser').map(([, ua]) => ua),
])];

let counter = 0;
async function ignored(userAgent, site = 'demo') {
  counter += 1;
  const event = { id: `bot-fixture-${String(counter).padStart(8, '0')}`, type: 'pageview', ts: Date.now(), path: '/fixture' };
  const response = await fetch(`${runtime.url}/v1/events`, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain', 'user-agent': userAgent,
      // One address per request, as real traffic has (rate limits are per address).
      'cf-connecting-ip': `198.18.${(counter >> 8) & 255}.${counter & 255}`,
    },
    body: JSON.stringify({ v: 1, site, sent_at: Date.now(), events: [event] }),
  });
  const body = await response.json();
  assert.equal(response.status, 202, JSON.stringify(body));
  return body.ignored_as_bot === 1;
}

async function share(agents) {
  const misjudged = [];
  let hits = 0;
  for (let at = 0; at < agents.length; at += 16) {
    const chunk = agents.slice(at, at + 16);
    const verdicts = await Promise.all(chunk.map((ua) => ignored(ua)));
    verdicts.forEach((v, i) => { if (v) hits += 1; else misjudged.push(chunk[i]); });
  }
  return { hits, misjudged };
}

test('at least 95% of known crawlers are ignored and at least 99% of real browsers kept', async () => {
  assert.ok(crawlers.length >= 600 && browsers.length >= 500, `${crawlers.length} crawlers, ${browsers.length} browsers`);
  const bots = await share(crawlers);
  const people = await share(browsers);
  const kept = browsers.length - people.hits;
  console.log(`crawlers ignored ${bots.hits}/${crawlers.length}; browsers kept ${kept}/${browsers.length}`);
  assert.ok(bots.hits >= crawlers.length * 0.95, `crawlers ignored ${bots.hits}/${crawlers.length}; missed e.g. ${bots.misjudged.slice(0, 5).join(' | ')}`);
  assert.ok(kept >= browsers.length * 0.99, `browsers kept ${kept}/${browsers.length}; dropped e.g. ${browsers.filter((b) => !people.misjudged.includes(b)).slice(0, 5).join(' | ')}`);
});

test('a second audit\'s agents: Google TV, a handheld and Gmail\'s in-app view are people; assistants fetching for a person, monitors and scripted browsers are not', async () => {
  const from = extra.findIndex(([kind, ua]) => kind === 'browser' && ua.endsWith('com.google.android.gm'));
  const second = extra.slice(from);
  const people = second.filter(([kind]) => kind === 'browser').map(([, ua]) => ua);
  const automated = second.filter(([kind]) => kind === 'bot').map(([, ua]) => ua);
  assert.deepEqual([people.length, automated.length], [3, 8]);
  for (const ua of people) assert.equal(await ignored(ua), false, ua);
  for (const ua of automated) assert.equal(await ignored(ua), true, ua);
});

test('the agents an outside audit found misjudged: news apps\' browsers are people, page-speed tools, scanners and script runtimes are not', async () => {
  const people = extra.filter(([kind, ua]) => kind === 'browser' && /AppleNews|SmartNews/.test(ua)).map(([, ua]) => ua);
  const automated = extra.filter(([kind, ua]) => kind === 'bot' && /GTmetrix|Sitebulb|Calibre|Rendertron|jsdom|Nikto|PowerShell|dart:io/.test(ua)).map(([, ua]) => ua);
  assert.equal(people.length, 3);
  assert.equal(automated.length, 9);
  for (const ua of people) assert.equal(await ignored(ua), false, ua);
  for (const ua of automated) assert.equal(await ignored(ua), true, ua);
  // The same verdicts decide who may start a conversation.
  const team = await fetch(`${runtime.url}/v1/admin/sites/demo/teams/support`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Support' }),
  });
  assert.ok([200, 201].includes(team.status));
  const start = (ua) => fetch(`${runtime.url}/v1/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': ua, origin: runtime.url },
    body: JSON.stringify({ site: 'demo', message: { text: 'Is the blue one back in stock?' } }),
  });
  const person = await start(people[0]);
  assert.equal(person.status, 201, JSON.stringify(await person.clone().json()));
  await runtime.d1.prepare('DELETE FROM conversations WHERE id = ?1').bind((await person.json()).conversation.id).run();
  const tool = await start(automated[0]);
  assert.equal(tool.status, 403);
  assert.equal((await tool.json()).error.code, 'automated_client');
});

async function putSite(fields) {
  const response = await fetch(`${runtime.url}/v1/admin/sites/demo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  const body = await response.json();
  return { status: response.status, body };
}

test('a site adds its own bot patterns and allows its own monitoring agent', async () => {
  const monitor = 'ShopMonitor/3.1 (uptime check; +https://shop.example/monitor)';
  const scraper = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 AcmeShopper/1.0';
  assert.equal(await ignored(monitor), true, 'the maintained list names a monitor a bot');
  assert.equal(await ignored(scraper), false);
  const set = await putSite({ bot_patterns: ['acmeshopper'], allowed_agents: ['ShopMonitor/'] });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual([set.body.site.bot_patterns, set.body.site.allowed_agents], [['acmeshopper'], ['ShopMonitor/']]);
  assert.equal(await ignored(monitor), false);
  assert.equal(await ignored(scraper), true);
  assert.equal(await ignored(BROWSER_USER_AGENT), false);
  // Left out, the lists are kept; an empty list clears them.
  assert.deepEqual((await putSite({ name: 'Northwind Outfitters (demo)' })).body.site.allowed_agents, ['ShopMonitor/']);
  const bad = await putSite({ bot_patterns: [''] });
  assert.equal(bad.status, 422, JSON.stringify(bad.body));
  await putSite({ bot_patterns: [], allowed_agents: [] });
  assert.equal(await ignored(monitor), true);
});
