// Touchpoint script-tag bootstrap. The build wraps the page script (page.js:
// the recorder's loader and plumbing, the launcher) and this file in one
// closure: touchpoint.js.
//
//   <script src="https://touchpoint.example/touchpoint.js" data-site="SITE_KEY"
//           data-endpoint="https://touchpoint.example" async></script>
//
// Calls made before it loads are queued by the one-line stub
//   window.touchpoint = window.touchpoint || function(){(touchpoint.q = touchpoint.q || []).push(arguments)}
// and replayed in order. It starts the recorder and the launcher; the
// conversation widget is imported only when the visitor opens the launcher.
// Any failure is logged once and the host page is left as it was.
var script = document.currentScript;
if (window.__touchpoint_booted) return;
window.__touchpoint_booted = true;

var attr = function (name) { return script && script.getAttribute('data-' + name); };
var base = script && script.src ? script.src.replace(/[^/]*$/, '') : '/';
var queued = (window.touchpoint && window.touchpoint.q) || [];
// Settings left out are null: the launcher and the widget use their defaults.
var config = {
  site: attr('site'),
  endpoint: attr('endpoint') || new URL(base, location.href).origin,
  label: attr('label'),
  model: attr('model'),
  recordAutomation: attr('record-automation') === 'true',
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
  var ongoing = false;
  try { ongoing = !!localStorage.getItem('touchpoint:conversation:' + config.site); } catch (e) { /* storage blocked */ }
  if (ongoing) loadWidget().then(function (module) { module.followWidget(launcher, widgetConfig()); }).catch(fail);
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
    else if (method === 'open') openPanel();
    else if (method === 'close') closePanel();
    else if (method === 'toggle') { if (panelOpen) closePanel(); else openPanel(); }
    else if (method === 'on') on(String(args[0]), args[1]);
    else if (method !== 'init') console.warn('Touchpoint: unknown method', method);
  } catch (error) { fail(error); }
}
// on('open' | 'close' | 'message' | 'unread', fn): fn receives the event's detail.
function on(name, fn) {
  if (typeof fn === 'function') window.addEventListener('touchpoint:' + name, function (event) { fn(event.detail); });
}
var api = function () { call(arguments[0], [].slice.call(arguments, 1)); };
var started;
// Resolves once the recorder runs (to whether this visit is recorded).
api.ready = new Promise(function (resolve) { started = resolve; });
['track', 'page', 'flush', 'consent', 'identify', 'init', 'open', 'close', 'toggle', 'on'].forEach(function (method) {
  api[method] = function () { call(method, [].slice.call(arguments)); };
});
// Calls queued before the script loaded: `init` settings apply first, the rest replay in order.
for (var i = 0; i < queued.length; i++) {
  var args = [].slice.call(queued[i]);
  if (args[0] === 'init' && args[1]) Object.assign(config, args[1]);
  else later.push([args[0], args.slice(1)]);
}
window.touchpoint = api;

if (!config.site) {
  started(false);
  fail('the script tag needs a data-site attribute (or touchpoint("init", { site }))');
} else {
  loadRecorder(base + 'touchpoint_recorder_bg.wasm')
    .then(function (recorderModule) {
      // User Timing entries let a site see the recorder's main-thread cost.
      performance.mark('touchpoint:start');
      recorder = startRecorder(recorderModule, config, fail);
      performance.measure('touchpoint:start', 'touchpoint:start');
      performance.mark('touchpoint:launcher');
      launcher = mountLauncher(config, openWidget);
      performance.measure('touchpoint:launcher', 'touchpoint:launcher');
      ready = true;
      later.splice(0).forEach(function (c) { call(c[0], c[1]); });
      started(!!recorder);
      followConversation();
    })
    .catch(function (error) { started(false); fail(error); });
}
