// `touchpoint/widget`: the classifier alone, and the panel fetched ahead of time.
export { TouchpointError, classify, redact, loadClassifier } from './index.js';
export type { ClassifyResult, RedactResult, PiiFinding, PiiKind, Topic, ClassifierOptions } from './index.js';
import type { ClassifierOptions } from './index.js';
/** Downloads and compiles the widget and its model now, so the first open is instant. */
export function preload(options?: ClassifierOptions): Promise<void>;
