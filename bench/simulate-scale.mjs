// What simulated traffic costs a deployment, and where one local worker bends:
// the visitor simulator (bench/simulate.mjs) runs in steps of growing
// concurrency against the real API (workerd + D1 in memory, this machine).
// Per step: requests, events and conversations per second sustained, p50/p99
// per endpoint, the worker process's CPU per request, and D1 rows and value
// bytes per 1,000 visits.
//
//   node bench/simulate-scale.mjs [visitors per step=400] [concurrency steps=1,2,4,8,16,32]
//   DISK=1 node bench/simulate-scale.mjs …   D1 in SQLite files (a temporary folder), and
//                                            their size on disk per event at the end
//
// Worker CPU is the workerd process's user + system time (bench/cpu.mjs)
// over the step, divided by the step's requests. That process holds
// everything Miniflare runs: Touchpoint's isolate (JS glue + wasm), D1 (a
// SQLite database in the same process) and the HTTP front; in production the
// Workers CPU limit counts only the isolate's share, so this is an upper bound.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime, seedDemo, seedContactChannel } from '../scripts/runtime.mjs';
import { simulate } from './simulate.mjs';
import { startedWorkerd, cpuMs } from './cpu.mjs';

const visitorsPerStep = Number(process.argv[2] ?? 400);
const steps = String(process.argv[3] ?? '1,2,4,8,16,32').split(',').map(Number);
const adminToken = 'bench-admin-token-0123456789';
const persistDir = process.env.DISK ? mkdtempSync(join(tmpdir(), 'touchpoint-scale-')) : undefined;
const { result: runtime, pid: workerd } = await startedWorkerd(() => startRuntime({ port: 0, adminToken, persistDir }));
await seedDemo(runtime.d1, runtime.url);
const channel = await seedContactChannel(runtime.url, adminToken);
const staff = await channel.createStaff('Bench', ['support', 'billing', 'sales', 'product'], 'admin');

const TABLES = ['events', 'conversations', 'messages', 'conversation_tokens', 'label_corrections', 'rate_limits'];
// Rows, and bytes of their values (D1 refuses PRAGMA page_count; indexes and page overhead are not counted).
async function footprint() {
  const rows = {};
  const bytes = {};
  for (const table of TABLES) {
    rows[table] = (await runtime.d1.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first()).n;
    const sample = await runtime.d1.prepare(`SELECT * FROM ${table} LIMIT 1`).first();
    const sum = sample ? Object.keys(sample).map((c) => `COALESCE(LENGTH(CAST("${c}" AS BLOB)), 0)`).join(' + ') : '0';
    bytes[table] = (await runtime.d1.prepare(`SELECT COALESCE(SUM(${sum}), 0) AS n FROM ${table}`).first()).n;
  }
  return { rows, bytes };
}

const percentile = (values = [], p) =>
  values.length ? [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] : NaN;
const ENDPOINTS = [
  ['/v1/events', 'events'],
  ['/v1/conversations', 'conversations'],
  ['/v1/staff/conversations/{id}/messages', 'staff reply'],
];

const results = [];
const first = await footprint();
let failures = 0;
for (const [n, concurrency] of steps.entries()) {
  const before = await footprint();
  const cpuBefore = cpuMs(workerd);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const stats = await simulate({ url: runtime.url, staffToken: staff.token, visitors: visitorsPerStep, concurrency, seed: n + 1 });
  const seconds = (performance.now() - started) / 1000;
  const workerMs = cpuMs(workerd) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  const after = await footprint();
  failures += stats.failures.length;
  for (const failure of stats.failures.slice(0, 3)) console.error(failure);
  // Kept rows only: rate-limit windows expire within two minutes.
  const kept = TABLES.filter((t) => t !== 'rate_limits');
  const rows = kept.reduce((sum, t) => sum + after.rows[t] - before.rows[t], 0);
  const bytes = kept.reduce((sum, t) => sum + after.bytes[t] - before.bytes[t], 0);
  results.push({
    concurrency, seconds, requests: stats.requests, failures: stats.failures.length,
    requestsPerSecond: stats.requests / seconds,
    eventsPerSecond: stats.events / seconds,
    conversationsPerSecond: stats.conversations.length / seconds,
    latency: Object.fromEntries(ENDPOINTS.map(([path, name]) => [name, [percentile(stats.latencyMs[path], 0.5), percentile(stats.latencyMs[path], 0.99)]])),
    cpuMsPerRequest: workerMs / stats.requests,
    workerCpuShare: workerMs / 1000 / seconds,
    clientCpuShare: (client.user + client.system) / 1e6 / seconds,
    rowsPer1000: (rows * 1000) / visitorsPerStep,
    bytesPer1000: (bytes * 1000) / visitorsPerStep,
  });
  const r = results.at(-1);
  console.error(`step ${n + 1}/${steps.length}: ${concurrency} in flight, ${seconds.toFixed(1)} s, ${r.requestsPerSecond.toFixed(0)} requests/s`);
}

const ms = (v) => (Number.isNaN(v) ? '–' : `${v.toFixed(0)}`);
console.log(`${visitorsPerStep} visitors per step (one event batch each, ~20% write, 60% of those answered), ${failures} failed requests`);
console.log('\n| in flight | requests/s | events/s | conversations/s | events p50/p99 (ms) | conversations p50/p99 (ms) | staff reply p50/p99 (ms) | worker CPU per request | workerd CPU (cores) | client CPU (cores) | D1 rows, KB per 1,000 visits |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const lat = (name) => `${ms(r.latency[name][0])} / ${ms(r.latency[name][1])}`;
  console.log(`| ${r.concurrency} | ${r.requestsPerSecond.toFixed(0)} | ${r.eventsPerSecond.toFixed(0)} | ${r.conversationsPerSecond.toFixed(1)} | ${lat('events')} | ${lat('conversations')} | ${lat('staff reply')} | ${r.cpuMsPerRequest.toFixed(1)} ms | ${r.workerCpuShare.toFixed(2)} | ${r.clientCpuShare.toFixed(2)} | ${r.rowsPer1000.toFixed(0)}, ${(r.bytesPer1000 / 1000).toFixed(0)} |`);
}

// Where it bends: the first step whose throughput grew by less than 10% over
// the previous one while its batch p99 grew by half or more (more requests
// in flight only queue).
const bend = results.findIndex((r, i) => i > 0
  && r.requestsPerSecond < results[i - 1].requestsPerSecond * 1.1
  && r.latency.events[1] >= results[i - 1].latency.events[1] * 1.5);
const best = results.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
console.log(`\nPeak: ${best.requestsPerSecond.toFixed(0)} requests/s (${best.eventsPerSecond.toFixed(0)} events/s) at ${best.concurrency} in flight.`);
console.log(bend > 0
  ? `Bends at ${results[bend].concurrency} in flight: throughput ${results[bend - 1].requestsPerSecond.toFixed(0)} → ${results[bend].requestsPerSecond.toFixed(0)} requests/s while the batch p99 went ${ms(results[bend - 1].latency.events[1])} → ${ms(results[bend].latency.events[1])} ms.`
  : 'No bend within these steps (throughput still grew or p99 held).');

const last = await footprint();
const visits = visitorsPerStep * steps.length;
const per1000 = (n) => ((n * 1000) / visits).toFixed(0);
console.log(`\n| D1 table | rows per 1,000 visits | value bytes per 1,000 visits |  (all ${visits} visits)`);
console.log('|---|---:|---:|');
for (const table of TABLES) {
  console.log(`| ${table} | ${per1000(last.rows[table] - first.rows[table])} | ${per1000(last.bytes[table] - first.bytes[table])} |`);
}
await runtime.close();
// Measured once closed: SQLite folds its write-ahead log into the database file then.
if (persistDir) {
  // Everything D1 wrote: pages of tables and indexes, free pages, the WAL.
  const files = [];
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(dir, e.name)) : files.push(join(dir, e.name))));
  walk(persistDir);
  const size = (pattern) => files.filter((f) => pattern.test(f)).reduce((n, f) => n + statSync(f).size, 0);
  const bytes = size(/\.sqlite$/);
  const wal = size(/\.sqlite-wal$/);
  const events = last.rows.events - first.rows.events;
  console.log(`\nOn disk: ${(bytes / 1e6).toFixed(1)} MB of SQLite database files (+ ${(wal / 1e6).toFixed(1)} MB write-ahead log left) for ${events} events and the rest above: ${(bytes / events).toFixed(0)} bytes per event, ${(bytes / visits / 1000).toFixed(2)} MB per 1,000 visits (the events' values alone: ${((last.bytes.events - first.bytes.events) / events).toFixed(0)} bytes per event)`);
}
if (persistDir && process.env.DISK !== 'keep') rmSync(persistDir, { recursive: true, force: true });
else if (persistDir) console.log(`(kept in ${persistDir})`);
process.exitCode = failures ? 1 : 0;
