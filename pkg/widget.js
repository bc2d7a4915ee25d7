// `touchpoint/widget`: the classifier on its own, and a way to fetch the
// conversation panel ahead of the first click. The panel itself opens
// through `open()` of the main entry or the launcher.
export { TouchpointError, classify, redact, loadClassifier } from './index.js';
import { loadClassifier } from './index.js';

/** Downloads and compiles the widget and its model now, so the first open is instant. */
export const preload = (options) => loadClassifier(options);
