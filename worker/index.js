// The module worker's entry: instantiates the Rust handler once per isolate and
// hands it every request. Everything else happens in Rust (src/edge.rs).
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
