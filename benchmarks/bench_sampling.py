"""Times `plan` end to end (candidates from the snapshot, costs, MILP on a shortlist, explore draw, writing)
at 50k, 1M and 1.2M listings (1.2M is what leaves over 1M reachable candidates), with the gap to the LP bound
over every candidate.

Run as `python -m benchmarks.bench_sampling` (late, niced, FAKESCOPE_ANALYTICS__DUCKDB_THREADS=2); results go
to benchmarks/results/sampling.{json,md}. Each size is simulated and ingested once (kept under --scratch and
reused); scores are then written from the simulator's truth with noise into the workspace's `scores_listing`
table, the one `fakescope score` writes and `plan` reads (about as sharp as the find benchmark's model, ROC
AUC ~0.97; measured and kept), because training at 1M is the find benchmark's job and planning time does not
depend on where the risk came from. The budget grows with the marketplace (4 CNY a listing: 200,000 at 50k,
4,000,000 at 1M) so the plan's shape stays comparable.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import RESULTS_DIR, machine_info, measure, median_of, save_results

SEED = 1
# Noise on the logit that gives a ROC AUC of ~0.97, the find benchmark's model on 200k listings (0.975).
SCORE_NOISE = 1.9
BUDGET_PER_LISTING = 4.0  # CNY: the 200,000 for 50k listings
SCRATCH = Path(__file__).parent / "data" / "sampling"  # ignored by git; kept so setup runs once
METHOD = (
    "Setup per size, once: simulate + ingest (`simulate_marketplace`, `ingest_folder`), then scores = "
    "sigmoid((0.5 if counterfeit else -4.5) + N(0, 1.9)) written to the workspace's `scores_listing` "
    "table for the current snapshot (risk_auc is their ROC AUC against the truth). Timed: `make_plan`, "
    "the function `fakescope plan` calls, with the default flags (max 2 per shop, explore 0.1, coverage "
    "0.1), seed 1, each run in a fresh forked process (plan_s = median wall time, imports included; "
    "peak_rss_mib = that process's peak). Stages: scores_s = snapshot info and reading scores, finding_s "
    "= reachable listings, sales and last checks from DuckDB plus costs and harm, optimising_s = "
    "coverage, LP bound, MILP and explore draw (optimiser_s = LP bound + MILP), writing_s = CSV and the "
    "`plan` table. shortlist = MILP binaries, shortlist_fixed = of them the LP's clear picks fixed in; "
    "gap_to_lp_bound = (LP bound over every candidate - plan's targeted expected harm) / bound."
)


def _auc(score: np.ndarray, label: np.ndarray) -> float:
    """ROC AUC by ranks (Mann-Whitney), ties at random order being negligible for continuous scores."""
    ranks = np.empty(score.size)
    ranks[np.argsort(score, kind="stable")] = np.arange(1, score.size + 1)
    positives = int(label.sum())
    negatives = label.size - positives
    return float((ranks[label].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _prepare(listings: int, scratch: Path) -> dict[str, Any]:
    """A simulated, ingested workspace with listing scores (simulation and ingest reused when there)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fakescope.analytics.derived import write_derived
    from fakescope.analytics.ingest import ingest_folder, snapshot_info
    from fakescope.analytics.simulate import simulate_marketplace
    from fakescope.settings import get_settings
    from fakescope.workspace import Workspace

    folder, workspace = scratch / f"market-{listings}", scratch / f"workspace-{listings}"
    settings = get_settings(workspace)
    if not Workspace(workspace).snapshot_db.exists():
        simulate_marketplace(folder, listings=listings, seed=SEED)
        ingest_folder(folder, settings=settings)
    truth = pq.read_table(folder / "_truth" / "listings.parquet", columns=["listing_id", "counterfeit"])
    fake = truth.column("counterfeit").to_numpy(zero_copy_only=False).astype(bool)
    rng = np.random.default_rng(SEED)
    risk = 1 / (1 + np.exp(-(np.where(fake, 0.5, -4.5) + rng.normal(0, SCORE_NOISE, fake.size))))
    empty = pa.nulls(fake.size, pa.string())
    scores = pa.table(
        {
            "listing_id": truth.column("listing_id"),
            "shop_id": empty,
            "seller_id": empty,
            "risk": risk,
            "reasons": empty,
            "explanation": pa.repeat(pa.scalar("approximate"), fake.size),
            "model_version": pa.repeat(pa.scalar("bench"), fake.size),
        }
    )
    meta = {
        "snapshot_fingerprint": snapshot_info(settings).fingerprint,
        "model_version": "bench",
        "fallback": False,
        "scored_at": datetime.now(UTC).isoformat(),
    }
    write_derived(Workspace(workspace), "scores_listing", scores, meta)
    return {"workspace": str(workspace), "risk_auc": round(_auc(risk, fake), 3), "prevalence": fake.mean()}


def _plan(workspace: Path, budget: float) -> dict[str, Any]:
    from fakescope.analytics.sampling.planner import make_plan
    from fakescope.settings import get_settings

    marks: list[tuple[str, float]] = [("scores", time.perf_counter())]
    report = make_plan(
        get_settings(workspace),
        budget=budget,
        seed=SEED,
        out=workspace / "plan.csv",
        progress=lambda message: marks.append((message.split()[0], time.perf_counter())),
    )
    marks.append(("end", time.perf_counter()))
    # Seconds per stage: "scores" = snapshot info and scores, "finding" = candidates from the snapshot,
    # "optimising" = costs, MILP and explore draw, "writing" = CSV and the plan table.
    stages = {f"{a}_s": round(tb - ta, 2) for (a, ta), (_, tb) in itertools.pairwise(marks)}
    return {
        **stages,
        "candidates": report.candidates,
        "checks": report.table.num_rows,
        "spend": round(report.spend),
        "shortlist": report.shortlist,
        "shortlist_fixed": report.shortlist_fixed,
        "optimiser_s": round(report.optimiser_seconds, 2),
        "gap_to_lp_bound": report.gap,
        "solver": report.solver_status,
        "explore_draws": report.explore_draws,
    }


def run(sizes: tuple[int, ...], budgets: tuple[float, ...] | None, repeats: int, scratch: Path) -> list[dict]:
    """Prepare each size once (in a child, so the plan runs start small), then time `plan` for each budget
    (default: `BUDGET_PER_LISTING` a listing), the median of `repeats` fresh processes."""
    rows: list[dict[str, Any]] = []
    for listings in sizes:
        prepared = measure(lambda: _prepare(listings, scratch))  # noqa: B023 (run at once)
        workspace = Path(prepared["extra"]["workspace"])
        for budget in budgets or (BUDGET_PER_LISTING * listings,):
            result = median_of(lambda: _plan(workspace, budget), repeats)  # noqa: B023 (run at once)
            extra = result["extra"] or {}
            rows.append(
                {
                    "listings": listings,
                    "budget_cny": budget,
                    "plan_s": round(result["seconds"], 2),
                    "runs_s": result["runs"],
                    "peak_rss_mib": round(result["peak_rss_mib"]),
                    **extra,
                    "risk_auc": prepared["extra"]["risk_auc"],
                    "prevalence": round(float(prepared["extra"]["prevalence"]), 4),
                    "setup_s": round(prepared["seconds"], 1),
                }
            )
            print(rows[-1], flush=True)
    return rows


def _keep_other_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """This run's rows plus the kept rows of sizes and budgets it did not run (a 1M-only run keeps 50k)."""
    try:
        kept = json.loads((RESULTS_DIR / "sampling.json").read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return rows
    ran = {(r["listings"], r["budget_cny"]) for r in rows}
    others = [r for r in kept if (r.get("listings"), r.get("budget_cny")) not in ran]
    return sorted(others + rows, key=lambda r: (r["listings"], r["budget_cny"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000, 1_200_000])
    parser.add_argument("--budgets", type=float, nargs="+", default=None, help="default: 4 CNY a listing")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scratch", type=Path, default=SCRATCH)
    parser.add_argument("--replace", action="store_true", help="drop kept rows this run did not make")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    rows = run(tuple(args.sizes), tuple(args.budgets) if args.budgets else None, args.repeats, args.scratch)
    save_results("sampling", rows if args.replace else _keep_other_rows(rows), machine_info())
    with (RESULTS_DIR / "sampling.md").open("a") as notes:
        notes.write(f"\nMethod: {METHOD}\n")


if __name__ == "__main__":
    main()
