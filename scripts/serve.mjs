// Runs Touchpoint locally: the worker in workerd with D1 persisted under
// .touchpoint/, serving the demo site, the widget, the API and the console.
import { startRuntime, seedDemo } from './runtime.mjs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { root } from './artifacts.mjs';

const port = Number(process.env.PORT ?? 8787);
const persistDir = join(root, '.touchpoint');
console.log(`▶ starting the worker in workerd (D1 persisted in ${persistDir})`);
// A fresh operator token per run unless one is given; printed below.
const adminToken = process.env.ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
const runtime = await startRuntime({ port, persistDir, verbose: true, adminToken });
await seedDemo(runtime.d1, runtime.url);
console.log(`
Touchpoint is running.
  demo website   ${runtime.url}/
  staff console  ${runtime.url}/console/
  API health     ${runtime.url}/v1/health
  operator token ${adminToken}   (for GET /v1/journey; set ADMIN_TOKEN to choose one)
Press Ctrl+C to stop.`);
const stop = async () => {
  await runtime.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
