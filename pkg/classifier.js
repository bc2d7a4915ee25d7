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
let wasm = null;
let model = null;
let modelKey;

/**
 * Loads the widget's wasm once (`loadWasm`, resolving to the initialised
 * wasm-bindgen module) and then the model a call asks for (`setModel(module)`),
 * after any load before it. `key` names that model: a call with the key of
 * the model loaded (or loading) shares it, and so does one with no key
 * (`undefined`: "whatever is loaded"); a call with another key loads its own,
 * so a `preload()` or a first call with the built-in model does not keep a
 * later one from the site's model or rules. Not part of the public API.
 */
export function useClassifier(loadWasm, key, setModel) {
  if (model && (key === undefined || key === modelKey)) return model;
  if (!wasm) {
    wasm = loadWasm();
    wasm.catch(() => { wasm = null; });
  }
  const module = wasm;
  const loading = (model ?? Promise.resolve()).catch(() => {})
    .then(() => module)
    .then(async (ready) => { await setModel(ready); widget = ready; });
  model = loading;
  modelKey = key;
  loading.catch(() => { if (model === loading) model = null; });
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
