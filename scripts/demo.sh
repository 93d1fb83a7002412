#!/usr/bin/env bash
# The main job on the embedded default: simulate a small marketplace, ingest it into a fresh workspace,
# and show what was loaded. Later stages grow this same command into the whole loop.
set -euo pipefail
cd "$(dirname "$0")/.."
FAKESCOPE_SKIP_BROWSER=1 bash scripts/setup.sh
VENV="${FAKESCOPE_VENV:-.venv}"
export PATH="$PWD/$VENV/bin:$PATH"
DEMO="${FAKESCOPE_DEMO_DIR:-demo}"
LISTINGS="${FAKESCOPE_DEMO_LISTINGS:-20000}"
rm -rf "$DEMO"
export FAKESCOPE_WORKSPACE="$DEMO/workspace"
fakescope simulate --listings "$LISTINGS" --seed 7 --out "$DEMO/marketplace"
fakescope ingest "$DEMO/marketplace"
fakescope status
