// Upgrading a database that already holds data: the migrations apply on top
// of the previous ones in the real D1 (Miniflare's), and what they carry over
// is checked row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { applyMigrations } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const migrations = join(root, 'migrations');

/** A D1 with the migrations before `first` applied, then a function that applies the rest. */
async function databaseBefore(first) {
  const mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null) } }', d1Databases: { DB: 'upgrade' } });
  await mf.ready;
  const d1 = await mf.getD1Database('DB');
  const earlier = mkdtempSync(join(tmpdir(), 'touchpoint-migrations-'));
  for (const name of readdirSync(migrations).filter((f) => f.endsWith('.sql') && f < first)) cpSync(join(migrations, name), join(earlier, name));
  await applyMigrations(d1, earlier);
  rmSync(earlier, { recursive: true });
  return { d1, upgrade: () => applyMigrations(d1, migrations), close: () => mf.dispose() };
}

test('per-person read marks: at the upgrade everyone who can open a conversation starts at its shared mark, so no badge changes', async () => {
  const { d1, upgrade, close } = await databaseBefore('0027');
  try {
    const run = (sql, ...args) => d1.prepare(sql).bind(...args).run();
    await run("INSERT INTO sites (id, name, created_at) VALUES ('shop', 'Shop', 0), ('other', 'Other', 0)");
    const staff = [
      ['ana', 'shop', 'admin', '[]', 0],
      ['bo', 'shop', 'agent', '["sales"]', 0],
      ['cy', 'shop', 'agent', '["support"]', 0],
      ['dee', 'shop', 'agent', '["sales"]', 1_700_000_000_000],
      ['eve', 'other', 'admin', '[]', 0],
    ];
    for (const [id, site, role, teams, revoked] of staff) {
      await run("INSERT INTO staff (id, site_id, name, role, teams, token_hash, created_at, revoked_at) VALUES (?1, ?2, ?1, ?3, ?4, '', 0, ?5)", id, site, role, teams, revoked);
    }
    await run("INSERT INTO conversations (id, site_id, team_id, status, created_at, updated_at, staff_read_id) VALUES ('read', 'shop', 'sales', 'open', 0, 0, 7), ('unread', 'shop', 'sales', 'waiting', 0, 0, 0)");
    await upgrade();
    const marks = (await d1.prepare('SELECT conversation_id, staff_id, read_id FROM staff_reads ORDER BY conversation_id, staff_id').all()).results;
    // The admin and the sales agent; not support's agent, a revoked account,
    // another site's admin, nor anyone for a conversation nobody had read.
    assert.deepEqual(marks.map((m) => [m.conversation_id, m.staff_id, m.read_id]), [['read', 'ana', 7], ['read', 'bo', 7]]);
    // Applying again changes nothing.
    await upgrade();
    assert.equal((await d1.prepare('SELECT COUNT(*) AS n FROM staff_reads').first()).n, 2);
  } finally {
    await close();
  }
});
