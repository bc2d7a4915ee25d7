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

// A message is a string: anything else is the caller's mistake, said at
// once rather than classified as its `String()` ("undefined", "[object Object]").
function message(text, fn) {
  if (typeof text !== 'string') {
    throw new TouchpointError('invalid_argument', `touchpoint: ${fn}() takes the message as a string, not ${text === null ? 'null' : typeof text}`);
  }
  return text;
}

/** Classifies and redacts one message (see ClassifyResult in index.d.ts). */
export function classify(text) {
  return loaded().classify(message(text, 'classify'));
}

/** Finds and redacts personal data in one message. */
export function redact(text) {
  return loaded().redact(message(text, 'redact'));
}
