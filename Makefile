# Touchpoint's entry points. `make dev` and `make test` are the README's two commands.
.PHONY: dev test build size setup clean

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

setup:
	scripts/setup.sh --test

clean:
	rm -rf dist target/touchpoint-staging pkg/recorder pkg/widget
