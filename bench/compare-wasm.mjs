// Compares classify + redact speed of several widget builds in wasm, in Node
// and in headless Chromium, round by round in one process each, so that
// every build sees the same machine load (a shared machine's load moves a
// single run's p50 by 2x). Each sample is the mean of 200 calls; p10 is the
// best guide to a quiet machine, CPU time per call (Node, whole process)
// the least moved by load.
// Usage: node bench/compare-wasm.mjs <widget dir> [<widget dir> ...]
//   a widget dir holds touchpoint_widget.js, touchpoint_widget_bg.wasm and
//   touchpoint.tpcm (e.g. a copy of dist/site/widget from each build).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { root } from '../scripts/artifacts.mjs';
import { launchChromium } from '../e2e/support.mjs';

const dirs = process.argv.slice(2).map((dir) => resolve(dir));
if (!dirs.length) throw new Error('usage: node bench/compare-wasm.mjs <widget dir> [<widget dir> ...]');
const messages = readFileSync(join(root, 'bench', 'messages.txt'), 'utf8').split('\n').filter((l) => l.trim());
const ROUNDS = Number(process.env.ROUNDS ?? 50);
const INNER = 200;

// Runs in Node and in the page: interleaved rounds over every build.
function measure(widgets, messages, rounds, inner, cpuUsage) {
  const runs = widgets.map((widget) => ({ widget, samples: [], cpu: 0 }));
  for (let r = 0; r < rounds; r++) {
    for (const run of runs) {
      for (const m of messages) {
        const cpu = cpuUsage?.();
        const start = performance.now();
        for (let i = 0; i < inner; i++) run.widget.classify(m);
        run.samples.push(((performance.now() - start) * 1000) / inner);
        if (cpu) { const used = cpuUsage(cpu); run.cpu += used.user + used.system; }
      }
    }
  }
  return runs.map(({ samples, cpu }) => {
    samples.sort((a, b) => a - b);
    const at = (q) => samples[Math.round((samples.length - 1) * q)];
    return { p10: at(0.1), p50: at(0.5), p90: at(0.9), cpu: cpu / (rounds * messages.length * inner) };
  });
}

const print = (where, results) => results.forEach((r, i) => console.log(
  `${where} ${dirs[i]}: p10 ${r.p10.toFixed(2)} p50 ${r.p50.toFixed(2)} p90 ${r.p90.toFixed(2)} µs` +
  (r.cpu ? `, CPU ${r.cpu.toFixed(2)} µs per call` : '')));

const widgets = [];
for (const dir of dirs) {
  const widget = await import(`${join(dir, 'touchpoint_widget.js')}?${widgets.length}`);
  widget.initSync({ module: readFileSync(join(dir, 'touchpoint_widget_bg.wasm')) });
  widget.setModel(readFileSync(join(dir, 'touchpoint.tpcm')));
  for (const m of messages) widget.classify(m);
  widgets.push(widget);
}
print(`Node ${process.version}`, measure(widgets, messages, ROUNDS, INNER, process.cpuUsage));

// Chromium: each build served under /<index>/ by a static server.
const server = createServer((req, res) => {
  const [, index, file] = req.url.match(/^\/(\d+)\/([\w./-]+)$/) ?? [];
  const dir = dirs[Number(index)];
  if (!dir || file.includes('..')) { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><title>bench</title>'); return; }
  const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
  try { const body = readFileSync(join(dir, file)); res.writeHead(200, { 'content-type': type }); res.end(body); } catch { res.writeHead(404); res.end(); }
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const results = await page.evaluate(async ({ count, messages, rounds, inner, measureSource }) => {
    const widgets = [];
    for (let i = 0; i < count; i++) {
      const widget = await import(`/${i}/touchpoint_widget.js`);
      await widget.default({ module_or_path: `/${i}/touchpoint_widget_bg.wasm` });
      widget.setModel(new Uint8Array(await (await fetch(`/${i}/touchpoint.tpcm`)).arrayBuffer()));
      for (const m of messages) widget.classify(m);
      widgets.push(widget);
    }
    const measure = new Function(`return (${measureSource})`)();
    return measure(widgets, messages, rounds, inner);
  }, { count: dirs.length, messages, rounds: ROUNDS, inner: INNER, measureSource: measure.toString() });
  print(`Chromium ${browser.version()}`, results);
} finally {
  await browser.close();
  server.close();
}
