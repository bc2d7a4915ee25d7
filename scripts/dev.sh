#!/usr/bin/env bash
# Runs Touchpoint locally: installs what is missing, builds every artifact,
# applies the D1 migrations and starts the demo site, the widget, the worker
# and the console on http://127.0.0.1:8787 (D1 persisted in .touchpoint/). A new
# database gets three days of simulated visitors (TOUCHPOINT_SEED=0 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
scripts/setup.sh
printf '\n\033[1m▶ build\033[0m\n'
node scripts/build.mjs
printf '\n\033[1m▶ run (migrations are applied at start)\033[0m\n'
exec node scripts/serve.mjs
