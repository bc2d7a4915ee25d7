// Site adaptation (issue 15's target): a site model trained on HINT3's train
// split (as a site would upload it) against the default model and against
// the reference SVM trained on the default training data plus the same
// examples, all scored on the 390 HINT3-style messages written for the
// site-model test (e2e/edge/data/hint3-style.jsonl and hint3-style-2.jsonl);
// and what the site model keeps of the default's reading of other visitors'
// messages (the natural dev set), beside the SVM with the site's examples.
//
//   node bench/site-adaptation.mjs
//
// Needs ../shared/datasets (HINT3) and scikit-learn (`make bench` installs it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../scripts/artifacts.mjs';
import { HINT3, hint3Examples, hint3StyleMessages } from '../e2e/edge/hint3.mjs';

if (!existsSync(HINT3)) {
  console.error(`site adaptation: ${HINT3} is missing (../shared/datasets)`);
  process.exit(1);
}
const out = join(root, 'target', 'bench');
mkdirSync(out, { recursive: true });
const examplesFile = join(out, 'hint3-site.jsonl');
// Both files of messages as one, for the reference SVM.
const messagesFile = join(out, 'hint3-style-all.jsonl');
const siteModel = join(out, 'hint3-site.tpcm');
const examples = hint3Examples();
writeFileSync(examplesFile, examples.map((e) => JSON.stringify(e)).join('\n') + '\n');

const messages = hint3StyleMessages();
writeFileSync(messagesFile, messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
const cli = (args, input) => execFileSync('cargo', ['run', '--quiet', '--profile', 'native', '--features', 'cli', '--', ...args],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, input });
// --cross-validate: the settings' score on the site's own examples (what they were chosen on).
const trained = cli(['train-site', '--examples', examplesFile, '--out', siteModel, '--cross-validate']).trim();
console.log(trained);
const validated = trained.match(/cross-validated topic \((\d+) examples.*site model ([\d.]+)%.*base model ([\d.]+)%/);
// The messages as `touchpoint classify` reads them on stdin, one JSON line each.
const lines = messages.map((m) => JSON.stringify({ text: m.text })).join('\n') + '\n';
const accuracy = (output) => {
  const topics = output.trim().split('\n').map((line) => JSON.parse(line).topic);
  return topics.filter((topic, i) => topic === messages[i].topic).length / messages.length;
};
const ours = { default: accuracy(cli(['classify'], lines)), site: accuracy(cli(['classify', '--model', siteModel], lines)) };
const naturalFile = join(root, 'data', 'natural-dev.jsonl');
const natural = readFileSync(naturalFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((m) => m.topic);
const naturalLines = natural.map((m) => JSON.stringify({ text: m.text })).join('\n') + '\n';
const naturalAccuracy = (output) => {
  const topics = output.trim().split('\n').map((line) => JSON.parse(line).topic);
  return topics.filter((topic, i) => topic === natural[i].topic).length / natural.length;
};
const oursNatural = {
  default: naturalAccuracy(cli(['classify'], naturalLines)),
  site: naturalAccuracy(cli(['classify', '--model', siteModel], naturalLines)),
};

const splits = join(root, 'target', 'splits');
cli(['train', '--out', join(out, 'check.tpcm'), '--export-splits', splits]);
const svm = JSON.parse(execFileSync('python3', [join(root, 'bench', 'reference_svm.py'), '--site', splits, examplesFile, messagesFile],
  { encoding: 'utf8' }).trim().split('\n').pop());

const svmNatural = JSON.parse(execFileSync('python3', [join(root, 'bench', 'reference_svm.py'), '--site', splits, examplesFile, naturalFile],
  { encoding: 'utf8' }).trim().split('\n').pop());

const svmValidated = JSON.parse(execFileSync('python3', [join(root, 'bench', 'reference_svm.py'), '--site-cv', splits, examplesFile],
  { encoding: 'utf8' }).trim().split('\n').pop());

const pct = (x) => `${(x * 100).toFixed(1)}%`;
console.log(`\n| topic accuracy on ${messages.length} HINT3-style messages | default data | default data + ${examples.length} site examples |`);
console.log('|---|---:|---:|');
console.log(`| Touchpoint (built-in model → site model) | ${pct(ours.default)} | ${pct(ours.site)} |`);
console.log(`| reference SVM (bench/reference_svm.py) | ${pct(svm.default)} | ${pct(svm.with_site)} |`);
console.log(`\n| topic accuracy on the ${natural.length} natural dev messages (other visitors) | default data | default data + ${examples.length} site examples |`);
console.log('|---|---:|---:|');
console.log(`| Touchpoint (built-in model → site model) | ${pct(oursNatural.default)} | ${pct(oursNatural.site)} |`);
console.log(`| reference SVM (bench/reference_svm.py) | ${pct(svmNatural.default)} | ${pct(svmNatural.with_site)} |`);
if (validated) {
  console.log(`\n| cross-validated on the site's own examples (${validated[1]} the default model never trained on) | topic accuracy |`);
  console.log('|---|---:|');
  console.log(`| built-in model | ${validated[3]}% |`);
  console.log(`| site model (the settings the worker uses) | ${validated[2]}% |`);
  console.log(`| reference SVM, default data + the other four fifths (${svmValidated.scored}) | ${pct(svmValidated.cross_validated)} |`);
}
