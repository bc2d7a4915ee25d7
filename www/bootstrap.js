// Touchpoint script-tag bootstrap. The build wraps this file and wasm-bindgen's
// no-modules glue (which defines `wasm_bindgen`) in one closure: touchpoint.js.
//
//   <script src="https://touchpoint.example/touchpoint.js" data-site="SITE_KEY"
//           data-endpoint="https://touchpoint.example" async></script>
//
// It starts the recorder and the launcher; the conversation widget is imported
// only when the visitor opens the launcher. Any failure is logged once and the
// host page is left as it was.
var script = document.currentScript;
if (window.__touchpoint_booted) return;
window.__touchpoint_booted = true;

var base = script && script.src ? script.src.replace(/[^/]*$/, '') : '/';
var site = script && script.getAttribute('data-site');
var endpoint = (script && script.getAttribute('data-endpoint')) || new URL(base, location.href).origin;
var label = (script && script.getAttribute('data-label')) || 'Talk to us';
var reported = false;

function fail(error) {
  if (!reported) {
    reported = true;
    console.warn('Touchpoint is not available on this page:', error);
  }
}

var widget = null;
function openWidget(shadowRoot) {
  if (!widget) {
    widget = import(base + 'widget/touchpoint_widget.js').then(function (module) {
      return module.default({ module_or_path: base + 'widget/touchpoint_widget_bg.wasm' }).then(function () {
        return module.loadModel(script.getAttribute('data-model') || undefined, base + 'widget/touchpoint.tpcm');
      }).then(function () {
        return module;
      });
    });
    widget.catch(function () { widget = null; });
  }
  widget.then(function (module) { module.openWidget(shadowRoot); }).catch(fail);
}

if (!site) {
  fail('the script tag needs a data-site attribute');
} else {
  wasm_bindgen({ module_or_path: base + 'touchpoint_recorder_bg.wasm' })
    .then(function () { return wasm_bindgen.startRecorder(site, endpoint, label, openWidget); })
    .catch(fail);
}
