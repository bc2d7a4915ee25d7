// The ingestion ceiling: a worker that only does what cannot be avoided —
// parse the batch and insert its events into D1 in one batch write, with the
// same statement shape as Touchpoint. `bench/ingest-throughput.mjs` measures
// Touchpoint's worker against it in the same run.
const INSERT =
  'INSERT OR IGNORE INTO events (site_id, id, kind, occurred_at, received_at, path) VALUES (?1, ?2, ?3, ?4, ?5, ?6)';

export default {
  async fetch(request, env) {
    const batch = await request.json();
    const now = Date.now();
    const statements = batch.events.map((e) => env.DB.prepare(INSERT).bind(batch.site, e.id, e.type, e.ts, now, e.path));
    await env.DB.batch(statements);
    return new Response('{"accepted":' + statements.length + '}', { status: 202, headers: { 'content-type': 'application/json' } });
  },
};
