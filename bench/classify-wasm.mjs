// Times classify + redact per message in wasm: in Node and in headless
// Chromium, with the same messages as `touchpoint bench` (native).
// Usage: node bench/classify-wasm.mjs   (after `make build`)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../scripts/artifacts.mjs';
import { startTestRuntime, launchChromium } from '../e2e/support.mjs';

const messages = readFileSync(join(root, 'bench', 'messages.txt'), 'utf8').split('\n').filter((l) => l.trim());
const ROUNDS = 50;
const INNER = 200;

// Runs inside Node or the page: each sample is the mean of a tight loop.
function measure(widget, messages, rounds, inner) {
  for (const m of messages) widget.classify(m);
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    for (const m of messages) {
      const start = performance.now();
      for (let i = 0; i < inner; i++) widget.classify(m);
      samples.push(((performance.now() - start) * 1000) / inner);
    }
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.round((samples.length - 1) * q)];
  return { p50: at(0.5), p99: at(0.99) };
}

const line = (where, r) =>
  console.log(`wasm classify+redact in ${where}: ${messages.length} messages x ${ROUNDS} rounds: p50 ${r.p50.toFixed(2)} µs, p99 ${r.p99.toFixed(2)} µs`);

// Node
const widgetDir = join(root, 'dist', 'site', 'widget');
const widget = await import(join(widgetDir, 'touchpoint_widget.js'));
widget.initSync({ module: readFileSync(join(widgetDir, 'touchpoint_widget_bg.wasm')) });
widget.setModel(readFileSync(join(widgetDir, 'touchpoint.tpcm')));
line(`Node ${process.version}`, measure(widget, messages, ROUNDS, INNER));

// Headless Chromium, served by the real worker
const runtime = await startTestRuntime();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${runtime.url}/`);
  const result = await page.evaluate(async ({ messages, rounds, inner, measureSource }) => {
    const widget = await import('/widget/touchpoint_widget.js');
    await widget.default({ module_or_path: '/widget/touchpoint_widget_bg.wasm' });
    await widget.loadModel(undefined, '/widget/touchpoint.tpcm');
    const measure = new Function(`return (${measureSource})`)();
    return measure(widget, messages, rounds, inner);
  }, { messages, rounds: ROUNDS, inner: INNER, measureSource: measure.toString() });
  line(`Chromium ${browser.version()}`, result);
} finally {
  await browser.close();
  await runtime.close();
}
