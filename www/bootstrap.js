// Touchpoint script-tag bootstrap. The build wraps the page script (page.js:
// the recorder's loader and plumbing, the launcher) and this file in one
// closure: touchpoint.js.
//
//   <script src="https://touchpoint.example/touchpoint.js" data-site="SITE_KEY"
//           data-endpoint="https://touchpoint.example" async></script>
//
// Calls made before it loads are queued by the one-line stub
//   window.touchpoint = window.touchpoint || function(){(touchpoint.q = touchpoint.q || []).push(arguments)}
// and replayed in order. It asks the worker whether this page's origin may
// record for the site, then starts the recorder and the launcher; the
// conversation widget is imported only when the visitor reaches for the
// launcher (hover, focus or touch: the click then waits less).
// Files load from the script's own folder (or `data-assets`), so the folder
// can be served from the worker, a CDN or the site itself. Any failure is
// logged once and the host page is left as it was.
// A module script (`type="module"`) has no currentScript: found by its file name.
var script = document.currentScript || document.querySelector('script[src*="touchpoint.js"]');
if (window.__touchpoint_booted) return;
window.__touchpoint_booted = true;

var attr = (name) => script?.getAttribute('data-' + name);
var src = script?.src || '/';
// Where the recorder's wasm and the widget are: `data-assets`, else beside the script.
var base = attr('assets') ? new URL(attr('assets').replace(/\/?$/, '/'), location.href).href : src.replace(/[^/]*$/, '');
var queued = window.touchpoint?.q || [];
// Settings left out are null: the launcher and the widget use their defaults.
var config = {
  site: attr('site'),
  endpoint: attr('endpoint') || new URL(src, location.href).origin,
  recordAutomation: attr('record-automation') === 'true',
  debug: attr('debug') === 'true',
  skipDntVisitors: attr('dnt') === 'skip',
  teams: attr('teams')?.split(','),
  // Request headers (JSON) for `data-backend`, the widget's own HTTPS endpoint
  // when the site takes its messages itself (README: "Your own backend").
  backendHeaders: attr('backend-headers'),
};
['label', 'model', 'locale', 'position', 'color', 'icon', 'backend'].forEach((name) => (config[name] = attr(name)));
var reported = false;
var ready = false;
var recorder = null;
var later = [];

function fail(error) {
  if (!reported) {
    reported = true;
    console.warn('Touchpoint: not available on this page:', error);
  }
}
// A refusal the page can act on: `code` is the worker's (origin_not_allowed,
// unknown_site), the message the worker's own explanation.
function refusal(error) {
  return Object.assign(Error(error.message), { name: 'TouchpointError', code: error.code, origin: location.origin });
}
function debug(message) { if (config.debug) console.debug('Touchpoint: ' + message); }
// A persistent opt-out, kept even without consent: it is the visitor's wish.
// (storageGet/storageSet are page.js's, in the same bundle.)
var OPTOUT_KEY = 'touchpoint.optout';

var widget = null;
function loadWidget() {
  if (!widget) {
    widget = import(base + 'widget/touchpoint_widget.js').then((module) => {
      return module.default({ module_or_path: base + 'widget/touchpoint_widget_bg.wasm' }).then(() => {
        // The settings say where the model is: `data-model`, else the site's
        // model from the worker (the default model until the site has one).
        // The panel opens without waiting for it (a message sent before it
        // lands, or if it never does, is redacted, only not labelled), and an
        // open panel draws again when it lands, labelling a draft typed before.
        module.loadModel(config, base + 'widget/touchpoint.tpcm')
          .then(() => panelOpen && openPanel(), (e) => console.warn('Touchpoint:', e));
        return module;
      });
    });
    widget.catch(() => (widget = null));
  }
  return widget;
}
var user;
// Every setting goes to the widget, which reads what it knows.
function widgetConfig() {
  return Object.assign({ user: user }, config);
}
// The launcher's shadow root, where the widget mounts its panel.
var launcher = null;
function openWidget(shadowRoot) {
  loadWidget().then((module) => module.openWidget(shadowRoot, widgetConfig())).catch(fail);
}
// A conversation the visitor started on an earlier page: follow it, so the
// launcher shows replies that arrive (the widget loads only for such visitors).
function followConversation() {
  if (storageGet('touchpoint:conversation:' + config.site)) {
    loadWidget().then((module) => module.followWidget(launcher, widgetConfig())).catch(fail);
  }
}
var panelOpen = false;
// Opening the panel sends the events that wait, so a conversation started
// soon after arriving has this page as its context.
addEventListener('touchpoint:open', () => (panelOpen = true, recorder?.flush()));
addEventListener('touchpoint:close', () => (panelOpen = false));
function openPanel() { if (launcher) openWidget(launcher); }
function closePanel() { widget?.then((module) => module.closeWidget()).catch(fail); }

// The page's API: touchpoint('track', name, props) or touchpoint.track(name, props).
var methods = {
  optout: () => {
    storageSet(OPTOUT_KEY, '1');
    recorder?.stop();
    recorder = null;
  },
  optin: () => storageSet(OPTOUT_KEY),
  debug: (on) => (config.debug = on !== false),
  open: openPanel,
  close: closePanel,
  toggle: () => (panelOpen ? closePanel : openPanel)(),
  // on('open' | 'close' | 'message' | 'unread' | 'submit', fn): fn receives the event's detail.
  on: (name, fn) => {
    if (typeof fn === 'function') addEventListener('touchpoint:' + name, (event) => fn(event.detail));
  },
  // After load too (an `async` tag may run before the page's init block):
  // the hooks and the widget's settings are read from `config` when used.
  // The site and the endpoint stay those the recorder started with.
  init: (settings) => Object.assign(config, settings, { site: config.site, endpoint: config.endpoint }),
};
['track', 'page', 'flush', 'consent', 'identify'].forEach((method) => {
  methods[method] = (a, b) => {
    if (method === 'identify') user = { id: String(a), hmac: String(b || '') };
    recorder?.[method](a, b);
  };
});
function call(method, args) {
  if (!ready) { later.push([method, args]); return; }
  try {
    if (methods.hasOwnProperty(method)) methods[method](...args);
    else debug('unknown method ' + method);
  } catch (error) { fail(error); }
}
var api = (method, ...args) => call(method, args);
var started, refused;
// Resolves once the recorder runs (to whether this visit is recorded);
// rejects with a TouchpointError when the worker refuses this page's origin.
api.ready = new Promise((resolve, reject) => { started = resolve; refused = reject; });
// Handled here, so a page that never awaits it logs no uncaught rejection.
api.ready.catch(() => {});
Object.keys(methods).forEach((method) => {
  api[method] = (...args) => call(method, args);
});
// Calls queued before the script loaded: `init` settings apply first, the rest replay in order.
for (var [method, ...args] of queued) {
  if (method === 'init') Object.assign(config, args[0]);
  else later.push([method, args]);
}
window.touchpoint = api;

// User Timing entries let a site see the recorder's main-thread cost.
function timed(name, work) {
  var start = performance.now(), result = work();
  performance.measure(name, { start });
  return result;
}
var endpoint = config.endpoint = String(config.endpoint).replace(/\/+$/, '');
if (!config.site) {
  started(false);
  fail('data-site is missing');
} else {
  // Asked before anything is recorded: a page whose origin the site does not
  // allow says so once, by name, instead of posting events that are refused.
  // Each started inside a promise: a page's `fetch` that throws at once (or
  // a browser without WebAssembly) rejects it instead of breaking the page.
  var check = new Promise((resolve) => resolve(fetch(endpoint + '/v1/sites/' + encodeURIComponent(config.site) + '/check'))).then((response) => {
    if (response.status === 403 || response.status === 404) {
      return response.json().then((body) => { throw refusal(body.error); });
    }
  }, () => { /* unreachable now: the recorder's events wait and are retried */ });
  // A wasm that does not load or compile (a Content Security Policy without
  // 'wasm-unsafe-eval') is a TouchpointError too, as with the npm package.
  var recorderUrl = base + 'touchpoint_recorder_bg.wasm';
  Promise.all([new Promise((resolve) => resolve(loadRecorder(recorderUrl, (said) => console.warn('Touchpoint: ' + said)))).catch((error) => {
    throw refusal({ code: 'wasm_unavailable', message: recorderUrl + ' was not loaded (' + error + ')' });
  }), check])
    .then(([recorderModule]) => {
      var optedOut = storageGet(OPTOUT_KEY);
      recorder = timed('touchpoint:start', () => (optedOut ? null : startRecorder(recorderModule, config, fail)));
      debug(recorder ? 'recording for site ' + config.site : 'not recording: ' + (optedOut ? 'opted out'
        : navigator.webdriver && !config.recordAutomation ? 'automation' : 'Do Not Track'));
      // A `backend` the widget will refuse (domain::interaction::Transport::
      // choose) shows no launcher that would open nothing (tests/backend_rule.rs
      // holds the two to the same answers).
      var backend = config.backend?.trim().toLowerCase();
      launcher = backend && !/^(https:\/\/[^/]|http:\/\/(localhost|127\.0\.0\.1|\[::1\])([:/]|$))/.test(backend)
        ? fail('`backend` (data-backend) must be an https:// URL')
        : timed('touchpoint:launcher', () => mountLauncher(config, openWidget, loadWidget));
      ready = true;
      later.splice(0).forEach((c) => call(...c));
      started(!!recorder);
      followConversation();
    })
    .catch((error) => { refused(error); fail(error); });
}
