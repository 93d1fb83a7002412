"""Times the foundation: simulate a marketplace and ingest it, at 100k and 1M listings (seconds, peak RSS).

Run as `python -m benchmarks.bench_foundation` (late, niced, FAKESCOPE_ANALYTICS__DUCKDB_THREADS=2); results
go to benchmarks/results/foundation.{json,md} with the machine they ran on.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import machine_info, measure, save_results

SIZES = (100_000, 1_000_000)
SEED = 1


def _simulate(out: Path, listings: int, fmt: str) -> dict[str, Any]:
    from fakescope.analytics.simulate import simulate_marketplace

    simulate_marketplace(out, listings=listings, seed=SEED, fmt=fmt)
    tables = [p for p in out.iterdir() if p.is_file()]
    return {"disk_mib": round(sum(p.stat().st_size for p in tables) / 1024**2, 1)}


def _ingest(source: Path, workspace: Path, memory_limit: str | None = None) -> dict[str, Any]:
    from fakescope.analytics.ingest import ingest_folder
    from fakescope.settings import get_settings

    settings = get_settings(workspace)
    if memory_limit is not None:
        analytics = settings.analytics.model_copy(update={"duckdb_memory_limit": memory_limit})
        settings = settings.model_copy(update={"analytics": analytics})

    started: dict[str, float] = {}

    def seen(stage: str, done: int, total: int) -> None:
        started.setdefault(stage, time.perf_counter())

    report = ingest_folder(source, settings=settings, progress=seen)
    marks = sorted(started.items(), key=lambda item: item[1])
    # Seconds per ingest stage (reading, checking, loading, finishing), from one stage's start to the next.
    split = {f"{a}_s": round(tb - ta, 1) for (a, ta), (_, tb) in itertools.pairwise(marks)}
    return {
        **split,
        "rows": report.total_rows,
        "disk_mib": round(report.snapshot.stat().st_size / 1024**2, 1),
        "fingerprint": report.fingerprint[:12],
        "tables": len(report.tables),
        # A short hash of the per-table row counts, compared between formats beside the fingerprint.
        "table_rows_sha": hashlib.sha256(
            json.dumps({t.name: t.rows for t in report.tables}, sort_keys=True).encode()
        ).hexdigest()[:8],
    }


def run(
    sizes: tuple[int, ...],
    formats: tuple[str, ...],
    csv_sizes: tuple[int, ...],
    scratch: Path,
    low_memory: str | None = None,
) -> list[dict]:
    """Simulate then ingest each size in each format; one result row per stage.

    With `low_memory`, the largest size's last format is ingested once more under that DuckDB memory limit,
    to show the loader's memory is bounded by the limit rather than by the data.
    """
    rows: list[dict[str, Any]] = []
    for listings in sizes:
        for fmt in formats:
            if fmt == "csv" and listings not in csv_sizes:
                continue
            folder = scratch / f"market-{listings}-{fmt}"
            workspace = scratch / f"workspace-{listings}-{fmt}"
            stages = [
                ("simulate", lambda: _simulate(folder, listings, fmt)),  # noqa: B023 (run at once)
                ("ingest", lambda: _ingest(folder, workspace)),  # noqa: B023
            ]
            if low_memory and listings == max(sizes) and fmt == formats[-1]:
                again = scratch / f"workspace-{listings}-{fmt}-low"
                stages.append((f"ingest @{low_memory}", lambda: _ingest(folder, again, low_memory)))  # noqa: B023
            for stage, fn in stages:
                row = {"stage": stage, "listings": listings, "format": fmt}
                try:
                    result = measure(fn)
                except RuntimeError as failed:
                    # Keep the other stages' figures; a failed stage is a result too.
                    rows.append(row | {"error": str(failed)[:200]})
                    print(rows[-1], flush=True)
                    if stage == "simulate":
                        break
                    continue
                row |= {"seconds": round(result["seconds"], 2), "peak_rss_mib": round(result["peak_rss_mib"])}
                row |= result["extra"] or {}
                if stage.startswith("ingest") and fmt == "csv":
                    # The same marketplace as Parquet must give the same snapshot content.
                    twin = [r for r in rows if r["stage"] == "ingest" and r["listings"] == listings]
                    twin = [r for r in twin if r["format"] == "parquet"]
                    if twin:
                        # Equal fingerprints mean equal per-table row counts and content hashes
                        # (format- and order-independent); the row counts are compared on their own too.
                        row["same_as_parquet"] = (
                            twin[0]["fingerprint"] == row["fingerprint"]
                            and twin[0]["table_rows_sha"] == row["table_rows_sha"]
                        )
                rows.append(row)
                print(row, flush=True)
            shutil.rmtree(folder, ignore_errors=True)
            for used in scratch.glob(f"workspace-{listings}-{fmt}*"):
                shutil.rmtree(used, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"], choices=["parquet", "csv"])
    parser.add_argument(
        "--csv-sizes", type=int, nargs="*", default=[100_000, 1_000_000], help="sizes also run as CSV"
    )
    parser.add_argument(
        "--low-memory", default="1GB", help="DuckDB memory limit for one more ingest ('' for none)"
    )
    parser.add_argument("--no-save", action="store_true", help="print only (for a quick trial)")
    args = parser.parse_args(argv)
    from fakescope.settings import get_settings

    analytics = get_settings().analytics
    machine = machine_info() | {
        "duckdb_threads": analytics.duckdb_threads,
        "duckdb_memory_limit": analytics.duckdb_memory_limit,
        "seed": SEED,
    }
    scratch = Path(tempfile.mkdtemp(prefix="fakescope-bench-"))
    try:
        rows = run(
            tuple(args.sizes), tuple(args.formats), tuple(args.csv_sizes), scratch, args.low_memory or None
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.no_save:
        from benchmarks.harness import render_table

        print(render_table("foundation (not saved)", rows))
    else:
        save_results("foundation", rows, machine)


if __name__ == "__main__":
    main()
