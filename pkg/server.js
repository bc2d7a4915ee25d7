// Touchpoint on a server (Node, and server-side rendering in Next.js, Nuxt,
// SvelteKit, Astro or Vite): there is no page to record, so the page
// functions do nothing; the classifier and redactor work, from the package's
// own files.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TouchpointError, useClassifier, classify, redact } from './classifier.js';

export { TouchpointError, classify, redact };

// The package's files beside this module, as Node and Next's file tracing
// (`serverExternalPackages`) find them. Read by the URL's text: a bundler
// that inlines this file hands back its own URL object, which `readFile`
// refuses with a message that helps nobody.
const WASM = () => new URL('./widget/touchpoint_widget_bg.wasm', import.meta.url);
const MODEL = () => new URL('./widget/touchpoint.tpcm', import.meta.url);
const read = (url) => readFile(fileURLToPath(String(url)));

const reason = (error) => String(error?.message ?? error).replace(/^touchpoint: /, '');
const BUNDLED = ': a server bundle that inlines touchpoint does not ship its files: keep it external '
  + '(Next.js: serverExternalPackages: [\'touchpoint\']; Vite: no ssr.noExternal for it), '
  + 'or pass wasmBytes and modelBytes (the package\'s widget/touchpoint_widget_bg.wasm and touchpoint/model.tpcm)';

// A model is named by its bytes (the same array, not equal contents: the
// check stays cheap) and its rules: a route that passes the same bytes on
// every request loads them once.
const named = new WeakMap();
let names = 0;
const nameOf = (bytes) => {
  if (!named.has(bytes)) named.set(bytes, ++names);
  return named.get(bytes);
};

/**
 * Loads the classifier from the package's files (or `options.wasmBytes` and
 * `options.modelBytes`). Model bytes that fail their checks (a file from a
 * newer Touchpoint, or a damaged one) are reported on the console and the
 * built-in model is used, as in the browser; rejects with a TouchpointError
 * when that fails too. The model is the process's: a later call with other
 * `modelBytes` or `rules` loads those for every caller after it; one naming
 * neither shares what is loaded.
 */
export function loadClassifier(options = {}) {
  const own = options.modelBytes !== undefined || options.rules !== undefined;
  return useClassifier(async () => {
    try {
      const widget = await import('./widget/touchpoint_widget.js');
      widget.initSync({ module: options.wasmBytes ?? await read(WASM()) });
      return widget;
    } catch (error) {
      throw new TouchpointError('wasm_unavailable', `touchpoint: the classifier's wasm did not load (${reason(error)})`
        + (options.wasmBytes ? '' : BUNDLED));
    }
  }, own ? JSON.stringify([options.modelBytes ? nameOf(options.modelBytes) : 0, options.rules ?? null]) : undefined, async (widget) => {
    if (options.modelBytes) {
      try {
        widget.setModel(options.modelBytes, options.rules);
        return;
      } catch (error) {
        console.warn('Touchpoint:', `the model given as modelBytes was not loaded (${reason(error)}); using the built-in model.`);
      }
    }
    try {
      widget.setModel(await read(MODEL()), options.rules);
    } catch (error) {
      throw new TouchpointError('model_unavailable', `touchpoint: the built-in model was not loaded (${reason(error)})${BUNDLED}`);
    }
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
