// Types of the `touchpoint` npm package. Everything here is the public
// surface; the wasm modules inside the package are internal.

/** Configuration for {@link init}. Every field but `site` and `endpoint` is optional. */
export interface TouchpointConfig {
  /** The site's public key, as registered with the Touchpoint worker. */
  site: string;
  /** Base URL of the Touchpoint worker, e.g. `https://touchpoint.example.com`. */
  endpoint: string;
  /** Text of the launcher button, in the page's language. Defaults to a short word in the panel's language ("Kontakt", "Contact"…; "Talk to us" in English). */
  label?: string;
  /** The launcher's corner: "right" (default) or "left". */
  position?: 'left' | 'right';
  /** The accent colour of the launcher and panel (any CSS colour); pages can also set
   * the `--touchpoint-accent` custom property. */
  color?: string;
  /** The launcher's icon: "chat" (default), "mail", or "none" for the label only. */
  icon?: 'chat' | 'mail' | 'none';
  /** Language of the conversation panel (BCP 47, e.g. "de"); defaults to the page's
   * `lang` or the browser's language. English, German, French, Spanish, Italian, Dutch,
   * Portuguese ("pt-BR": Brazil's); any other language gets the English panel. */
  locale?: string;
  /** Only these teams appear in the panel (ids as set up on the worker). */
  teams?: string[];
  /** URL of the site's own classifier model; defaults to the one the worker serves
   * for the site (`${endpoint}/v1/sites/${site}/model`, its default model until the
   * site has trained its own; none with `backend`). The built-in model is used if
   * it fails to load or fails its checks. */
  model?: string;
  /** Base URL where this package's `recorder/` and `widget/` folders are served (copied
   * from `node_modules/touchpoint/`), e.g. `"/touchpoint/"`. Only needed with a bundler
   * that does not ship files named by `new URL('./file', import.meta.url)` beside the
   * app (esbuild; Vite, webpack 5, Rollup and Parcel do). Without it, a .wasm that does not
   * load makes `init()` reject with a `wasm_unavailable` {@link TouchpointError}. */
  assets?: string;
  /** Let automated browsers (your own end-to-end tests) send events. The worker keeps
   * them only when the site's `record_automation` setting is on. */
  recordAutomation?: boolean;
  /** Record nothing at all for visitors with Do Not Track or Global Privacy Control
   * (by default they are recorded without any identifier). */
  skipDntVisitors?: boolean;
  /** Log each event sent and each recording decision to the console. */
  debug?: boolean;
  /** Send visitors' messages to your own HTTPS endpoint instead of the Touchpoint worker:
   * a URL, or `{ url, headers }`. Each message is POSTed as JSON, a
   * {@link ClassifiedInteraction}; the widget becomes a classified contact form that asks
   * for the visitor's e-mail address and says a person will answer by e-mail (no live
   * thread). The endpoint must answer CORS for the page's origin (a preflight: the body is
   * JSON). `https://` only (`http://localhost` for testing). */
  backend?: string | { url: string; headers?: Record<string, string> };
  /** Sees each visitor message as it leaves, whatever the transport. Return the payload
   * (changed or not) to send it, or nothing to send it as you may have changed it in place;
   * return `null` or `false` to drop it (the drop is logged on the console, the visitor sees
   * it as sent: hand it to your own SDK first). May return a promise of the same (an `async`
   * function), which is awaited. A hook that throws, rejects or does not settle within 5 s
   * sends nothing and loses nothing: the message stays in the panel, to be sent again with
   * the same `id`, and the console says why. */
  beforeSend?: (
    interaction: ClassifiedInteraction,
  ) => ClassifiedInteraction | null | false | void | PromiseLike<ClassifiedInteraction | null | false | void>;
  /** Sees each touchpoint event before the recorder sends it: return it (changed or not), or
   * `null`/`false` to drop it (logged); a hook that throws drops it too. Synchronous only —
   * a batch may leave by `sendBeacon` as the page closes, so an event answered with a
   * promise is dropped, with a warning (unlike `beforeSend`). */
  beforeSendEvent?: (event: TouchpointEvent) => TouchpointEvent | null | false | void;
}

/** One visitor message, classified and redacted in the browser: the payload of `backend`,
 * `beforeSend` and `on('submit')`. JSON Schema: `touchpoint/schema/classified-interaction.v1.json`. */
export interface ClassifiedInteraction {
  schema: 'urn:touchpoint:schema:classified-interaction:v1';
  /** Unique per message, the same when a failed send is retried: de-duplicate on it. */
  id: string;
  site: string;
  /** ms since the epoch (browser clock). */
  sent_at: number;
  /** The panel's language (BCP 47). */
  locale: string;
  /** The message with personal data replaced by tags such as `[card]`. */
  text: string;
  /** Null when the classifier's model could not be loaded. */
  classification: {
    topic: Topic;
    topic_confidence: number;
    topic_source: 'model' | 'rule';
    tone: 'negative' | 'neutral' | 'positive';
    tone_confidence: number;
    kind: 'question' | 'request' | 'problem' | 'complaint' | 'suggestion' | 'praise';
    urgency: 'low' | 'normal' | 'high';
    expectation_gap: boolean;
    language: string;
    spam: boolean;
  } | null;
  /** Kinds of personal data taken out of `text`, each once. */
  pii_removed: PiiKind[];
  /** The path with personal-looking segments masked, the title redacted, the referrer's
   * origin and path. */
  page: { path: string; title: string; referrer: string };
  /** The page's UTM parameters; null when it has none. */
  campaign: { source: string; medium: string; campaign: string; term: string; content: string } | null;
  /** How the visitor wants an answer, with the contact they gave for it. */
  contact:
    | { channel: 'here' }
    | { channel: 'email'; email: string }
    | { channel: 'phone'; phone: string; from: number; to: number };
}

/** A touchpoint event as the recorder sends it (the payload of `beforeSendEvent`).
 * JSON Schema: `touchpoint/schema/touchpoint-event.v1.json`. */
export interface TouchpointEvent {
  id: string;
  type: 'pageview' | 'engagement' | 'click' | 'form' | 'custom';
  /** ms since the epoch. */
  ts: number;
  path: string;
  title?: string;
  referrer?: string;
  vw?: number;
  vh?: number;
  lang?: string;
  tz?: string;
  channel?: string;
  source?: string;
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
  click_id?: string;
  name?: string;
  target?: string;
  props?: Record<string, string | number | boolean>;
  engaged_ms?: number;
  scroll?: number;
  fields?: number;
}

/** Why Touchpoint refused or failed; `code` is stable, `message` is for people. */
export declare class TouchpointError extends Error {
  readonly name: 'TouchpointError';
  readonly code:
    | 'origin_not_allowed' // the site's allow-list does not include this page's origin
    | 'unknown_site' // no such site key on the worker
    | 'invalid_config' // init() without site and endpoint strings
    | 'not_ready' // classify()/redact() before `await loadClassifier()`
    | 'invalid_argument' // classify()/redact() given something other than a string
    | 'not_in_browser' // a browser-only function on a server
    | 'wasm_unavailable' // the recorder's or widget's .wasm did not load (see `assets`)
    | 'model_unavailable'; // loadClassifier(): neither the site's nor the built-in model loaded
  /** The page's origin, for `origin_not_allowed`. */
  readonly origin?: string;
  /** Touchpoint makes these; an app catches them (`error instanceof TouchpointError`). */
  constructor(code: TouchpointError['code'], message: string, origin?: string);
}

/** Starts Touchpoint on this page: records the page view and shows the launcher.
 * Resolves to whether this visit is recorded (false for automation, Do Not Track on a
 * site that skips such visitors, an opted-out visitor, or on a server). Rejects with a
 * {@link TouchpointError} when the worker refuses this page's origin or site key.
 * Calling it again returns the first start's promise; a call without `site` and
 * `endpoint` strings rejects (`invalid_config`) without starting, so a later call
 * with them still starts.
 *
 * The page functions below ({@link track}, {@link open}, …) may be called before
 * `init()`: they wait for it. After a start that failed they do nothing and never
 * reject (the reason is `init()`'s rejection, logged once). */
export function init(config: TouchpointConfig): Promise<boolean>;
/** Props of a custom event: strings, finite numbers and booleans (at most 20). Values are
 * stored as text: `3` arrives as `"3"` and `true` as `"true"`; other values are left out. */
export type TrackProps = Record<string, string | number | boolean>;
/** Records a custom event. */
export function track(name: string, props?: TrackProps): Promise<void>;
/** Records a page view now, for navigations the recorder cannot observe. */
export function page(): Promise<void>;
/** Sends every waiting event now. */
export function flush(): Promise<void>;
/** The visitor's consent: "granted" stores a random visitor id and keeps unsent
 * events across pages; "denied" deletes both. Nothing is stored before consent. */
export function consent(state: 'granted' | 'denied'): Promise<void>;
/** Identifies the visitor as your user. `hmac` is the hex HMAC-SHA256 of `userId` under the
 * site's identity secret, computed on your server; ids that do not verify are ignored. */
export function identify(userId: string, hmac: string): Promise<void>;
/** Opens the conversation panel (loading the widget if needed). */
export function open(): Promise<void>;
/** Closes the panel; it keeps following the conversation. */
export function close(): Promise<void>;
/** Opens the panel when closed, closes it when open. */
export function toggle(): Promise<void>;
/** Stops recording on this device, now and on later visits, and deletes the stored visitor
 * id and unsent events. */
export function optOut(): void;
/** Undoes {@link optOut}: recording resumes from the next page load. */
export function optIn(): void;
/** Turns console logging of events and decisions on or off. */
export function debug(on?: boolean): void;

/** A staff reply as the page sees it. */
export interface TouchpointMessage { name: string; text: string; at: number }
/** Listens to the widget; returns a function that stops listening. */
export function on(event: 'open' | 'close', listener: () => void): () => void;
export function on(event: 'message', listener: (message: TouchpointMessage) => void): () => void;
export function on(event: 'unread', listener: (count: number) => void): () => void;
/** A visitor message as it leaves (after `beforeSend`), for your own SDK or analytics. */
export function on(event: 'submit', listener: (interaction: ClassifiedInteraction) => void): () => void;

/** Kinds of personal data the redactor finds. */
export type PiiKind = 'email' | 'phone' | 'card' | 'iban' | 'ssn' | 'ip';
/** One piece of personal data: its kind and where it was, in UTF-16 code units
 * (JavaScript string indices) of the original text. */
export interface PiiFinding { kind: PiiKind; start: number; end: number }
/** What {@link redact} answers. */
export interface RedactResult {
  /** The text with each finding replaced by a tag such as `[card]`. */
  redacted: string;
  pii: PiiFinding[];
}
/** The classifier's topics (the site's own model may add others). */
export type Topic =
  | 'account' | 'order' | 'delivery' | 'billing' | 'refund' | 'product'
  | 'technical' | 'sales' | 'feedback' | 'contact' | 'other' | (string & {});
/** What {@link classify} answers. */
export interface ClassifyResult extends RedactResult {
  topic: Topic;
  /** Probability of the topic, 0–1 (1 when a site rule decided it). */
  topic_confidence: number;
  topic_source: 'model' | 'rule';
  sentiment: 'negative' | 'neutral' | 'positive';
  sentiment_confidence: number;
  kind: 'question' | 'request' | 'problem' | 'complaint' | 'suggestion' | 'praise';
  /** The message says a promise was broken (late, not as described, charged wrongly…). */
  expectation_gap: boolean;
  urgency: 'low' | 'normal' | 'high';
  /** ISO 639-1 code of the detected language. */
  language: string;
  spam: boolean;
}
/** Where the classifier's files come from; all optional. */
export interface ClassifierOptions {
  /**
   * The site's own model, e.g. `${endpoint}/v1/sites/${site}/model` (the model
   * the worker trains from the site's corrections and examples, or the default
   * one until it has); falls back to the built-in one (with one console warning).
   */
  siteModelUrl?: string;
  /** The built-in model's URL (defaults to the file inside this package). */
  modelUrl?: string | URL;
  /** The widget's wasm URL (defaults to the file inside this package). */
  wasmUrl?: string | URL;
  /** Where the package's `widget/` folder is served, as in {@link TouchpointConfig.assets}
   * (defaults to that setting once `init()` has it; `wasmUrl` and `modelUrl` win over it). */
  assets?: string;
  /** The site's keyword rules, which override the model's topic. */
  rules?: { keyword: string; topic: string }[];
  /** On a server: the model's bytes instead of the package's file (bytes that fail their
   * checks are reported on the console and the built-in model is used). */
  modelBytes?: Uint8Array;
  /** On a server: the widget's wasm (`widget/touchpoint_widget_bg.wasm` of this package)
   * instead of the package's file, for a server bundle that does not ship the package's files. */
  wasmBytes?: Uint8Array | ArrayBuffer | WebAssembly.Module;
}
/** Loads the classifier; afterwards {@link classify} and {@link redact} answer at once. The
 * wasm loads once; the model is the page's (or process's): a later call naming another model
 * or `rules` loads those for everyone, one naming none shares what is loaded (after `init()`,
 * the site's model unless the app named one).
 * Works in browsers and in Node. A site model that does not load (or answer within 10 s),
 * or fails its checks, is reported on the console and the built-in model is used; rejects
 * with a {@link TouchpointError} (`wasm_unavailable`, `model_unavailable`) when that fails too. */
export function loadClassifier(options?: ClassifierOptions): Promise<void>;
/** Classifies and redacts one message in this process; throws a {@link TouchpointError}
 * (`not_ready`) before `await loadClassifier()`. */
export function classify(text: string): ClassifyResult;
/** Finds and redacts personal data; throws (`not_ready`) before `await loadClassifier()`. */
export function redact(text: string): RedactResult;
