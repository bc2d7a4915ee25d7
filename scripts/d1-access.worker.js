// A worker beside Touchpoint's, bound to the same D1, that local scripts and
// tests query the database through: one asynchronous request per call.
// Miniflare's own D1 proxy answers `prepare` and `bind` with blocking calls
// between threads, and on a loaded machine one of those can get another
// call's answer, after which every later call fails. It has no route, but
// Miniflare lets any client of the runtime's port pick a worker by a header,
// so every call must carry the secret the starting process made up
// (`ACCESS_SECRET`); anything else gets 404.
// Bytes (BLOBs) travel as `{ "$bytes": "<base64>" }`.

export default {
  async fetch(request, env) {
    if (!env.ACCESS_SECRET || request.headers.get('x-d1-access') !== env.ACCESS_SECRET) {
      return new Response(null, { status: 404 });
    }
    try {
      const call = JSON.parse(await request.text(), revive);
      return new Response(JSON.stringify({ value: await run(env.DB, call) }, replace));
    } catch (error) {
      return new Response(JSON.stringify({ error: String(error?.message ?? error) }), { status: 500 });
    }
  },
};

async function run(db, call) {
  const statement = (s) => db.prepare(s.sql).bind(...s.params);
  switch (call.op) {
    case 'all': return statement(call.statement).all();
    case 'run': return statement(call.statement).run();
    case 'first': return call.column === undefined ? statement(call.statement).first() : statement(call.statement).first(call.column);
    case 'raw': return statement(call.statement).raw(call.options);
    case 'batch': return db.batch(call.statements.map(statement));
    case 'exec': return db.exec(call.sql);
    default: throw new Error(`unknown D1 operation ${call.op}`);
  }
}

function replace(_key, value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return { $bytes: btoa(binary) };
  }
  return value;
}

function revive(_key, value) {
  if (value && typeof value === 'object' && typeof value.$bytes === 'string') {
    return Uint8Array.from(atob(value.$bytes), (c) => c.charCodeAt(0));
  }
  return value;
}
