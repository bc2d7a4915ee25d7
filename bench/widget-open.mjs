// Time from a click on the launcher to an interactive panel, in headless
// Chromium against the local worker: the widget's JS, wasm and classifier
// model are fetched on that click, then the panel asks who is there. Measured
// until the message box has focus and the availability line is shown, over
// fresh page loads (cold caches: a new browser context each time). With
// `--hover MS` the pointer rests on the launcher for MS ms before the click,
// as a visitor's does: the launcher starts loading the widget on hover.
// Usage: node bench/widget-open.mjs [runs] [--hover MS]
import { startTestRuntime, launchChromium, newPersonPage, ADMIN_TOKEN } from '../e2e/support.mjs';
import { seedContactChannel } from '../scripts/runtime.mjs';

const args = process.argv.slice(2);
const hoverAt = args.indexOf('--hover');
const HOVER_MS = hoverAt >= 0 ? Number(args.splice(hoverAt, 2)[1]) : 0;
const RUNS = Number(args[0] ?? 10);
const runtime = await startTestRuntime();
await seedContactChannel(runtime.url, ADMIN_TOKEN);
const browser = await launchChromium();
const times = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext();
  const page = await newPersonPage(context);
  await page.goto(`${runtime.url}/`);
  await page.locator('button.launcher').waitFor();
  if (HOVER_MS) {
    await page.locator('button.launcher').hover();
    await page.waitForTimeout(HOVER_MS);
  }
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const host = document.querySelector('[data-touchpoint-launcher]');
    const start = performance.now();
    const check = () => {
      const root = host.shadowRoot;
      const ready = root.querySelector('.presence') && root.activeElement?.id === 'tp-message';
      if (ready) resolve(performance.now() - start); else requestAnimationFrame(check);
    };
    host.shadowRoot.querySelector('button.launcher').click();
    requestAnimationFrame(check);
  }));
  times.push(ms);
  await context.close();
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
const hover = HOVER_MS ? `, the pointer on the launcher ${HOVER_MS} ms before the click` : '';
console.log(`\nClick → interactive panel, cold cache${hover}, ${RUNS} page loads (headless Chromium, local worker)\n`);
console.log('| p50 ms | p95 ms | max ms |');
console.log('|---:|---:|---:|');
console.log(`| ${pct(50).toFixed(0)} | ${pct(95).toFixed(0)} | ${times.at(-1).toFixed(0)} |`);
await browser.close();
await runtime.close();
