"""Benchmark of find: features + train + score on a simulated marketplace (default 1M listings).

Run `nice -n 10 python -m benchmarks.bench_find [LISTINGS]`; each stage is measured in its own child process.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.harness import machine_info, measure, save_results


def main(listings: int = 1_000_000) -> None:
    from fakescope.analytics.ingest import ingest_folder
    from fakescope.analytics.risk import score, train
    from fakescope.analytics.simulate import simulate_marketplace
    from fakescope.settings import get_settings

    root = Path(tempfile.mkdtemp(prefix="bench-find-"))
    settings = get_settings(root / "ws")
    simulate_marketplace(root / "market", listings=listings, seed=1)
    ingest_folder(root / "market", settings=settings)
    rows = []
    trained = measure(lambda: train(settings).labels)
    rows.append(
        {
            "stage": "features + train",
            "listings": listings,
            "seconds": trained["seconds"],
            "peak_rss_mib": trained["peak_rss_mib"],
            "labels": str(trained["extra"]),
        }
    )
    scored = measure(lambda: score(settings).listings)
    rows.append(
        {
            "stage": "features + score",
            "listings": listings,
            "seconds": scored["seconds"],
            "peak_rss_mib": scored["peak_rss_mib"],
            "labels": "",
        }
    )
    rows.append(
        {
            "stage": "end to end",
            "listings": listings,
            "seconds": trained["seconds"] + scored["seconds"],
            "peak_rss_mib": max(trained["peak_rss_mib"], scored["peak_rss_mib"]),
            "labels": "",
        }
    )
    save_results("find", rows, machine_info())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
