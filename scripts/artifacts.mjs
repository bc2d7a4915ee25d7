// Reads wasm-pack.toml, the list of build artifacts shared by the build and the size check.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parse } from 'smol-toml';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function loadArtifacts() {
  const manifest = parse(readFileSync(join(root, 'wasm-pack.toml'), 'utf8'));
  const artifacts = manifest.artifact ?? [];
  for (const a of artifacts) {
    for (const key of ['name', 'features', 'target', 'out_dirs', 'out_name', 'budget_brotli']) {
      if (a[key] === undefined) throw new Error(`wasm-pack.toml: artifact ${a.name ?? '?'} lacks ${key}`);
    }
  }
  return artifacts;
}

/** Data files (the classifier model) checked by the size check. */
export function loadDataFiles() {
  const manifest = parse(readFileSync(join(root, 'wasm-pack.toml'), 'utf8'));
  return manifest.data ?? [];
}

/// Files an artifact ships, relative to the project root (what the size check measures).
export function shippedFiles(artifact) {
  const dir = artifact.out_dirs[0];
  const wasm = join(dir, `${artifact.out_name}_bg.wasm`);
  if (artifact.bundle) return [join(dir, artifact.bundle_name), wasm];
  const glue = artifact.target === 'none' ? [] : [join(dir, `${artifact.out_name}.js`)];
  const page = artifact.page_script ? [join(dir, 'page.js')] : [];
  return [...glue, ...page, wasm];
}
