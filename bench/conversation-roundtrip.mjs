// The contact channel on this machine, against the local worker (workerd + D1):
//  1. Round trip at the default polling intervals: a visitor writes, a staff
//     console polling its inbox every second sees it and answers, the visitor's
//     widget polling at the interval the API suggests sees the answer.
//     Prints p50/p95 of each leg (visitor → staff, staff → visitor) and of the
//     whole round trip, over repeated conversations.
//  2. API latency under load (autocannon): p50/p99 and requests/s for the
//     hottest endpoints: the visitor's poll, availability, the staff inbox.
// Usage: node bench/conversation-roundtrip.mjs [round trips] [seconds per load]
import autocannon from 'autocannon';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../e2e/support.mjs';
import { seedContactChannel } from '../scripts/runtime.mjs';

const ROUNDS = Number(process.argv[2] ?? 20);
const SECONDS = Number(process.argv[3] ?? 5);
const STAFF_POLL_MS = 1000; // the console's inbox polling interval

const runtime = await startTestRuntime();
const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
const staff = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
const json = async (method, path, headers, body) => {
  const response = await fetch(`${runtime.url}${path}`, {
    method, headers: { 'content-type': 'application/json', ...headers }, body: body && JSON.stringify(body),
  });
  return response.json();
};
const staffHeaders = { authorization: `Bearer ${staff.token}` };
await json('PUT', '/v1/staff/presence', staffHeaders, { presence: 'online' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

const toStaff = [];
const toVisitor = [];
const roundTrip = [];
for (let round = 0; round < ROUNDS; round++) {
  const visitorHeaders = { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `10.9.${round >> 8}.${round & 255}` };
  const sentAt = performance.now();
  const started = await json('POST', '/v1/conversations', visitorHeaders, { site: 'demo', message: { text: `Where is my order ${1000 + round}?` } });
  const { id } = started.conversation;
  const token = started.visitor_token;
  const pollMs = started.poll_interval_ms;
  // Staff console: polls the inbox until the conversation shows up, then answers.
  // Polls run at random phases relative to the message, as real consoles and widgets do.
  await sleep(Math.random() * STAFF_POLL_MS);
  for (;;) {
    const inbox = await json('GET', '/v1/staff/inbox', staffHeaders);
    if (inbox.conversations.some((c) => c.id === id)) break;
    await sleep(STAFF_POLL_MS);
  }
  const seenByStaff = performance.now();
  toStaff.push(seenByStaff - sentAt);
  await json('POST', `/v1/staff/conversations/${id}/messages`, staffHeaders, { text: 'It left our warehouse this morning.' });
  const repliedAt = performance.now();
  // Widget: polls at the suggested interval, from a random phase.
  let cursor = started.message.id;
  await sleep(Math.random() * pollMs);
  for (;;) {
    const poll = await json('GET', `/v1/conversations/${id}/messages?after=${cursor}`, { ...visitorHeaders, authorization: `Bearer ${token}` });
    cursor = poll.cursor;
    if (poll.messages.some((m) => m.author === 'staff')) break;
    await sleep(poll.poll_interval_ms);
  }
  const seenByVisitor = performance.now();
  toVisitor.push(seenByVisitor - repliedAt);
  roundTrip.push(seenByVisitor - sentAt);
}
const row = (name, xs) => console.log(`| ${name} | ${pct(xs, 50).toFixed(0)} | ${pct(xs, 95).toFixed(0)} |`);
console.log(`\nRound trips at the default polling intervals (${ROUNDS} conversations; staff poll ${STAFF_POLL_MS} ms, widget poll ${1000} ms while someone is online)\n`);
console.log('| leg | p50 ms | p95 ms |');
console.log('|---|---:|---:|');
row('visitor → staff inbox', toStaff);
row('staff reply → visitor', toVisitor);
row('round trip (visitor writes → sees the answer)', roundTrip);

// API latency under load.
const visitorHeaders = { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': '10.8.0.1' };
const started = await json('POST', '/v1/conversations', visitorHeaders, { site: 'demo', message: { text: 'Load test conversation' } });
const targets = [
  ['GET /v1/conversations/{id}/messages (visitor poll)', `/v1/conversations/${started.conversation.id}/messages?after=0`, { ...visitorHeaders, authorization: `Bearer ${started.visitor_token}` }],
  ['GET /v1/availability', '/v1/availability?site=demo', visitorHeaders],
  ['GET /v1/staff/inbox', '/v1/staff/inbox', staffHeaders],
];
console.log(`\nAPI latency under load (autocannon, 8 connections, ${SECONDS} s each)\n`);
console.log('| endpoint | requests/s | p50 ms | p99 ms | non-2xx |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, path, headers] of targets) {
  const result = await autocannon({ url: `${runtime.url}${path}`, connections: 8, duration: SECONDS, headers });
  console.log(`| ${name} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx} |`);
}
await runtime.close();
