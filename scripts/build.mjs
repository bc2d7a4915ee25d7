// Builds every artifact listed in wasm-pack.toml: cargo (wasm32), wasm-bindgen,
// wasm-opt -Oz (npm binaryen), then lays out dist/ (worker + static site) and pkg/.
// Usage: node scripts/build.mjs [artifact names...]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { buildSync, transformSync } from 'esbuild';
import { loadArtifacts, root } from './artifacts.mjs';

const wasmOpt = join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
const only = process.argv.slice(2);

function run(cmd, args, opts = {}) {
  console.log(`  $ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

// Features the Rust compiler enables by default for wasm32-unknown-unknown;
// wasm-opt must accept them to parse the module.
const WASM_FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The names an artifact's wasm is linked by cost bytes twice, in the wasm and
// in the JavaScript that calls it (two files, compressed apart). wasm-opt
// renames the imports, the exports and the import module to one- or
// two-letter names and prints the mapping as JSON; the JavaScript is
// rewritten to match. Its own run, not part of the passes (--converge would
// repeat it), at the passes' optimize and shrink levels: without them the
// rewrite loses the stack-IR tuning of -Oz (the widget 51 B brotli).
// - With wasm-bindgen glue: each import is named after its JS function plus
//   a 16-hex-digit hash (`__wbg_appendChild_dbf7ad2f48413560`), the closures'
//   exports likewise, and hashes do not compress: the widget's 150 imports
//   were ~2.4 KB brotli of wasm and ~1.8 KB of glue. The glue's import keys
//   and `wasm.` calls are renamed, and its declarations of the raw exports
//   (not a public surface).
// - The recorder: its page script calls the `tp_` exports as `M.tp_x(…)`,
//   `x().tp_x(…)` or `call('tp_x', …)` and reads `M.memory`. The mapping is
//   kept in target/touchpoint-staging/<artifact>.export-names.json for the
//   test that matches the two (e2e/wasm/recorder-abi.test.mjs).
const LEVELS = { '-O1': ['1', '0'], '-O2': ['2', '0'], '-O3': ['3', '0'], '-O4': ['4', '0'], '-Os': ['2', '1'], '-Oz': ['2', '2'] };

function minifyNames(a, staging, wasm, passes, page) {
  const [optimize, shrink] = LEVELS[passes.find((pass) => pass in LEVELS)] ?? ['0', '0'];
  const glue = a.target !== 'none';
  const args = [glue ? '--minify-imports-and-exports-and-modules' : '--minify-imports-and-exports', '-ol', optimize,
    '-s', shrink, ...WASM_FEATURES, '--strip-debug', '--strip-producers', '--strip-target-features', '-o', wasm, wasm];
  console.log(`  $ ${wasmOpt} ${args.join(' ')}`);
  const mapping = JSON.parse(execFileSync(wasmOpt, args, { cwd: root, encoding: 'utf8' }));
  const exports = new Map(mapping.exports);
  if (!glue) {
    if (mapping.imports.length) throw new Error(`${a.name}: the recorder imports nothing, found ${mapping.imports.length}`);
    // Beside the staging folder, not in it: its contents are what ships.
    writeFileSync(`${staging}.export-names.json`, `${JSON.stringify(Object.fromEntries(exports), null, 2)}\n`);
    const renamed = page.replace(/(?<=[.'"`])tp_[a-z_]+\b/g, (name) => {
      if (!exports.has(name)) throw new Error(`${a.name}: the page script names ${name}, which is not exported`);
      return exports.get(name);
    }).replace(/\bM\.memory\b/g, `M.${exports.get('memory')}`);
    if (/\.memory\b/.test(renamed)) throw new Error(`${a.name}: the page script reads .memory of something other than M`);
    return renamed;
  }
  const compiled = new WebAssembly.Module(readFileSync(wasm));
  const modules = [...new Set(WebAssembly.Module.imports(compiled).map((i) => i.module))];
  const oldModules = [...new Set(mapping.imports.map(([module]) => module))];
  if (modules.length !== 1) {
    throw new Error(`${a.name}: expected one import module, found ${oldModules.join(', ')} → ${modules.join(', ')}`);
  }
  const gluePath = join(staging, `${a.out_name}.js`);
  let code = readFileSync(gluePath, 'utf8');
  const replaceOnce = (pattern, to, what) => {
    let found = 0;
    code = code.replace(pattern, (_, before) => { found += 1; return before + to; });
    if (found !== 1) throw new Error(`${a.name}: ${what} is written ${found} times in the glue, expected once`);
  };
  // The imports object names each module's variable: `"./x_bg.js": import0,`.
  // wasm-bindgen's own module is an object literal (`const import0 = {`);
  // an `inline_js` snippet's is the module itself (`import * as import1`).
  const variable = (module) => {
    const found = code.match(new RegExp(`\\s${escapeRegExp(JSON.stringify(module))}: (import\\d+),`));
    if (!found) throw new Error(`${a.name}: import module ${module} is not in the glue's imports object`);
    return found[1];
  };
  const own = oldModules.filter((module) => code.includes(`const ${variable(module)} = {`));
  if (own.length !== 1) throw new Error(`${a.name}: expected one wasm-bindgen import object, found ${own.length}`);
  // wasm-opt merged the modules into one: the snippets' functions join the
  // import object under their short names, and their modules leave it.
  const joined = [];
  for (const [module, from, to] of mapping.imports) {
    if (module === own[0]) {
      // The import object's keys: `        __wbg_x_0123…: function(…`.
      replaceOnce(new RegExp(`^(\\s+)${escapeRegExp(from)}(?=: function)`, 'gm'), JSON.stringify(to), `import ${from}`);
    } else {
      joined.push(`${JSON.stringify(to)}: ${variable(module)}[${JSON.stringify(from)}],`);
    }
  }
  for (const module of oldModules.filter((m) => m !== own[0])) {
    replaceOnce(new RegExp(`(\\s)${escapeRegExp(JSON.stringify(module))}: import\\d+,`, 'g'), '', `import module ${module}`);
  }
  replaceOnce(new RegExp(`(const ${variable(own[0])} = \\{)`, 'g'), `\n${joined.join('\n')}`, 'the import object');
  replaceOnce(new RegExp(`(\\s)${escapeRegExp(JSON.stringify(own[0]))}(?=: import\\d+,)`, 'g'), JSON.stringify(modules[0]),
    `import module ${own[0]}`);
  code = code.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
    if (!exports.has(name)) throw new Error(`${a.name}: the glue calls wasm.${name}, which is not exported`);
    return `wasm.${exports.get(name)}`;
  });
  writeFileSync(gluePath, code);
  const dtsPath = join(staging, `${a.out_name}.d.ts`);
  if (existsSync(dtsPath)) {
    const dts = readFileSync(dtsPath, 'utf8')
      .replace(/^(\s+readonly )([A-Za-z_$][\w$]*)(?=:)/gm, (whole, before, name) => before + (exports.get(name) ?? name));
    writeFileSync(dtsPath, dts);
  }
  return page;
}

// wasm-bindgen's glue warns in long sentences about cases Touchpoint never
// meets (its callers pass the init options as an object) or can say in
// fewer words (a server that sends .wasm without application/wasm): about
// 120 bytes brotli, which the widget's budget needs. Each text must be found
// once, so a wasm-bindgen upgrade that changes them stops the build.
const GLUE_WARNINGS = [
  [/console\.warn\('using deprecated parameters for `initSync\(\)`; pass a single object instead'\)/g, ''],
  [/console\.warn\('using deprecated parameters for the initialization function; pass a single object instead'\)/g, ''],
  [/"`WebAssembly\.instantiateStreaming` failed because your server does not serve Wasm with `application\/wasm` MIME type\. Falling back to `WebAssembly\.instantiate` which is slower\. Original error:\\n"/g,
    '"Touchpoint: serve .wasm as application/wasm (loading it more slowly now):"'],
];
function shortenGlueWarnings(code, name) {
  for (const [pattern, to] of GLUE_WARNINGS) {
    const found = code.match(pattern)?.length ?? 0;
    if (found !== 1) throw new Error(`${name}: expected wasm-bindgen's glue to hold ${pattern} once, found it ${found} times`);
    code = code.replace(pattern, to);
  }
  return code;
}

function buildArtifact(a) {
  const glue = a.target !== 'none';
  console.log(`\n▶ ${a.name}: cargo features [${a.features.join(', ')}], ${glue ? `wasm-bindgen --target ${a.target}` : 'no wasm-bindgen (hand-written interface)'}`);
  run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--no-default-features',
    '--features', a.features.join(',')]);
  const staging = join(root, 'target', 'touchpoint-staging', a.name);
  rmSync(staging, { recursive: true, force: true });
  rmSync(`${staging}.export-names.json`, { force: true });
  mkdirSync(staging, { recursive: true });
  // Where cargo wrote it: CARGO_TARGET_DIR when set (relative to the root, as cargo reads it).
  const built = join(resolve(root, process.env.CARGO_TARGET_DIR || 'target'), 'wasm32-unknown-unknown', 'release', 'touchpoint.wasm');
  const wasm = join(staging, `${a.out_name}_bg.wasm`);
  if (glue) run('wasm-bindgen', ['--target', a.target, '--out-dir', staging, '--out-name', a.out_name, built]);
  else copyFileSync(built, wasm);
  // Optimization passes per artifact (wasm-pack.toml's wasm_opt; default
  // -Oz --converge); the debug sections are stripped from every artifact.
  const passes = a.wasm_opt ?? ['-Oz', '--converge'];
  run(wasmOpt, [...passes, ...WASM_FEATURES, '--strip-debug', '--strip-producers', '--strip-target-features', '-o', wasm, wasm]);
  let page = a.page_script ? readFileSync(join(root, a.page_script), 'utf8') : '';
  if (a.minify_names) page = minifyNames(a, staging, wasm, passes, page);
  if (a.bundle) {
    // One classic script for the site's <script> tag: the glue (if any), the
    // page script and the bootstrap in one closure, so nothing leaks into the
    // page's globals.
    const gluePath = join(staging, `${a.out_name}.js`);
    const glueCode = glue ? readFileSync(gluePath, 'utf8') : '';
    const bootstrap = readFileSync(join(root, a.bundle), 'utf8');
    const bundle = `(function () {\n${glueCode}\n${page}\n${bootstrap}\n})();\n`;
    // Minified because it ships on every page of the customer's site.
    const { code } = transformSync(bundle, { minify: true, target: 'es2020', legalComments: 'none' });
    writeFileSync(join(staging, a.bundle_name), code);
    rmSync(gluePath, { force: true });
    rmSync(join(staging, `${a.out_name}.d.ts`), { force: true });
  } else if (glue) {
    // The ES-module glue ships as is to browsers and to the npm package:
    // minified like the script tag (the widget's glue: 7.7 → 5.6 KB brotli),
    // with the JavaScript snippets Rust code declares (`inline_js`) bundled
    // in, so it stays one file with no extra request.
    const gluePath = join(staging, `${a.out_name}.js`);
    writeFileSync(gluePath, shortenGlueWarnings(readFileSync(gluePath, 'utf8'), a.name));
    const { outputFiles: [bundled] } = buildSync({ entryPoints: [gluePath], bundle: true, write: false,
      minify: true, format: 'esm', target: 'es2020', legalComments: 'none' });
    writeFileSync(gluePath, bundled.text);
    rmSync(join(staging, 'snippets'), { recursive: true, force: true });
  }
  if (!a.bundle && a.page_script) {
    // The npm package imports the same page script as an ES module.
    writeFileSync(join(staging, 'page.js'), `${page}\nexport { loadRecorder, startRecorder, mountLauncher };\n`);
  }
  for (const dir of a.out_dirs) {
    const out = join(root, dir);
    mkdirSync(out, { recursive: true });
    // Type declarations belong to the npm package only, not to served files.
    const served = dir.startsWith('dist/');
    cpSync(staging, out, { recursive: true, filter: (src) => !(served && src.endsWith('.d.ts')) });
    console.log(`  → ${dir}/`);
  }
}

const artifacts = loadArtifacts().filter((a) => only.length === 0 || only.includes(a.name));
for (const a of artifacts) buildArtifact(a);

console.log('\n▶ static files: demo site, console page, worker entry, classifier model');
for (const dir of ['dist/site/widget', 'pkg/widget']) {
  mkdirSync(join(root, dir), { recursive: true });
  copyFileSync(join(root, 'model', 'touchpoint.tpcm'), join(root, dir, 'touchpoint.tpcm'));
}
cpSync(join(root, 'www', 'demo'), join(root, 'dist', 'site'), { recursive: true });
for (const license of ['LICENSE-MIT', 'LICENSE-APACHE']) copyFileSync(join(root, license), join(root, 'pkg', license));
cpSync(join(root, 'www', 'console'), join(root, 'dist', 'site', 'console'), { recursive: true });
// The API description, served at /v1/openapi.json from the assets (not compiled into the worker).
copyFileSync(join(root, 'openapi.json'), join(root, 'dist', 'site', 'openapi.json'));
mkdirSync(join(root, 'dist', 'worker'), { recursive: true });
copyFileSync(join(root, 'worker', 'index.js'), join(root, 'dist', 'worker', 'index.js'));
if (!existsSync(join(root, 'dist', 'worker', 'touchpoint_worker_bg.wasm'))) {
  console.warn('  (the worker artifact has not been built yet)');
}
// The folder a site copies to serve Touchpoint's files itself (README:
// "Self-hosting"), and the Subresource Integrity hash of the versioned entry.
const site = join(root, 'dist', 'site');
const embeddable = ['touchpoint.js', 'touchpoint_recorder_bg.wasm', 'widget/touchpoint_widget.js',
  'widget/touchpoint_widget_bg.wasm', 'widget/touchpoint.tpcm'];
if (embeddable.every((file) => existsSync(join(site, file)))) {
  const selfHost = join(root, 'dist', 'self-host');
  rmSync(selfHost, { recursive: true, force: true });
  for (const file of embeddable) {
    mkdirSync(join(selfHost, file, '..'), { recursive: true });
    copyFileSync(join(site, file), join(selfHost, file));
  }
  // The worker serves /v/<its Cargo version>/ (src/domain/assets.rs).
  const version = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
  const integrity = `sha384-${createHash('sha384').update(readFileSync(join(site, 'touchpoint.js'))).digest('base64')}`;
  writeFileSync(join(root, 'dist', 'integrity.json'), `${JSON.stringify({ version, path: `/v/${version}/touchpoint.js`, integrity }, null, 2)}\n`);
  console.log(`  → dist/self-host/ (the files a site serves itself)`);
  console.log(`  versioned script tag: src=".../v/${version}/touchpoint.js" integrity="${integrity}" crossorigin="anonymous"`);
}
console.log('✔ build complete: dist/site (static), dist/worker (edge), pkg/ (npm)');
