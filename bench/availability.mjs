// `GET /v1/availability` one request at a time against the local worker
// (workerd + D1), the demo's four teams: office hours in the site's time
// zone, read from the runtime's Intl (src/edge/zones.rs). Prints p50, p90 and
// the mean over the requests after the first 100.
// Usage: node bench/availability.mjs [checkout] [requests]
// (another checkout, built, compares a worker of another commit).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? new URL('..', import.meta.url).pathname);
const REQUESTS = Number(process.argv[3] ?? 600);
const { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } = await import(pathToFileURL(`${root}/e2e/support.mjs`));
const { seedContactChannel } = await import(pathToFileURL(`${root}/scripts/runtime.mjs`));

const runtime = await startTestRuntime();
try {
  await seedContactChannel(runtime.url, ADMIN_TOKEN);
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await fetch(`${runtime.url}/v1/availability?site=demo`, {
      headers: { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `10.1.${i >> 8}.${i & 255}` },
    });
    await response.json();
    if (i >= 100) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.floor(q * (times.length - 1))].toFixed(2);
  const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2);
  console.log(`availability (${root}): p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, mean ${mean} ms over ${times.length} requests`);
} finally {
  await runtime.close();
}
