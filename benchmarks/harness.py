"""What every benchmark shares: the machine it ran on, timing with peak memory, and keeping results.

Each measurement runs in a fresh child process so peak RSS belongs to that stage alone.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"


def machine_info() -> dict[str, Any]:
    """The machine a result came from: CPU, cores, memory, Python, OS, git commit."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "commit": commit,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _child(fn: Callable[[], Any], queue: Any) -> None:
    started = time.perf_counter()
    try:
        extra = fn()
        error = None
    except BaseException as exc:  # reported to the parent, which re-raises
        extra, error = None, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put({"seconds": seconds, "peak_rss_mib": peak_kib / 1024, "extra": extra, "error": error})


def measure(fn: Callable[[], Any]) -> dict[str, Any]:
    """Run `fn` once in a forked child; wall seconds, peak RSS (MiB) and whatever `fn` returned."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(fn, queue))
    child.start()
    result = queue.get()
    child.join()
    if result["error"]:
        raise RuntimeError(f"benchmark stage failed: {result['error']}")
    return dict(result)


def median_of(fn: Callable[[], Any], repeats: int) -> dict[str, Any]:
    """Measure `fn` `repeats` times; the median seconds and peak memory, with every run kept."""
    runs = [measure(fn) for _ in range(repeats)]
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in runs),
        "runs": [round(r["seconds"], 3) for r in runs],
        "extra": runs[-1]["extra"],
    }


def render_table(title: str, rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of result rows (columns in first-seen order)."""
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    lines = [f"### {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [_cell(row.get(column, "")) for column in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def save_results(area: str, rows: Sequence[dict[str, Any]], machine: dict[str, Any] | None = None) -> Path:
    """Print the table and keep it as `results/<area>.json` and `.md`, with the machine it ran on."""
    machine = machine or machine_info()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    table = render_table(area, rows)
    print(table, file=sys.stdout, flush=True)
    (RESULTS_DIR / f"{area}.json").write_text(
        json.dumps({"machine": machine, "rows": list(rows)}, indent=2, default=str) + "\n"
    )
    described = ", ".join(f"{k}: {v}" for k, v in machine.items())
    (RESULTS_DIR / f"{area}.md").write_text(f"{table}\n\nMachine: {described}\n")
    return RESULTS_DIR / f"{area}.json"


POSTGRES_SERVER = os.environ.get("FAKESCOPE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def scratch_postgres(prefix: str) -> str:
    """A new, empty PostgreSQL database on the test server for one benchmark run; its URL."""
    import secrets

    import psycopg

    name = f"{prefix}{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_SERVER.rpartition("/")
    return f"{base}/{name}"


def drop_postgres(url: str) -> None:
    """Drop a scratch database made by `scratch_postgres`, closing this process's pooled connections first."""
    import psycopg

    from fakescope.operations.db.session import dispose_engines

    dispose_engines()
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
