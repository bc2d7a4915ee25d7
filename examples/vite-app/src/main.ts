// The README's plain-TypeScript example, as a front-end team would write it.
// The worker's address and site key come from the page's query string so the
// test can point the built app at its local worker.
import { init, track, open, on, loadClassifier, classify, redact, TouchpointError } from 'touchpoint';
import type { ClassifyResult, TouchpointConfig } from 'touchpoint';
import { preload } from 'touchpoint/widget';

const params = new URLSearchParams(location.search);
const config: TouchpointConfig = {
  site: params.get('site') ?? 'YOUR_SITE_KEY',
  endpoint: params.get('endpoint') ?? 'https://touchpoint.example.com',
  position: 'left',
  label: 'Ask a person',
};
const status = document.getElementById('status') as HTMLPreElement;
const report: Record<string, unknown> = {};
const show = (key: string, value: unknown) => {
  report[key] = value;
  status.textContent = JSON.stringify(report);
};

// Before loading, the classifier says so with a typed error.
try {
  classify('too early');
} catch (error) {
  show('early', error instanceof TouchpointError ? error.code : 'untyped');
}

on('open', () => show('opened', true));
document.getElementById('help')?.addEventListener('click', () => { void open(); });

// A call before init() waits for it; settings that are not there yet do
// not use up the start.
// (`?calls=none` leaves out the page functions, here and below: nothing
// then waits on the start, which a refused init() must not turn into an
// unhandled rejection either.)
const calls = params.get('calls') !== 'none';
if (calls) void track('before-init');
await init({} as unknown as TouchpointConfig).catch((error: TouchpointError) => show('incomplete', error.code));

// From here as pkg/README.md writes it: track() outside the try, which must
// not reject when init() was refused.
try {
  const recorded: boolean = await init(config);
  show('recorded', recorded);
} catch (error) {
  show('refused', error instanceof TouchpointError ? `${error.code} ${error.origin ?? ''}` : String(error));
}
if (calls) track('signup', { plan: 'pro', seats: 3, annual: true });

await preload();
await loadClassifier();
const result: ClassifyResult = classify('I was charged twice, card 4111 1111 1111 1111, please refund me');
show('topic', result.topic);
show('redacted', redact('mail me at ana@example.com').redacted);
show('done', true);
