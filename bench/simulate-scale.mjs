// What simulated traffic costs a deployment: sustained events/s and
// conversations/s through the real API (workerd + D1 in memory, this
// machine), and D1 rows and bytes per 1,000 visits.
//
//   node bench/simulate-scale.mjs [visitors=1000] [concurrency=8]
import { startRuntime, seedDemo, seedContactChannel } from '../scripts/runtime.mjs';
import { simulate } from './simulate.mjs';

const visitors = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 8);
const adminToken = 'bench-admin-token-0123456789';
const runtime = await startRuntime({ port: 0, adminToken });
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

const before = await footprint();
const started = performance.now();
const stats = await simulate({ url: runtime.url, staffToken: staff.token, visitors, concurrency, seed: 3 });
const seconds = (performance.now() - started) / 1000;
const after = await footprint();
const per1000 = (n) => ((n * 1000) / visitors).toFixed(0);
console.log(`${visitors} visitors, ${concurrency} in flight, ${seconds.toFixed(1)} s; ${stats.failures.length} failed requests`);
console.log(`| requests/s | events/s | conversations/s | events per visit | conversations per 1,000 visits |`);
console.log(`| ${(stats.requests / seconds).toFixed(0)} | ${(stats.events / seconds).toFixed(0)} | ${(stats.conversations.length / seconds).toFixed(1)} | ${(stats.events / visitors).toFixed(1)} | ${per1000(stats.conversations.length)} |`);
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
console.log('\n| request | count | p50 | p99 |');
for (const [kind, values] of Object.entries(stats.latencyMs)) {
  console.log(`| POST ${kind} | ${values.length} | ${percentile(values, 0.5).toFixed(0)} ms | ${percentile(values, 0.99).toFixed(0)} ms |`);
}
console.log('\n| D1 table | rows per 1,000 visits | value bytes per 1,000 visits |');
for (const table of TABLES) {
  console.log(`| ${table} | ${per1000(after.rows[table] - before.rows[table])} | ${per1000(after.bytes[table] - before.bytes[table])} |`);
}
await runtime.close();
