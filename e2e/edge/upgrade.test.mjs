// Upgrading a database that already holds data: the migrations apply on top
// of the previous ones in the real D1 (Miniflare's), and what they carry over
// is checked row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { applyMigrations, d1AccessWorker, d1Client } from '../../scripts/runtime.mjs';
import { root } from '../../scripts/artifacts.mjs';

const migrations = join(root, 'migrations');

/** A D1 with the migrations before `first` applied, then a function that applies the rest. */
async function databaseBefore(first) {
  const mf = new Miniflare({ workers: [d1AccessWorker('upgrade')] });
  await mf.ready;
  const d1 = await d1Client(mf);
  const earlier = mkdtempSync(join(tmpdir(), 'touchpoint-migrations-'));
  for (const name of readdirSync(migrations).filter((f) => f.endsWith('.sql') && f < first)) cpSync(join(migrations, name), join(earlier, name));
  await applyMigrations(d1, earlier);
  rmSync(earlier, { recursive: true });
  return { d1, upgrade: () => applyMigrations(d1, migrations), close: () => mf.dispose() };
}

test('per-person read marks: at the upgrade no badge changes, and a colleague without a mark starts where the shared one was', async () => {
  const { d1, upgrade, close } = await databaseBefore('0027');
  try {
    const run = (sql, ...args) => d1.prepare(sql).bind(...args).run();
    await run("INSERT INTO sites (id, name, created_at) VALUES ('shop', 'Shop', 0)");
    await run("INSERT INTO conversations (id, site_id, team_id, status, created_at, updated_at, staff_read_id) VALUES ('read', 'shop', 'sales', 'open', 0, 0, 7), ('unread', 'shop', 'sales', 'waiting', 0, 0, 0)");
    await upgrade();
    const rows = (await d1.prepare('SELECT id, staff_read_id, shared_read_id FROM conversations ORDER BY id').all()).results;
    assert.deepEqual(rows.map((r) => [r.id, r.staff_read_id, r.shared_read_id]), [['read', 7, 7], ['unread', 0, 0]]);
    assert.equal((await d1.prepare('SELECT COUNT(*) AS n FROM staff_reads').first()).n, 0, 'nothing per person to copy');
    // A conversation started after the upgrade starts unread for everyone.
    await run("INSERT INTO conversations (id, site_id, team_id, status, created_at, updated_at) VALUES ('new', 'shop', 'sales', 'waiting', 0, 0)");
    assert.equal((await d1.prepare("SELECT shared_read_id FROM conversations WHERE id = 'new'").first()).shared_read_id, 0);
    // Applying again changes nothing.
    await upgrade();
    assert.equal((await d1.prepare("SELECT shared_read_id FROM conversations WHERE id = 'read'").first()).shared_read_id, 7);
  } finally {
    await close();
  }
});
