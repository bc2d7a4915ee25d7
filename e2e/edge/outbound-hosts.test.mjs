// Where the worker may post, as production runs it (no ALLOW_HTTP_DESTINATIONS):
// a site's admins choose destination and team-webhook URLs, so none may name
// this machine, a cloud metadata service or a private network, in any of the
// spellings a URL parser accepts (an outside review had each one accepted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRuntime, ADMIN_TOKEN } from '../support.mjs';
import { apiClient } from './openapi.mjs';

let runtime, api;
before(async () => {
  runtime = await startTestRuntime();
  api = apiClient(runtime.url);
});
after(async () => { await runtime?.close(); });

const asAdmin = (method, path, body) => api(method, path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body });
const SECRET = 'whsec_0123456789abcdef';

test('destinations and team webhooks post only to hosts on the internet by name', async () => {
  const refused = [
    'https://127.0.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://localhost:8970/',
    'https://metadata.google.internal/',
    'https://[::1]/',
    'https://0x7f000001/',
    'https://2130706433/',
    'https://10.0.0.1/',
    'https://%31%32%37.0.0.1/',
    'https://nas.local/hook',
    'https://x.example:99999/',
    'http://hooks.example/in',
    // What the check read differently from `fetch` (a second review reached
    // 127.0.0.1 with each): a backslash ends the host, full-width characters
    // and the ideographic full stop become ASCII.
    'https://127.0.0.1:9443\\x.example:443/',
    'https://169.254.169.254\\latest.example/meta-data',
    'https://127.0.0.\uff11/',
    'https://127.0.0.1\u3002/',
    'https://metadata.google.\uff49\uff4e\uff54\uff45\uff52\uff4e\uff41\uff4c/',
  ];
  for (const url of refused) {
    const destination = await asAdmin('POST', '/v1/admin/sites/demo/destinations', { kind: 'webhook', name: 'Probe', url, secret: SECRET });
    assert.deepEqual([destination.status, destination.json.error?.code], [422, 'invalid_request'], `destination ${url}: ${JSON.stringify(destination.json)}`);
    assert.match(destination.json.error.message, /url: /);
    const team = await asAdmin('PUT', '/v1/admin/sites/demo/teams/support', { name: 'Support', webhook: { url, secret: SECRET } });
    assert.deepEqual([team.status, team.json.error?.code], [422, 'invalid_request'], `team webhook ${url}`);
    assert.match(team.json.error.message, /webhook\.url: /);
  }
  const listed = await asAdmin('GET', '/v1/admin/sites/demo/destinations');
  assert.equal(listed.json.destinations.length, 0, 'nothing refused was stored');
  // A public name is taken, with a port and a query.
  const accepted = await asAdmin('POST', '/v1/admin/sites/demo/destinations', { kind: 'webhook', name: 'CRM', url: 'https://hooks.example:8443/in?source=touchpoint', secret: SECRET });
  assert.equal(accepted.status, 201, JSON.stringify(accepted.json));
  const team = await asAdmin('PUT', '/v1/admin/sites/demo/teams/support', { name: 'Support', webhook: { url: 'https://hooks.example/support', secret: SECRET } });
  assert.equal(team.status, 201, JSON.stringify(team.json));
});
