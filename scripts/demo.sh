#!/usr/bin/env bash
# The main job on the embedded default (DuckDB and SQLite in a fresh workspace), the whole loop on a small
# simulated marketplace: find, check, prove, act, trace, then the closed loop of plan -> test buys -> retrain.
set -euo pipefail
cd "$(dirname "$0")/.."
FAKESCOPE_SKIP_BROWSER=1 bash scripts/setup.sh
VENV="${FAKESCOPE_VENV:-.venv}"
export PATH="$PWD/$VENV/bin:$PATH"
DEMO="${FAKESCOPE_DEMO_DIR:-demo}"
LISTINGS="${FAKESCOPE_DEMO_LISTINGS:-20000}"
BUDGET="${FAKESCOPE_DEMO_BUDGET:-100000}"
rm -rf "$DEMO"
mkdir -p "$DEMO"
DEMO="$(cd "$DEMO" && pwd)"
export FAKESCOPE_WORKSPACE="$DEMO/workspace"
export FAKESCOPE_ACTIONS_EXPORT_FILE="$DEMO/actions.jsonl"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Data: simulate a marketplace in the contract format, ingest it"
fakescope simulate --listings "$LISTINGS" --seed 7 --out "$DEMO/marketplace"
fakescope ingest "$DEMO/marketplace"
fakescope status

step "Find: train on past spot checks, evaluate on a later time slice, score every listing"
fakescope train
fakescope evaluate
fakescope score --out "$DEMO/scores.csv"

step "Trace: screen sellers against banned ones, find rings"
fakescope screen --out "$DEMO/screening.csv"
fakescope rings --out "$DEMO/ring_members.csv" --rings-out "$DEMO/rings.json"

step "Check: a budgeted plan of test buys, and the prevalence estimate"
fakescope plan --budget "$BUDGET" --out "$DEMO/plan.csv"
fakescope prevalence --by category

step "Prove and act: open cases from the plan, take one through purchase, evidence, appraisal, verdict"
fakescope orgs create "Demo inspection agency" --kind agency
fakescope cases import-plan "$DEMO/plan.csv"
case_id="$(fakescope cases list --format json | python -c 'import json, sys; print(json.load(sys.stdin)[0]["case_id"])')"
fakescope cases move "$case_id" purchased --reason "covert test buy" \
  --set buyer_account=demo-buyer-1 --set order_ref=DEMO-0001 --set amount_paid=199
printf 'unboxing film of %s\n' "$case_id" > "$DEMO/unboxing.mp4"
fakescope evidence add "$case_id" "$DEMO/unboxing.mp4" --kind video
fakescope cases move "$case_id" received --reason "parcel arrived"
fakescope cases move "$case_id" in_appraisal --reason "sent for appraisal"
fakescope cases verdict "$case_id" counterfeit --reason "logo and stitching differ from the genuine article"
fakescope actions deliver
fakescope actions
fakescope cases show "$case_id"
fakescope verify

step "Learn: the verdict is a label; the next model picks it up"
fakescope labels --out "$DEMO/labels.csv"
fakescope train

step "The closed loop: plan, test-buy from the simulator's truth, retrain, three rounds"
fakescope simulate-loop --rounds 3 --budget "$BUDGET"
echo
echo "Demo done: files in $DEMO, workspace in $FAKESCOPE_WORKSPACE"
