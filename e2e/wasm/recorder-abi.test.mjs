// The recorder's hand-written interface (src/recorder_abi.rs) and the page script
// that calls it (www/page.js) agree: every export page.js calls exists, with
// as many parameters as page.js passes, and no export is left uncalled.
// Nothing else checks this but the end-to-end tests, and a missing argument
// would silently read as 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/artifacts.mjs';

const page = readFileSync(join(root, 'www', 'page.js'), 'utf8').replace(/^\s*\/\/.*$/gm, '');

/** Splits `text` at top-level commas (outside brackets, parentheses and strings). */
function topLevel(text) {
  const parts = [];
  let depth = 0, quote = null, current = '';
  for (const c of text) {
    if (quote) { current += c; if (c === quote) quote = null; continue; }
    if (c === "'" || c === '"') quote = c;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (c === ',' && depth === 0) { parts.push(current.trim()); current = ''; continue; }
    current += c;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** The text between the bracket at `open` and its partner. */
function enclosed(text, open) {
  const pairs = { '(': ')', '[': ']' };
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === text[open]) depth += 1;
    else if (text[i] === pairs[text[open]]) { depth -= 1; if (depth === 0) return text.slice(open + 1, i); }
  }
  throw new Error(`unbalanced at ${open}`);
}

// page() is the page's four strings; `first` is the start-up call's two lists.
const firstList = topLevel(enclosed(page, page.indexOf('[', page.indexOf('var first = '))));
// `seed` is a typed array of random words, spread into the start-up call.
const seedWords = Number(page.match(/var seed = crypto\.getRandomValues\(new Uint32Array\((\d+)\)\)/)[1]);
function count(expression) {
  const e = expression.trim();
  if (e === 'page()' || e === '...page()') return 4;
  if (e === '...seed') return seedWords;
  if (e === 'first[0]' || e === 'first[1]') return count(firstList[Number(e[6])]);
  if (e === '...first') return firstList.reduce((total, list) => total + count(list), 0);
  const concat = e.match(/^(\[[\s\S]*\])\.concat\(page\(\)\)$/);
  if (concat) return count(concat[1]) + 4;
  if (e.startsWith('[') && e.endsWith(']')) return topLevel(e.slice(1, -1)).reduce((total, item) => total + count1(item), 0);
  throw new Error(`cannot count ${e}`);
}

/** One array element: a spread counts what it spreads, anything else one. */
function count1(item) {
  return item.trim().startsWith('...') ? count(item) : 1;
}

/** Every call of an export in page.js, with the number of arguments it passes. */
function callsInPage() {
  const calls = [];
  for (const match of page.matchAll(/call\('(tp_[a-z_]+)'/g)) {
    const args = topLevel(enclosed(page, match.index + 'call'.length)).slice(1);
    calls.push({ name: match[1], arity: args.reduce((total, arg) => total + count(arg), 0) });
  }
  for (const match of page.matchAll(/(?:x\(\)|M)\.(tp_[a-z_]+)\(/g)) {
    calls.push({ name: match[1], arity: topLevel(enclosed(page, match.index + match[0].length - 1)).length });
  }
  return calls;
}

test('page.js calls exactly the recorder\'s exports, each with the number of parameters it takes', async () => {
  const bytes = readFileSync(join(root, 'dist', 'site', 'touchpoint_recorder_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, {});
  // The build gives the exports short names (scripts/build.mjs, minifyNames)
  // and keeps the mapping from the names page.js uses.
  const names = JSON.parse(readFileSync(join(root, 'target', 'touchpoint-staging', 'recorder.export-names.json'), 'utf8'));
  const sourceName = new Map(Object.entries(names).map(([name, short]) => [short, name]));
  const exported = Object.fromEntries(Object.entries(instance.exports)
    .map(([short, fn]) => [sourceName.get(short) ?? short, fn])
    .filter(([name]) => name.startsWith('tp_')).map(([name, fn]) => [name, fn.length]));
  const calls = callsInPage();
  assert.ok(calls.length > 20, `found ${calls.length} calls`);
  for (const { name, arity } of calls) {
    assert.ok(name in exported, `page.js calls ${name}, which the recorder does not export`);
    assert.equal(arity, exported[name], `${name}: page.js passes ${arity} values, the export takes ${exported[name]}`);
  }
  const called = new Set(calls.map((c) => c.name));
  assert.deepEqual(Object.keys(exported).filter((name) => !called.has(name)), [], 'every export is called');
  assert.equal(exported.tp_start, 17);
});
