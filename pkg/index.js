// Touchpoint for front-end teams: `import { init } from 'touchpoint'`.
// The recorder starts at once; the conversation widget is imported only when
// the visitor reaches for the launcher (a resting pointer or focus). Importing this module does nothing by
// itself, so it is safe in server-side rendering: every function is a no-op
// outside a browser (Node gets `server.js` through the package's exports).
import { TouchpointError, useClassifier, classify, redact } from './classifier.js';

export { TouchpointError, classify, redact };

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';
const OPTOUT_KEY = 'touchpoint.optout';

let started = null;
// Resolves, once init() has started, with whether it did: page functions
// called before init() wait for it (as the script tag's queue does), and
// after a refused start do nothing.
let announceStart;
const firstStart = new Promise((resolve) => { announceStart = resolve; });
let recorder = null;
let settings = null;
let user;
let panelOpen = false;
let debugging = false;
let panel = null;

// A model request that has not answered in this long is given up, so that
// loadClassifier() settles (the panel never waits for the model).
const MODEL_TIMEOUT_MS = 10_000;

// The package's own files, from where the bundler put them; or, with
// `assets`, from that base URL (for bundlers that do not ship files named by
// `new URL(…, import.meta.url)`, such as esbuild: copy the package's
// `recorder/` and `widget/` folders there). Each default is a literal
// `new URL('./…', import.meta.url)`, the form Vite, webpack and Rollup see.
const fromAssets = (assets, path) => (assets ? new URL(path, new URL(assets.replace(/\/*$/, '/'), location.href)) : undefined);

async function fetchModel(url) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), MODEL_TIMEOUT_MS);
  try {
    const response = await fetch(url, { signal: abort.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw abort.signal.aborted ? new Error(`no answer within ${MODEL_TIMEOUT_MS / 1000} s`) : error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Loads the classifier (the widget's wasm and the built-in model, or the
 * site's own model) so that classify() and redact() can be called. A site
 * model that fails to load or check is reported on the console and the
 * built-in model is used; rejects with a TouchpointError when neither loads.
 */
export function loadClassifier(options = {}) {
  if (!inBrowser) return Promise.reject(new TouchpointError('not_in_browser', 'touchpoint: loadClassifier() runs in a browser or in Node; this runtime has neither a page nor Node\'s files (an edge function?): classify in the browser, or in a Node server route'));
  return loadModel(options, true);
}

// Whose model the classifier holds, for one page: the app's (a call naming a
// model or rules) wins over the site's (after init(), what the widget loads),
// which wins over the built-in one. A call naming nothing (`preload()`, the
// widget's own) shares what is loaded, unless the site's model should
// replace the built-in one; what a call leaves out comes from init()'s settings.
let appChose = false;
function loadModel(options, fromApp) {
  const own = options.siteModelUrl !== undefined || options.modelUrl !== undefined || options.rules !== undefined;
  if (fromApp && own) appChose = true;
  const chosen = settings ? { ...classifierOptions(settings), ...options } : options;
  const key = own || !appChose ? JSON.stringify([chosen.siteModelUrl, String(chosen.modelUrl ?? ''), chosen.rules ?? null]) : undefined;
  const assets = chosen.assets ?? settings?.assets;
  return useClassifier(() => loadPanel(chosen.wasmUrl ?? fromAssets(assets, 'widget/touchpoint_widget_bg.wasm')), key, async (widget) => {
    if (chosen.siteModelUrl) {
      try {
        widget.setModel(await fetchModel(chosen.siteModelUrl), chosen.rules);
        return;
      } catch (error) {
        warn(`the site's model at ${chosen.siteModelUrl} was not loaded (${error?.message ?? error}); using the built-in model.`);
      }
    }
    const builtin = String(chosen.modelUrl ?? fromAssets(assets, 'widget/touchpoint.tpcm')
      ?? new URL('./widget/touchpoint.tpcm', import.meta.url));
    try {
      widget.setModel(await fetchModel(builtin), chosen.rules);
    } catch (error) {
      throw new TouchpointError('model_unavailable', `touchpoint: the built-in model at ${builtin} was not loaded (${error?.message ?? error})`
        + (chosen.modelUrl ? '' : ': serve the package\'s widget/ folder and set `assets` to its URL if your bundler does not ship it'));
    }
  }).then(() => undefined);
}

// The widget's module with its wasm ready (the model is loadClassifier's).
function loadPanel(wasmUrl) {
  panel ??= import('./widget/touchpoint_widget.js').then(async (widget) => {
    const url = wasmUrl ?? new URL('./widget/touchpoint_widget_bg.wasm', import.meta.url);
    try {
      await widget.default({ module_or_path: url });
    } catch (error) {
      throw unavailable(url, error);
    }
    return widget;
  });
  panel.catch(() => { panel = null; });
  return panel;
}

const unavailable = (url, error) => new TouchpointError('wasm_unavailable', `touchpoint: ${url} was not loaded (${error?.message ?? error})`
  + fix(String(error?.message ?? error)));

// What to do about a wasm that did not load, from what the browser said: a
// file that arrived but was refused needs a header or a policy, not a path.
function fix(said) {
  if (/MIME/i.test(said)) return ': serve .wasm files with Content-Type: application/wasm';
  if (/unsafe-eval|Content Security Policy/i.test(said)) return ': allow \'wasm-unsafe-eval\' in the page\'s Content-Security-Policy (script-src)';
  return ': serve the package\'s recorder/ and widget/ folders and set `assets` to their URL if your bundler does not ship them';
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
const classifierOptions = ({ model, backend, endpoint, site, assets }) => ({
  siteModelUrl: model ?? (backend ? undefined : `${endpoint}/v1/sites/${encodeURIComponent(site)}/model`), assets,
});

// The panel opens as soon as the wasm is ready; the model follows (a message
// sent before it lands, or if it never does, is redacted, only not labelled),
// and an open panel draws again when it lands, labelling a draft typed before.
async function openWidget(shadowRoot, config) {
  let widget;
  const show = () => widget.openWidget(shadowRoot, widgetConfig(config));
  // Handled before the wasm is awaited, so a failed load is reported either way.
  loadModel({}, false).then(() => widget && panelOpen && show(), warn);
  widget = await loadPanel(fromAssets(config.assets, 'widget/touchpoint_widget_bg.wasm'));
  show();
}

// A conversation started on an earlier page: follow it, so replies show on the launcher.
function followConversation(config) {
  let ongoing = false;
  try { ongoing = !!localStorage.getItem(`touchpoint:conversation:${config.site}`); } catch { /* storage blocked */ }
  const root = launcherRoot();
  if (ongoing && root) {
    loadPanel(fromAssets(config.assets, 'widget/touchpoint_widget_bg.wasm'))
      .then((w) => w.followWidget(root, widgetConfig(config)))
      .catch(warn);
  }
}

// Touchpoint's own errors already begin "touchpoint: "; said once.
function warn(error) { console.warn('Touchpoint:', String(error?.message ?? error).replace(/^touchpoint: /, '')); }

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
 * when the settings are incomplete (without using up the start) or the worker
 * refuses this page's origin.
 */
export function init(config) {
  if (!inBrowser) return Promise.resolve(false);
  // Settings that are not there yet (an app that loads them late) do not
  // use up the start: a later init() with them still starts.
  if (!started && (!config || typeof config.site !== 'string' || typeof config.endpoint !== 'string' || !config.site || !config.endpoint)) {
    return Promise.reject(new TouchpointError('invalid_config', 'touchpoint: init needs { site, endpoint } strings'));
  }
  if (!started) {
    started = (async () => {
      settings = { debug: debugging, ...config, endpoint: config.endpoint.replace(/\/+$/, '') };
      const { loadRecorder, startRecorder, mountLauncher } = await import('./recorder/page.js');
      const recorderUrl = fromAssets(settings.assets, 'recorder/touchpoint_recorder_bg.wasm')
        ?? new URL('./recorder/touchpoint_recorder_bg.wasm', import.meta.url);
      const [recorderModule] = await Promise.all([
        // A wasm sent as application/octet-stream is loaded whole, with a warning.
        loadRecorder(recorderUrl, warn).catch((error) => { throw unavailable(recorderUrl, error); }),
        checkSite(settings.endpoint, settings.site),
      ]);
      // Opening the panel sends the events that wait, so a conversation
      // started soon after arriving has this page as its context.
      window.addEventListener('touchpoint:open', () => { panelOpen = true; recorder?.flush(); });
      window.addEventListener('touchpoint:close', () => { panelOpen = false; });
      let reported = false;
      recorder = optedOut() ? null : startRecorder(recorderModule, settings, (error) => {
        if (!reported) warn(error);
        reported = true;
      });
      // Loading starts when the visitor reaches for the launcher; the click
      // opens it. A browser that cannot draw it (no constructable style
      // sheets before Safari 16.4) keeps recording, and says why once.
      try {
        mountLauncher(settings, (root) => { openWidget(root, settings).catch(warn); },
          () => { loadModel({}, false).catch(() => {}); });
      } catch (error) {
        warn(`the launcher could not be drawn (${error?.message ?? error}); recording goes on`);
      }
      if (settings.debug) console.debug(`Touchpoint: ${recorder ? 'recording' : 'not recording'} for site ${settings.site}`);
      followConversation(settings);
      return !!recorder;
    })();
    started.catch((error) => warn(error));
    // Whether it started, as a promise that never rejects: a refusal is
    // init()'s to report, and must not surface again as an unhandled one.
    announceStart(started.then(() => true, () => false));
  }
  return started;
}

// Page functions wait for init(); after a start that failed (init() rejected,
// and the reason was logged once) they do nothing rather than reject again,
// so a call outside the app's try/catch never becomes an unhandled rejection.
// A call that waits, on a page where init() never comes (a settings fetch
// that failed, an init() left out), is said once on the console after 10 s
// rather than waiting without a word.
let waitSaid = false;
let waitTimer = null;
async function afterStart(action) {
  if (!inBrowser) return;
  if (!started && !waitSaid && !waitTimer) {
    waitTimer = setTimeout(() => {
      if (!started) warn('page functions wait for init({ site, endpoint }), which has not started Touchpoint on this page 10 s after the first call');
      waitSaid = true;
    }, 10_000);
    firstStart.then(() => clearTimeout(waitTimer));
  }
  if (await firstStart) action();
}

/** Records a custom event with string, number or boolean props. An event
 * without a name would be refused by the worker: said on the console instead. */
export const track = (name, props) => afterStart(() => {
  if (typeof name !== 'string' || !name.trim()) warn(`track() needs the event's name as a string, not ${JSON.stringify(name) ?? typeof name}`);
  else recorder?.track(name, props);
});
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
