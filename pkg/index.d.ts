/** Configuration for {@link init}. */
export interface TouchpointConfig {
  /** The site's public key, as registered with the Touchpoint worker. */
  site: string;
  /** Base URL of the Touchpoint worker, e.g. `https://touchpoint.example.com`. */
  endpoint: string;
  /** Text of the launcher button. Defaults to "Talk to us". */
  label?: string;
  /** Record visits from automated browsers too (for your own end-to-end tests). */
  recordAutomation?: boolean;
  /** Record nothing at all for visitors with Do Not Track or Global Privacy Control
   * (by default they are recorded without any identifier). */
  skipDntVisitors?: boolean;
  /** Language of the conversation panel (BCP 47, e.g. "de"); defaults to the page's
   * `lang` or the browser's language. English, German, French, Spanish, Dutch, Portuguese. */
  locale?: string;
  /** Only these teams appear in the panel (ids as set up on the worker). */
  teams?: string[];
  /** The launcher's corner: "right" (default) or "left". */
  position?: 'left' | 'right';
  /** The accent colour of the launcher and panel (any CSS colour); pages can also set
   * the `--touchpoint-accent` custom property. */
  color?: string;
  /** The launcher's icon: "chat" (default), "mail", or "none" for the label only. */
  icon?: 'chat' | 'mail' | 'none';
}

/** Starts Touchpoint on this page: records the page view and shows the launcher.
 * Calling it again returns the first call's promise. */
export function init(config: TouchpointConfig): Promise<void>;
/** Records a custom event. */
export function track(name: string, props?: Record<string, string | number | boolean>): Promise<void>;
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
/** A staff reply as the page sees it. */
export interface TouchpointMessage { name: string; text: string; at: number }
/** Listens to the widget; returns a function that stops listening. */
export function on(event: 'open' | 'close', listener: () => void): () => void;
export function on(event: 'message', listener: (message: TouchpointMessage) => void): () => void;
export function on(event: 'unread', listener: (count: number) => void): () => void;
