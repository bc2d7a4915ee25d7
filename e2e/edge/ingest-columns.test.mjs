// Every column ingestion stores, against the real worker (workerd + D1): the
// edge sends rows as short positional JSON arrays that stop at their last
// value that is not empty or zero (domain::ingest::IngestPlan::rows_json),
// so a column read from the wrong position, or a left-out value stored as
// NULL instead of its default, shows here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRuntime, BROWSER_USER_AGENT } from '../support.mjs';

let runtime;
before(async () => { runtime = await startTestRuntime(); });
after(async () => { await runtime?.close(); });

const COLUMNS = ['kind', 'path', 'title', 'page_type', 'referrer', 'viewport_width', 'viewport_height', 'language',
  'time_zone', 'engaged_ms', 'scroll_percent', 'channel', 'source_name', 'utm_source', 'utm_medium', 'utm_campaign',
  'utm_term', 'utm_content', 'click_id', 'name', 'target', 'props', 'fields', 'visitor_id'];

async function stored(events, extra = {}) {
  const now = Date.now();
  const response = await fetch(`${runtime.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': BROWSER_USER_AGENT },
    body: JSON.stringify({ v: 1, site: 'demo', sent_at: now, events: events.map((e) => ({ ts: now, ...e })), ...extra }),
  });
  const receipt = await response.json();
  assert.equal(response.status, 202, JSON.stringify(receipt));
  assert.equal(receipt.accepted, events.length, JSON.stringify(receipt));
  const ids = events.map((e) => e.id);
  const rows = (await runtime.d1.prepare(`SELECT * FROM events WHERE id IN (${ids.map((_, i) => `?${i + 1}`).join(',')})`)
    .bind(...ids).all()).results;
  return Object.fromEntries(rows.map((row) => [row.id, row]));
}

const pick = (row) => Object.fromEntries(COLUMNS.map((column) => [column, row[column]]));

test('every column of a full event is stored in its place', async () => {
  const rows = await stored([{
    id: 'columns-full-00000001', type: 'click', path: '/shop/boots', title: 'Boots',
    referrer: 'https://news.example/story', vw: 1280, vh: 720, lang: 'de-DE', tz: 'Europe/Berlin',
    engaged_ms: 1234, scroll: 42, source: 'Newsletter', utm_source: 'letter', utm_medium: 'mail',
    utm_campaign: 'spring', utm_term: 'boots', utm_content: 'hero', click_id: 'cid-7', name: 'buy',
    target: 'https://shop.example/cart', props: { color: 'red' }, fields: 3,
  }, {
    id: 'columns-chan-00000002', type: 'pageview', path: '/pricing', title: 'Pricing',
    channel: 'paid_search', source: 'Google', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring', click_id: 'gclid',
  }], { visitor: 'visitor-columns-1' });
  assert.deepEqual(pick(rows['columns-full-00000001']), {
    kind: 'click', path: '/shop/boots', title: 'Boots', page_type: 'product', referrer: 'https://news.example/story',
    viewport_width: 1280, viewport_height: 720, language: 'de-DE', time_zone: 'Europe/Berlin', engaged_ms: 1234,
    scroll_percent: 42, channel: '', source_name: 'Newsletter', utm_source: 'letter', utm_medium: 'mail',
    utm_campaign: 'spring', utm_term: 'boots', utm_content: 'hero', click_id: 'cid-7', name: 'buy',
    target: 'https://shop.example/cart', props: '{"color":"red"}', fields: 3, visitor_id: 'visitor-columns-1',
  });
  const chan = rows['columns-chan-00000002'];
  assert.deepEqual([chan.channel, chan.source_name, chan.utm_campaign, chan.click_id, chan.page_type],
    ['paid_search', 'Google', 'spring', 'gclid', 'pricing']);
});

test('what a short row leaves out is stored as the column default, never NULL', async () => {
  const rows = await stored([
    { id: 'columns-bare-00000003', type: 'pageview', path: '/odd' },
    // Only the last column set: the row is written whole.
    { id: 'columns-last-00000004', type: 'form', path: '/odd', name: 'contact', fields: 2 },
  ]);
  assert.deepEqual(pick(rows['columns-bare-00000003']), {
    kind: 'pageview', path: '/odd', title: '', page_type: 'other', referrer: '', viewport_width: 0, viewport_height: 0,
    language: '', time_zone: '', engaged_ms: 0, scroll_percent: 0, channel: '', source_name: '', utm_source: '',
    utm_medium: '', utm_campaign: '', utm_term: '', utm_content: '', click_id: '', name: '', target: '', props: '',
    fields: 0, visitor_id: '',
  });
  const last = rows['columns-last-00000004'];
  assert.deepEqual([last.kind, last.name, last.fields, last.engaged_ms, last.props, last.title], ['form', 'contact', 2, 0, '', '']);
});
