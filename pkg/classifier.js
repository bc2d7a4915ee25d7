// The classifier and redactor, shared by the browser and the Node entry:
// `await loadClassifier()` once, then `classify(text)` and `redact(text)`
// answer synchronously. Before that they throw a TouchpointError.

/** An error Touchpoint can explain: `code` says what went wrong. */
export class TouchpointError extends Error {
  constructor(code, message, origin) {
    super(message);
    this.name = 'TouchpointError';
    this.code = code;
    if (origin !== undefined) this.origin = origin;
  }
}

let widget = null;
let loading = null;

/**
 * Loads the widget module once with `load` (which resolves to the
 * initialised wasm-bindgen module); every caller shares the first load.
 * Not part of the public API.
 */
export function useWidget(load) {
  if (!loading) {
    loading = load().then((module) => { widget = module; return module; });
    loading.catch(() => { loading = null; });
  }
  return loading;
}

function loaded() {
  if (!widget) {
    throw new TouchpointError('not_ready', 'touchpoint: `await loadClassifier()` before classify() or redact()');
  }
  return widget;
}

/** Classifies and redacts one message (see ClassifyResult in index.d.ts). */
export function classify(text) {
  return loaded().classify(String(text ?? ''));
}

/** Finds and redacts personal data in one message. */
export function redact(text) {
  return loaded().redact(String(text ?? ''));
}
