// Touchpoint for front-end teams: `import { init } from 'touchpoint'`.
// The recorder starts at once; the conversation widget is imported only when
// the visitor reaches for the launcher (a resting pointer or focus). Importing this module does nothing by
// itself, so it is safe in server-side rendering: every function is a no-op
// outside a browser (Node gets `server.js` through the package's exports).
import { TouchpointError, useWidget, classify, redact } from './classifier.js';

export { TouchpointError, classify, redact };

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';
const OPTOUT_KEY = 'touchpoint.optout';

let started = null;
let recorder = null;
let settings = null;
let user;
let panelOpen = false;
let debugging = false;
let panel = null;

/**
 * Loads the classifier (the widget's wasm and the built-in model, or the
 * site's own model) so that classify() and redact() can be called.
 */
export function loadClassifier(options = {}) {
  if (!inBrowser) return Promise.reject(new TouchpointError('not_in_browser', 'touchpoint: loadClassifier() needs a browser here'));
  return useWidget(async () => {
    const widget = await loadPanel(options.wasmUrl);
    await widget.loadModel(options.siteModelUrl,
      // A literal `new URL(…, import.meta.url)`: bundlers (Vite, webpack,
      // Rollup) see it and ship the file beside the app's chunks.
      String(options.modelUrl ?? new URL('./widget/touchpoint.tpcm', import.meta.url)), options.rules);
    return widget;
  }).then(() => undefined);
}

// The widget's module with its wasm ready (the model is loadClassifier's).
function loadPanel(wasmUrl) {
  panel ??= import('./widget/touchpoint_widget.js').then(async (widget) => {
    await widget.default({ module_or_path: wasmUrl ?? new URL('./widget/touchpoint_widget_bg.wasm', import.meta.url) });
    return widget;
  });
  panel.catch(() => { panel = null; });
  return panel;
}

const widgetConfig = ({ site, endpoint, locale, teams, backend, beforeSend }) => ({
  site, endpoint, locale, teams, user, beforeSend,
  // `backend`: a URL, or { url, headers }.
  backend: typeof backend === 'object' && backend ? backend.url : backend,
  backendHeaders: typeof backend === 'object' && backend ? backend.headers : undefined,
});
const launcherRoot = () => document.querySelector('[data-touchpoint-launcher]')?.shadowRoot;

// The site's model, as the script tag finds it: `model`, else the one the
// worker serves for the site (its default model until the site has its own);
// none for a site whose messages go to its own backend.
const siteModel = ({ model, backend, endpoint, site }) =>
  model ?? (backend ? undefined : `${endpoint}/v1/sites/${encodeURIComponent(site)}/model`);

// The panel opens as soon as the wasm is ready; the model follows (a message
// sent before it lands, or if it never does, is redacted, only not labelled),
// and an open panel draws again when it lands, labelling a draft typed before.
async function openWidget(shadowRoot, config) {
  let widget;
  const show = () => widget.openWidget(shadowRoot, widgetConfig(config));
  // Handled before the wasm is awaited, so a failed load is reported either way.
  loadClassifier({ siteModelUrl: siteModel(config) }).then(() => widget && panelOpen && show(), warn);
  widget = await loadPanel();
  show();
}

// A conversation started on an earlier page: follow it, so replies show on the launcher.
function followConversation(config) {
  let ongoing = false;
  try { ongoing = !!localStorage.getItem(`touchpoint:conversation:${config.site}`); } catch { /* storage blocked */ }
  const root = launcherRoot();
  if (ongoing && root) {
    loadPanel()
      .then((w) => w.followWidget(root, widgetConfig(config)))
      .catch(warn);
  }
}

function warn(error) { console.warn('Touchpoint:', error?.message ?? error); }

function optedOut() {
  try { return localStorage.getItem(OPTOUT_KEY) === '1'; } catch { return false; }
}

// Asks the worker whether this page's origin may record for the site.
async function checkSite(endpoint, site) {
  let response;
  try {
    response = await fetch(`${endpoint}/v1/sites/${encodeURIComponent(site)}/check`);
  } catch {
    return; // unreachable now: events wait in the queue and are retried
  }
  if (response.status === 403) {
    throw new TouchpointError('origin_not_allowed', `touchpoint: ${location.origin} may not record for site "${site}": `
      + `add it to the site's allowed origins (console Settings, or allowed_origins in PUT /v1/admin/sites/${site})`, location.origin);
  }
  if (response.status === 404) {
    throw new TouchpointError('unknown_site', `touchpoint: no site "${site}" is registered at ${endpoint}`);
  }
}

/**
 * Starts Touchpoint on this page. Calling it again returns the first start.
 * Resolves to whether this visit is recorded; rejects with a TouchpointError
 * when the settings are incomplete or the worker refuses this page's origin.
 */
export function init(config) {
  if (!inBrowser) return Promise.resolve(false);
  if (!started) {
    started = (async () => {
      if (!config || typeof config.site !== 'string' || typeof config.endpoint !== 'string' || !config.site || !config.endpoint) {
        throw new TouchpointError('invalid_config', 'touchpoint: init needs { site, endpoint } strings');
      }
      settings = { debug: debugging, ...config, endpoint: config.endpoint.replace(/\/+$/, '') };
      const { loadRecorder, startRecorder, mountLauncher } = await import('./recorder/page.js');
      const [recorderModule] = await Promise.all([
        loadRecorder(new URL('./recorder/touchpoint_recorder_bg.wasm', import.meta.url)),
        checkSite(settings.endpoint, settings.site),
      ]);
      window.addEventListener('touchpoint:open', () => { panelOpen = true; });
      window.addEventListener('touchpoint:close', () => { panelOpen = false; });
      // Loading starts when the visitor reaches for the launcher; the click opens it.
      mountLauncher(settings, (root) => { openWidget(root, settings).catch(warn); },
        () => { loadClassifier({ siteModelUrl: siteModel(settings) }).catch(() => {}); });
      let reported = false;
      recorder = optedOut() ? null : startRecorder(recorderModule, settings, (error) => {
        if (!reported) warn(error);
        reported = true;
      });
      if (settings.debug) console.debug(`Touchpoint: ${recorder ? 'recording' : 'not recording'} for site ${settings.site}`);
      followConversation(settings);
      return !!recorder;
    })();
    started.catch((error) => warn(error));
  }
  return started;
}

async function afterStart(action) {
  if (!inBrowser) return;
  if (!started) throw new TouchpointError('not_started', 'touchpoint: call init() first');
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
export const open = () => afterStart(() => { const root = launcherRoot(); if (root) openWidget(root, settings).catch(warn); });
/** Closes the panel; it keeps following the conversation. */
export const close = () => afterStart(() => { panel?.then((widget) => widget.closeWidget()).catch(warn); });
/** Opens the panel when closed, closes it when open. */
export const toggle = () => (panelOpen ? close() : open());
/** Stops recording on this device, now and on later visits, and deletes what it kept. */
export function optOut() {
  if (!inBrowser) return;
  try { localStorage.setItem(OPTOUT_KEY, '1'); } catch { /* storage blocked: this page only */ }
  recorder?.stop();
  recorder = null;
}
/** Undoes optOut(): recording resumes from the next page load. */
export function optIn() {
  if (!inBrowser) return;
  try { localStorage.removeItem(OPTOUT_KEY); } catch { /* storage blocked */ }
}
/** Logs each event sent and each recording decision to the console. */
export function debug(on = true) {
  debugging = on;
  if (settings) settings.debug = on;
}
/** Listens for 'open', 'close', 'message' ({ name, text, at }), 'unread' (a count) or
 * 'submit' (the classified interaction as it leaves, after `beforeSend`). */
export function on(event, listener) {
  if (!inBrowser) return () => {};
  const handler = (e) => listener(e.detail);
  window.addEventListener(`touchpoint:${event}`, handler);
  return () => window.removeEventListener(`touchpoint:${event}`, handler);
}
