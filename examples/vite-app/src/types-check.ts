// Compile-time checks of the package's types: wrong uses must not type-check.
import { init, track, consent, type TouchpointConfig, type RedactResult } from 'touchpoint';
import type {} from 'touchpoint/script-tag';

// @ts-expect-error: site and endpoint are required
export const missing: TouchpointConfig = { site: 'x' };
// @ts-expect-error: position is "left" or "right"
export const badPosition: TouchpointConfig = { site: 'x', endpoint: 'y', position: 'top' };
// @ts-expect-error: props are strings, numbers or booleans
export const badProps = () => track('x', { when: new Date() });
// @ts-expect-error: consent is "granted" or "denied"
export const badConsent = () => consent('yes');
export const started: Promise<boolean> = init({ site: 'x', endpoint: 'y' });
export const kinds = (r: RedactResult) => r.pii.map((f) => f.kind satisfies 'email' | 'phone' | 'card' | 'iban' | 'ssn' | 'ip');
// The script tag's global is typed through touchpoint/script-tag.
export const viaScriptTag = () => window.touchpoint('track', 'signup', { plan: 'pro' });
// @ts-expect-error: unknown script-tag method
export const badMethod = () => window.touchpoint('explode');
// The bare global is typed too; `ready` may not exist yet (the stub has none).
export const bare = () => touchpoint('page');
export const readyLater = () => touchpoint.ready?.then((recorded: boolean) => recorded);
// @ts-expect-error: ready is undefined until the script has run
export const readyAtOnce = () => touchpoint.ready.then(() => true);
// beforeSend may be asynchronous (awaited); beforeSendEvent may not (the recorder answers at once).
export const asyncReview: TouchpointConfig = { site: 'x', endpoint: 'y', beforeSend: async (m) => (m.text ? { ...m, text: `${m.text}!` } : null) };
// @ts-expect-error: beforeSendEvent answers synchronously
export const asyncEvents: TouchpointConfig = { site: 'x', endpoint: 'y', beforeSendEvent: async (e) => e };
