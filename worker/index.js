// The module worker's entry: instantiates the Rust handler once per isolate and
// hands it every request. Everything else happens in Rust (src/edge.rs).
import wasmModule from './touchpoint_worker_bg.wasm';
import { initSync, handleFetch } from './touchpoint_worker.js';

let ready = false;

export default {
  async fetch(request, env) {
    try {
      if (!ready) {
        initSync({ module: wasmModule });
        ready = true;
      }
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
};
