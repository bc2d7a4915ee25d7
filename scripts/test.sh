#!/usr/bin/env bash
# Runs every Touchpoint test: installs what is missing, then formatting, lints,
# native tests, the build and its size budgets, wasm tests in Node and headless
# Chromium, edge tests in workerd with D1, and browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
export CARGO_TERM_COLOR=never
step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }

scripts/setup.sh --test

WASM_FEATURES=recorder,widget,console,edge

step "referrer and bot lists: src/domain/referrer_table.rs and bot_pattern.rs regenerate byte for byte from the pinned packages and data/lists/"
node scripts/gen-lists.mjs --check

step "npm package JSON Schemas: pkg/schema/ regenerates byte for byte (the touchpoint event from openapi.json)"
node scripts/gen-schemas.mjs --check

step "visitor training messages: data/visitor-train.jsonl regenerates byte for byte from data/visitor/*.txt"
node scripts/gen-visitor-data.mjs --check

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings (native with the CLI; wasm32 with every browser/edge feature; the no_std recorder alone)"
cargo clippy --all-targets --features cli -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features "$WASM_FEATURES" -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features recorder -- -D warnings

step "native tests (cargo test; with the widget and console features for their reducers; includes the redactor's property tests and the bounded fuzz run of tests/fuzz.rs)"
cargo test --features cli,widget,console

step "CLI runs natively"
cargo run --quiet --features cli -- --help

# The CLI where cargo puts it (CARGO_TARGET_DIR when set).
cli="${CARGO_TARGET_DIR:-target}/native/touchpoint"

step "classifier: training from ../shared/datasets reproduces the committed model byte for byte"
cargo build --quiet --profile native --features cli
"$cli" train --out target/model-check.tpcm
cmp target/model-check.tpcm model/touchpoint.tpcm

step "classifier: every head on the natural test set (data/natural-test.jsonl; a report, not a threshold — MODEL.md has the targets)"
"$cli" eval --data data/natural-test.jsonl

step "PII redactor on presidio-synth: recall >= 99% and precision >= 98% per kind"
"$cli" eval-pii --min-recall 99 --min-precision 98

step "build every artifact (wasm-pack.toml)"
node scripts/build.mjs

step "size check against wasm-pack.toml budgets"
node scripts/size.mjs

step "the worker bundles for Cloudflare with the committed wrangler.toml (wrangler deploy --dry-run)"
npx wrangler deploy --dry-run --outdir target/wrangler-dry-run

step "the README's deployment migrations apply with wrangler (local D1, from scratch)"
rm -rf target/wrangler-d1
npx wrangler d1 migrations apply touchpoint --local --persist-to target/wrangler-d1

step "wasm tests: golden tests (encoding, a recorder session, ingestion, classifier) in Node"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --features recorder --test golden

step "classifier in wasm (Node) equals the native CLI"
node --test e2e/wasm/

step "edge tests: the worker in workerd with D1"
node --import ./e2e/fetch-deadline.mjs --test e2e/edge/

step "API contract both ways: Schemathesis against the worker (no 5xx, no undocumented status or schema mismatch, nothing the document forbids accepted)"
node scripts/api-fuzz.mjs

step "browser tests: the demo site, the recorder and delivery under faults, in headless Chromium against the worker"
node --import ./e2e/fetch-deadline.mjs --test e2e/browser/

step "all tests passed"
