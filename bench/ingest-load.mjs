// The ingestion benchmarks' load: autocannon posting batches of page views
// to /v1/events as the recorder does (text/plain, a browser user agent, a
// different client address per request since rate limits are per address,
// the first view of each batch a landing with a referrer to attribute), and
// the sums over alternating rounds.
import autocannon from 'autocannon';
import { cpuMs } from './cpu.mjs';

export const BATCH = 25;
export const CONNECTIONS = 16;
let counter = 0;

/** One batch body; ids are unique per process and `prefix`. */
export function batchBody(prefix, referrers, size = BATCH) {
  const now = Date.now();
  const events = [];
  for (let i = 0; i < size; i++) {
    counter += 1;
    const event = { id: `${prefix}-${process.pid}-${counter.toString().padStart(10, '0')}`, type: 'pageview', ts: now, path: '/bench', title: 'Bench' };
    if (i === 0) Object.assign(event, { channel: 'referral', referrer: referrers[counter % referrers.length] });
    events.push(event);
  }
  return JSON.stringify({ v: 1, site: 'demo', sent_at: now, events });
}

/** Posts `body()` to `url`'s /v1/events for `seconds`; autocannon's result. */
export function post(url, seconds, body) {
  return autocannon({
    url: `${url}/v1/events`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{
      method: 'POST',
      setupRequest: (request) => ({
        ...request,
        headers: {
          'content-type': 'text/plain',
          'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36',
          'cf-connecting-ip': `10.${counter % 250}.${(counter >> 8) % 250}.${(counter >> 16) % 250}`,
        },
        body: body(),
      }),
    }],
  });
}

/** One measured round against the workerd process `pid`. */
export async function measure(url, pid, seconds, body) {
  const cpuBefore = cpuMs(pid);
  const result = await post(url, seconds, body);
  return {
    batches: result['2xx'],
    seconds,
    cpuMs: cpuMs(pid) - cpuBefore,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    statuses: Object.entries(result.statusCodeStats ?? {}).filter(([code]) => code[0] !== '2').map(([code, v]) => `${code}×${v.count}`).join(' '),
    timeouts: result.timeouts,
  };
}

/** Sums rounds: events/s over all of them, CPU per batch, the worst round's latencies. */
export function total(rounds) {
  const batches = rounds.reduce((n, r) => n + r.batches, 0);
  return {
    eventsPerSecond: (batches * BATCH) / rounds.reduce((n, r) => n + r.seconds, 0),
    cpuMsPerBatch: rounds.reduce((n, r) => n + r.cpuMs, 0) / Math.max(1, batches),
    p50: Math.max(...rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    detail: rounds.map((r) => [r.statuses, r.timeouts ? `timeouts×${r.timeouts}` : ''].filter(Boolean).join(' ')).filter(Boolean).join(', '),
  };
}
