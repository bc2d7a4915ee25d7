// Touchpoint on a server (Node, and server-side rendering in Next.js, Nuxt,
// SvelteKit, Astro or Vite): there is no page to record, so the page
// functions do nothing; the classifier and redactor work, from the package's
// own files.
import { readFile } from 'node:fs/promises';
import { TouchpointError, useWidget, classify, redact } from './classifier.js';

export { TouchpointError, classify, redact };

const file = (path) => readFile(new URL(path, import.meta.url));

/** Loads the classifier from the package's files (or `options.modelBytes`). */
export function loadClassifier(options = {}) {
  return useWidget(async () => {
    const widget = await import('./widget/touchpoint_widget.js');
    widget.initSync({ module: await file('./widget/touchpoint_widget_bg.wasm') });
    widget.setModel(options.modelBytes ?? (await file('./widget/touchpoint.tpcm')), options.rules);
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
