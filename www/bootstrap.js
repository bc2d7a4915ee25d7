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
// conversation widget is imported only when the visitor opens the launcher.
// Files load from the script's own folder (or `data-assets`), so the folder
// can be served from the worker, a CDN or the site itself. Any failure is
// logged once and the host page is left as it was.
var script = document.currentScript;
if (window.__touchpoint_booted) return;
window.__touchpoint_booted = true;

var attr = function (name) { return script && script.getAttribute('data-' + name); };
var src = script && script.src ? script.src : '/';
// Where the recorder's wasm and the widget are: `data-assets`, else beside the script.
var base = attr('assets') ? new URL(attr('assets').replace(/\/?$/, '/'), location.href).href : src.replace(/[^/]*$/, '');
var queued = (window.touchpoint && window.touchpoint.q) || [];
// Settings left out are null: the launcher and the widget use their defaults.
var config = {
  site: attr('site'),
  endpoint: attr('endpoint') || new URL(src, location.href).origin,
  label: attr('label'),
  model: attr('model'),
  recordAutomation: attr('record-automation') === 'true',
  debug: attr('debug') === 'true',
  skipDntVisitors: attr('dnt') === 'skip',
  locale: attr('locale'),
  position: attr('position'),
  color: attr('color'),
  icon: attr('icon'),
  teams: attr('teams') ? attr('teams').split(',') : undefined,
};
var reported = false;
var ready = false;
var recorder = null;
var later = [];

function fail(error) {
  if (!reported) {
    reported = true;
    console.warn('Touchpoint is not available on this page:', error);
  }
}
// A refusal the page can act on: `code` is the worker's (origin_not_allowed,
// unknown_site), the message the worker's own explanation.
function refusal(error) {
  return Object.assign(new Error(error.message), { name: 'TouchpointError', code: error.code, origin: location.origin });
}
function debug(message) { if (config.debug) console.debug('Touchpoint: ' + message); }
// A persistent opt-out, kept even without consent: it is the visitor's wish.
// (storageGet/storageSet are page.js's, in the same bundle.)
var OPTOUT_KEY = 'touchpoint.optout';
function optedOut() { return storageGet(OPTOUT_KEY); }

var widget = null;
function loadWidget() {
  if (!widget) {
    widget = import(base + 'widget/touchpoint_widget.js').then(function (module) {
      return module.default({ module_or_path: base + 'widget/touchpoint_widget_bg.wasm' }).then(function () {
        return module.loadModel(config.model, base + 'widget/touchpoint.tpcm');
      }).then(function () {
        return module;
      });
    });
    widget.catch(function () { widget = null; });
  }
  return widget;
}
var user;
function widgetConfig() {
  return { site: config.site, endpoint: config.endpoint, locale: config.locale, teams: config.teams, user: user };
}
// The launcher's shadow root, where the widget mounts its panel.
var launcher = null;
function openWidget(shadowRoot) {
  loadWidget().then(function (module) { module.openWidget(shadowRoot, widgetConfig()); }).catch(fail);
}
// A conversation the visitor started on an earlier page: follow it, so the
// launcher shows replies that arrive (the widget loads only for such visitors).
function followConversation() {
  if (storageGet('touchpoint:conversation:' + config.site)) {
    loadWidget().then(function (module) { module.followWidget(launcher, widgetConfig()); }).catch(fail);
  }
}
var panelOpen = false;
window.addEventListener('touchpoint:open', function () { panelOpen = true; });
window.addEventListener('touchpoint:close', function () { panelOpen = false; });
function openPanel() { if (launcher) openWidget(launcher); }
function closePanel() { if (widget) widget.then(function (module) { module.closeWidget(); }).catch(fail); }

// The page's API: touchpoint('track', name, props) or touchpoint.track(name, props).
function call(method, args) {
  if (!ready) { later.push([method, args]); return; }
  try {
    if (method === 'identify') user = { id: String(args[0]), hmac: String(args[1] || '') };
    if (/^(track|page|flush|consent|identify)$/.test(method)) { if (recorder) recorder[method](args[0], args[1]); }
    else if (method === 'optout') {
      storageSet(OPTOUT_KEY, '1');
      if (recorder) recorder.stop();
      recorder = null;
    } else if (method === 'optin') {
      storageSet(OPTOUT_KEY);
    } else if (method === 'debug') config.debug = args[0] !== false;
    else if (method === 'open') openPanel();
    else if (method === 'close') closePanel();
    else if (method === 'toggle') { if (panelOpen) closePanel(); else openPanel(); }
    else if (method === 'on') on(String(args[0]), args[1]);
    else if (method !== 'init') debug('unknown method ' + method);
  } catch (error) { fail(error); }
}
// on('open' | 'close' | 'message' | 'unread', fn): fn receives the event's detail.
function on(name, fn) {
  if (typeof fn === 'function') window.addEventListener('touchpoint:' + name, function (event) { fn(event.detail); });
}
var api = function () { call(arguments[0], [].slice.call(arguments, 1)); };
var started, refused;
// Resolves once the recorder runs (to whether this visit is recorded);
// rejects with a TouchpointError when the worker refuses this page's origin.
api.ready = new Promise(function (resolve, reject) { started = resolve; refused = reject; });
// Handled here, so a page that never awaits it logs no uncaught rejection.
api.ready.catch(function () {});
['track', 'page', 'flush', 'consent', 'identify', 'init', 'open', 'close', 'toggle', 'on', 'optout', 'optin', 'debug'].forEach(function (method) {
  api[method] = function () { call(method, [].slice.call(arguments)); };
});
// Calls queued before the script loaded: `init` settings apply first, the rest replay in order.
for (var i = 0; i < queued.length; i++) {
  var args = [].slice.call(queued[i]);
  if (args[0] === 'init' && args[1]) Object.assign(config, args[1]);
  else later.push([args[0], args.slice(1)]);
}
window.touchpoint = api;

var endpoint = config.endpoint = String(config.endpoint).replace(/\/+$/, '');
if (!config.site) {
  started(false);
  fail('data-site is missing');
} else {
  // Asked before anything is recorded: a page whose origin the site does not
  // allow says so once, by name, instead of posting events that are refused.
  var check = fetch(endpoint + '/v1/sites/' + encodeURIComponent(config.site) + '/check').then(function (response) {
    if (response.status === 403 || response.status === 404) {
      return response.json().then(function (body) { throw refusal(body.error); });
    }
  }, function () { /* unreachable now: the recorder's events wait and are retried */ });
  Promise.all([loadRecorder(base + 'touchpoint_recorder_bg.wasm'), check])
    .then(function (loaded) {
      var recorderModule = loaded[0];
      // User Timing entries let a site see the recorder's main-thread cost.
      performance.mark('touchpoint:start');
      recorder = optedOut() ? null : startRecorder(recorderModule, config, fail);
      performance.measure('touchpoint:start', 'touchpoint:start');
      debug(recorder ? 'recording for site ' + config.site : 'not recording: ' + (optedOut() ? 'opted out'
        : navigator.webdriver && !config.recordAutomation ? 'automation' : 'Do Not Track'));
      performance.mark('touchpoint:launcher');
      launcher = mountLauncher(config, openWidget);
      performance.measure('touchpoint:launcher', 'touchpoint:launcher');
      ready = true;
      later.splice(0).forEach(function (c) { call(c[0], c[1]); });
      started(!!recorder);
      followConversation();
    })
    .catch(function (error) { refused(error); fail(error); });
}
