// The ingestion ceiling: a worker that only does what cannot be avoided —
// parse the batch and insert its events into D1 in one write, with the same
// statement shape as Touchpoint (one INSERT … SELECT over json_each of the
// rows). `bench/ingest-throughput.mjs` measures Touchpoint's worker against it
// in the same run.
const INSERT =
  'INSERT OR IGNORE INTO events (site_id, id, kind, occurred_at, received_at, path, title) ' +
  "SELECT ?1, value ->> 'id', value ->> 'type', value ->> 'ts', ?2, value ->> 'path', value ->> 'title' FROM json_each(?3)";

export default {
  async fetch(request, env) {
    const batch = JSON.parse(await request.text());
    const result = await env.DB.batch([env.DB.prepare(INSERT).bind(batch.site, Date.now(), JSON.stringify(batch.events))]);
    return new Response('{"accepted":' + result[0].meta.changes + '}', { status: 202, headers: { 'content-type': 'application/json' } });
  },
};
