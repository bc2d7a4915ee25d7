// Live push against today's polling, in one run on the local worker (workerd
// + D1 + Durable Objects), issue 18:
//  1. Round trips, polling: a visitor starts a conversation, a staff console
//     polling its inbox every second sees it and answers, the widget polling
//     at the interval the API suggests sees the answer (as
//     bench/conversation-roundtrip.mjs).
//  2. Round trips, push: the same, but the console holds the site's inbox
//     socket and the widget its conversation's socket; each side acts on the
//     pushed frame.
//  3. Typing: the visitor sends `typing`, the staff socket receives it.
//  4. Many open conversations: N visitor sockets at once (each its own
//     address), workerd's resident memory before and after, then every socket
//     is dropped, one staff reply per conversation is stored while they are
//     down, they reconnect and catch up from their cursor: messages lost or
//     seen twice are counted.
// Usage: node bench/push-roundtrip.mjs [round trips] [open conversations]
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../e2e/support.mjs';
import { seedContactChannel } from '../scripts/runtime.mjs';

const ROUNDS = Number(process.argv[2] ?? 20);
const OPEN = Number(process.argv[3] ?? 200);
const STAFF_POLL_MS = 1000;

const runtime = await startTestRuntime();
const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
const staff = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
const wsBase = runtime.url.replace(/^http/, 'ws');
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
let ip = 0;
const visitorHeaders = () => { ip += 1; return { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` }; };

/** A socket with a queue of frames; `next(match)` resolves with the first matching one. */
function socket(path, token, headers = {}) {
  const ws = new WebSocket(`${wsBase}${path}`, ['touchpoint', token], { headers: { origin: runtime.url, ...headers } });
  const frames = [];
  let waiters = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    frame.at = performance.now();
    frames.push(frame);
    waiters = waiters.filter((w) => !(w.match(frame) && (w.resolve(frame), true)));
  });
  const opened = new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return {
    ws, frames, opened,
    next: (match) => frames.find(match) ? Promise.resolve(frames.find(match)) : new Promise((resolve) => waiters.push({ match, resolve })),
  };
}

async function pollingRound() {
  const headers = visitorHeaders();
  const sentAt = performance.now();
  const started = await json('POST', '/v1/conversations', headers, { site: 'demo', message: { text: 'Where is my order?' } });
  const { id } = started.conversation;
  await sleep(Math.random() * STAFF_POLL_MS);
  for (;;) {
    const inbox = await json('GET', '/v1/staff/inbox', staffHeaders);
    if (inbox.conversations.some((c) => c.id === id)) break;
    await sleep(STAFF_POLL_MS);
  }
  const seenByStaff = performance.now();
  const repliedAt = performance.now();
  await json('POST', `/v1/staff/conversations/${id}/messages`, staffHeaders, { text: 'It left our warehouse this morning.' });
  let cursor = started.message.id;
  await sleep(Math.random() * started.poll_interval_ms);
  for (;;) {
    const poll = await json('GET', `/v1/conversations/${id}/messages?after=${cursor}`, { ...headers, authorization: `Bearer ${started.visitor_token}` });
    cursor = poll.cursor;
    if (poll.messages.some((m) => m.author === 'staff')) break;
    await sleep(poll.poll_interval_ms);
  }
  const seenByVisitor = performance.now();
  return { toStaff: seenByStaff - sentAt, toVisitor: seenByVisitor - repliedAt, roundTrip: seenByVisitor - sentAt };
}

const inbox = socket('/v1/staff/live', staff.token);
await inbox.opened;
async function pushRound() {
  const headers = visitorHeaders();
  const sentAt = performance.now();
  const started = await json('POST', '/v1/conversations', headers, { site: 'demo', message: { text: 'Where is my order?' } });
  const { id } = started.conversation;
  const visitor = socket(`/v1/conversations/${id}/live`, started.visitor_token, headers);
  const seen = await inbox.next((f) => f.type === 'inbox' && f.conversation_id === id);
  await visitor.opened;
  // Measured from when the reply is sent: the push leaves before the POST's own answer.
  const repliedAt = performance.now();
  const reply = await json('POST', `/v1/staff/conversations/${id}/messages`, staffHeaders, { text: 'It left our warehouse this morning.' });
  const pushed = await visitor.next((f) => f.type === 'message' && f.message.id === reply.message.id);
  // Typing, on the same conversation: the console has it open now.
  const console_ = socket(`/v1/staff/conversations/${id}/live`, staff.token);
  await console_.opened;
  const typedAt = performance.now();
  visitor.ws.send('{"type":"typing"}');
  const typing = await console_.next((f) => f.type === 'typing');
  visitor.ws.close();
  console_.ws.close();
  return { toStaff: seen.at - sentAt, toVisitor: pushed.at - repliedAt, roundTrip: pushed.at - sentAt, typing: typing.at - typedAt };
}

const results = { polling: [], push: [] };
for (let round = 0; round < ROUNDS; round++) {
  results.polling.push(await pollingRound());
  results.push.push(await pushRound());
}
const cell = (rows, key) => rows.length ? `${pct(rows.map((r) => r[key]), 50).toFixed(0)} / ${pct(rows.map((r) => r[key]), 95).toFixed(0)}` : '—';
console.log(`\nPolling and push in the same run (${ROUNDS} conversations each; p50 / p95 ms)\n`);
console.log('| leg | polling (staff 1 s, widget as suggested) | push (Durable Object WebSockets) |');
console.log('|---|---:|---:|');
console.log(`| visitor → staff inbox | ${cell(results.polling, 'toStaff')} | ${cell(results.push, 'toStaff')} |`);
console.log(`| staff reply → visitor | ${cell(results.polling, 'toVisitor')} | ${cell(results.push, 'toVisitor')} |`);
console.log(`| round trip (visitor writes → sees the answer) | ${cell(results.polling, 'roundTrip')} | ${cell(results.push, 'roundTrip')} |`);
console.log(`| typing shown to staff | — | ${cell(results.push, 'typing')} |`);

// Many open conversations on one machine.
// This run's workerd: Miniflare's child process (other runs on the machine are not counted).
const workerd = () => {
  const lines = execFileSync('ps', ['-o', 'rss=,cputime=,comm=', '--ppid', String(process.pid)]).toString().trim().split('\n');
  const [rss, cpu] = lines.map((l) => l.trim().split(/\s+/)).find((f) => f[2]?.startsWith('workerd')) ?? [NaN, '0:0:0'];
  const seconds = cpu.split(/[-:]/).map(Number).reduce((a, b) => a * 60 + b, 0);
  return { rssMb: Number(rss) / 1024, cpuS: seconds };
};
const workerdRss = () => workerd().rssMb;
const rssBefore = workerdRss();
const cpuBefore = workerd().cpuS;
const open = [];
const startedAt = performance.now();
for (let i = 0; i < OPEN; i++) {
  const headers = visitorHeaders();
  const started = await json('POST', '/v1/conversations', headers, { site: 'demo', message: { text: `Question ${i} about my order` } });
  open.push({ id: started.conversation.id, token: started.visitor_token, headers, cursor: started.message.id, shown: new Set([started.message.id]) });
}
for (let i = 0; i < open.length; i += 25) {
  const wave = open.slice(i, i + 25);
  for (const c of wave) c.socket = socket(`/v1/conversations/${c.id}/live`, c.token, c.headers);
  await Promise.all(wave.map((c) => c.socket.opened));
}
const setupS = (performance.now() - startedAt) / 1000;
const rssOpen = workerdRss();
// Every socket drops at once; one reply each is stored while they are down.
for (const c of open) c.socket.ws.terminate();
for (const c of open) await json('POST', `/v1/staff/conversations/${c.id}/messages`, staffHeaders, { text: `Answer for ${c.id}` });
let lost = 0;
let duplicated = 0;
const reconnectAt = performance.now();
// Reconnect in waves of 25 (as backoff with jitter spreads real clients).
for (let i = 0; i < open.length; i += 25) {
  await Promise.all(open.slice(i, i + 25).map(async (c) => {
    c.socket = socket(`/v1/conversations/${c.id}/live`, c.token, c.headers);
    await c.socket.opened;
    const poll = await json('GET', `/v1/conversations/${c.id}/messages?after=${c.cursor}`, { ...c.headers, authorization: `Bearer ${c.token}` });
    for (const m of poll.messages) { if (c.shown.has(m.id)) duplicated += 1; c.shown.add(m.id); }
  }));
}
const reconnectS = (performance.now() - reconnectAt) / 1000;
// One more reply each, now pushed: it must follow the catch-up exactly.
for (const c of open) await json('POST', `/v1/staff/conversations/${c.id}/messages`, staffHeaders, { text: 'And one more thing.' });
await Promise.all(open.map(async (c) => {
  const frame = await c.socket.next((f) => f.type === 'message' && f.message.text === 'And one more thing.');
  if (c.shown.has(frame.message.id)) duplicated += 1;
  if (frame.after !== Math.max(...c.shown)) lost += 1;
  c.shown.add(frame.message.id);
}));
for (const c of open) {
  const all = await json('GET', `/v1/conversations/${c.id}/messages?after=0`, { ...c.headers, authorization: `Bearer ${c.token}` });
  lost += all.messages.filter((m) => !c.shown.has(m.id)).length;
  c.socket.ws.close();
}
console.log(`\n${OPEN} open conversations (a visitor socket each) on one machine\n`);
console.log('| measure | value |');
console.log('|---|---:|');
console.log(`| workerd resident memory, before → with ${OPEN} sockets open | ${rssBefore.toFixed(0)} → ${rssOpen.toFixed(0)} MB |`);
console.log(`| start ${OPEN} conversations and open their sockets | ${setupS.toFixed(1)} s |`);
console.log(`| all dropped at once, reconnected and caught up from their cursors | ${reconnectS.toFixed(1)} s |`);
console.log(`| workerd CPU time for all of the above (${OPEN} starts, sockets, drops, ${2 * OPEN} replies, catch-ups) | ${workerd().cpuS - cpuBefore} s |`);
console.log(`| messages lost / seen twice (across the forced disconnect and the next push) | ${lost} / ${duplicated} |`);
inbox.ws.close();
await runtime.close();
