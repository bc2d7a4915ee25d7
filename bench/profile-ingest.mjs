// Where the worker's isolate spends its time while it ingests: the ingestion
// bench's load (autocannon, batches of 25 events) against the worker in
// `WORKER_DIR` (default dist/worker), with a V8 CPU profile taken through
// workerd's inspector, summed by self time per function. For readable wasm
// names, lay out a worker whose wasm keeps its name section first:
//   wasm-bindgen --target web --out-dir /tmp/named --out-name touchpoint_worker \
//     target/wasm32-unknown-unknown/release/touchpoint.wasm && cp dist/worker/index.js /tmp/named/
//   WORKER_DIR=/tmp/named node bench/profile-ingest.mjs 10
// Usage: node bench/profile-ingest.mjs [seconds]   (after `node scripts/build.mjs worker`)
import { batchBody, post } from './ingest-load.mjs';
import WebSocket from 'ws';
import { join } from 'node:path';
import { startRuntime, seedDemo } from '../scripts/runtime.mjs';
import { root } from '../scripts/artifacts.mjs';

const SECONDS = Number(process.argv[2] ?? 10);
const INSPECTOR_PORT = 9300 + (process.pid % 500);
const workerDir = process.env.WORKER_DIR ?? join(root, 'dist', 'worker');
const body = () => batchBody('prof', ['https://www.google.de/'], Number(process.env.BATCH ?? 25));

const runtime = await startRuntime({ workerDir, inspectorPort: INSPECTOR_PORT });
const url = runtime.url;
await seedDemo(runtime.d1, url);

const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json();
const target = targets.find((t) => !t.title?.startsWith('core:')) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
let nextId = 0;
const pending = new Map();
ws.on('message', (data) => {
  const message = JSON.parse(String(data));
  if (message.id && pending.has(message.id)) { pending.get(message.id)(message); pending.delete(message.id); }
});
const send = (method, params = {}) => new Promise((resolve) => {
  nextId += 1;
  pending.set(nextId, resolve);
  ws.send(JSON.stringify({ id: nextId, method, params }));
});

const load = (seconds) => post(url, seconds, body);
await load(2); // warm-up: compiled code, caches
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 200 });
await send('Profiler.start');
const result = await load(SECONDS);
const { result: { profile } } = await send('Profiler.stop');
ws.close();
await runtime.close();

const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const self = new Map();
let total = 0;
for (const node of profile.nodes) {
  const n = hits.get(node.id) ?? 0;
  if (!n) continue;
  const name = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}`;
  self.set(name, (self.get(name) ?? 0) + n);
  if (name.startsWith('(idle)')) continue;
  total += n;
}
// Inclusive time: a sample counts once for every distinct function on its stack.
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const label = (node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}`;
const inclusive = new Map();
const category = new Map();
for (const [id, n] of hits) {
  const names = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) names.add(label(byId.get(at)));
  for (const name of names) inclusive.set(name, (inclusive.get(name) ?? 0) + n);
  const leaf = byId.get(id).callFrame;
  const kind = leaf.url.includes('.wasm') ? 'wasm (Rust)' : leaf.url.endsWith('touchpoint_worker.js') ? 'wasm-bindgen glue (JS)'
    : leaf.url.startsWith('cloudflare-internal') ? `runtime JS (${leaf.url})` : leaf.url ? `JS ${leaf.url.split('/').pop()}` : `builtin ${leaf.functionName || '(anonymous)'}`;
  if (!label(byId.get(id)).startsWith('(idle)')) category.set(kind, (category.get(kind) ?? 0) + n);
}
const batches = result['2xx'];
console.log(`${batches} batches in ${SECONDS} s; isolate busy ${(total * interval / 1000).toFixed(0)} ms = ${(total * interval / 1000 / batches).toFixed(3)} ms per batch`);
console.log('\nself time by kind:');
for (const [kind, n] of [...category].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${(100 * n / total).toFixed(1).padStart(5)}%  ${kind}`);
console.log('\ninclusive time (Touchpoint functions):');
for (const [name, n] of [...inclusive].filter(([name]) => name.includes('touchpoint::')).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 30))) {
  console.log(`${(100 * n / total).toFixed(1).padStart(5)}%  ${name}`);
}
console.log('\nself time:');
for (const [name, n] of [...self].filter(([name]) => !name.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 45))) {
  console.log(`${(100 * n / total).toFixed(1).padStart(5)}%  ${name}`);
}
