#!/usr/bin/env bash
# Runs every check: lint (ruff), types (mypy) and the whole test suite on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV="${FAKESCOPE_VENV:-.venv}"
export PATH="$PWD/$VENV/bin:$PATH"
ruff check src tests benchmarks
ruff format --check src tests benchmarks || { echo "run: ruff format src tests benchmarks" >&2; exit 1; }
mypy
export FAKESCOPE_TEST_POSTGRES_URL="${FAKESCOPE_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
export FAKESCOPE_REQUIRE_POSTGRES="${FAKESCOPE_REQUIRE_POSTGRES:-1}"
python -m pytest -q "$@"
