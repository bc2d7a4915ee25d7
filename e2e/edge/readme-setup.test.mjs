// The README's "Set up a site" commands (deployment step 9), run verbatim
// with curl against the real worker: only the address and the operator
// token differ. Every command must succeed, in the order the README gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, ADMIN_TOKEN } from '../support.mjs';
import { root } from '../../scripts/artifacts.mjs';

const README = readFileSync(join(root, 'README.md'), 'utf8');
const STEP = README.slice(README.indexOf('**Set up a site**'));
const SCRIPT = STEP.match(/```sh\n([\s\S]*?)```/)?.[1];

let runtime;
before(async () => { runtime = await startTestRuntime(); });
after(async () => { await runtime?.close(); });

test("the README's site set-up commands, run verbatim, create the site, its teams and a staff member", async () => {
  assert.ok(SCRIPT && SCRIPT.includes('https://touchpoint.example.com'), 'README step 9 has its sh block');
  // Each command's status on its own line, so every one is checked.
  const script = SCRIPT.replaceAll('https://touchpoint.example.com', runtime.url)
    .replace(/^curl /gm, 'curl -sS -o /dev/null -w "%{http_code}\\n" ');
  const statuses = execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    env: { ...process.env, ADMIN_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'],
  }).toString().trim().split('\n');
  assert.equal(statuses.length, (SCRIPT.match(/^curl /gm) ?? []).length);
  for (const status of statuses) assert.match(status, /^20[01]$/, `statuses: ${statuses.join(' ')}`);
  // The last command creates the staff member (201), in both teams.
  assert.equal(statuses.at(-1), '201');
});
