// Prints every artifact's raw, gzip and brotli size and checks it against its
// budget in wasm-pack.toml. Exits 1 when an artifact is over budget or missing.
// Usage: node scripts/size.mjs [--markdown]
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { loadArtifacts, loadDataFiles, shippedFiles, root } from './artifacts.mjs';

const markdown = process.argv.includes('--markdown');
const kb = (n) => (n / 1024).toFixed(1);

function sizes(file) {
  const bytes = readFileSync(join(root, file));
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const rows = [];
let failed = false;
const entries = [
  ...loadArtifacts().map((a) => ({ ...a, files: shippedFiles(a) })),
  ...loadDataFiles().map((d) => ({ ...d, files: [d.path] })),
];
for (const artifact of entries) {
  const files = artifact.files;
  const missing = files.filter((f) => !existsSync(join(root, f)));
  if (missing.length) {
    console.error(`✘ ${artifact.name}: not built (${missing.join(', ')}); run make build`);
    failed = true;
    continue;
  }
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) {
    const s = sizes(f);
    total.raw += s.raw; total.gzip += s.gzip; total.brotli += s.brotli;
  }
  const ok = total.brotli <= artifact.budget_brotli;
  if (!ok) failed = true;
  rows.push({ name: artifact.name, files: files.map((f) => f.split('/').pop()).join(' + '), ...total,
    budget: artifact.budget_brotli, ok });
}

if (markdown) {
  console.log('| artifact | files | raw KB | gzip KB | brotli KB | budget (brotli KB) |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.files} | ${kb(r.raw)} | ${kb(r.gzip)} | ${kb(r.brotli)} | ${kb(r.budget)} ${r.ok ? '' : '**over**'} |`);
  }
} else {
  // Bytes left (negative: over) — budgets are tight enough that 0.1 KB hides it.
  console.log('artifact        raw KB   gzip KB  brotli KB  budget KB  left B');
  for (const r of rows) {
    console.log(`${r.ok ? '✔' : '✘'} ${r.name.padEnd(13)} ${kb(r.raw).padStart(7)} ${kb(r.gzip).padStart(9)} ${kb(r.brotli).padStart(10)} ${kb(r.budget).padStart(10)} ${String(r.budget - r.brotli).padStart(7)}`);
  }
}
if (failed) {
  console.error('size check failed: an artifact is missing or over its budget in wasm-pack.toml');
  process.exit(1);
}
