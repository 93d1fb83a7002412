"""Times `plan` end to end (candidates from the snapshot, costs, MILP on a shortlist, explore draw, writing)
at 50k and 1M listings, with the gap to the LP bound over every candidate.

Run as `python -m benchmarks.bench_sampling` (late, niced, FAKESCOPE_ANALYTICS__DUCKDB_THREADS=2); results go
to benchmarks/results/sampling.{json,md}. Scores are written from the simulator's truth with noise (a model
about as sharp as the find issue's, ROC AUC ~0.97), because training at 1M is the find benchmark's job and
planning time does not depend on where the risk came from.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import machine_info, median_of, save_results

SEED = 1


def _prepare(listings: int, scratch: Path) -> Path:
    """A simulated, ingested workspace with listing scores; reused when already there."""
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
    truth = pq.read_table(folder / "_truth" / "listings.parquet")
    fake = np.asarray(truth.column("counterfeit").to_pylist(), dtype=bool)
    rng = np.random.default_rng(SEED)
    risk = 1 / (1 + np.exp(-(np.where(fake, 0.5, -4.5) + rng.normal(0, 1.2, fake.size))))
    empty = pa.nulls(fake.size, pa.string())
    scores = pa.table(
        {
            "listing_id": truth.column("listing_id"),
            "shop_id": empty,
            "seller_id": empty,
            "risk": risk,
            "reasons": empty,
            "explanation": ["approximate"] * fake.size,
            "model_version": ["bench"] * fake.size,
        }
    )
    meta = {
        "snapshot_fingerprint": snapshot_info(settings).fingerprint,
        "model_version": "bench",
        "fallback": False,
        "scored_at": datetime.now(UTC).isoformat(),
    }
    write_derived(Workspace(workspace), "scores_listing", scores, meta)
    return workspace


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
        "gap_to_lp_bound": report.gap,
        "solver": report.solver_status,
        "explore_draws": report.explore_draws,
    }


def run(sizes: tuple[int, ...], budgets: tuple[float, ...], repeats: int, scratch: Path) -> list[dict]:
    """Prepare each size once, then time `plan` for each budget (median of `repeats` fresh processes)."""
    rows: list[dict[str, Any]] = []
    for listings in sizes:
        started = time.perf_counter()
        workspace = _prepare(listings, scratch)
        prepared = time.perf_counter() - started
        for budget in budgets:
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
                    "setup_s": round(prepared, 1),
                }
            )
            print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--budgets", type=float, nargs="+", default=[200_000.0, 2_000_000.0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scratch", type=Path, default=None)
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench-sampling-"))
    scratch.mkdir(parents=True, exist_ok=True)
    rows = run(tuple(args.sizes), tuple(args.budgets), args.repeats, scratch)
    save_results("sampling", rows, machine_info())


if __name__ == "__main__":
    main()
