// Touchpoint on a server (Node, and server-side rendering in Next.js, Nuxt,
// SvelteKit, Astro or Vite): there is no page to record, so the page
// functions do nothing; the classifier and redactor work, from the package's
// own files.
import { readFile } from 'node:fs/promises';
import { TouchpointError, useWidget, classify, redact } from './classifier.js';

export { TouchpointError, classify, redact };

const file = (path) => readFile(new URL(path, import.meta.url));

const reason = (error) => String(error?.message ?? error).replace(/^touchpoint: /, '');

/**
 * Loads the classifier from the package's files (or `options.modelBytes`).
 * Model bytes that fail their checks (a file from a newer Touchpoint, or a
 * damaged one) are reported on the console and the built-in model is used,
 * as in the browser; rejects with a TouchpointError when that fails too.
 */
export function loadClassifier(options = {}) {
  return useWidget(async () => {
    let widget;
    try {
      widget = await import('./widget/touchpoint_widget.js');
      widget.initSync({ module: await file('./widget/touchpoint_widget_bg.wasm') });
    } catch (error) {
      throw new TouchpointError('wasm_unavailable', `touchpoint: the classifier's wasm did not load (${reason(error)})`);
    }
    if (options.modelBytes) {
      try {
        widget.setModel(options.modelBytes, options.rules);
        return widget;
      } catch (error) {
        console.warn('Touchpoint:', `the model given as modelBytes was not loaded (${reason(error)}); using the built-in model.`);
      }
    }
    try {
      widget.setModel(await file('./widget/touchpoint.tpcm'), options.rules);
    } catch (error) {
      throw new TouchpointError('model_unavailable', `touchpoint: the built-in model was not loaded (${reason(error)})`);
    }
    return widget;
  }).then(() => undefined);
}

const nothing = () => Promise.resolve();
/** No page here: resolves to false (nothing is recorded). */
export const init = () => Promise.resolve(false);
export const track = nothing;
export const page = nothing;
export const flush = nothing;
export const consent = nothing;
export const identify = nothing;
export const open = nothing;
export const close = nothing;
export const toggle = nothing;
export const optOut = () => {};
export const optIn = () => {};
export const debug = () => {};
export const on = () => () => {};
