// Main-thread cost of the recorder in headless Chromium, over repeated page
// loads against the local worker: the synchronous start-up (startRecorder:
// first page view, listeners, history hooks; the launcher is measured apart),
// the cost of one track() call once the page is idle, and
// any long task (> 50 ms) while the page loads and records.
// Usage: node bench/recorder-main-thread.mjs   (after `make build`)
import { startTestRuntime, launchChromium, newPersonPage } from '../e2e/support.mjs';

const LOADS = Number(process.env.LOADS ?? 30);
const runtime = await startTestRuntime();
const browser = await launchChromium();
const startups = [];
const launchers = [];
const perEvent = [];
let longTasks = 0;
let longest = 0;
try {
  for (let i = 0; i < LOADS; i++) {
    const page = await newPersonPage(browser);
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration)))
        .observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${runtime.url}/?load=${i}`);
    await page.evaluate(() => window.touchpoint.ready);
    // Let the idle-time work (the time zone) run, as it would before a visitor clicks.
    await page.evaluate(() => new Promise((resolve) => requestIdleCallback(resolve)));
    const result = await page.evaluate(() => {
      const [start] = performance.getEntriesByName('touchpoint:start', 'measure');
      const [launcher] = performance.getEntriesByName('touchpoint:launcher', 'measure');
      const n = 200;
      const t0 = performance.now();
      for (let k = 0; k < n; k++) window.touchpoint.track('bench', { k });
      const each = (performance.now() - t0) / n;
      return { start: start?.duration ?? NaN, launcher: launcher?.duration ?? NaN, each, longTasks: window.__longTasks };
    });
    startups.push(result.start);
    launchers.push(result.launcher);
    perEvent.push(result.each);
    longTasks += result.longTasks.length;
    longest = Math.max(longest, ...result.longTasks, 0);
    await page.close();
  }
} finally {
  await browser.close();
  await runtime.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
if (process.env.SHOW) console.log([...startups].sort((a, b) => a - b).map((x) => x.toFixed(1)).join(" "));
console.log(`recorder start-up (main thread, startRecorder): median ${median(startups).toFixed(2)} ms, p95 ${p95(startups).toFixed(2)} ms over ${LOADS} loads`);
console.log(`launcher (shadow root, stylesheet, button): median ${median(launchers).toFixed(2)} ms, p95 ${p95(launchers).toFixed(2)} ms`);
console.log(`per event (track + enqueue): median ${(median(perEvent) * 1000).toFixed(1)} µs`);
console.log(`long tasks (> 50 ms) during ${LOADS} loads: ${longTasks}${longTasks ? `, longest ${longest.toFixed(0)} ms` : ''}`);
