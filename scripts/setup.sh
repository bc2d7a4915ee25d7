#!/usr/bin/env bash
# Installs what Touchpoint needs to build and run, only where it is missing.
# Usage: scripts/setup.sh [--test]   (--test adds Chromium, chromedriver, brotli)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }

step "Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "  already installed"
else
  rustup target add wasm32-unknown-unknown
fi

step "rustfmt and clippy"
for component in rustfmt clippy; do
  if rustup component list --installed | grep -q "^${component}"; then
    echo "  ${component} already installed"
  else
    rustup component add "${component}"
  fi
done

step "wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
if command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version | awk '{print $2}')" = "${WASM_BINDGEN_VERSION}" ]; then
  echo "  already installed"
else
  echo "  installing with cargo (takes a few minutes, once)"
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
fi

step "npm packages (package-lock.json: workerd/Miniflare, wrangler, binaryen, esbuild, playwright-core)"
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "  already installed"
else
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ]; then
  step "Debian packages for browser tests: chromium, chromium-driver, brotli"
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v brotli >/dev/null || missing+=(brotli)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "  already installed"
  else
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

if [ "${1:-}" = "--test" ]; then
  # The API fuzzer (scripts/api-fuzz.mjs) checks openapi.json against the worker.
  SCHEMATHESIS_VERSION=4.32.5
  VENV=target/schemathesis-venv
  step "Schemathesis ${SCHEMATHESIS_VERSION} (PyPI) in ${VENV}"
  if [ -x "${VENV}/bin/st" ] && [ "$("${VENV}/bin/st" --version 2>/dev/null | awk '{print $3}')" = "${SCHEMATHESIS_VERSION}" ]; then
    echo "  already installed"
  else
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
      echo "  python3 has no venv module: installing Debian's python3-venv"
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv
    fi
    rm -rf "${VENV}"
    python3 -m venv "${VENV}"
    "${VENV}/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
    echo "  installed $("${VENV}/bin/st" --version)"
  fi
fi
