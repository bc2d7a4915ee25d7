// Touchpoint for front-end teams: `import { init } from 'touchpoint'`.
// The recorder starts at once; the conversation widget is imported only when
// the visitor opens the launcher.
import { loadRecorder, startRecorder, mountLauncher } from './recorder/page.js';

let started = null;
let recorder = null;
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

let settings = null;
let user;
const widgetConfig = ({ site, endpoint, locale, teams }) => ({ site, endpoint, locale, teams, user });
const launcherRoot = () => document.querySelector('[data-touchpoint-launcher]')?.shadowRoot;
let panelOpen = false;
window.addEventListener('touchpoint:open', () => { panelOpen = true; });
window.addEventListener('touchpoint:close', () => { panelOpen = false; });

async function openWidget(shadowRoot, config) {
  (await loadWidget()).openWidget(shadowRoot, widgetConfig(config));
}

// A conversation started on an earlier page: follow it, so replies show on the launcher.
function followConversation(config) {
  let ongoing = false;
  try { ongoing = !!localStorage.getItem(`touchpoint:conversation:${config.site}`); } catch { /* storage blocked */ }
  const root = launcherRoot();
  if (ongoing && root) loadWidget().then((w) => w.followWidget(root, widgetConfig(config))).catch((e) => console.warn('Touchpoint widget could not load:', e));
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
      const recorderModule = await loadRecorder(new URL('./recorder/touchpoint_recorder_bg.wasm', import.meta.url));
      settings = config;
      mountLauncher(config, (root) => {
        openWidget(root, config).catch((error) => console.warn('Touchpoint widget could not load:', error));
      });
      let reported = false;
      recorder = startRecorder(recorderModule, config, (error) => {
        if (!reported) console.warn('Touchpoint recorder stopped:', error);
        reported = true;
      });
      followConversation(config);
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
export const track = (name, props) => afterStart(() => recorder?.track(name, props));
/** Records a page view now (for navigations the recorder cannot observe). */
export const page = () => afterStart(() => recorder?.page());
/** Sends every waiting event now. */
export const flush = () => afterStart(() => recorder?.flush());
/** Records the visitor's consent to a stored visitor id and queue. */
export const consent = (state) => afterStart(() => recorder?.consent(state));
/** Identifies the visitor as your user; `hmac` is HMAC-SHA256(userId) under the site's identity secret. */
export const identify = (userId, hmac) => afterStart(() => {
  user = { id: String(userId), hmac: String(hmac) };
  recorder?.identify(user.id, user.hmac);
});
/** Opens the conversation panel (loading the widget if needed). */
export const open = () => afterStart(() => { const root = launcherRoot(); if (root) openWidget(root, settings); });
/** Closes the panel; it keeps following the conversation. */
export const close = () => afterStart(() => { widgetReady?.then((w) => w.closeWidget()); });
/** Opens the panel when closed, closes it when open. */
export const toggle = () => (panelOpen ? close() : open());
/** Listens for 'open', 'close', 'message' ({ name, text, at }) or 'unread' (a count). */
export function on(event, listener) {
  const handler = (e) => listener(e.detail);
  window.addEventListener(`touchpoint:${event}`, handler);
  return () => window.removeEventListener(`touchpoint:${event}`, handler);
}
