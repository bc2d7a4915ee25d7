// The staff inbox's search over many conversations, in the real worker with
// local D1: names and addresses are folded for accents in SQL
// (`domain::inbox::folded_sql`), so every search reads each conversation of
// the site. Prints the median of five searches for each query.
//
//   node bench/inbox-search.mjs [conversations]   (default 5000; needs `make build`)
import { startTestRuntime, ADMIN_TOKEN } from '../e2e/support.mjs';
import { seedContactChannel } from '../scripts/runtime.mjs';

const count = Number(process.argv[2] ?? 5000);
const runtime = await startTestRuntime();
try {
  const channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  const ana = await channel.createStaff('Ana Weber', ['support'], 'admin');
  const insert = runtime.d1.prepare(
    "INSERT INTO conversations (id, site_id, team_id, status, visitor_name, reply_email, reply_address, created_at, updated_at, last_visitor_at) VALUES (?1, 'demo', 'support', 'open', ?2, ?3, ?4, 1, 1, 1)",
  );
  const rows = Array.from({ length: count }, (_, i) => insert.bind(`bench${i}`, `Visitör Nämé ${i}`, `visitor${i}@example.com`, `Große Straße ${i}`));
  for (let i = 0; i < rows.length; i += 500) await runtime.d1.batch(rows.slice(i, i + 500));
  console.log(`inbox search over ${count} conversations of one site (median of 5)`);
  for (const q of ['nobody', 'visitor nam', `grosse strasse ${count - 1}`]) {
    const times = [];
    let found;
    for (let k = 0; k < 5; k++) {
      const started = performance.now();
      const response = await fetch(`${runtime.url}/v1/staff/inbox?status=all&q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${ana.token}` } });
      found = (await response.json()).total;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`  ${JSON.stringify(q).padEnd(24)} ${String(found).padStart(6)} found  ${times[2].toFixed(0).padStart(5)} ms`);
  }
} finally {
  await runtime.close();
}
