// Touchpoint for front-end teams: `import { init } from 'touchpoint'`.
// The recorder starts at once; the conversation widget is imported only when
// the visitor opens the launcher.
import initRecorder, { startRecorder, track as recordEvent, page as recordPage, flush as flushEvents, consent as setConsent, identify as setIdentity } from './recorder/touchpoint_recorder.js';

let started = null;
let widgetReady = null;

// The widget and its classifier model are fetched once, on first open.
function loadWidget() {
  widgetReady ??= (async () => {
    const widget = await import('./widget/touchpoint_widget.js');
    await widget.default({ module_or_path: new URL('./widget/touchpoint_widget_bg.wasm', import.meta.url) });
    await widget.loadModel(undefined, new URL('./widget/touchpoint.tpcm', import.meta.url).href);
    return widget;
  })();
  return widgetReady;
}

async function openWidget(shadowRoot, config) {
  const { site, endpoint, locale, teams } = config;
  (await loadWidget()).openWidget(shadowRoot, { site, endpoint, locale, teams });
}

/**
 * Starts Touchpoint on this page. Calling it again returns the first start.
 * @param {import('./index.js').TouchpointConfig} config
 */
export function init(config) {
  if (!started) {
    started = (async () => {
      if (!config || !config.site || !config.endpoint) {
        throw new Error('touchpoint: init needs { site, endpoint }');
      }
      await initRecorder({ module_or_path: new URL('./recorder/touchpoint_recorder_bg.wasm', import.meta.url) });
      startRecorder({ label: 'Talk to us', ...config }, (root) => {
        openWidget(root, config).catch((error) => console.warn('Touchpoint widget could not load:', error));
      });
    })();
  }
  return started;
}

async function afterStart(action) {
  if (!started) throw new Error('touchpoint: call init() first');
  await started;
  action();
}

/** Records a custom event with string, number or boolean props. */
export const track = (name, props) => afterStart(() => recordEvent(String(name), props));
/** Records a page view now (for navigations the recorder cannot observe). */
export const page = () => afterStart(() => recordPage());
/** Sends every waiting event now. */
export const flush = () => afterStart(() => flushEvents());
/** Records the visitor's consent to a stored visitor id and queue. */
export const consent = (state) => afterStart(() => setConsent(state));
/** Identifies the visitor as your user; `hmac` is HMAC-SHA256(userId) under the site's identity secret. */
export const identify = (userId, hmac) => afterStart(() => setIdentity(String(userId), String(hmac)));
