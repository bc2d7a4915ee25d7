// Touchpoint's page script: the part of the recorder that touches the browser.
// It loads the wasm recorder (src/recorder_abi.rs over domain::recorder), observes
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
var FORM_FIELDS = 'input[name]:not([type=submit],[type=button],[type=hidden]),select[name],textarea[name]';
var TAG_PREFIX = 'data-touchpoint-';

// Loads the recorder module (it imports nothing), compiling it while it
// downloads. One sent with another type than application/wasm (a plain
// static server's application/octet-stream) cannot compile as it streams:
// it is read whole from the same answer instead, and `warn` names the type
// it must be served with. Resolves
// to its exports; a missing file rejects with its HTTP status, any other
// failure with the browser's reason.
function loadRecorder(url, warn) {
  return fetch(url).then((response) => {
    if (!response.ok) throw Error('HTTP ' + response.status);
    return WebAssembly.instantiateStreaming(response.clone(), {}).catch((error) => {
      if (!/MIME/i.test(error)) throw error;
      warn(url + ' is not served as application/wasm: loaded without streaming compilation');
      return response.arrayBuffer().then((bytes) => WebAssembly.instantiate(bytes, {}));
    });
  }).then((result) => result.instance.exports);
}

// Undefined when absent or blocked; no value (or an empty one) removes it.
function storageGet(key) {
  try { return localStorage.getItem(key) || undefined; } catch (e) { /* storage blocked */ }
}
function storageSet(key, value) {
  try { if (value) localStorage.setItem(key, value); else localStorage.removeItem(key); } catch (e) { /* storage blocked */ }
}

// Starts recording the page with `M`, the recorder module's exports (see
// src/recorder_abi.rs), for `config` = { site, endpoint, recordAutomation?,
// skipDntVisitors?, debug? }. Returns the page API (track, page, flush,
// consent, identify, stop), or null when this visit is not recorded
// (automation, or Do Not Track on a site that skips such visitors). With
// `config.debug` each batch's events are logged as they are sent.
// `fail(error)` is told of any error; the page never is.
function startRecorder(M, config, fail) {
  var nav = navigator, doc = document, loc = location, now = Date.now;
  var dnt = nav.doNotTrack === '1' || !!nav.globalPrivacyControl;
  if (!M.tp_recorded(!!nav.webdriver, dnt, !!config.recordAutomation, !!config.skipDntVisitors)) return null;
  // The endpoint comes without a trailing slash (the callers trim it).
  var url = config.endpoint + '/v1/events';
  var encoder = new TextEncoder(), decoder = new TextDecoder();
  var timer = 0, settled = false, stopped = false, X;

  // Text crosses as UTF-8: a call's strings go back to back into the
  // module's input buffer and are passed as byte lengths, followed by its
  // numbers; text comes back in the output buffer, the call returning its
  // length (-1 for none).
  function call(name, strings, numbers = []) {
    var recorder = x();
    // WebIDL turns numbers and booleans into text; null and undefined are empty.
    var parts = strings.map((text) => encoder.encode(text ?? ''));
    var at = M.tp_input(parts.reduce((total, part) => total + part.length, 0));
    var memory = new Uint8Array(M.memory.buffer);
    return recorder[name](...parts.map((part) => {
      memory.set(part, at);
      at += part.length;
      return part.length;
    }), ...numbers);
  }
  function text(length) {
    return length < 0 ? undefined : decoder.decode(new Uint8Array(M.memory.buffer, M.tp_output(), length));
  }
  function page() { return [loc.pathname, loc.hash, doc.title, doc.referrer]; }

  // The page as it is now, for the recorder, which is made when first needed
  // (when the page is idle, or at the first event): the first call of each
  // wasm function compiles it, and start-up is on the page's critical path.
  var seed = crypto.getRandomValues(new Uint32Array(4));
  var first = [[config.site, nav.language, loc.search, loc.hostname, ...page()],
    [...seed, innerWidth, innerHeight, dnt, !doc.hidden && doc.hasFocus(), now()]];
  // The recorder's exports, once it has started.
  function x() {
    if (!X) {
      X = M;
      call('tp_start', ...first);
    }
    return X;
  }

  // Work kept off the start-up path, done when the page is idle or before it
  // is needed (a send, hiding, consent): the first use of Intl (the time
  // zone) and of localStorage costs more than all the rest of start-up.
  function settle() {
    if (settled) return;
    settled = true;
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { /* no Intl */ }
    // The first page view's attribution is done now too.
    call('tp_idle', [zone]);
    // Consent was given on an earlier page if (and only if) a visitor id is stored.
    var visitor = dnt ? undefined : storageGet(VISITOR_KEY);
    if (visitor) call('tp_restore', [visitor, storageGet(PENDING_KEY)], [now()]);
  }
  // After every change: send a due batch, arm the timer, keep what consent allows.
  function carry() {
    var at = now(), body, wait, kept;
    if (stopped) return;
    if (x().tp_wait_ms(at) === 0) settle();
    body = text(x().tp_take_batch(at));
    if (body !== undefined) post(body);
    wait = x().tp_wait_ms(at);
    clearTimeout(timer);
    timer = wait < 0 ? 0 : setTimeout(guard(carry), wait);
    kept = text(x().tp_take_unsaved());
    if (kept !== undefined) storageSet(PENDING_KEY, kept);
  }
  // The site's `beforeSendEvent(event)` sees each event of a batch as it
  // leaves: what it returns is sent (undefined: the event, as the hook may
  // have changed it); null or false drops the event, and the drop is logged.
  // A hook that throws drops it too, its error reported: what the site meant
  // to review never leaves unreviewed. So does one that answers with a
  // promise: a batch may leave by sendBeacon as the page goes, with no time
  // to wait. Undefined when no event is left.
  function shape(body) {
    var hook = config.beforeSendEvent, batch = JSON.parse(body);
    if (config.debug) console.debug('Touchpoint sends', batch.events);
    if (!hook) return body;
    batch.events = batch.events.flatMap((event) => {
      var kept;
      try {
        kept = hook(event);
        if (kept?.then) throw Error('beforeSendEvent returned a promise');
      } catch (error) { fail(error); kept = null; }
      if (kept === undefined) kept = event;
      if (!kept) console.info('Touchpoint: beforeSendEvent dropped', event);
      return kept || [];
    });
    return batch.events[0] && JSON.stringify(batch);
  }
  // A string body is sent as text/plain;charset=UTF-8, which keeps the
  // cross-origin request free of a CORS preflight; keepalive lets it finish
  // after the page is gone (batches stay under 64 KB). The answer's body is
  // dropped unread: until then the request counts against the page's 64 KB
  // of keepalive requests in flight, and past it every send fails. A batch
  // emptied by `beforeSendEvent` counts as delivered.
  function post(body) {
    body = shape(body);
    if (body === undefined) x().tp_finished(204, 0, now());
    else fetch(url, { method: 'POST', body: body, keepalive: true })
      .then((response) => { response.body?.cancel(); return response.status; }, () => { return 0; })
      .then(guard((status) => { x().tp_finished(status, Math.random(), now()); carry(); }));
  }
  function guard(fn) {
    return (a) => { try { if (!stopped) fn(a); } catch (error) { fail(error); } };
  }
  function on(target, names, fn, options) {
    names.split(' ').forEach((name) => target.addEventListener(name, guard(fn), options));
  }
  // navigation: a single-page-app navigation (nothing if the path is unchanged).
  function view(navigation) { call('tp_view', page(), [innerWidth, innerHeight, now(), navigation]); carry(); }
  // Apps retitle after changing the URL: a navigation's view is read 300 ms
  // later (one view when it changes again meanwhile).
  function navigated() { setTimeout(guard(view), 300, 1); }
  function engaged() { x().tp_engagement(!doc.hidden && doc.hasFocus(), now()); }
  // Hidden or left: everything waiting goes by sendBeacon, which outlives the page.
  function hide() {
    var at = now(), body;
    settle();
    // A navigation's view still waiting is recorded now.
    view(1);
    x().tp_hidden(at);
    while ((body = text(x().tp_take_beacon())) !== undefined) {
      body = shape(body);
      x().tp_beacon_sent(body === undefined || nav.sendBeacon(url, body), at);
    }
    carry();
  }

  on(window, 'popstate hashchange', navigated);
  on(window, 'focus blur', engaged);
  on(window, 'scroll', () => x().tp_scrolled(scrollY, innerHeight, doc.documentElement.scrollHeight), { passive: true });
  // Restored from the back/forward cache: a new view of the page.
  on(window, 'pageshow', (event) => { if (event.persisted) { engaged(); view(false); } });
  on(window, 'pagehide', hide);
  // Capture phase: the page cannot stop these from reaching the recorder.
  on(doc, 'visibilitychange', () => { if (doc.hidden) hide(); else engaged(); }, true);
  on(doc, 'click', (event) => {
    var target = event.target, tagged, link;
    if (!target?.closest) return;
    if ((tagged = target.closest('[' + TAG_PREFIX + 'event]'))) {
      for (var { name, value } of tagged.attributes) {
        if (name.startsWith(TAG_PREFIX) && name !== TAG_PREFIX + 'event') call('tp_prop', [name.slice(TAG_PREFIX.length), value]);
      }
      call('tp_tagged_click', [tagged.getAttribute(TAG_PREFIX + 'event')], [now()]);
    } else if ((link = target.closest('a[href]'))) {
      call('tp_link_click', [link.href, loc.hostname], [now()]);
    }
    carry();
  }, true);
  on(doc, 'submit', (event) => {
    var form = event.target;
    if (!form?.querySelectorAll) return;
    // Attributes, not properties: a field named "id" or "action" shadows those.
    call('tp_form_submitted', [form.getAttribute('id') || form.getAttribute('name'),
      new URL(form.getAttribute('action') || '', loc.href).href], [form.querySelectorAll(FORM_FIELDS).length, now()]);
    carry();
  }, true);
  // Single-page apps navigate with the history API: those are page views too.
  ['pushState', 'replaceState'].forEach((method) => {
    var original = history[method];
    history[method] = function () {
      navigated();
      return original.apply(this, arguments);
    };
  });
  // The first batch waits for company (seconds), so the first look at what
  // is due can wait for an idle moment too, at most a second.
  (window.requestIdleCallback || setTimeout)(guard(() => { settle(); carry(); }), { timeout: 1000 });

  // The page API. Each call settles first: consent and identity need what
  // earlier pages stored.
  function api(fn) {
    return (a, b) => { settle(); fn(a, b); carry(); };
  }
  return {
    // Custom event; string, finite number and boolean props are kept (own
    // keys only: not what a polluted Object.prototype adds).
    track: api((name, props) => {
      for (var [key, value] of Object.entries(Object(props))) {
        var type = typeof value;
        if (type === 'string' || type === 'boolean' || Number.isFinite(value)) call('tp_prop', [key, value]);
      }
      call('tp_track', [name], [now()]);
    }),
    page: api(() => view(false)),
    flush: api(() => x().tp_flush(now())),
    // "granted" stores a random visitor id (and waiting batches across pages); anything else deletes both.
    consent: api((state) => {
      var id = text(x().tp_consent(state === 'granted'));
      storageSet(VISITOR_KEY, id);
      if (!id) storageSet(PENDING_KEY);
    }),
    identify: api((userId, hmac) => call('tp_identify', [userId, hmac], [now()])),
    // Opt-out: nothing more is observed or sent, and what consent kept is deleted.
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      storageSet(VISITOR_KEY);
      storageSet(PENDING_KEY);
    },
  };
}

// Built-in launcher icons (24×24 SVG paths); `icon: "none"` shows the label only.
var ICONS = {
  chat: 'M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
  mail: 'M2 5h20v14H2zm2 2v.4l8 5.1 8-5.1V7z',
};
// `!important` on the host: the page's own rules (`div{…}`, `*{…}`, even
// `!important` ones) lose to it, and `all:initial` stops inherited styles
// from reaching the launcher and the panel inside (`all` leaves `direction`
// alone, so it is set too: the panel is laid out left to right).
// Text on the site's colour: black on a light one (a yellow launcher kept
// white text, 1.6:1), white on a dark one. L 49.44 is where black and white
// contrast alike; relative colour syntax picks one with no script. Behind
// @supports: with var() inside, a browser without it would take the rule and
// drop it only when computing, leaving the inherited black, not the white.
var ON_ACCENT = '@supports (color:lch(from red calc((49.44 - l) * infinity) 0 0)){.launcher{color:lch(from var(--touchpoint-accent,#1f4fd1) calc((49.44 - l) * infinity) 0 0)}}';
var LAUNCHER_STYLE = ':host{all:initial!important;direction:ltr!important;position:fixed!important;inset:auto 20px 20px auto!important;' +
  'z-index:2147483000!important;display:block!important;font:15px/1.4 system-ui,sans-serif!important}' +
  '.launcher{all:unset;cursor:pointer;display:flex;align-items:center;gap:8px;' +
  'padding:12px 18px;border-radius:999px;background:var(--touchpoint-accent,#1f4fd1);color:#fff;' +
  'box-shadow:0 4px 14px rgba(0,0,0,.25)}' +
  '.launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}' +
  'svg{width:20px;height:20px;fill:currentColor;flex:none}' +
  ':host([data-position=left]){inset:auto auto 20px 20px!important}' +
  '.said{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}' + ON_ACCENT;

// Draws the launcher: one button in its own shadow root, so the host page's
// CSS cannot reach it and its CSS cannot leak out; a constructable stylesheet
// works under a strict CSP. `config` = { label, position?, color?, icon? };
// `onOpen(shadowRoot)` loads the widget; `onIntent()`, when the pointer rests
// on the launcher or it gets focus, starts loading it before the click (it
// must be cheap to call again). Returns the shadow
// root, where the widget later mounts its panel.
var LABELS = { de: 'Kontakt', fr: 'Contact', es: 'Contacto', it: 'Contatti', nl: 'Contact', pt: 'Contacto', 'pt-br': 'Contato' };
function mountLauncher(config, onOpen, onIntent) {
  var host = document.createElement('div');
  host.setAttribute('data-touchpoint-launcher', '');
  if (config.position === 'left') host.setAttribute('data-position', 'left');
  // Colour through the CSSOM, which a strict CSP allows (no inline style attribute).
  // One it cannot read ("#f5c40") would leave the launcher and Send without
  // a background: the default stays, and the site hears why.
  if (config.color) CSS.supports('color', config.color) ? host.style.setProperty('--touchpoint-accent', config.color) : console.warn('Touchpoint: data-color is not a colour:', config.color);
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
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    var shape = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    shape.setAttribute('d', path);
    svg.append(shape);
    button.append(svg);
  }
  // In the panel's language (`data-locale`, the page's, the browser's).
  // `pt_BR` and `pt-Latn-BR` are Brazil's too, as in the panel (i18n.rs).
  var lang = (config.locale || document.documentElement.lang || navigator.language).toLowerCase().replace('_', '-').replace('-latn-', '-');
  var label = config.label || LABELS[lang] || LABELS[(lang = lang.slice(0, 2))] || ((lang = 'en'), 'Talk to us');
  // A label of ours says its language, which may not be the page's (the
  // English default on a German page); the site's own label is the page's.
  config.label || (button.lang = lang);
  button.append(label);
  button.addEventListener('click', () => onOpen(root));
  // A pointer that rests (not one crossing the corner), focus or a touch; never
  // for a visitor who asked to save data.
  var rest;
  var intent = () => navigator.connection?.saveData || onIntent?.();
  button.addEventListener('pointerenter', () => (rest = setTimeout(intent, 80)));
  button.addEventListener('pointerleave', () => clearTimeout(rest));
  button.addEventListener('focus', intent);
  root.append(button);
  // Where the widget says a reply came while the panel is closed (the badge
  // on the button is silent); there before it speaks, as a status must be.
  var said = document.createElement('span');
  said.className = 'said';
  said.setAttribute('role', 'status');
  root.append(said);
  // Beside <body>, not in it: a transform, filter or opacity the page gives
  // its body would otherwise move a fixed launcher off screen or blur it (and
  // a page that swaps its body, as Turbo does, keeps the launcher).
  document.body.after(host);
  return root;
}
