// Types for pages that use the script tag instead of the package:
//   /// <reference types="touchpoint/script-tag" />
// makes `window.touchpoint` (and the queueing stub) typed.
import type { TrackProps, TouchpointMessage, ClassifiedInteraction, TouchpointConfig } from './index.js';

export interface TouchpointScriptApi {
  (method: 'track', name: string, props?: TrackProps): void;
  (method: 'page' | 'flush' | 'open' | 'close' | 'toggle' | 'optout' | 'optin'): void;
  (method: 'consent', state: 'granted' | 'denied'): void;
  (method: 'identify', userId: string, hmac: string): void;
  (method: 'debug', on?: boolean): void;
  (method: 'on', event: 'open' | 'close', listener: () => void): void;
  (method: 'on', event: 'message', listener: (message: TouchpointMessage) => void): void;
  (method: 'on', event: 'unread', listener: (count: number) => void): void;
  (method: 'on', event: 'submit', listener: (interaction: ClassifiedInteraction) => void): void;
  /** Settings that have no attribute, queued before the script loads (through the stub). */
  (method: 'init', settings: Pick<TouchpointConfig, 'beforeSend' | 'beforeSendEvent'>): void;
  track(name: string, props?: TrackProps): void;
  page(): void;
  flush(): void;
  consent(state: 'granted' | 'denied'): void;
  identify(userId: string, hmac: string): void;
  open(): void;
  close(): void;
  toggle(): void;
  optout(): void;
  optin(): void;
  debug(on?: boolean): void;
  on(event: 'open' | 'close' | 'message' | 'unread' | 'submit', listener: (detail: never) => void): void;
  /** Resolves to whether this visit is recorded; rejects with an Error whose `name` is
   * "TouchpointError" and `code` is "origin_not_allowed", "unknown_site" or
   * "wasm_unavailable". `undefined` until the script has run (the stub has none). */
  ready?: Promise<boolean>;
  /** Calls queued by the stub before the script loaded. */
  q?: IArguments[];
}

declare global {
  interface Window {
    touchpoint: TouchpointScriptApi;
  }
  /** The same global, named bare (`touchpoint('track', …)`, `touchpoint.ready`). */
  var touchpoint: TouchpointScriptApi;
}
