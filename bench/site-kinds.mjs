// How a site model learns kinds (question, request, problem, complaint,
// suggestion, praise) from a site's corrections: five-fold cross-validation
// with the natural dev set's kind labels as the site's corrections, once as
// labelled (a site that agrees with the default model), once with every
// `problem` called `complaint` and once with every `complaint` called
// `problem` (sites with conventions of their own, the second against the
// classifier's lean of a broken promise toward complaint). Each
// fold's site model comes from `touchpoint train-site`, which trains exactly
// as the worker does; extra arguments go to it (e.g. `--rate 0.3`).
//
//   node bench/site-kinds.mjs [train-site options]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { join } from 'node:path';
import { root, loadDataFiles } from '../scripts/artifacts.mjs';

const out = join(root, 'target', 'bench', 'site-kinds');
mkdirSync(out, { recursive: true });
const options = process.argv.slice(2);
const cli = (args, input) => execFileSync('cargo', ['run', '--quiet', '--profile', 'native', '--features', 'cli', '--', ...args],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, input });
const dev = readFileSync(join(root, 'data', 'natural-dev.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const conventions = {
  'as labelled': (kind) => kind,
  '`problem` is `complaint`': (kind) => (kind === 'problem' ? 'complaint' : kind),
  // Against the classifier's lean of a broken promise toward complaint.
  '`complaint` is `problem`': (kind) => (kind === 'complaint' ? 'problem' : kind),
};

const kinds = (model, messages) => {
  const args = model ? ['classify', '--model', model] : ['classify'];
  return cli(args, messages.map((m) => JSON.stringify({ text: m.text })).join('\n') + '\n')
    .trim().split('\n').map((line) => JSON.parse(line).kind);
};

let largest = 0;
console.log(`| kind accuracy, five held-out folds of ${dev.length} messages | default model | site model${options.length ? ` (${options.join(' ')})` : ''} |`);
console.log('|---|---:|---:|');
for (const [name, convention] of Object.entries(conventions)) {
  const right = { default: 0, site: 0 };
  for (let fold = 0; fold < 5; fold++) {
    const held = dev.filter((_, i) => i % 5 === fold).map((m) => ({ ...m, kind: convention(m.kind) }));
    const corrections = dev.filter((_, i) => i % 5 !== fold).map((m) => ({ text: m.text, kind: convention(m.kind) }));
    const examples = join(out, `fold${fold}.jsonl`);
    const model = join(out, `fold${fold}.tpcm`);
    writeFileSync(examples, corrections.map((c) => JSON.stringify(c)).join('\n') + '\n');
    cli(['train-site', '--examples', examples, '--out', model, ...options]);
    const count = (said) => said.filter((kind, i) => kind === held[i].kind).length;
    right.default += count(kinds(null, held));
    right.site += count(kinds(model, held));
    const brotli = brotliCompressSync(readFileSync(model), { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
    largest = Math.max(largest, brotli);
  }
  const pct = (n) => `${((n / dev.length) * 100).toFixed(1)}%`;
  console.log(`| ${name} | ${pct(right.default)} | ${pct(right.site)} |`);
}
const budget = loadDataFiles().find((d) => d.name === 'model').budget_brotli;
console.log(`\nlargest site model: ${largest} B brotli (the widget's model budget: ${budget} B)`);
