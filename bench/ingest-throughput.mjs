// Ingestion throughput on this machine: autocannon posts batches of 25 events
// (unique ids, varied client addresses; the first of each is a landing view
// with a referrer) to the local worker (workerd + D1), then
// to a ceiling worker that only parses and does the D1 batch insert, in the
// same run (behind the same local front as Touchpoint's runtime), alternating
// in rounds so a shared machine's load falls on both alike. Prints events/s, request latency p50/p99 and the workerd process's
// CPU per batch (bench/cpu.mjs) for both, and the ratio.
// Usage: node bench/ingest-throughput.mjs [seconds per worker] [rounds]   (after `make build`)
import { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime } from '../e2e/support.mjs';
import { applyMigrations, seedDemo, readWranglerConfig } from '../scripts/runtime.mjs';
import { root } from '../scripts/artifacts.mjs';
import { startedWorkerd } from './cpu.mjs';
import { BATCH, CONNECTIONS, batchBody, measure, total } from './ingest-load.mjs';

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 2);
const REFERRERS = ['https://chatgpt.com/', 'https://www.google.de/', 'https://blog.example/post', 'https://email.ionos.de/', 'https://l.facebook.com/l.php'];
const body = () => batchBody('bench', REFERRERS);
const load = (url, pid, seconds) => measure(url, pid, seconds, body);

const { result: touchpoint, pid: touchpointPid } = await startedWorkerd(startTestRuntime);
const { result: ceiling, pid: ceilingPid } = await startedWorkerd(async () => {
  const config = readWranglerConfig();
  const mf = new Miniflare({
    host: '127.0.0.1', port: 0, cf: false, compatibilityDate: config.compatibility_date,
    modules: true, script: readFileSync(join(root, 'bench', 'ceiling-worker.js'), 'utf8'),
    d1Databases: { DB: 'ceiling' }, d1Persist: false,
    // The same local front as Touchpoint's runtime (Miniflare's emulation of
    // static-asset routing, which runs before the worker): both pay for it,
    // so the ratio compares the workers alone.
    assets: {
      directory: join(root, config.assets.directory),
      binding: config.assets.binding,
      routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: config.assets.run_worker_first },
    },
  });
  await mf.ready;
  return mf;
});
const ceilingUrl = (await ceiling.ready).origin;
const ceilingDb = await ceiling.getD1Database('DB');
await applyMigrations(ceilingDb, join(root, 'migrations'));
await seedDemo(ceilingDb, ceilingUrl);
try {
  const line = (name, r) =>
    console.log(`${name.padEnd(28)} ${r.eventsPerSecond.toFixed(0).padStart(7)} events/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   CPU ${r.cpuMsPerBatch.toFixed(2)} ms/batch   non-2xx/errors ${r.errors}`);
  console.log(`batches of ${BATCH}, ${CONNECTIONS} connections, ${SECONDS} s each in ${ROUNDS} alternating rounds, one workerd process each`);
  const mine = [];
  const bare = [];
  for (let round = 0; round < ROUNDS; round++) {
    mine.push(await load(touchpoint.url, touchpointPid, SECONDS / ROUNDS));
    bare.push(await load(ceilingUrl, ceilingPid, SECONDS / ROUNDS));
  }
  const [t, c] = [total(mine), total(bare)];
  line('touchpoint worker', t);
  line('ceiling (parse + D1 batch)', c);
  console.log(`ratio: ${(t.eventsPerSecond / c.eventsPerSecond).toFixed(2)} of the ceiling's events/s; CPU per batch ${(t.cpuMsPerBatch / c.cpuMsPerBatch).toFixed(2)}× the ceiling's`);
} finally {
  await touchpoint.close();
  await ceiling.dispose();
}
