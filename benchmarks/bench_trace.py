"""Benchmark of trace: `screen` (wall, peak memory), `POST /screen/seller` latency on a live server, `rings`.

Run `flock /tmp/fakescope-heavy.lock nice -n 5 python -m benchmarks.bench_trace [LISTINGS] [REQUESTS]`; the
simulated marketplace is built once and cached under benchmarks/data/trace-<LISTINGS>/.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq

from benchmarks.harness import machine_info, measure, save_results
from fakescope.analytics.identity.normalise import IDENTITY_FIELDS

DATA_DIR = Path(__file__).parent / "data"
# What a registration carries: the name, then every identity field screening reads.
REGISTRATION_COLUMNS = ("legal_name", *IDENTITY_FIELDS)


def _env(workspace: Path) -> dict[str, str]:
    return {**os.environ, "FAKESCOPE_WORKSPACE": str(workspace)}


def _cli(workspace: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "fakescope", *args],
        env=_env(workspace),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def build_workspace(listings: int) -> Path:
    """Simulate and ingest once; later runs reuse the cached workspace."""
    root = DATA_DIR / f"trace-{listings}"
    workspace = root / "ws"
    if (root / "ready").exists():
        return workspace
    root.mkdir(parents=True, exist_ok=True)
    _cli(workspace, "simulate", "--listings", str(listings), "--out", str(root / "market"))
    _cli(workspace, "ingest", str(root / "market"))
    _cli(workspace, "db", "upgrade")
    (root / "ready").write_text("ok\n")
    return workspace


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _registrations(market: Path, count: int) -> list[dict[str, Any]]:
    """Half comebacks (a seller's identifiers under a fresh id and name order), half new people."""
    sellers = pq.read_table(next(market.glob("sellers*"))).to_pylist()
    rng = random.Random(13)
    registrations = []
    for n in range(count):
        if n % 2 == 0:
            row = dict(rng.choice(sellers))
        else:
            row = {k: f"new-{n}-{k}" for k in REGISTRATION_COLUMNS}
            row["legal_name"] = f"Newcomer Trading {n}"
        body = {k: row.get(k) for k in REGISTRATION_COLUMNS if row.get(k) is not None}
        body["seller_id"] = f"bench-registration-{n}"
        registrations.append(body)
    return registrations


def serve_latency(workspace: Path, market: Path, requests: int) -> dict[str, Any]:
    """Start `fakescope serve`, warm the index with one request, then time `requests` registrations."""
    token = _cli(workspace, "users", "create", f"bench-{time.time_ns()}", "--role", "analyst").strip()
    token = token.splitlines()[-1]
    port = _free_port()
    log = (workspace.parent / "serve.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "fakescope", "serve", "--port", str(port)],
        env=_env(workspace),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        bodies = _registrations(market, requests)
        with httpx.Client(base_url=url, headers=headers, timeout=600) as client:
            started = time.perf_counter()
            client.post("/screen/seller", json=bodies[0]).raise_for_status()
            warm_up = time.perf_counter() - started
            rss_mib = _rss_mib(server.pid)
            latencies = []
            for body in bodies[1:]:
                started = time.perf_counter()
                client.post("/screen/seller", json=body).raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    latencies.sort()
    return {
        "warm_up_s": warm_up,
        "server_rss_mib": rss_mib,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))],
        "requests": len(latencies),
    }


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def _rings_counts(report: Any) -> dict[str, int]:
    return {"links": report.links, "rings": report.rings.num_rows}


def main(listings: int = 1_000_000, requests: int = 2000) -> None:
    from fakescope.analytics.identity.service import screen
    from fakescope.analytics.rings.service import build_rings
    from fakescope.settings import get_settings

    workspace = build_workspace(listings)
    market = workspace.parent / "market"
    settings = get_settings(workspace)
    sellers = pq.read_metadata(next(market.glob("sellers*"))).num_rows
    rows: list[dict[str, Any]] = []
    screened = measure(lambda: {"banned": screen(settings).banned})
    rows.append(
        {
            "stage": "screen",
            "listings": listings,
            "sellers": sellers,
            "banned": screened["extra"]["banned"],
            "seconds": screened["seconds"],
            "peak_rss_mib": screened["peak_rss_mib"],
        }
    )
    ringed = measure(lambda: _rings_counts(build_rings(settings)))
    rows.append(
        {
            "stage": "rings",
            "listings": listings,
            "sellers": sellers,
            "links": ringed["extra"]["links"],
            "seconds": ringed["seconds"],
            "peak_rss_mib": ringed["peak_rss_mib"],
        }
    )
    latency = serve_latency(workspace, market, requests)
    rows.append({"stage": "POST /screen/seller", "listings": listings, "sellers": sellers, **latency})
    save_results("trace", rows, machine_info())


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 2000,
    )
