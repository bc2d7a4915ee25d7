// A WebSocket client for the live tests: opens a socket the way the
// console and the widget do (the token offered with the subprotocol),
// collects its frames, and checks a refused upgrade's answer against
// openapi.json.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { checkResponse } from './openapi.mjs';

/**
 * Opens a socket on the worker at `base`; resolves to a client that collects frames, or rejects with
 * the refused upgrade's status and JSON body (checked against openapi.json).
 */
export function connect(base, path, token, { origin = base, protocols = token ? ['touchpoint', token] : ['touchpoint'] } = {}) {
  const url = `${base.replace(/^http/, 'ws')}${path}`;
  const ws = new WebSocket(url, protocols, { headers: origin ? { origin } : {} });
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    frames.push(frame);
    for (const w of [...waiters]) if (w.match(frame)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(frame); }
  });
  const client = {
    ws,
    frames,
    /** The first frame (already received or coming) that matches. */
    next(match, timeoutMs = 8000) {
      const found = frames.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)), timeoutMs);
        waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); } });
      });
    },
    typing: () => ws.send(JSON.stringify({ type: 'typing', text: 'the unsent draft must never travel' })),
    close: () => new Promise((resolve) => { if (ws.readyState === WebSocket.CLOSED) resolve(); else { ws.once('close', resolve); ws.close(); } }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      // The answer names the protocol when it was offered (never the token), and none when none was.
      assert.equal(ws.protocol, protocols.length ? 'touchpoint' : '');
      resolve(client);
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        const json = body ? JSON.parse(body) : null;
        checkResponse('GET', path.split('?')[0], res.statusCode, res.headers['content-type'], json);
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, json }));
      });
    });
    ws.once('error', (error) => { if (!error.message.startsWith('Unexpected server response')) reject(error); });
  });
}

export async function refused(promise, status, code) {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error, 'the upgrade was refused');
  assert.equal(error.status, status, error.message);
  assert.equal(error.json?.error?.code, code);
}

/** Nothing matching arrives within `ms`. */
export async function silent(client, match, ms = 300) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  assert.deepEqual(client.frames.filter(match), []);
}
