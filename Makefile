# Touchpoint's entry points. `make dev` and `make test` are the README's two commands.
.PHONY: dev test build size bench setup clean

## Install what is missing, build, and run the product on http://127.0.0.1:8787
dev:
	scripts/dev.sh

## Install what is missing and run every test
test:
	scripts/test.sh

## Build every artifact listed in wasm-pack.toml into dist/ and pkg/
build:
	scripts/setup.sh
	node scripts/build.mjs

## Print the size table (raw, gzip, brotli) and check the budgets
size:
	node scripts/size.mjs

## Print every benchmark in BENCHMARKS.md (sizes, classifier accuracy and speed)
bench: build
	node scripts/size.mjs --markdown
	cargo run --quiet --profile native --features cli -- train --out target/check.tpcm --export-splits target/splits
	python3 -c "import sklearn" 2>/dev/null || pip install --quiet scikit-learn
	python3 bench/reference_svm.py --dev data/natural-dev.jsonl target/splits data/natural-test.jsonl
	cargo run --quiet --profile native --features cli -- eval --data data/natural-test.jsonl
	cargo run --quiet --profile native --features cli -- eval --data data/natural-dev.jsonl
	cargo run --quiet --profile native --features cli -- eval-pii
	cargo run --quiet --profile native --features cli -- bench
	node bench/classify-wasm.mjs
	node bench/site-adaptation.mjs
	node bench/site-kinds.mjs
	node bench/recorder-main-thread.mjs
	node bench/ingest-throughput.mjs 10
	node bench/conversation-roundtrip.mjs 20 5
	node bench/widget-open.mjs 10
	node bench/simulate-scale.mjs

setup:
	scripts/setup.sh --test

clean:
	rm -rf dist target/touchpoint-staging pkg/recorder pkg/widget
