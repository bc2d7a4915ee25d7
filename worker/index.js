// The module worker's entry: instantiates the Rust handler once per isolate and
// hands it every request. Everything else happens in Rust (src/edge.rs), but
// for the live rooms' plumbing at the end of this file.
import wasmModule from './touchpoint_worker_bg.wasm';
import { initSync, handleFetch, handleScheduled, handleDeliveries } from './touchpoint_worker.js';

let ready = false;
function ensureReady() {
  if (!ready) {
    initSync({ module: wasmModule });
    ready = true;
  }
}

export default {
  async fetch(request, env) {
    try {
      ensureReady();
      return await handleFetch(request, env);
    } catch (error) {
      // Only reached if the wasm itself traps; the handler answers all expected errors.
      console.error('touchpoint worker failure', error);
      return new Response('{"error":{"code":"internal","message":"internal error"}}', {
        status: 500,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
    }
  },

  // The cron trigger (wrangler.toml): escalation, unseen replies, webhook
  // delivery and retention. Errors are thrown so the runtime records a failed run.
  async scheduled(controller, env) {
    ensureReady();
    const report = await handleScheduled(env, controller.scheduledTime);
    if (Object.values(report).some((n) => n > 0)) console.log('touchpoint scheduled jobs', JSON.stringify(report));
  },

  // The delivery queue (wrangler.toml): each message names one delivery to a
  // destination. Rust attempts it and answers, per message, the seconds to
  // wait before the queue retries it, or -1 when it is done (delivered, or
  // dead and kept in the delivery log for replay).
  async queue(batch, env) {
    ensureReady();
    const ids = batch.messages.map((message) => String(message.body));
    const waits = await handleDeliveries(env, ids, Date.now());
    batch.messages.forEach((message, i) => {
      const wait = waits[i];
      if (typeof wait === 'number' && wait >= 0) message.retry({ delaySeconds: wait });
      else message.ack();
    });
  },
};

// A live room (issue 18): a Durable Object holding WebSockets with the
// Hibernation API, so an idle socket costs nothing. One per conversation
// (its visitor and the staff who have it open), one per site's inbox, and
// one per site's open widgets (presence).
// Rust has decided who may connect, with which tags, before a socket
// arrives here (src/edge/live.rs, src/domain/live.rs); this class only
// accepts, fans the worker's frames out by tag, and relays `typing` (never
// any text a client sends, and at most one per socket every TYPING_GAP_MS):
// a visitor's to the staff, a staff member's to the visitor and to
// colleagues who have the conversation open, so two people do not answer
// one visitor at once. Nothing else a client sends is relayed.
const TYPING_TTL_MS = 5000; // domain::live::TYPING_TTL_MS
// Clients send `typing` at most every 2 s; the room relays one per socket
// at most this often (a little less, for timer jitter), so a client that
// floods sends staff one frame, not hundreds.
const TYPING_GAP_MS = 1500; // domain::live::TYPING_GAP_MS
// A typing frame is short; anything longer is not parsed.
const CLIENT_FRAME_MAX_CHARS = 256;

// A staff socket is authorized until the time the worker gave it
// (domain::live::STAFF_SOCKET_AUTHORIZED_MS); past it, the socket gets
// nothing more. It is first told so (domain::live::REAUTHORIZE_FRAME) and
// left to close itself: the console does at once and opens a new socket,
// its access checked again, while a close from this side can leave the
// connection open for seconds. One that stays open is closed at its next
// frame.
function authorized(ws) {
  const attachment = ws.deserializeAttachment() ?? {};
  if (!attachment.until || Date.now() <= attachment.until) return true;
  if (attachment.told) {
    try { ws.close(4001, 'reauthorize'); } catch { /* already closed */ }
  } else {
    reauthorize(ws, attachment);
  }
  return false;
}

function reauthorize(ws, attachment) {
  try { ws.send('{"type":"reauthorize"}'); } catch { /* closing */ }
  ws.serializeAttachment({ ...attachment, until: 1, told: true });
}

// A site's presence room (`presence:<site>`, domain::live::Room) asks the
// worker for the site's availability this often while a widget listens, and
// pushes it when it changed: staff who stopped answering drop out after ten
// minutes, and office hours open and close, without any request that would
// push it (staff going online or away push at once). `PRESENCE_RECHECK_MS`
// in the worker's vars overrides it (tests).
const PRESENCE_RECHECK_MS = 60_000;
const PRESENCE_PREFIX = 'presence:';
const PRESENCE_FRAME = '{"type":"presence",';

// What a presence push says (without the time it was computed at), and
// when it was computed: kept in the room's storage as what widgets last got.
function presenceRecord(availability) {
  return { facts: JSON.stringify({ ...availability, now: 0 }), at: Number(availability.now) || 0 };
}

export class LiveRoom {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
    // Keep-alive pings are answered without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  // The site whose presence room this is, or undefined for a conversation's
  // or an inbox's room.
  presenceSite() {
    const name = this.ctx.id.name;
    return name?.startsWith(PRESENCE_PREFIX) ? name.slice(PRESENCE_PREFIX.length) : undefined;
  }

  recheckMs() {
    return Number(this.env?.PRESENCE_RECHECK_MS) || PRESENCE_RECHECK_MS;
  }

  async alarm() {
    const site = this.presenceSite();
    // The last widget left: nothing to keep current, and no more alarms.
    if (site === undefined || this.ctx.getWebSockets('visitor').length === 0) return;
    let again = true;
    try {
      ensureReady();
      // The same answer as GET /v1/availability, from the worker's own handler.
      const answer = await handleFetch(new Request(`https://live.invalid/v1/availability?site=${encodeURIComponent(site)}`), this.env);
      if (answer.status === 404) {
        again = false; // the site was deleted
        return;
      }
      if (!answer.ok) return;
      const availability = await answer.json();
      const record = presenceRecord(availability);
      const last = await this.ctx.storage.get('presence');
      // A push the worker made while this answer was computed is newer: it stands.
      if (last && (last.facts === record.facts || last.at > record.at)) return;
      await this.ctx.storage.put('presence', record);
      const frame = JSON.stringify({ type: 'presence', availability });
      for (const ws of this.ctx.getWebSockets('visitor')) {
        try { ws.send(frame); } catch { /* closing */ }
      }
    } finally {
      // Whatever this check met, the next one comes (unless the site is gone or nobody listens).
      if (again && this.ctx.getWebSockets('visitor').length > 0) await this.ctx.storage.setAlarm(Date.now() + this.recheckMs());
    }
  }

  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/notify') {
      const { frames } = await request.json();
      let sent = 0;
      for (const { tags, data } of frames) {
        // What the worker pushed is what widgets now show.
        if (data.startsWith(PRESENCE_FRAME)) {
          try { await this.ctx.storage.put('presence', presenceRecord(JSON.parse(data).availability)); } catch { /* not ours to judge */ }
        }
        const sockets = new Set(tags.flatMap((tag) => this.ctx.getWebSockets(tag)));
        for (const ws of sockets) {
          if (!authorized(ws)) continue;
          try { ws.send(data); sent += 1; } catch { /* closing: it catches up when it reconnects */ }
        }
      }
      return Response.json({ sent });
    }
    if (url.pathname === '/reauthorize') {
      // A staff account changed: its sockets get nothing more, and reopen
      // with the access it has now.
      const { tags } = await request.json();
      const sockets = new Set(tags.flatMap((tag) => this.ctx.getWebSockets(tag)));
      for (const ws of sockets) reauthorize(ws, ws.deserializeAttachment() ?? {});
      return Response.json({ told: sockets.size });
    }
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, url.searchParams.getAll('tag'));
    if (this.presenceSite() !== undefined && await this.ctx.storage.getAlarm() === null) {
      // The first widget since the room slept: what the last ones got is
      // stale (it fetched the availability itself), so the next check pushes.
      await this.ctx.storage.delete('presence');
      await this.ctx.storage.setAlarm(Date.now() + this.recheckMs());
    }
    server.serializeAttachment({ side: url.searchParams.get('side'), name: url.searchParams.get('name') || null,
      until: Number(url.searchParams.get('until')) || 0 });
    // The protocol is named only when the client offered it (the worker says so).
    const protocol = url.searchParams.get('protocol');
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { 'sec-websocket-protocol': protocol } : {} });
  }

  webSocketMessage(ws, message) {
    if (typeof message !== 'string' || message.length > CLIENT_FRAME_MAX_CHARS) return;
    let kind;
    try { kind = JSON.parse(message).type; } catch { return; }
    if (kind !== 'typing') return;
    // A socket past its authorization, or told to reauthorize, is not heard.
    if (!authorized(ws)) return;
    const attachment = ws.deserializeAttachment() ?? {};
    const { side, name } = attachment;
    // Only a conversation's sockets carry a name: an inbox socket's typing is about nothing.
    if (side === 'staff' && !name) return;
    // One relayed frame per socket per TYPING_GAP_MS. Kept in the attachment,
    // which outlives hibernation (fields on `this` do not).
    const now = Date.now();
    if (now - (attachment.typedAt ?? 0) < TYPING_GAP_MS) return;
    ws.serializeAttachment({ ...attachment, typedAt: now });
    // Not to the sender, nor to the same person's other tabs and devices.
    const self = this.ctx.getTags(ws).find((tag) => tag.startsWith('staff:'));
    const to = side === 'visitor' ? ['staff'] : ['visitor', 'staff'];
    const frame = JSON.stringify(side === 'staff'
      ? { type: 'typing', by: 'staff', name, ttl_ms: TYPING_TTL_MS }
      : { type: 'typing', by: 'visitor', ttl_ms: TYPING_TTL_MS });
    for (const peer of to.flatMap((tag) => this.ctx.getWebSockets(tag))) {
      if (peer === ws || (self && this.ctx.getTags(peer).includes(self)) || !authorized(peer)) continue;
      try { peer.send(frame); } catch { /* closing */ }
    }
  }

  // Completes the closing handshake; 1005/1006 (no code, abnormal) cannot be sent back.
  webSocketClose(ws, code, reason) {
    try { ws.close(code === 1005 || code === 1006 ? 1000 : code, reason); } catch { /* already closed */ }
  }
}
