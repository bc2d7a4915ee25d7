// Starts the Touchpoint worker in the real edge runtime (workerd, through
// Miniflare) with a D1 database, configured from wrangler.toml so local runs,
// tests and `wrangler deploy` share one configuration.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare, Log, LogLevel } from 'miniflare';
import { parse } from 'smol-toml';
import { root } from './artifacts.mjs';

// Nothing may reach the network: no metrics, no cf object fetch.
process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';

export function readWranglerConfig() {
  return parse(readFileSync(join(root, 'wrangler.toml'), 'utf8'));
}

/**
 * Starts the worker. `persistDir` keeps D1 as SQLite files in that folder (the
 * local run); without it D1 lives in memory (tests). `vars` override
 * wrangler.toml's [vars] (e.g. `{ DEMO_PAGES: 'off' }`). `onOutput(text)`, when
 * given, receives what the worker writes to its console (tests read the logs).
 * `queues: false` leaves the delivery queue unbound (a bench isolates ingestion with it).
 * `workerDir` and `inspectorPort` serve a profile (bench/profile-ingest.mjs).
 */
export async function startRuntime({ port = 0, host = '127.0.0.1', persistDir, verbose = false, adminToken, vars = {}, onOutput, queues = true, workerDir = join(root, 'dist', 'worker'), inspectorPort } = {}) {
  const config = readWranglerConfig();
  const db = config.d1_databases[0];
  const touchpoint = {
    name: 'touchpoint',
    compatibilityDate: config.compatibility_date,
    modulesRoot: workerDir,
    modules: [
      { type: 'ESModule', path: join(workerDir, 'index.js') },
      { type: 'ESModule', path: join(workerDir, 'touchpoint_worker.js') },
      { type: 'CompiledWasm', path: join(workerDir, 'touchpoint_worker_bg.wasm') },
    ],
    d1Databases: { [db.binding]: db.database_id },
    // Deliveries to destinations go through a real (local) queue, as deployed.
    ...(queues ? queueOptions(config) : {}),
    // The bucket R2 destinations write daily exports to (Miniflare's local R2).
    r2Buckets: Object.fromEntries((config.r2_buckets ?? []).map((b) => [b.binding, b.bucket_name])),
    // Live rooms: Durable Objects holding WebSockets, as deployed.
    ...durableObjectOptions(config),
    // In production: `wrangler secret put ADMIN_TOKEN`.
    bindings: { ...(config.vars || {}), ...vars, ...(adminToken ? { ADMIN_TOKEN: adminToken } : {}) },
    assets: {
      directory: join(root, config.assets.directory),
      binding: config.assets.binding,
      routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: config.assets.run_worker_first },
    },
  };
  const mf = new Miniflare({
    host,
    port,
    // For profiling (bench/profile-ingest.mjs): a V8 inspector on the worker.
    ...(inspectorPort ? { inspectorPort } : {}),
    cf: false,
    // Touchpoint's worker first: it answers every request to the runtime.
    workers: [touchpoint, d1AccessWorker(db.database_id, config.compatibility_date)],
    d1Persist: persistDir ? join(persistDir, 'd1') : false,
    r2Persist: persistDir ? join(persistDir, 'r2') : false,
    log: new Log(verbose ? LogLevel.INFO : LogLevel.WARN),
    ...(onOutput ? {
      handleRuntimeStdio(stdout, stderr) {
        for (const stream of [stdout, stderr]) stream.on('data', (chunk) => onOutput(String(chunk)));
      },
    } : {}),
  });
  const url = await mf.ready;
  const d1 = await d1Client(mf);
  await applyMigrations(d1, join(root, db.migrations_dir));
  return { mf, url: url.origin, d1, close: () => mf.dispose() };
}

// Made up afresh by each process: the d1-access worker answers only calls
// that carry it (a header could otherwise route any client of the port there).
const D1_ACCESS_SECRET = randomBytes(32).toString('hex');

/**
 * Miniflare options for the worker scripts reach D1 through
 * (`scripts/d1-access.worker.js`): bound to the database `databaseId`, with no
 * route, answering only this process (`D1_ACCESS_SECRET`).
 */
export function d1AccessWorker(databaseId, compatibilityDate = readWranglerConfig().compatibility_date) {
  return {
    name: 'd1-access',
    modules: true,
    scriptPath: join(root, 'scripts', 'd1-access.worker.js'),
    compatibilityDate,
    d1Databases: { DB: databaseId },
    bindings: { ACCESS_SECRET: D1_ACCESS_SECRET },
  };
}

/**
 * The database behind `mf`'s d1-access worker, with the part of D1's API the
 * scripts and tests use (`prepare`, `bind`, `first`, `all`, `run`, `raw`,
 * `batch`, `exec`). Every call is one asynchronous request, never a blocking one.
 */
export async function d1Client(mf) {
  const worker = await mf.getWorker('d1-access');
  const call = async (body) => {
    const response = await worker.fetch('http://d1-access/', {
      method: 'POST',
      headers: { 'x-d1-access': D1_ACCESS_SECRET },
      body: JSON.stringify(body, bytesOut),
    });
    const answer = JSON.parse(await response.text(), bytesIn);
    if (!response.ok) throw new Error(answer.error);
    return answer.value;
  };
  const statement = (sql, params) => ({
    sql,
    params,
    bind: (...values) => statement(sql, values),
    first: (column) => call({ op: 'first', statement: { sql, params }, column }),
    all: () => call({ op: 'all', statement: { sql, params } }),
    run: () => call({ op: 'run', statement: { sql, params } }),
    raw: (options) => call({ op: 'raw', statement: { sql, params }, options }),
  });
  return {
    prepare: (sql) => statement(sql, []),
    batch: (statements) => call({ op: 'batch', statements: statements.map(({ sql, params }) => ({ sql, params })) }),
    exec: (sql) => call({ op: 'exec', sql }),
  };
}

// BLOBs cross as `{ "$bytes": "<base64>" }`, as d1-access.worker.js reads and writes them.
function bytesOut(_key, value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return { $bytes: Buffer.from(value instanceof ArrayBuffer ? value : value.buffer, value.byteOffset ?? 0, value.byteLength).toString('base64') };
  // A Buffer reaches the replacer as its toJSON: { type: 'Buffer', data: [...] }.
  if (value?.type === 'Buffer' && Array.isArray(value.data)) return { $bytes: Buffer.from(value.data).toString('base64') };
  return value;
}
function bytesIn(_key, value) {
  if (value && typeof value === 'object' && typeof value.$bytes === 'string') {
    const bytes = Buffer.from(value.$bytes, 'base64');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  return value;
}

/** Miniflare's Durable Object options from wrangler.toml's [[durable_objects.bindings]] and [[migrations]]. */
function durableObjectOptions(config) {
  const bindings = config.durable_objects?.bindings ?? [];
  if (bindings.length === 0) return {};
  const sqlite = new Set((config.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  return {
    durableObjects: Object.fromEntries(bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }])),
  };
}

/** Miniflare's queue options from wrangler.toml's [[queues.producers]] and [[queues.consumers]]. */
function queueOptions(config) {
  const producers = config.queues?.producers ?? [];
  const consumers = config.queues?.consumers ?? [];
  if (producers.length === 0) return {};
  return {
    queueProducers: Object.fromEntries(producers.map((p) => [p.binding, { queueName: p.queue }])),
    queueConsumers: Object.fromEntries(consumers.map((c) => [c.queue, {
      maxBatchSize: c.max_batch_size,
      maxBatchTimeout: c.max_batch_timeout,
      maxRetries: c.max_retries,
    }])),
  };
}

/**
 * Applies SQL migrations in file-name order, once each, recording them in the
 * same `d1_migrations` table `wrangler d1 migrations apply` uses, so a database
 * can move between the two.
 */
export async function applyMigrations(d1, dir, log = () => {}) {
  await d1.exec(
    'CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);',
  );
  const applied = new Set((await d1.prepare('SELECT name FROM d1_migrations').all()).results.map((r) => r.name));
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  for (const name of files) {
    if (applied.has(name)) continue;
    const sql = readFileSync(join(dir, name), 'utf8');
    const statements = splitSql(sql).map((s) => d1.prepare(s));
    statements.push(d1.prepare('INSERT INTO d1_migrations (name) VALUES (?1)').bind(name));
    await d1.batch(statements);
    log(`applied migration ${name}`);
  }
}

// Splits a migration into statements on semicolons at line ends, skipping comments.
function splitSql(sql) {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Registers the demo company's site so the demo pages can record touchpoints. */
export async function seedDemo(d1, origin) {
  await d1
    .prepare('INSERT OR IGNORE INTO sites (id, name, allowed_origins, created_at) VALUES (?1, ?2, ?3, ?4)')
    .bind('demo', 'Northwind Outfitters (demo)', JSON.stringify([origin]), Date.now())
    .run();
}

/** The demo company's teams: office hours in Europe/Berlin, and who answers what. */
export const DEMO_TEAMS = {
  support: { name: 'Customer support', hours: weekdays('08:00', '20:00', [{ day: 'sat', open: '10:00', close: '14:00' }]), target_minutes: 30 },
  billing: { name: 'Billing', hours: weekdays('09:00', '17:00'), target_minutes: 60 },
  sales: { name: 'Sales', hours: weekdays('09:00', '18:00'), target_minutes: 60 },
  product: { name: 'Product', hours: weekdays('10:00', '16:00'), target_minutes: 240 },
};

function weekdays(open, close, extra = []) {
  return { weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open, close })).concat(extra), closures: [] };
}

/**
 * Sets up the demo site's contact channel through the operator API (the same
 * calls an operator makes): site settings, teams with office hours, routing
 * rules. Returns a function that creates a staff account and its token.
 */
export async function seedContactChannel(url, adminToken, origin = url) {
  const call = async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  await call('PUT', '/v1/admin/sites/demo', {
    name: 'Northwind Outfitters (demo)',
    allowed_origins: [origin],
    time_zone: 'Europe/Berlin',
    default_team: 'support',
    console_url: `${url}/console/`,
    routing_rules: [
      { topic: 'billing', team: 'billing' }, { topic: 'refund', team: 'billing' },
      { topic: 'sales', team: 'sales' }, { topic: 'product', team: 'product' }, { topic: 'feedback', team: 'product' },
    ],
  });
  for (const [id, team] of Object.entries(DEMO_TEAMS)) await call('PUT', `/v1/admin/sites/demo/teams/${id}`, team);
  return {
    createStaff: (name, teams, role = 'agent') => call('POST', '/v1/admin/sites/demo/staff', { name, teams, role }),
    call,
  };
}
