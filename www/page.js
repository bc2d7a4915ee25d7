// Touchpoint's page script: the part of the recorder that touches the browser.
// It loads the wasm recorder (src/browser.rs over domain::recorder), observes
// the page (views, single-page-app navigation, clicks, forms, engagement),
// reads what the recorder needs from it, and carries out what the recorder
// decides: when to fetch, what to beacon, what to keep with consent. It also
// draws the launcher. Plain JavaScript on purpose: every browser API called
// from wasm costs glue bytes on every page, while the decisions stay in Rust.
//
// The build puts this file in the script-tag bundle (touchpoint.js) and, with
// `export` lines added, in the npm package (recorder/page.js).

var VISITOR_KEY = 'touchpoint.visitor';
var PENDING_KEY = 'touchpoint.pending';
// Named fields only: their values are never read.
var FORM_FIELDS = 'input[name]:not([type=submit]):not([type=button]):not([type=hidden]),select[name],textarea[name]';
var TAG_PREFIX = 'data-touchpoint-';

// Loads the recorder module (it imports nothing) and wraps its exports. Text
// crosses as UTF-8: a call's strings are written back to back into the
// module's input buffer and passed as byte lengths; text comes back in its
// output buffer, the call returning the length (-1 for none).
function loadRecorder(url) {
  return fetch(url)
    .then(function (response) {
      if (!response.ok) throw new Error('recorder module: HTTP ' + response.status);
      return response.arrayBuffer();
    })
    .then(function (bytes) { return WebAssembly.instantiate(bytes, {}); })
    .then(function (result) { return recorderApi(result.instance.exports); });
}

function recorderApi(X) {
  var encoder = new TextEncoder(), decoder = new TextDecoder();
  function put() {
    var parts = [].map.call(arguments, function (text) { return encoder.encode(text == null ? '' : String(text)); });
    var total = 0;
    parts.forEach(function (part) { total += part.length; });
    var at = X.tp_input(total), memory = new Uint8Array(X.memory.buffer);
    return parts.map(function (part) { memory.set(part, at); at += part.length; return part.length; });
  }
  function text(length) {
    return length < 0 ? undefined : decoder.decode(new Uint8Array(X.memory.buffer, X.tp_output(), length));
  }
  function call(name, strings, numbers) { return X[name].apply(null, put.apply(null, strings).concat(numbers)); }
  return {
    shouldRecord: function (automated, dnt, recordAutomation, skipDnt) {
      return !!X.tp_should_record(automated, dnt, recordAutomation, skipDnt);
    },
    startRecording: function (site, dnt, seed, language, search, host, pathname, hash, title, referrer, width, height, now) {
      call('tp_start', [site, language, search, host, pathname, hash, title, referrer],
        [seed[0], seed[1], seed[2], seed[3], width, height, dnt, now]);
    },
    view: function (pathname, hash, title, referrer, width, height, now, navigation) {
      call('tp_view', [pathname, hash, title, referrer], [width, height, now, navigation]);
    },
    restore: function (visitor, pending, now) { call('tp_restore', [visitor, pending], [now]); },
    timeZone: function (zone) { call('tp_time_zone', [zone], []); },
    prop: function (key, value) { call('tp_prop', [key, value], []); },
    track: function (name, now) { call('tp_track', [name], [now]); },
    taggedClick: function (name, now) { call('tp_tagged_click', [name], [now]); },
    linkClick: function (href, host, now) { return !!call('tp_link_click', [href, host], [now]); },
    formSubmitted: function (name, fields, action, now) {
      var lengths = put(name, action);
      X.tp_form_submitted(lengths[0], fields, lengths[1], now);
    },
    engagement: function (engaged, now) { X.tp_engagement(engaged, now); },
    scrolled: function (y, height, pageHeight) { X.tp_scrolled(y, height, pageHeight); },
    hidden: function (now) { X.tp_hidden(now); },
    takeBeacon: function () { return text(X.tp_take_beacon()); },
    beaconSent: function (queued, now) { X.tp_beacon_sent(queued, now); },
    flush: function (now) { X.tp_flush(now); },
    takeBatch: function (now) { return text(X.tp_take_batch(now)); },
    waitMs: function (now) { var wait = X.tp_wait_ms(now); return wait < 0 ? undefined : wait; },
    finished: function (status, random, now) { X.tp_finished(status, random, now); },
    takeUnsaved: function () { return text(X.tp_take_unsaved()); },
    consent: function (granted) { return text(X.tp_consent(granted)); },
    identify: function (userId, hmac, now) { call('tp_identify', [userId, hmac], [now]); },
  };
}

function storageGet(key) {
  try { return localStorage.getItem(key) || undefined; } catch (e) { return undefined; }
}
function storageSet(key, value) {
  try { if (value) localStorage.setItem(key, value); else localStorage.removeItem(key); } catch (e) { /* storage blocked */ }
}

// Starts recording this page with `R`, the recorder module's exports, for
// `config` = { site, endpoint, recordAutomation?, skipDntVisitors? }. Returns
// the page API (track, page, flush, consent, identify), or null when this
// visit is not recorded (automation, or Do Not Track on a site that skips
// such visitors). `fail(error)` is told of any error; the page never is.
function startRecorder(R, config, fail) {
  var nav = navigator, doc = document, loc = location;
  var dnt = nav.doNotTrack === '1' || !!nav.globalPrivacyControl;
  if (!R.shouldRecord(!!nav.webdriver, dnt, !!config.recordAutomation, !!config.skipDntVisitors)) return null;
  var url = String(config.endpoint).replace(/\/+$/, '') + '/v1/events';
  var now = Date.now;
  var facts = function () { return [loc.pathname, loc.hash, doc.title, doc.referrer, innerWidth, innerHeight, now()]; };
  var seed = crypto.getRandomValues(new Uint32Array(4));
  var rec = R;
  rec.startRecording(config.site, dnt, seed,
    nav.language || '', loc.search, loc.hostname, loc.pathname, loc.hash, doc.title, doc.referrer,
    innerWidth, innerHeight, now());
  var timer = 0;
  var settled = false;

  // Work kept off the start-up path, done when the page is idle or before it
  // is needed (a send, hiding, consent): the first use of Intl (the time
  // zone) and of localStorage costs more than all the rest of start-up.
  function settle() {
    if (settled) return;
    settled = true;
    try { rec.timeZone(Intl.DateTimeFormat().resolvedOptions().timeZone || ''); } catch (e) { /* no Intl */ }
    // Consent was given on an earlier page if (and only if) a visitor id is stored.
    var visitor = dnt ? undefined : storageGet(VISITOR_KEY);
    if (visitor) rec.restore(visitor, storageGet(PENDING_KEY), now());
  }
  // After every change: send a due batch, arm the timer, keep what consent allows.
  function carry() {
    var at = now(), body, wait, kept;
    if (rec.waitMs(at) === 0) settle();
    body = rec.takeBatch(at);
    if (body !== undefined) post(body);
    wait = rec.waitMs(at);
    clearTimeout(timer);
    timer = wait === undefined ? 0 : setTimeout(guard(carry), wait);
    kept = rec.takeUnsaved();
    if (kept !== undefined) storageSet(PENDING_KEY, kept);
  }
  // text/plain keeps the cross-origin request free of a CORS preflight;
  // keepalive lets it finish after the page is gone (batches stay under 64 KB).
  function post(body) {
    fetch(url, { method: 'POST', body: body, keepalive: true, headers: { 'content-type': 'text/plain;charset=UTF-8' } })
      .then(function (response) { return response.status; }, function () { return 0; })
      .then(guard(function (status) { rec.finished(status, Math.random(), now()); carry(); }));
  }
  function guard(fn) {
    return function (a) { try { fn(a); } catch (error) { fail(error); } };
  }
  function on(target, names, fn, options) {
    names.split(' ').forEach(function (name) { target.addEventListener(name, guard(fn), options); });
  }
  // navigation: a single-page-app navigation (nothing if the path is unchanged).
  function view(navigation) { rec.view.apply(rec, facts().concat(navigation)); carry(); }
  function engaged() { rec.engagement(!doc.hidden && doc.hasFocus(), now()); }
  // Hidden or left: everything waiting goes by sendBeacon, which outlives the page.
  function hide() {
    var at = now(), body;
    settle();
    rec.hidden(at);
    while ((body = rec.takeBeacon()) !== undefined) rec.beaconSent(nav.sendBeacon(url, body), at);
    carry();
  }

  on(window, 'popstate hashchange', function () { view(true); });
  on(window, 'focus blur', engaged);
  on(window, 'scroll', function () { rec.scrolled(scrollY, innerHeight, doc.documentElement.scrollHeight); }, { passive: true });
  // Restored from the back/forward cache: a new view of the page.
  on(window, 'pageshow', function (event) { if (event.persisted) { engaged(); view(false); } });
  on(window, 'pagehide', hide);
  // Capture phase: the page cannot stop these from reaching the recorder.
  on(doc, 'visibilitychange', function () { if (doc.hidden) hide(); else engaged(); }, true);
  on(doc, 'click', function (event) {
    var target = event.target, tagged, link;
    if (!target || !target.closest) return;
    if ((tagged = target.closest('[' + TAG_PREFIX + 'event]'))) {
      [].forEach.call(tagged.attributes, function (attribute) {
        var key = attribute.name.slice(TAG_PREFIX.length);
        if (attribute.name.indexOf(TAG_PREFIX) === 0 && key !== 'event') rec.prop(key, attribute.value);
      });
      rec.taggedClick(tagged.getAttribute(TAG_PREFIX + 'event'), now());
    } else if ((link = target.closest('a[href]'))) {
      rec.linkClick(link.href, loc.hostname, now());
    }
    carry();
  }, true);
  on(doc, 'submit', function (event) {
    var form = event.target, action;
    if (!form || !form.querySelectorAll) return;
    // Attributes, not properties: a field named "id" or "action" shadows those.
    action = new URL(form.getAttribute('action') || '', loc.href).href;
    rec.formSubmitted(form.getAttribute('id') || form.getAttribute('name') || '',
      form.querySelectorAll(FORM_FIELDS).length, action, now());
    carry();
  }, true);
  // Single-page apps navigate with the history API: those are page views too.
  ['pushState', 'replaceState'].forEach(function (method) {
    var original = history[method];
    history[method] = function () {
      var result = original.apply(this, arguments);
      guard(view)(true);
      return result;
    };
  });
  engaged();
  carry();
  (window.requestIdleCallback || setTimeout)(guard(function () { settle(); carry(); }));

  var api = {
    // Custom event; string, finite number and boolean props are kept.
    track: function (name, props) {
      for (var key in props) {
        var value = props[key], type = typeof value;
        if (type === 'string' || type === 'boolean' || (type === 'number' && isFinite(value))) rec.prop(key, String(value));
      }
      rec.track(String(name), now());
      carry();
    },
    page: function () { view(false); },
    flush: function () { rec.flush(now()); carry(); },
    // "granted" stores a random visitor id (and waiting batches across pages); anything else deletes both.
    consent: function (state) {
      var id = rec.consent(state === 'granted');
      storageSet(VISITOR_KEY, id);
      if (!id) storageSet(PENDING_KEY, '');
      carry();
    },
    identify: function (userId, hmac) { rec.identify(String(userId), String(hmac || ''), now()); carry(); },
  };
  Object.keys(api).forEach(function (name) {
    var call = api[name];
    api[name] = function (a, b) { settle(); call(a, b); };
  });
  return api;
}

// Built-in launcher icons (24×24 SVG paths); `icon: "none"` shows the label only.
var ICONS = {
  chat: 'M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
  mail: 'M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm1 2v.4l8 5.1 8-5.1V7z',
  help: 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 14v2h2v-2zm1-10a4 4 0 0 0-4 4h2a2 2 0 1 1 2 2 1 1 0 0 0-1 1v1h2v-.3A4 4 0 0 0 12 6z',
};
var LAUNCHER_STYLE = ':host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;' +
  'font:15px/1.4 system-ui,sans-serif}' +
  'button.launcher{all:unset;box-sizing:border-box;cursor:pointer;display:flex;align-items:center;gap:8px;' +
  'padding:12px 18px;border-radius:999px;background:var(--touchpoint-accent,#1f4fd1);color:#fff;' +
  'box-shadow:0 4px 14px rgba(0,0,0,.25)}' +
  'button.launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}' +
  'svg{width:20px;height:20px;fill:currentColor;flex:none}' +
  ':host([data-position=left]){right:auto;left:20px}';

// Draws the launcher: one button in its own shadow root, so the host page's
// CSS cannot reach it and its CSS cannot leak out; a constructable stylesheet
// works under a strict CSP. `config` = { label, position?, color?, icon? };
// `onOpen(shadowRoot)` loads the widget. Returns the shadow root, where the
// widget later mounts its panel.
function mountLauncher(config, onOpen) {
  var host = document.createElement('div');
  host.setAttribute('data-touchpoint-launcher', '');
  if (config.position === 'left') host.setAttribute('data-position', 'left');
  // Colour through the CSSOM, which a strict CSP allows (no inline style attribute).
  if (config.color) host.style.setProperty('--touchpoint-accent', config.color);
  var root = host.attachShadow({ mode: 'open' });
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(LAUNCHER_STYLE);
  root.adoptedStyleSheets = [sheet];
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  button.setAttribute('aria-haspopup', 'dialog');
  var path = ICONS[config.icon || 'chat'];
  if (path) {
    var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    var shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    shape.setAttribute('d', path);
    svg.appendChild(shape);
    button.appendChild(svg);
  }
  button.appendChild(document.createTextNode(config.label || 'Talk to us'));
  button.addEventListener('click', function () { onOpen(root); });
  root.appendChild(button);
  document.body.appendChild(host);
  return root;
}
