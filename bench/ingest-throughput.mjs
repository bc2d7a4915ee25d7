// Ingestion throughput on this machine: autocannon posts batches of 25 events
// (unique ids, varied client addresses; the first of each is a landing view
// with a referrer) to the local worker (workerd + D1), then
// to a ceiling worker that only parses and does the D1 batch insert, in the
// same run. Prints events/s and request latency p50/p99 for both.
// Usage: node bench/ingest-throughput.mjs [seconds]   (after `make build`)
import autocannon from 'autocannon';
import { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime } from '../e2e/support.mjs';
import { applyMigrations, seedDemo } from '../scripts/runtime.mjs';
import { root } from '../scripts/artifacts.mjs';

const SECONDS = Number(process.argv[2] ?? 10);
const BATCH = 25;
const CONNECTIONS = 16;
let counter = 0;
const REFERRERS = ['https://chatgpt.com/', 'https://www.google.de/', 'https://blog.example/post', 'https://email.ionos.de/', 'https://l.facebook.com/l.php'];

function body() {
  const now = Date.now();
  const events = [];
  for (let i = 0; i < BATCH; i++) {
    counter += 1;
    const event = { id: `bench-${process.pid}-${counter.toString().padStart(10, '0')}`, type: 'pageview', ts: now, path: '/bench', title: 'Bench' };
    // The first view of each batch is a landing, with a referrer for the edge to attribute.
    if (i === 0) Object.assign(event, { channel: 'referral', referrer: REFERRERS[counter % REFERRERS.length] });
    events.push(event);
  }
  return JSON.stringify({ v: 1, site: 'demo', sent_at: now, events });
}

async function load(url) {
  const result = await autocannon({
    url: `${url}/v1/events`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{
      method: 'POST',
      setupRequest: (request) => ({
        ...request,
        headers: {
          'content-type': 'text/plain',
          'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36',
          // A different client address per request, as real traffic has (rate limits are per address).
          'cf-connecting-ip': `10.${counter % 250}.${(counter >> 8) % 250}.${(counter >> 16) % 250}`,
        },
        body: body(),
      }),
    }],
  });
  const ok = result['2xx'];
  return {
    eventsPerSecond: (ok * BATCH) / SECONDS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

const touchpoint = await startTestRuntime();
const ceiling = new Miniflare({
  host: '127.0.0.1', port: 0, cf: false, compatibilityDate: '2026-04-01',
  modules: true, script: readFileSync(join(root, 'bench', 'ceiling-worker.js'), 'utf8'),
  d1Databases: { DB: 'ceiling' }, d1Persist: false,
});
const ceilingUrl = (await ceiling.ready).origin;
const ceilingDb = await ceiling.getD1Database('DB');
await applyMigrations(ceilingDb, join(root, 'migrations'));
await seedDemo(ceilingDb, ceilingUrl);
try {
  const line = (name, r) =>
    console.log(`${name.padEnd(28)} ${r.eventsPerSecond.toFixed(0).padStart(7)} events/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   non-2xx/errors ${r.errors}`);
  console.log(`batches of ${BATCH}, ${CONNECTIONS} connections, ${SECONDS} s each, one workerd process each`);
  line('touchpoint worker', await load(touchpoint.url));
  line('ceiling (parse + D1 batch)', await load(ceilingUrl));
} finally {
  await touchpoint.close();
  await ceiling.dispose();
}
