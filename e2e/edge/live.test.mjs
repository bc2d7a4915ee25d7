// Live push (issue 18) against the real worker: WebSockets held by Durable
// Objects in workerd, D1 as the store of record. Who may open which socket,
// what is pushed after each write, typing relayed without text, and a client
// that reconnects catching up from its cursor with no loss and no duplicate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, BROWSER_USER_AGENT, eventually } from '../support.mjs';
import { startRuntime, seedDemo, seedContactChannel } from '../../scripts/runtime.mjs';
import { apiClient } from './openapi.mjs';
import { connect as connectTo, refused, silent } from './sockets.mjs';
import { startChatwoot } from './chatwoot-contract.mjs';

let runtime, channel, api, ana, bo, cy;
before(async () => {
  // A plain-HTTP Chatwoot on this machine (production keeps HTTPS).
  runtime = await startRuntime({ port: 0, adminToken: ADMIN_TOKEN, vars: { ALLOW_HTTP_DESTINATIONS: 'on', DELIVERY_RETRY_BASE_S: '0', PRESENCE_RECHECK_MS: '250' } });
  await seedDemo(runtime.d1, runtime.url);
  channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  api = apiClient(runtime.url);
  ana = await channel.createStaff('Ana Weber', ['support', 'billing', 'sales', 'product'], 'admin');
  bo = await channel.createStaff('Bo Lind', ['sales']);
  cy = await channel.createStaff('Cy Park', ['billing']);
});
after(async () => { await runtime?.close(); });

let ipCounter = 0;
/** A visitor with its own address, starting a sales conversation. */
async function startVisitor(text = 'Do you offer volume discounts for 300 jackets?', team = 'sales') {
  const headers = { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `203.0.113.${++ipCounter}` };
  const res = await api('POST', '/v1/conversations', {
    headers,
    body: { site: 'demo', team, message: { text }, reply: { channel: 'here' } },
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  const token = res.json.visitor_token;
  const id = res.json.conversation.id;
  const call = (method, path, body) => api(method, path, { headers: { ...headers, authorization: `Bearer ${token}` }, body });
  return { id, token, headers, first: res.json.message, call };
}
const asStaff = (who, method, path, body) => api(method, path, { headers: { authorization: `Bearer ${who.token}` }, body });

const connect = (path, token, options) => connectTo(runtime.url, path, token, options);

test('a visitor message is pushed to the staff who have it open and to its team inbox only; a reply back to the visitor', async () => {
  const v = await startVisitor();
  const visitorSocket = await connect(`/v1/conversations/${v.id}/live`, v.token);
  const boThread = await connect(`/v1/staff/conversations/${v.id}/live`, bo.token);
  const boInbox = await connect('/v1/staff/live', bo.token);
  const anaInbox = await connect('/v1/staff/live', ana.token);
  const cyInbox = await connect('/v1/staff/live', cy.token);

  const sent = await v.call('POST', `/v1/conversations/${v.id}/messages`, { text: 'And can you print our logo on them?' });
  assert.equal(sent.status, 201);
  const pushed = await boThread.next((f) => f.type === 'message' && f.message.id === sent.json.message.id);
  assert.equal(pushed.conversation_id, v.id);
  assert.equal(pushed.after, v.first.id, 'the push names the message before it');
  assert.equal(pushed.message.text, 'And can you print our logo on them?');
  assert.ok(pushed.message.edge_labels, 'staff get their view, with labels');
  const inbox = await boInbox.next((f) => f.type === 'inbox' && f.conversation_id === v.id);
  assert.deepEqual(inbox, { type: 'inbox', conversation_id: v.id, team: 'sales', status: 'waiting' });
  await anaInbox.next((f) => f.type === 'inbox' && f.conversation_id === v.id);
  await silent(cyInbox, (f) => f.conversation_id === v.id);

  const reply = await asStaff(bo, 'POST', `/v1/staff/conversations/${v.id}/messages`, { text: 'Yes, from 100 pieces.' });
  assert.equal(reply.status, 201);
  const toVisitor = await visitorSocket.next((f) => f.type === 'message' && f.message.id === reply.json.message.id);
  assert.equal(toVisitor.message.name, 'Bo');
  assert.equal(toVisitor.message.edge_labels, undefined, 'the visitor gets the visitor view');
  assert.equal(toVisitor.message.staff_id, undefined);
  // Bo's first reply is preceded by the "joined" notice, pushed too: no gap.
  const joined = visitorSocket.frames.find((f) => f.type === 'message' && f.message.notice === 'staff_joined');
  assert.ok(joined, JSON.stringify(visitorSocket.frames));
  assert.equal(joined.after, sent.json.message.id);
  assert.equal(toVisitor.after, joined.message.id);
  const status = await visitorSocket.next((f) => f.type === 'status');
  assert.equal(status.status, 'open');
  // A read receipt: the visitor has seen the reply; Bo's open thread hears it, the inboxes do not.
  // The inbox frames of the reply and its "joined" notice may still be on
  // their way: counted once no frame has come for 300 ms.
  let settled = -1;
  while (settled !== boInbox.frames.length) {
    settled = boInbox.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const inboxFramesBefore = boInbox.frames.length;
  const read = await v.call('POST', `/v1/conversations/${v.id}/read`, { up_to: reply.json.message.id });
  assert.equal(read.status, 200);
  const seen = await boThread.next((f) => f.type === 'conversation' && f.conversation.visitor_read_id === reply.json.message.id);
  assert.equal(seen.conversation.id, v.id);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(boInbox.frames.length, inboxFramesBefore);
  // Reading the same again pushes nothing more.
  const receipts = () => boThread.frames.filter((f) => f.type === 'conversation').length;
  const count = receipts();
  await v.call('POST', `/v1/conversations/${v.id}/read`, { up_to: reply.json.message.id });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(receipts(), count);
  for (const c of [visitorSocket, boThread, boInbox, anaInbox, cyInbox]) await c.close();
});

test('a deleted or erased conversation tells its open sockets at once, and they cannot come back', async () => {
  // From an outside audit: both sockets stayed open and heard nothing, so
  // the console learnt of the deletion only at its next fetch.
  for (const how of ['the visitor deletes it', 'an operator erases the visitor']) {
    const v = await startVisitor('Please forget this conversation', 'sales');
    const visitorSocket = await connect(`/v1/conversations/${v.id}/live`, v.token);
    const boThread = await connect(`/v1/staff/conversations/${v.id}/live`, bo.token);
    if (how === 'the visitor deletes it') {
      assert.equal((await v.call('DELETE', `/v1/conversations/${v.id}`)).status, 200, how);
    } else {
      const { visitor_key: key } = await runtime.d1.prepare('SELECT visitor_key FROM conversations WHERE id = ?1').bind(v.id).first();
      const erased = await api('DELETE', `/v1/admin/sites/demo/visitors/${encodeURIComponent(key)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(erased.json.erased.conversations, 1, how);
    }
    await visitorSocket.next((f) => f.type === 'reauthorize');
    await boThread.next((f) => f.type === 'reauthorize');
    await refused(connect(`/v1/staff/conversations/${v.id}/live`, bo.token), 404, 'not_found');
    await refused(connect(`/v1/conversations/${v.id}/live`, v.token), 401, 'unauthorized');
    for (const c of [visitorSocket, boThread]) await c.close();
  }
});

test('typing is relayed to the other side, and a staff member\'s to colleagues with the conversation open, as who and never what, and says how long it lasts', async () => {
  const v = await startVisitor();
  const visitorSocket = await connect(`/v1/conversations/${v.id}/live`, v.token);
  const staffSocket = await connect(`/v1/staff/conversations/${v.id}/live`, ana.token);
  const colleague = await connect(`/v1/staff/conversations/${v.id}/live`, bo.token);
  const anaElsewhere = await connect(`/v1/staff/conversations/${v.id}/live`, ana.token);
  visitorSocket.typing();
  const seenByStaff = await staffSocket.next((f) => f.type === 'typing');
  assert.deepEqual(seenByStaff, { type: 'typing', by: 'visitor', ttl_ms: 5000 });
  assert.deepEqual(await colleague.next((f) => f.type === 'typing'), seenByStaff);
  staffSocket.typing();
  const seenByVisitor = await visitorSocket.next((f) => f.type === 'typing');
  assert.deepEqual(seenByVisitor, { type: 'typing', by: 'staff', name: 'Ana', ttl_ms: 5000 });
  // A colleague hears it too, so two people do not answer at once.
  assert.deepEqual(await colleague.next((f) => f.type === 'typing' && f.by === 'staff'), seenByVisitor);
  colleague.typing();
  assert.deepEqual(await staffSocket.next((f) => f.type === 'typing' && f.by === 'staff'), { type: 'typing', by: 'staff', name: 'Bo', ttl_ms: 5000 });
  // An inbox socket's typing is about no conversation: relayed to nobody.
  const [anaInbox, boInbox] = [await connect('/v1/staff/live', ana.token), await connect('/v1/staff/live', bo.token)];
  anaInbox.typing();
  await silent(boInbox, (f) => f.type === 'typing');
  await Promise.all([anaInbox.close(), boInbox.close()]);
  // Nobody hears themselves, not in another tab either.
  await silent(anaElsewhere, (f) => f.type === 'typing' && f.by === 'staff' && f.name === 'Ana');
  await silent(visitorSocket, (f) => f.type === 'typing' && f.by === 'visitor');
  await silent(staffSocket, (f) => f.type === 'typing' && f.by === 'staff' && f.name === 'Ana');
  await silent(colleague, (f) => f.type === 'typing' && f.by === 'staff' && f.name === 'Bo');
  assert.ok(!JSON.stringify([...visitorSocket.frames, ...staffSocket.frames, ...colleague.frames]).includes('unsent draft'));
  for (const socket of [visitorSocket, staffSocket, colleague, anaElsewhere]) await socket.close();
});

test('a burst of typing frames reaches the other side once per socket, and typing again 2 s later is relayed again', async () => {
  // From an outside audit: the room relayed every frame, so 500 from one
  // visitor socket were 500 frames to each staff socket.
  const v = await startVisitor('Flooding question about jacket sizes');
  const visitorSocket = await connect(`/v1/conversations/${v.id}/live`, v.token);
  const staffSocket = await connect(`/v1/staff/conversations/${v.id}/live`, bo.token);
  const fromVisitor = (f) => f.type === 'typing' && f.by === 'visitor';
  const fromBo = (f) => f.type === 'typing' && f.by === 'staff';
  for (let i = 0; i < 50; i += 1) visitorSocket.typing();
  for (let i = 0; i < 50; i += 1) staffSocket.typing();
  await staffSocket.next(fromVisitor);
  await visitorSocket.next(fromBo);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(staffSocket.frames.filter(fromVisitor).length, 1);
  assert.equal(visitorSocket.frames.filter(fromBo).length, 1);
  // A client keeps to one every 2 s: that one is relayed.
  await new Promise((resolve) => setTimeout(resolve, 1600));
  visitorSocket.typing();
  assert.ok(await eventually(() => staffSocket.frames.filter(fromVisitor).length === 2), 'relayed again');
  // Frames that are not typing, or too long to be, relay nothing.
  const heard = visitorSocket.frames.length;
  staffSocket.ws.send(JSON.stringify({ type: 'message', text: 'x'.repeat(10_000) }));
  staffSocket.ws.send(JSON.stringify({ type: 'typing', padding: 'x'.repeat(10_000) }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(visitorSocket.frames.length, heard);
  for (const socket of [visitorSocket, staffSocket]) await socket.close();
});

test('sockets are authorized as the API is: own conversation, own teams, allowed origins, upgrades only', async () => {
  const mine = await startVisitor();
  const other = await startVisitor('A second visitor asks about prices.');
  await refused(connect(`/v1/conversations/${other.id}/live`, mine.token), 401, 'unauthorized');
  // The polling endpoint says the same to the same token.
  assert.equal((await mine.call('GET', `/v1/conversations/${other.id}/messages`)).status, 401);
  await refused(connect(`/v1/conversations/${mine.id}/live`, null), 401, 'unauthorized');
  await refused(connect(`/v1/conversations/${mine.id}/live`, mine.token, { origin: 'https://elsewhere.example' }), 403, 'origin_not_allowed');
  const billing = await startVisitor('I was charged twice, please refund me.', 'billing');
  await refused(connect(`/v1/staff/conversations/${billing.id}/live`, bo.token), 403, 'forbidden');
  await refused(connect(`/v1/staff/conversations/${mine.id}/live`, cy.token), 403, 'forbidden');
  (await connect(`/v1/staff/conversations/${billing.id}/live`, cy.token)).close();
  await refused(connect('/v1/staff/live', bo.token, { origin: 'https://elsewhere.example' }), 403, 'origin_not_allowed');
  await refused(connect('/v1/staff/live', 'tps_nobody.wrong'), 401, 'unauthorized');
  // A plain request is not an upgrade.
  const plain = await api('GET', `/v1/conversations/${mine.id}/live`, { headers: { authorization: `Bearer ${mine.token}` } });
  assert.equal(plain.status, 422);
  // The visitor's own socket, from the site's origin, opens.
  const ok = await connect(`/v1/conversations/${mine.id}/live`, mine.token);
  await ok.close();
});

test('a client that lost its socket catches up from its cursor: nothing lost, nothing twice', async () => {
  const v = await startVisitor();
  let socket = await connect(`/v1/conversations/${v.id}/live`, v.token);
  const shown = new Map([[v.first.id, v.first]]);
  let cursor = v.first.id;
  const apply = (message) => { shown.set(message.id, message); cursor = Math.max(cursor, message.id); };
  const first = await asStaff(ana, 'POST', `/v1/staff/conversations/${v.id}/messages`, { text: 'Hello, Ana here.' });
  await socket.next((f) => f.type === 'message' && f.message.id === first.json.message.id);
  for (const f of socket.frames.filter((f) => f.type === 'message')) apply(f.message);
  // The socket dies; two replies are stored meanwhile.
  socket.ws.terminate();
  const missed = [];
  for (const text of ['Are you still there?', 'I can offer 12% off.']) {
    missed.push((await asStaff(ana, 'POST', `/v1/staff/conversations/${v.id}/messages`, { text })).json.message.id);
  }
  // Reconnect, then resume from the cursor through the polling endpoint.
  socket = await connect(`/v1/conversations/${v.id}/live`, v.token);
  const poll = await v.call('GET', `/v1/conversations/${v.id}/messages?after=${cursor}`);
  assert.equal(poll.status, 200);
  assert.deepEqual(poll.json.messages.map((m) => m.id), missed);
  for (const m of poll.json.messages) apply(m);
  // The next push follows the cursor exactly: appended, no gap, no duplicate.
  const next = await asStaff(ana, 'POST', `/v1/staff/conversations/${v.id}/messages`, { text: 'Shall I send a quote?' });
  const pushed = await socket.next((f) => f.type === 'message' && f.message.id === next.json.message.id);
  assert.equal(pushed.after, cursor);
  apply(pushed.message);
  const all = await v.call('GET', `/v1/conversations/${v.id}/messages?after=0`);
  assert.deepEqual([...shown.keys()].sort((a, b) => a - b), all.json.messages.map((m) => m.id));
  await socket.close();
});

test('a claim reaches a colleague at once: the conversation and the team inbox', async () => {
  const v = await startVisitor();
  const anaThread = await connect(`/v1/staff/conversations/${v.id}/live`, ana.token);
  const anaInbox = await connect('/v1/staff/live', ana.token);
  const claim = await asStaff(bo, 'POST', `/v1/staff/conversations/${v.id}/assign`, { staff: 'me' });
  assert.equal(claim.status, 200);
  const changed = await anaThread.next((f) => f.type === 'conversation');
  assert.equal(changed.conversation.id, v.id);
  assert.equal(changed.conversation.assignee_id, bo.staff.id);
  await anaThread.next((f) => f.type === 'message' && f.message.notice === 'assigned');
  await anaInbox.next((f) => f.type === 'inbox' && f.conversation_id === v.id);
  const closed = await asStaff(bo, 'POST', `/v1/staff/conversations/${v.id}/close`);
  assert.equal(closed.status, 200);
  const after = await anaThread.next((f) => f.type === 'conversation' && f.conversation.status === 'closed');
  assert.equal(after.conversation.closed_at > 0, true);
  await anaThread.close();
  await anaInbox.close();
});

test('writes that arrive from outside are pushed too: a Chatwoot agent\'s reply to the visitor, an e-mail from intake to the inbox', async () => {
  const chatwoot = await startChatwoot();
  const asAdmin = (method, path, body) => api(method, path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body });
  try {
    const destination = await asAdmin('POST', '/v1/admin/sites/demo/destinations', {
      kind: 'chatwoot', name: 'Chatwoot (live)', url: chatwoot.url, secret: chatwoot.token,
      chatwoot: { account_id: chatwoot.accountId, inbox_id: chatwoot.inboxId },
    });
    assert.equal(destination.status, 201, JSON.stringify(destination.json));
    chatwoot.setWebhook(`${runtime.url}${destination.json.inbound_url_path}`);
    const v = await startVisitor('My parcel is a week late, where is it?', 'sales');
    const visitorSocket = await connect(`/v1/conversations/${v.id}/live`, v.token);
    const deadline = Date.now() + 10_000;
    let remote;
    while (!remote && Date.now() < deadline) {
      remote = [...chatwoot.state.conversations.values()].find((c) => c.custom_attributes.touchpoint_conversation === v.id);
      if (!remote) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(remote, 'the conversation reached Chatwoot');
    await chatwoot.agentReplies(remote.id, 'It left our depot today, sorry for the wait.');
    const pushed = await visitorSocket.next((f) => f.type === 'message' && f.message.author === 'staff');
    assert.equal(pushed.message.text, 'It left our depot today, sorry for the wait.');
    assert.ok(pushed.after >= v.first.id, 'with the id before it, to see a gap');
    await visitorSocket.close();
    await asAdmin('DELETE', `/v1/admin/sites/demo/destinations/${destination.json.id}`);
  } finally {
    await chatwoot.close();
  }

  const anaInbox = await connect('/v1/staff/live', ana.token);
  const key = (await asAdmin('POST', '/v1/admin/sites/demo/intake-key')).json.intake_key;
  const mail = await api('POST', '/v1/intake', {
    headers: { authorization: `Bearer ${key}` },
    body: { site: 'demo', channel: 'email', text: 'Hello, I would like a quote for 40 desks.', external_id: '<live-1@mail.example>', sender: { name: 'Eve' }, reply_address: 'eve@mail.example' },
  });
  assert.equal(mail.status, 201, JSON.stringify(mail.json));
  const inbox = await anaInbox.next((f) => f.type === 'inbox' && f.conversation_id === mail.json.conversation);
  assert.equal(inbox.status, 'waiting');
  await anaInbox.close();
});

test("staff presence reaches every open widget of the site at once, as GET /v1/availability answers it; the socket is the site's allowed origins' only", async () => {
  const widget = await connect('/v1/availability/live?site=demo', null);
  // A client that offers no subprotocol (it needs no token here) gets none back, as RFC 6455 requires.
  const secondWidget = await connect('/v1/availability/live?site=demo', null, { protocols: [] });
  const online = await asStaff(bo, 'PUT', '/v1/staff/presence', { presence: 'online' });
  assert.equal(online.status, 200);
  const pushed = await widget.next((f) => f.type === 'presence' && f.availability.teams.find((t) => t.id === 'sales')?.staff_online.includes('Bo'));
  assert.equal(pushed.availability.site, 'demo');
  await secondWidget.next((f) => f.type === 'presence');
  // The same shape and facts as the polling endpoint.
  const polled = await api('GET', '/v1/availability?site=demo', { headers: { origin: runtime.url } });
  assert.deepEqual(pushed.availability.teams.map((t) => [t.id, t.staff_online]), polled.json.teams.map((t) => [t.id, t.staff_online]));
  const away = await asStaff(bo, 'PUT', '/v1/staff/presence', { presence: 'away' });
  assert.equal(away.status, 200);
  await widget.next((f) => f.type === 'presence' && !f.availability.teams.find((t) => t.id === 'sales').staff_online.includes('Bo'));
  // Nothing a widget sends is relayed: it only listens.
  widget.ws.send(JSON.stringify({ type: 'typing' }));
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Refusals: another site's page, a missing site, an unknown site, a plain request.
  await refused(connect('/v1/availability/live?site=demo', null, { origin: 'https://elsewhere.example' }), 403, 'origin_not_allowed');
  await refused(connect('/v1/availability/live', null), 422, 'invalid_request');
  await refused(connect('/v1/availability/live?site=nope', null), 404, 'unknown_site');
  const plain = await api('GET', '/v1/availability/live?site=demo', { headers: { origin: runtime.url } });
  assert.equal(plain.status, 422);
  await widget.close();
  await secondWidget.close();
});

test('an open widget is kept current when nothing pushes: staff who stopped answering drop out, a team that closes says so', async () => {
  const widget = await connect('/v1/availability/live?site=demo', null);
  assert.equal((await asStaff(bo, 'PUT', '/v1/staff/presence', { presence: 'online' })).status, 200);
  await widget.next((f) => f.type === 'presence' && f.availability.teams.find((t) => t.id === 'sales').staff_online.includes('Bo'));
  // Bo's console went quiet ten minutes ago (a closed laptop sends no "away").
  await runtime.d1.prepare('UPDATE staff SET last_seen_at = ?2 WHERE id = ?1').bind(bo.staff.id, Date.now() - 11 * 60_000).run();
  const dropped = await widget.next((f) => f.type === 'presence' && !f.availability.teams.find((t) => t.id === 'sales').staff_online.includes('Bo'));
  const polled = await api('GET', '/v1/availability?site=demo', { headers: { origin: runtime.url } });
  assert.deepEqual(dropped.availability.teams, polled.json.teams, 'the same facts as GET /v1/availability');
  // Office hours beginning and ending, with nothing pushed (stored straight
  // into D1, as time passing changes the answer without a request).
  const sales = (f) => f.type === 'presence' && f.availability.teams.find((t) => t.id === 'sales');
  const setHours = (hours) => runtime.d1.prepare("UPDATE teams SET hours = ?1 WHERE site_id = 'demo' AND id = 'sales'").bind(hours).run();
  const stored = (await runtime.d1.prepare("SELECT hours FROM teams WHERE site_id = 'demo' AND id = 'sales'").first()).hours;
  const allDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, open: '00:00', close: '24:00' }));
  // A frame that arrives from now on.
  const fromNow = (match) => { const mark = widget.frames.length; return (f) => widget.frames.indexOf(f) >= mark && match(f); };
  try {
    const opens = fromNow((f) => sales(f)?.open === true);
    await setHours(JSON.stringify({ weekly: allDay, closures: [] }));
    await widget.next(opens);
    const closes = fromNow((f) => sales(f)?.open === false);
    await setHours(JSON.stringify({ weekly: [], closures: [] }));
    const closed = await widget.next(closes);
    assert.equal(sales(closed).next_opening ?? null, null, 'no hours: no next opening either');
    // Facts that did not change are not pushed again (the room checks four times a second here).
    const seen = widget.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(widget.frames.slice(seen), []);
  } finally {
    await setHours(stored);
  }
  await widget.close();

  // A room that slept does not trust what it last pushed (while nobody
  // listened, a console may have come back with no push): its first check
  // pushes to the widget that woke it, even facts equal to the last push.
  const before = await connect('/v1/availability/live?site=demo', null);
  assert.equal((await asStaff(bo, 'PUT', '/v1/staff/presence', { presence: 'online' })).status, 200);
  await before.next((f) => sales(f)?.staff_online.includes('Bo'));
  await before.close();
  await new Promise((resolve) => setTimeout(resolve, 600)); // the room's alarm finds nobody and stops
  const later = await connect('/v1/availability/live?site=demo', null);
  const heard = await later.next((f) => f.type === 'presence', 3000);
  assert.ok(sales(heard).staff_online.includes('Bo'));
  await later.close();
  assert.equal((await asStaff(bo, 'PUT', '/v1/staff/presence', { presence: 'away' })).status, 200);
});
