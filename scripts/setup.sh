#!/usr/bin/env bash
# Sets up everything fakescope needs on a fresh machine: a virtual environment with the project and its
# development tools, and Debian's Chromium for the browser tests. Safe to run again; quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FAKESCOPE_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
fi
stamp="$VENV/.fakescope-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$VENV/bin/pip" install --quiet -e ".[dev,spark]"
  touch "$stamp"
fi
if [ "${FAKESCOPE_SKIP_BROWSER:-0}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "setup: could not install chromium; browser tests will fail" >&2
  else
    echo "setup: chromium is missing (apt-get install chromium); browser tests will fail" >&2
  fi
fi
