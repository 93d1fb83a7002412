"""Benchmark of find: features + train + score on a simulated marketplace (default 1M listings).

Run `flock /tmp/fakescope-heavy.lock nice -n 5 python -m benchmarks.bench_find [LISTINGS] [REPEATS]`; the
marketplace is simulated and ingested once and cached under benchmarks/data/find-<LISTINGS>/. Each stage
runs in its own child process (peak RSS is that stage's); the step column splits its wall time and gives
each step's own peak RSS (median over runs).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import machine_info, measure, save_results

DATA_DIR = Path(__file__).parent / "data"


def build_workspace(listings: int) -> Path:
    """Simulate and ingest once; later runs reuse the cached workspace."""
    from fakescope.analytics.ingest import ingest_folder
    from fakescope.analytics.simulate import simulate_marketplace
    from fakescope.settings import get_settings

    root = DATA_DIR / f"find-{listings}"
    workspace = root / "ws"
    if (root / "ready").exists():
        return workspace
    root.mkdir(parents=True, exist_ok=True)
    simulate_marketplace(root / "market", listings=listings, seed=1)
    ingest_folder(root / "market", settings=get_settings(workspace))
    (root / "ready").write_text("ok\n")
    return workspace


def _forget(workspace: Path) -> None:
    """Drop models and scores so every run starts from the ingested snapshot alone."""
    from fakescope.workspace import Workspace

    layout = Workspace(workspace)
    for folder in (layout.models_dir, layout.derived_dir):
        shutil.rmtree(folder, ignore_errors=True)


def _high_water_mib() -> float:
    """This process's peak RSS since the last reset (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_high_water() -> None:
    # Linux: writing 5 to clear_refs resets the peak RSS to the current RSS, so each step's peak is its own.
    Path("/proc/self/clear_refs").write_text("5")


def _timed(stage: Any) -> Any:
    """Run `stage(progress)`; its report, seconds and peak RSS (MiB) per step between progress messages."""
    steps: list[tuple[str, float, float]] = []
    started = last = time.perf_counter()
    current = "start"

    def progress(message: str) -> None:
        nonlocal last, current
        now = time.perf_counter()
        steps.append((current, now - last, _high_water_mib()))
        _reset_high_water()
        current, last = message, now

    report = stage(progress)
    steps.append((current, time.perf_counter() - last, _high_water_mib()))
    # The reset also lowers ru_maxrss, so the stage's peak is the largest step peak.
    peak = max(mib for _n, _s, mib in steps)
    return {"report": report, "steps": steps, "total": time.perf_counter() - started, "peak_mib": peak}


def _measured(stage: Any) -> dict[str, Any]:
    run = measure(lambda: _timed(stage))
    run["peak_rss_mib"] = max(run["peak_rss_mib"], run["extra"]["peak_mib"])
    return run


def _steps(runs: list[dict[str, Any]]) -> str:
    merged: dict[str, list[tuple[float, float]]] = {}
    for run in runs:
        for name, seconds, mib in run["extra"]["steps"]:
            merged.setdefault(name, []).append((seconds, mib))
    return "; ".join(
        f"{name} {statistics.median(s for s, _m in v):.1f} s {statistics.median(m for _s, m in v):,.0f} MiB"
        for name, v in merged.items()
        if max(s for s, _m in v) >= 0.5
    )


def _end_to_end(trained: list[dict[str, Any]], scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "seconds": t["seconds"] + s["seconds"],
            "peak_rss_mib": max(t["peak_rss_mib"], s["peak_rss_mib"]),
            "extra": {"steps": []},
        }
        for t, s in zip(trained, scored, strict=True)
    ]


def _row(stage: str, listings: int, runs: list[dict[str, Any]], note: str = "") -> dict[str, Any]:
    return {
        "stage": stage,
        "listings": listings,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in runs),
        "runs": [round(r["seconds"], 1) for r in runs],
        "steps_s": _steps(runs),
        "note": note,
    }


def main(listings: int = 1_000_000, repeats: int = 2) -> None:
    from fakescope.analytics.risk import score, train
    from fakescope.settings import get_settings

    workspace = build_workspace(listings)
    settings = get_settings(workspace)
    trained, cold = [], []
    for _ in range(repeats):
        _forget(workspace)
        trained.append(_measured(lambda p: train(settings, progress=p).labels))
        cold.append(_measured(lambda p: score(settings, progress=p).listings))
    labels = str(trained[-1]["extra"]["report"])
    ends = _end_to_end(trained, cold)
    rows = [
        _row("features + train", listings, trained, f"labels {labels}"),
        _row("features + score", listings, cold),
        _row("end to end", listings, ends, "train + score from the ingested snapshot"),
    ]
    save_results("find", rows, {**machine_info(), "repeats": repeats})


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 2,
    )
