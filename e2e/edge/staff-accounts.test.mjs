// Staff accounts after they are created, against the real worker (workerd,
// D1, the live rooms' Durable Objects): listed, changed, revoked and given a
// new token by the operator or a site admin; what a revoked token or a team
// left still reaches (nothing: not the API, not the inbox socket, not a
// conversation moved away); and a staff socket that outlives its
// authorization closing so the console reopens it with its access checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { startRuntime, seedDemo, seedContactChannel } from '../../scripts/runtime.mjs';
import { apiClient } from './openapi.mjs';
import { connect as connectTo, refused, silent } from './sockets.mjs';

// Staff sockets are authorized for 8 s here (10 minutes in production): long
// enough for the other tests' connect-then-post on a busy machine.
const AUTHORIZED_S = 8;
let runtime, channel, api, ana, bo, cy;
before(async () => {
  runtime = await startRuntime({ port: 0, adminToken: ADMIN_TOKEN, vars: { LIVE_STAFF_AUTHORIZED_S: String(AUTHORIZED_S) } });
  await seedDemo(runtime.d1, runtime.url);
  channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  api = apiClient(runtime.url);
  ana = await channel.createStaff('Ana Weber', ['support'], 'admin');
  bo = await channel.createStaff('Bo Lind', ['sales']);
  cy = await channel.createStaff('Cy Park', ['billing']);
});
after(async () => { await runtime?.close(); });

const connect = (path, token, options) => connectTo(runtime.url, path, token, options);
const as = (token, method, path, body) => api(method, path, { headers: { authorization: `Bearer ${token}` }, body });
const operator = (method, path, body) => as(ADMIN_TOKEN, method, path, body);
const staffPath = (who) => `/v1/admin/sites/demo/staff/${who.staff.id}`;

let ipCounter = 0;
async function startVisitor(text, team) {
  const headers = { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `198.51.100.${++ipCounter}` };
  const res = await api('POST', '/v1/conversations', { headers, body: { site: 'demo', team, message: { text }, reply: { channel: 'here' } } });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  const call = (method, path, body) => api(method, path, { headers: { ...headers, authorization: `Bearer ${res.json.visitor_token}` }, body });
  return { id: res.json.conversation.id, token: res.json.visitor_token, call };
}

test('the operator and site admins list accounts, never their tokens; agents and other sites cannot', async () => {
  const listed = await operator('GET', '/v1/admin/sites/demo/staff');
  assert.equal(listed.status, 200);
  const names = listed.json.staff.map((s) => s.name);
  for (const name of ['Ana Weber', 'Bo Lind', 'Cy Park']) assert.ok(names.includes(name), names.join());
  const bos = listed.json.staff.find((s) => s.id === bo.staff.id);
  assert.deepEqual([bos.role, bos.teams, bos.revoked, bos.revoked_at], ['agent', ['sales'], false, null]);
  assert.ok(!JSON.stringify(listed.json).includes('token'), 'no token or hash is listed');
  assert.equal((await as(ana.token, 'GET', '/v1/admin/sites/demo/staff')).status, 200);
  assert.equal((await as(bo.token, 'GET', '/v1/admin/sites/demo/staff')).status, 403);
  assert.equal((await api('GET', '/v1/admin/sites/demo/staff')).status, 401);
  assert.equal((await operator('GET', '/v1/admin/sites/nosuch/staff')).status, 404);
});

test('an account is changed field by field; bad changes are refused precisely and change nothing', async () => {
  const dee = await channel.createStaff('Dee Moss', ['sales']);
  const changed = await operator('PATCH', staffPath(dee), { teams: ['sales', 'billing'] });
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  assert.deepEqual([changed.json.staff.name, changed.json.staff.teams], ['Dee Moss', ['sales', 'billing']]);
  assert.equal((await as(ana.token, 'PATCH', staffPath(dee), { name: 'Dee M.' })).json.staff.name, 'Dee M.');
  const refusals = [
    [{ role: 'owner' }, 422, 'invalid_request'],
    [{ teams: ['nosuch'] }, 409, 'conflict'],
    [{ token_hash: '' }, 422, 'invalid_request'],
    [{ teams: ['sales', 'billing', 'sales'] }, 422, 'invalid_request'],
    // A right-to-left override shows "Dee \u202enimda" as "Dee admin".
    [{ name: 'Dee \u202enimda' }, 422, 'invalid_request'],
  ];
  for (const [body, status, code] of refusals) {
    const res = await operator('PATCH', staffPath(dee), body);
    assert.deepEqual([res.status, res.json.error.code], [status, code], JSON.stringify(body));
  }
  assert.equal((await as(bo.token, 'PATCH', staffPath(dee), { role: 'admin' })).status, 403, 'an agent manages nothing');
  assert.equal((await operator('PATCH', '/v1/admin/sites/demo/staff/nosuch', { name: 'X' })).status, 404);
  // An admin keeps their own admin role and account; another admin or the operator can change them.
  const demote = await as(ana.token, 'PATCH', staffPath(ana), { role: 'agent' });
  assert.equal(demote.status, 409, JSON.stringify(demote.json));
  assert.equal((await as(ana.token, 'DELETE', staffPath(ana))).status, 409);
  assert.equal((await as(ana.token, 'POST', `${staffPath(ana)}/token`)).status, 409, 'the new token would end the session that shows it');
  // A revocation with a body it does not read is refused, and revokes nothing.
  const junk = await operator('DELETE', staffPath(dee), { revoke: 'everyone' });
  assert.deepEqual([junk.status, junk.json.error.code], [422, 'invalid_request']);
  const after = (await operator('GET', '/v1/admin/sites/demo/staff')).json.staff.find((s) => s.id === dee.staff.id);
  assert.deepEqual([after.name, after.role, after.teams], ['Dee M.', 'agent', ['sales', 'billing']]);
});

test('a revoked account: its token stops at once, its inbox socket hears nothing more, its conversations go back to the team; a new token restores it', async () => {
  const eve = await channel.createStaff('Eve Stone', ['sales']);
  const visitor = await startVisitor('Do you ship 40 tents to Norway?', 'sales');
  assert.equal((await as(eve.token, 'POST', `/v1/staff/conversations/${visitor.id}/assign`, { staff: 'me' })).status, 200);
  assert.equal((await as(eve.token, 'PUT', '/v1/staff/presence', { presence: 'online' })).status, 200);
  const inbox = await connect('/v1/staff/live', eve.token);
  const thread = await connect(`/v1/staff/conversations/${visitor.id}/live`, eve.token);
  const visitorSocket = await connect(`/v1/conversations/${visitor.id}/live`, visitor.token);

  // Wrong guesses at Eve's token id have reached the limit: her own token still gets in until revoked, and
  // once revoked it is refused as such (401, which signs her console out), never as rate limited.
  for (let i = 0; i < 8; i++) {
    await api('GET', '/v1/staff/me', { headers: { authorization: `Bearer tps_${eve.staff.id}.wrong${i}`, 'cf-connecting-ip': `192.0.2.${i + 10}` } });
  }
  assert.equal((await as(eve.token, 'GET', '/v1/staff/me')).status, 200);
  const revoked = await operator('DELETE', staffPath(eve));
  assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
  assert.equal(revoked.json.staff.revoked, true);
  assert.ok(revoked.json.staff.revoked_at > 0);
  await inbox.next((f) => f.type === 'reauthorize');
  await inbox.close();
  // The conversation's room is told too: nothing more reaches the socket, and its typing is not relayed.
  await thread.next((f) => f.type === 'reauthorize');
  assert.equal((await visitor.call('POST', `/v1/conversations/${visitor.id}/messages`, { text: 'Hello? Anyone?' })).status, 201);
  thread.typing();
  await silent(thread, (f) => f.type === 'message' || f.type === 'conversation');
  await silent(visitorSocket, (f) => f.type === 'typing');
  // Typing from a socket that was told is answered by closing it (no need to wait for that here).
  thread.ws.terminate();
  await visitorSocket.close();
  assert.equal((await as(eve.token, 'GET', '/v1/staff/me')).status, 401);
  await assert.rejects(connect('/v1/staff/live', eve.token), (e) => e.status === 401);
  const conversation = await as(ana.token, 'GET', `/v1/staff/conversations/${visitor.id}`);
  assert.equal(conversation.json.conversation.assignee_id ?? '', '', 'back to the team');
  const colleagues = await as(ana.token, 'GET', '/v1/staff/colleagues');
  assert.ok(!colleagues.json.staff.some((s) => s.id === eve.staff.id), 'no longer offered for assignment');
  assert.equal((await as(ana.token, 'POST', `/v1/staff/conversations/${visitor.id}/assign`, { staff: eve.staff.id })).status, 409);
  const availability = await api('GET', '/v1/availability?site=demo', { headers: { origin: runtime.url } });
  assert.ok(!JSON.stringify(availability.json).includes('Eve'), 'a revoked account is never shown as available');
  // Revoking again changes nothing; the account stays listed, last.
  const again = await operator('DELETE', staffPath(eve));
  assert.deepEqual([again.status, again.json.staff.revoked_at], [200, revoked.json.staff.revoked_at]);
  const list = (await operator('GET', '/v1/admin/sites/demo/staff')).json.staff;
  assert.equal(list.at(-1).id, eve.staff.id);

  const reissued = await operator('POST', `${staffPath(eve)}/token`);
  assert.equal(reissued.status, 201, JSON.stringify(reissued.json));
  assert.equal(reissued.json.staff.revoked, false);
  assert.equal((await as(reissued.json.token, 'GET', '/v1/staff/me')).status, 200);
  // The old token is now a wrong secret for a live account: refused, and counted with the guesses above.
  assert.ok([401, 429].includes((await as(eve.token, 'GET', '/v1/staff/me')).status), 'the old token stays dead');
  // A new token for a live account ends the old one too.
  const rotated = await as(ana.token, 'POST', `${staffPath(eve)}/token`);
  assert.ok([401, 429].includes((await as(reissued.json.token, 'GET', '/v1/staff/me')).status));
  assert.equal((await as(rotated.json.token, 'GET', '/v1/staff/me')).status, 200);
});

test("a conversation moved to another team stops reaching the sockets of staff who are not in it", async () => {
  const visitor = await startVisitor('I was charged twice for order 5521', 'sales');
  const bos = await connect(`/v1/staff/conversations/${visitor.id}/live`, bo.token);
  const moved = await as(ana.token, 'POST', `/v1/staff/conversations/${visitor.id}/assign`, { team: 'billing' });
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
  assert.equal((await as(bo.token, 'GET', `/v1/staff/conversations/${visitor.id}`)).status, 403);
  // Bo's socket is told to reopen (where only the billing team's staff get in), and is not heard typing.
  await bos.next((f) => f.type === 'reauthorize');
  const cys = await connect(`/v1/staff/conversations/${visitor.id}/live`, cy.token);
  const visitorSocket = await connect(`/v1/conversations/${visitor.id}/live`, visitor.token);
  assert.equal((await visitor.call('POST', `/v1/conversations/${visitor.id}/messages`, { text: 'my card ends 4242, please refund one' })).status, 201);
  await cys.next((f) => f.type === 'message' && f.message.author === 'visitor');
  bos.typing();
  await silent(bos, (f) => f.type === 'message' || f.type === 'conversation');
  await silent(visitorSocket, (f) => f.type === 'typing' && f.name === 'Bo');
  await refused(connect(`/v1/staff/conversations/${visitor.id}/live`, bo.token), 403, 'forbidden');
  bos.ws.terminate();
  await Promise.all([cys.close(), visitorSocket.close()]);
});

test('a staff socket is authorized for a while: after it, it is told to reopen and gets nothing more, and one that stays is closed', async () => {
  const visitor = await startVisitor('Is the 2-person tent in stock?', 'sales');
  const socket = await connect(`/v1/staff/conversations/${visitor.id}/live`, bo.token);
  await new Promise((resolve) => setTimeout(resolve, (AUTHORIZED_S + 0.5) * 1000));
  assert.equal((await visitor.call('POST', `/v1/conversations/${visitor.id}/messages`, { text: 'and in green?' })).status, 201);
  await socket.next((f) => f.type === 'reauthorize');
  // A client that does not close gets nothing more, and is closed at the next frame.
  assert.equal((await visitor.call('POST', `/v1/conversations/${visitor.id}/messages`, { text: 'or in blue?' })).status, 201);
  await silent(socket, (f) => f.type === 'message');
  assert.equal(socket.ws.readyState >= 2, true, 'closing or closed');
  const reopened = await connect(`/v1/staff/conversations/${visitor.id}/live`, bo.token);
  assert.equal((await visitor.call('POST', `/v1/conversations/${visitor.id}/messages`, { text: 'size L please' })).status, 201);
  await reopened.next((f) => f.type === 'message' && f.message.author === 'visitor');
  await reopened.close();
});
