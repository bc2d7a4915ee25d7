// Runs Touchpoint locally: the worker in workerd with D1 persisted under
// .touchpoint/, serving the demo site, the widget, the API and the console.
import { startRuntime, seedDemo, seedContactChannel } from './runtime.mjs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { root } from './artifacts.mjs';
import { seedDemoTraffic } from './seed-traffic.mjs';

const port = Number(process.env.PORT ?? 8787);
const persistDir = join(root, '.touchpoint');
mkdirSync(persistDir, { recursive: true });
console.log(`▶ starting the worker in workerd (D1 persisted in ${persistDir})`);
// A fresh operator token per run unless one is given; printed below.
const adminToken = process.env.ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
// Delivery settings a local run may take from the environment (wrangler.toml's
// [vars] otherwise), e.g. ALLOW_HTTP_DESTINATIONS=on for a receiver on this machine.
const vars = Object.fromEntries(['ALLOW_HTTP_DESTINATIONS', 'DELIVERY_RETRY_BASE_S', 'DELIVERY_TIMEOUT_MS']
  .filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
const runtime = await startRuntime({ port, persistDir, verbose: true, adminToken, vars });
await seedDemo(runtime.d1, runtime.url);
console.log('▶ setting up the demo contact channel: teams, office hours, routing, a staff account');
const channel = await seedContactChannel(runtime.url, adminToken);
// The staff token is shown once by the API; the local run keeps it beside its D1 files.
const staffFile = join(persistDir, 'staff-token.json');
let staff = existsSync(staffFile) ? JSON.parse(readFileSync(staffFile, 'utf8')) : null;
const check = staff && (await fetch(`${runtime.url}/v1/staff/me`, { headers: { authorization: `Bearer ${staff.token}` } }));
if (!check?.ok) {
  staff = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  writeFileSync(staffFile, JSON.stringify(staff));
}
// A few days of simulated visitors, once per database, unless TOUCHPOINT_SEED=0.
if (process.env.TOUCHPOINT_SEED !== '0') await seedDemoTraffic(runtime, staff.token);
// Cloudflare runs the cron trigger every minute; locally this loop does.
const worker = await runtime.mf.getWorker();
const cron = setInterval(() => {
  worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() }).catch((e) => console.error('scheduled run failed', e));
}, 60_000);
console.log(`
Touchpoint is running.
  demo website   ${runtime.url}/
  staff console  ${runtime.url}/console/
  API            ${runtime.url}/v1/health   (described at ${runtime.url}/v1/openapi.json)
  staff token    ${staff.token}   (${staff.staff.name}, admin of the demo site)
  operator token ${adminToken}   (for /v1/admin/… and /v1/journey; set ADMIN_TOKEN to choose one)
Press Ctrl+C to stop.`);
const stop = async () => {
  clearInterval(cron);
  await runtime.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
