// Ingestion throughput with destinations (issue 17): three workers in the
// same run, one workerd process each, loaded in alternating rounds so a shared
// machine's load falls on all alike —
//   none:      the demo site without destinations;
//   three:     a signed webhook, a Segment-compatible collector and a second
//              webhook, every one taking `touchpoints` (real HTTP receivers in
//              this process, answering 200);
//   one down:  the same three, but the second webhook points at a closed port;
//   unqueued:  the same three with the queue unbound, so nothing is delivered
//              during the load (the scheduled sweep would): what ingestion
//              itself pays — the outbound event and its deliveries in D1.
// autocannon posts batches of 25 events (unique ids, varied client
// addresses). Ingestion records one outbound event and a delivery per
// destination and hands them to the local Queue; the queue consumer delivers
// in the same workerd process, so its CPU is in the figures. Prints events/s,
// request latency p50/p99 and workerd CPU per batch, and what the receivers
// got by the end.
// Usage: node bench/ingest-destinations.mjs [seconds per worker] [rounds]   (after `make build`)
import { createServer } from 'node:http';
import { startRuntime, seedDemo } from '../scripts/runtime.mjs';
import { ADMIN_TOKEN } from '../e2e/support.mjs';
import { startedWorkerd } from './cpu.mjs';
import { BATCH, CONNECTIONS, batchBody, measure, total } from './ingest-load.mjs';

const SECONDS = Number(process.argv[2] ?? 12);
const ROUNDS = Number(process.argv[3] ?? 3);
const body = () => batchBody('bench-dest', ['https://blog.example/post']);
const load = (url, pid, seconds) => measure(url, pid, seconds, body);

/** A receiver that answers 200 and counts requests and touchpoints. */
async function receiver() {
  const stats = { requests: 0, touchpoints: 0 };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      stats.requests += 1;
      try {
        const json = JSON.parse(text);
        stats.touchpoints += json.data?.touchpoints?.length ?? json.batch?.length ?? 0;
      } catch { /* counted as a request */ }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, stats, close: () => { server.closeAllConnections(); server.close(); } };
}

/** A port that refuses connections: a destination that is down. */
async function closedPort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

async function worker(destinations, queues = true) {
  const { result, pid } = await startedWorkerd(() => startRuntime({
    port: 0,
    queues,
    adminToken: ADMIN_TOKEN,
    // Plain-HTTP receivers on this machine; production keeps HTTPS and the same timeouts.
    vars: { ALLOW_HTTP_DESTINATIONS: 'on', DELIVERY_TIMEOUT_MS: '2000' },
  }));
  await seedDemo(result.d1, result.url);
  for (const spec of destinations) {
    const response = await fetch(`${result.url}/v1/admin/sites/demo/destinations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    });
    if (response.status !== 201) throw new Error(`destination: ${response.status} ${await response.text()}`);
  }
  return { runtime: result, pid };
}

const SECRET = 'bench-secret-0123456789';
const [hookA, collector, hookB] = [await receiver(), await receiver(), await receiver()];
const down = await closedPort();
const three = (second) => [
  { kind: 'webhook', name: 'CRM', url: hookA.url, secret: SECRET, filter: { events: ['touchpoints'] } },
  { kind: 'segment', name: 'Collector', url: collector.url, secret: 'write-key' },
  { kind: 'webhook', name: 'Data lake', url: second, secret: SECRET, filter: { events: ['touchpoints'] } },
];
const workers = {
  none: await worker([]),
  three: await worker(three(hookB.url)),
  'one down': await worker(three(down)),
  unqueued: await worker(three(hookB.url), false),
};
try {
  console.log(`batches of ${BATCH}, ${CONNECTIONS} connections, ${SECONDS} s per worker in ${ROUNDS} alternating rounds, one workerd process each`);
  const results = Object.fromEntries(Object.keys(workers).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, { runtime, pid }] of Object.entries(workers)) {
      results[name].push(await load(runtime.url, pid, SECONDS / ROUNDS));
    }
  }
  const base = total(results.none);
  for (const [name, rounds] of Object.entries(results)) {
    const r = total(rounds);
    console.log(`${name.padEnd(9)} ${r.eventsPerSecond.toFixed(0).padStart(7)} events/s (${(r.eventsPerSecond / base.eventsPerSecond * 100).toFixed(0).padStart(3)}% of none)   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   CPU ${r.cpuMsPerBatch.toFixed(2)} ms/batch   non-2xx/errors ${r.errors}${r.detail ? ` (${r.detail})` : ''}`);
  }
  // Let the queue drain a little, then say what arrived.
  await new Promise((r) => setTimeout(r, 3000));
  const delivered = async (name) => {
    const rows = (await workers[name].runtime.d1.prepare('SELECT status, COUNT(*) AS n FROM destination_deliveries GROUP BY status').all()).results;
    return rows.map((r) => `${r.status} ${r.n}`).join(', ') || 'none';
  };
  console.log(`receivers (both destination workers): webhook ${hookA.stats.requests} requests, collector ${collector.stats.requests} requests, second webhook ${hookB.stats.requests} requests`);
  console.log(`deliveries 3 s after the load — three: ${await delivered('three')}; one down: ${await delivered('one down')}; unqueued: ${await delivered('unqueued')}`);
} finally {
  for (const { runtime } of Object.values(workers)) await runtime.close();
  for (const r of [hookA, collector, hookB]) r.close();
}
