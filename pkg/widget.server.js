// `touchpoint/widget` on a server: the classifier works; there is no panel to preload.
export { TouchpointError, classify, redact, loadClassifier } from './server.js';
export const preload = () => Promise.resolve();
