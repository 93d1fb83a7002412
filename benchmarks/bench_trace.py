"""Benchmark of trace: `screen` and `rings` (wall, peak memory, time per step), and `POST /screen/seller`
latency on a live `fakescope serve` with every seller indexed, from a few concurrent clients.

Run `flock /tmp/fakescope-heavy.lock nice -n 5 python -m benchmarks.bench_trace [SELLERS] [REQUESTS]
[CLIENTS] [--stages screen,rings,serve] [--cap-mib N]`. The marketplace (benchmarks/trace_data.py: SELLERS
sellers, one in twenty banned) is generated and ingested once and cached under
benchmarks/data/trace-sellers-<SELLERS>/. Rows of other scales in results/trace.json are kept.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from queue import Empty
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.harness import RESULTS_DIR, machine_info, save_results
from benchmarks.trace_data import build_workspace, comeback_truth, ring_truth
from fakescope.analytics.identity.normalise import IDENTITY_FIELDS

DATA_DIR = Path(__file__).parent / "data"
# What a registration carries: the name, then every identity field screening reads.
REGISTRATION_COLUMNS = ("legal_name", *IDENTITY_FIELDS)
STAGE_NAMES = {"serve": "POST /screen/seller"}


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _perturbed(row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A banned seller coming back: phone retyped, name order turned, one or two fields dropped."""
    out = dict(row)
    phone = out.get("phone")
    if phone:
        digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
        out["phone"] = rng.choice([f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}", digits, f"0086{digits}"])
    name = out.get("legal_name") or ""
    if " " in name and rng.random() < 0.5:
        out["legal_name"] = " ".join(reversed(name.split(" ", 1)))
    for field in rng.sample([f for f in IDENTITY_FIELDS if f not in ("province", "city")], 2):
        out[field] = None
    return out


def _registrations(market: Path, count: int) -> list[dict[str, Any]]:
    """Half comebacks (a banned seller's identity, perturbed, under a fresh id), half new people."""
    sellers = pq.read_table(market / "sellers.parquet")
    banned = pq.read_table(market / "bans.parquet", columns=["seller_id"]).column("seller_id")
    rng = random.Random(13)
    picks = rng.sample(range(len(banned)), count // 2 + 1)
    chosen = banned.take(picks)
    rows = sellers.filter(pc.is_in(sellers["seller_id"], value_set=chosen)).to_pylist()
    registrations = []
    for n in range(count):
        if n % 2 == 0:
            row = _perturbed(rows[(n // 2) % len(rows)], rng)
        else:
            row = {k: f"new-{n}-{k}" for k in REGISTRATION_COLUMNS}
            row["legal_name"] = f"Newcomer Trading {n}"
            row["phone"] = f"+86 139{n:08d}"
        body = {k: row.get(k) for k in REGISTRATION_COLUMNS if row.get(k) is not None}
        body["seller_id"] = f"bench-registration-{n}"
        registrations.append(body)
    return registrations


def _proc_mib(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


def _tree_mib(pid: int, key: str) -> float:
    """`key` (VmRSS, VmHWM) summed over a process and its descendants (uvicorn's worker processes)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += _proc_mib(current, key)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return total


def _workers_ready(server: subprocess.Popen[bytes], url: str, workers: int, deadline_s: float) -> set[str]:
    """The worker processes that have answered /health (each on a new connection) before the deadline or
    the server's exit."""
    seen: set[str] = set()
    deadline = time.monotonic() + deadline_s
    while len(seen) < workers and time.monotonic() < deadline and server.poll() is None:
        try:
            answer = httpx.get(f"{url}/health", timeout=1)
            if answer.status_code == 200:
                seen.add(answer.json()["process"])
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return seen


def _warm_up(
    server: subprocess.Popen[bytes],
    url: str,
    headers: dict[str, str],
    bodies: list[dict[str, Any]],
    cap_mib: float,
) -> tuple[float, str | None]:
    """The first requests, one per client at once, watched: a server whose processes together pass `cap_mib`
    is killed."""
    answered: list[Any] = []

    def post(body: dict[str, Any]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=1800) as client:
            try:
                answered.append(client.post("/screen/seller", json=body))
            except httpx.HTTPError as error:
                answered.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=post, args=(body,), daemon=True) for body in bodies]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        threads[0].join(0.2) if threads[0].is_alive() else time.sleep(0.2)
        rss = _tree_mib(server.pid, "VmRSS") if server.poll() is None else 0.0
        if rss > cap_mib:
            server.kill()
            return (
                time.perf_counter() - started,
                f"server killed above the {cap_mib:.0f} MiB cap while warming up",
            )
    seconds = time.perf_counter() - started
    for answer in answered:
        if not isinstance(answer, httpx.Response) or answer.status_code != 200:
            return seconds, f"warm-up request failed: {answer}"
    return seconds, None


def serve_latency(
    workspace: Path, market: Path, requests: int, clients: int, cap_mib: float, workers: int | None
) -> dict[str, Any]:
    """Start `fakescope serve`, warm it with one request per client, then time `requests` registrations
    sent by `clients` concurrent clients."""
    from fakescope.api.server import default_workers
    from fakescope.settings import get_settings

    _cli(workspace, "db", "upgrade")
    # What `serve` will start with: the number asked for, else its own default (one per CPU).
    workers = workers or default_workers(get_settings(workspace))
    token = _cli(workspace, "users", "create", f"bench-{time.time_ns()}", "--role", "analyst").strip()
    token = token.splitlines()[-1]
    port = _free_port()
    log = (workspace.parent / "serve.log").open("ab")
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "fakescope", "serve", "--port", str(port)],
        env={**_env(workspace), "FAKESCOPE_SERVE__WORKERS": str(workers)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    bodies = _registrations(market, requests + clients)
    latencies: list[float] = []
    decisions: dict[str, int] = {}
    try:
        # A worker takes connections only once its index is warm: every worker has answered when their
        # number of distinct processes has.
        ready = _workers_ready(server, url, workers, deadline_s=900)
        warm_up, failed = _warm_up(server, url, headers, bodies[:clients], cap_mib)
        warm_up = time.perf_counter() - started
        if len(ready) < workers:
            failed = failed or f"only {len(ready)} of {workers} workers answered /health"
        if failed:
            return {"error": failed, "warm_up_s": warm_up, "workers": workers}
        rss_mib = _tree_mib(server.pid, "VmRSS")
        lock = threading.Lock()

        def worker(part: list[dict[str, Any]]) -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
                for body in part:
                    begun = time.perf_counter()
                    answer = client.post("/screen/seller", json=body)
                    answer.raise_for_status()
                    elapsed = (time.perf_counter() - begun) * 1000
                    with lock:
                        latencies.append(elapsed)
                        # Even-numbered registrations are the comebacks (see `_registrations`).
                        n = int(body["seller_id"].rsplit("-", 1)[1])
                        decision = f"{'comeback' if n % 2 == 0 else 'newcomer'} {answer.json()['decision']}"
                        decisions[decision] = decisions.get(decision, 0) + 1

        threads = [
            threading.Thread(target=worker, args=(bodies[clients + k :: clients],)) for k in range(clients)
        ]
        begun = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - begun
        peak_mib = _tree_mib(server.pid, "VmHWM")
    finally:
        if server.poll() is None:
            server.terminate()
        server.wait(timeout=30)
        log.close()
    if len(latencies) != requests:
        raise RuntimeError(f"only {len(latencies)} of {requests} requests answered")
    latencies.sort()
    return {
        "warm_up_s": warm_up,
        "server_rss_mib": rss_mib,
        "peak_rss_mib": peak_mib,
        "clients": clients,
        "workers": workers,
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))],
        "requests": len(latencies),
        "requests_per_s": len(latencies) / wall,
        "decisions": ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())),
    }


def _stage_child(fn: Callable[[Callable[[str], None]], Any], queue: Any) -> None:
    try:
        queue.put(("done", fn(lambda message: queue.put(("step", message))), None))
    except BaseException as exc:  # reported to the parent
        queue.put(("done", None, f"{type(exc).__name__}: {exc}"))


def measure_steps(fn: Callable[[Callable[[str], None]], Any], cap_mib: float) -> dict[str, Any]:
    """Run `fn(progress)` in a forked child; wall seconds and peak RSS in all and per progress step, sampled
    from outside every 0.2 s. A child above `cap_mib` is killed (the machine is shared) and the step it
    reached is reported, rather than letting it take the memory of everyone else."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_stage_child, args=(fn, queue))
    started = time.perf_counter()
    child.start()
    steps: list[list[Any]] = [["start", started, 0.0]]
    result: Any = None
    error = None
    while True:
        try:
            kind, *payload = queue.get(timeout=0.2)
        except Empty:
            kind = None
        now = time.perf_counter()
        rss = _proc_mib(child.pid, "VmRSS") if child.pid is not None and child.is_alive() else 0.0
        steps[-1][2] = max(steps[-1][2], rss)
        if kind == "step":
            steps.append([payload[0], now, rss])
        elif kind == "done":
            result, error = payload
            break
        if rss > cap_mib:
            child.kill()
            error = f"killed above the {cap_mib:.0f} MiB cap ({rss:.0f} MiB) in step {steps[-1][0]!r}"
            break
        if not child.is_alive() and queue.empty():
            error = f"child died (exit {child.exitcode}) in step {steps[-1][0]!r}"
            break
    ended = time.perf_counter()
    child.join()
    marks = [*steps[1:], ["end", ended, 0.0]]
    described = "; ".join(
        f"{name.split(' ')[0] if name.startswith('matching') else name} {then - at:.1f} s {peak:,.0f} MiB"
        for (name, at, peak), (_next, then, _rss) in zip(steps, marks, strict=True)
    )
    return {
        "seconds": ended - started,
        "peak_rss_mib": max(p for _n, _t, p in steps),
        "steps": described,
        "extra": result,
        "error": error,
    }


def _screen_stage(settings: Any, say: Callable[[str], None]) -> dict[str, Any]:
    from fakescope.analytics.identity.service import screen

    report = screen(settings, progress=say)
    return {"banned": report.banned, "decisions": ", ".join(f"{k} {v}" for k, v in report.counts.items())}


def _rings_stage(settings: Any, say: Callable[[str], None]) -> dict[str, Any]:
    from fakescope.analytics.rings.service import build_rings

    report = build_rings(settings, progress=say)
    return {
        "identifier_links": report.facts,
        "links": report.links,
        "identity_links": report.identity_links,
        "rings": report.rings.num_rows,
        "sellers_in_rings": report.members.num_rows,
    }


def ring_recovery(workspace: Path, truth: pa.Table) -> dict[str, float]:
    """Pairwise precision, recall and F1 of the kept rings against the generated groups."""
    from fakescope.analytics.derived import read_derived
    from fakescope.workspace import Workspace

    members, _ = read_derived(Workspace(workspace), "ring_members", command="fakescope rings")
    joined = truth.join(members.select(["seller_id", "ring_id"]), "seller_id", join_type="left outer")
    ringed = joined.filter(pc.is_valid(joined["ring_id"]))

    def pairs(table: pa.Table, keys: list[str]) -> int:
        sizes = table.group_by(keys).aggregate([("seller_id", "count")]).column("seller_id_count").to_numpy()
        return int((sizes * (sizes - 1) // 2).sum())

    hit, found, true = (
        pairs(ringed, ["ring_id", "group"]),
        pairs(ringed, ["ring_id"]),
        pairs(joined, ["group"]),
    )
    precision, recall = hit / max(found, 1), hit / max(true, 1)
    return {
        "ring_precision": precision,
        "ring_recall": recall,
        "ring_f1": 2 * precision * recall / max(precision + recall, 1e-12),
    }


def recidivist_recovery(workspace: Path, truth: pa.Table) -> dict[str, float]:
    """Precision and recall of the screen's blocks against the generated comebacks: a block is right when
    the seller is a comeback and its banned match is the same person (as the test on the simulator counts)."""
    from fakescope.analytics.derived import read_derived
    from fakescope.analytics.identity.service import SCREEN_TABLE
    from fakescope.workspace import Workspace

    screen, _ = read_derived(Workspace(workspace), SCREEN_TABLE, command="fakescope screen")
    blocks = screen.filter(pc.equal(screen["decision"], "block")).select(["seller_id", "banned_seller_id"])
    people = truth.select(["seller_id", "person"])
    joined = blocks.join(truth, "seller_id").join(
        people.rename_columns(["banned_seller_id", "banned_person"]), "banned_seller_id"
    )
    right = pc.sum(pc.and_(joined["comeback"], pc.equal(joined["person"], joined["banned_person"]))).as_py()
    comebacks = pc.sum(truth["comeback"]).as_py()
    return {
        "recidivist_precision": (right or 0) / max(blocks.num_rows, 1),
        "recidivist_recall": (right or 0) / max(comebacks or 0, 1),
    }


def _kept_rows(sellers: int, stages: list[str]) -> list[dict[str, Any]]:
    """Earlier rows of other scales (the 100k-listings simulated marketplace) and of stages not run now, so
    one file holds them all."""
    try:
        old = json.loads((RESULTS_DIR / "trace.json").read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return []
    running = {STAGE_NAMES.get(stage, stage) for stage in stages}
    return [row for row in old if row.get("sellers") != sellers or row.get("stage") not in running]


def main(
    sellers: int, requests: int, clients: int, stages: list[str], cap_mib: float, workers: int | None = None
) -> None:
    from fakescope.settings import get_settings

    root = DATA_DIR / f"trace-sellers-{sellers}"
    workspace = build_workspace(root, sellers, sellers // 20)
    market = root / "market"
    settings = get_settings(workspace)
    listings = pq.read_metadata(market / "listings.parquet").num_rows
    common = {"data": "trace_data", "listings": listings, "sellers": sellers}
    rows: list[dict[str, Any]] = _kept_rows(sellers, stages)
    for row in rows:
        row.setdefault("data", "simulate")
    stage_fns: dict[str, Callable[[Any, Callable[[str], None]], dict[str, Any]]] = {
        "screen": _screen_stage,
        "rings": _rings_stage,
    }
    for stage in [s for s in stages if s in stage_fns]:
        run = measure_steps(functools.partial(stage_fns[stage], settings), cap_mib)
        row = {
            "stage": stage,
            **common,
            "seconds": run["seconds"],
            "peak_rss_mib": run["peak_rss_mib"],
            **(run["extra"] or {}),
            "steps": run["steps"],
        }
        if run["error"]:
            row["error"] = run["error"]
        elif stage == "screen":
            row.update(recidivist_recovery(workspace, comeback_truth(sellers, sellers // 20)))
        elif stage == "rings":
            row.update(ring_recovery(workspace, ring_truth(sellers, sellers // 20)))
        rows.append(row)
        print(stage, json.dumps(row, default=str), flush=True)
        _save(rows)  # after each stage: a run cut short keeps the stages it finished
    if "serve" in stages:
        latency = serve_latency(workspace, market, requests, clients, cap_mib, workers)
        rows.append({"stage": STAGE_NAMES["serve"], **common, **latency})
        _save(rows)


def _save(rows: list[dict[str, Any]]) -> None:
    order = {"screen": 0, "rings": 1, STAGE_NAMES["serve"]: 2}
    ordered = sorted(rows, key=lambda row: (row.get("sellers", 0), order.get(row["stage"], 3)))
    save_results("trace", ordered, machine_info())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sellers", type=int, nargs="?", default=1_000_000)
    parser.add_argument("requests", type=int, nargs="?", default=2000)
    parser.add_argument("clients", type=int, nargs="?", default=4)
    parser.add_argument(
        "--stages", default="screen,rings,serve", help="comma-separated: screen, rings, serve"
    )
    parser.add_argument("--cap-mib", type=float, default=12_000, help="kill a stage above this RSS")
    parser.add_argument("--workers", type=int, default=None, help="server worker processes (serve.workers)")
    args = parser.parse_args()
    main(args.sellers, args.requests, args.clients, args.stages.split(","), args.cap_mib, args.workers)
