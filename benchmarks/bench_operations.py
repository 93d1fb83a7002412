"""Benchmark: case reads and case moves against a real `fakescope serve` over PostgreSQL, 20 HTTP clients.

Times each request at the client (throughput, p50/p95/p99), then reruns under an instrumented server to split
the server's time (token check, SQL, ledger, commit). Run: `python -m benchmarks.bench_operations`.
"""

from __future__ import annotations

import argparse
import contextvars
import csv
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import RESULTS_DIR, drop_postgres, machine_info, save_results, scratch_postgres
from fakescope.operations.cases.schemas import PLAN_COLUMNS

TARGETS = {"read": (500.0, 100.0), "move": (150.0, 250.0)}  # (requests per second, p99 milliseconds)


# ---------------------------------------------------------------- set-up: database, workspace, plan, users


def _write_plan(path: Path, count: int) -> None:
    """A plan CSV in the columns `cases import-plan` reads, one planned check per row."""
    rng = random.Random(11)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PLAN_COLUMNS)
        for n in range(count):
            price = round(rng.uniform(5, 400), 2)
            writer.writerow(
                [
                    "bench-plan",
                    f"listing-{n:06d}",
                    f"shop-{n % 700:04d}",
                    f"seller-{n % 900:04d}",
                    f"brand-{n % 40:03d}",
                    "handbags",
                    price,
                    round(price + 12, 2),
                    "EUR",
                    round(rng.random(), 4),
                    round(rng.uniform(1, 50), 2),
                    round(rng.uniform(0, 30), 2),
                    "benchmark row",
                    round(rng.uniform(0.05, 1), 4),
                ]
            )


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "fakescope", *args], env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"fakescope {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done


def _investigator_tokens(workspace: Path, url: str, count: int) -> list[str]:
    """One investigator per client, made through the service layer (what `users create` calls)."""
    from fakescope.operations.access import service as access
    from fakescope.operations.access.principal import LOCAL_OPERATOR
    from fakescope.operations.db.migrate import operations_transaction
    from fakescope.operations.db.session import dispose_engines
    from fakescope.settings import get_settings

    settings = get_settings(workspace, database_url=url)
    tokens: list[str] = []
    with operations_transaction(settings) as session:
        for n in range(count):
            _, token = access.create_user(
                session,
                name=f"bench-investigator-{n:02d}",
                role="investigator",
                org=None,
                password=None,
                actor=LOCAL_OPERATOR,
                settings=settings,
            )
            tokens.append(token)
    dispose_engines()
    return tokens


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A `fakescope serve` subprocess (optionally the instrumented one of `--profiled-serve`)."""

    def __init__(
        self, env: dict[str, str], log: Path, profile_out: Path | None = None, workers: int | None = None
    ) -> None:
        self.env, self.log, self.profile_out, self.workers = env, log, profile_out, workers
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait for /health; the seconds it took."""
        if self.profile_out is None:
            command = [sys.executable, "-m", "fakescope", "serve", "--port", str(self.port)]
        else:
            command = [
                sys.executable,
                "-m",
                "benchmarks.bench_operations",
                "--profiled-serve",
                str(self.profile_out),
                "--port",
                str(self.port),
            ]
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not answer /health: {self.log.read_text()[-2000:]}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        """SIGTERM, so uvicorn shuts down cleanly (and the instrumented server writes its figures)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ---------------------------------------------------------------- the clients


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    index = min(len(sorted_ms) - 1, max(0, round(q * len(sorted_ms)) - 1))
    return sorted_ms[index]


def _process_tree(pid: int) -> list[int]:
    """A process and its descendants (the uvicorn supervisor and its worker processes)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(child) for child in task.read_text().split()]
    return found


def _cpu_seconds(pid: int | None) -> float:
    """User plus system CPU seconds so far: this process (`pid` None), else that server's process tree."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    total = 0
    for each in _process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _drive(
    base_url: str,
    tokens: list[str],
    work: Callable[[httpx.Client, int, float], int | None],
    seconds: float | None,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """Run one client thread per token until `seconds` pass (or each client's work runs out)."""
    latencies: list[list[float]] = [[] for _ in tokens]
    errors: list[int] = [0 for _ in tokens]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens) + 1)
    stop_at: list[float] = [0.0]

    def client(index: int) -> None:
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {tokens[index]}"}, timeout=30
        ) as http:
            http.get("/health")  # open the keep-alive connection before the clock starts
            barrier.wait()
            step = 0
            while seconds is None or time.perf_counter() < stop_at[0]:
                started = time.perf_counter()
                status = work(http, index, started)
                if status is None:
                    return
                latencies[index].append((time.perf_counter() - started) * 1000)
                step += 1
                if status >= 300:
                    errors[index] += 1
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(tokens))]
    for thread in threads:
        thread.start()
    cpu_before = (_cpu_seconds(server_pid) if server_pid else 0.0, _cpu_seconds(None))
    stop_at[0] = time.perf_counter() + (seconds or 0)  # set before the clients go
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    server_cpu = (_cpu_seconds(server_pid) - cpu_before[0]) if server_pid else float("nan")
    client_cpu = _cpu_seconds(None) - cpu_before[1]
    every = sorted(ms for per_client in latencies for ms in per_client)
    return {
        "requests": len(every),
        "seconds": elapsed,
        "per_s": len(every) / elapsed if elapsed else 0.0,
        "p50_ms": _percentile(every, 0.50),
        "p95_ms": _percentile(every, 0.95),
        "p99_ms": _percentile(every, 0.99),
        "max_ms": every[-1] if every else float("nan"),
        "errors": sum(errors),
        "error_statuses": statuses,
        "server_cpu_ms_per_request": 1000 * server_cpu / max(1, len(every)),
        "server_cores_busy": server_cpu / elapsed if elapsed else 0.0,
        "client_cores_busy": client_cpu / elapsed if elapsed else 0.0,
        "client_cpu_ms_per_request": 1000 * client_cpu / max(1, len(every)),
    }


def _reads(case_ids: list[str]) -> Callable[[httpx.Client, int, float], int | None]:
    def work(http: httpx.Client, index: int, _started: float) -> int:
        case_id = case_ids[random.randrange(len(case_ids))]
        response = http.get(f"/cases/{case_id}")
        if response.status_code == 200 and response.json()["case_id"] != case_id:
            return 599
        return response.status_code

    return work


def _moves(queues: list[list[str]], per_client: int) -> Callable[[httpx.Client, int, float], int | None]:
    """planned -> purchased with the version the client read at import (1), each client its own cases."""
    done = [0 for _ in queues]

    def work(http: httpx.Client, index: int, _started: float) -> int | None:
        if done[index] >= per_client or not queues[index]:
            return None
        done[index] += 1
        case_id = queues[index].pop()
        response = http.post(
            f"/cases/{case_id}/moves",
            json={
                "state": "purchased",
                "expected_version": 1,
                "reason": "covert test buy",
                "fields": {
                    "buyer_account": f"covert-{index:02d}",
                    "order_ref": f"order-{case_id}",
                    "amount_paid": 49.9,
                },
            },
        )
        if response.status_code == 200 and response.json()["state"] != "purchased":
            return 599
        return response.status_code

    return work


# ---------------------------------------------------------------- the instrumented server


_PROFILE_DIR = "FAKESCOPE_BENCH_PROFILE_DIR"


def profiled_app() -> Any:
    """The app of one instrumented worker: timers around the token check, services, ledger, commit and SQL.

    Each request carries a context dict (contextvars reach the threadpool that runs sync routes); when the
    worker shuts down, its per-kind totals go to `<pid>.json` in the folder named by the environment.
    """
    from sqlalchemy import Engine, event
    from sqlalchemy.orm import Session

    from fakescope.api.server import app_from_environment
    from fakescope.operations.access import service as access
    from fakescope.operations.cases import service as cases
    from fakescope.operations.ledger import service as ledger

    out = Path(os.environ[_PROFILE_DIR]) / f"{os.getpid()}.json"
    current: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("bench", default=None)
    totals: dict[str, dict[str, float]] = {}
    lock = threading.Lock()

    def timed(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = current.get()
            if request is None:
                return function(*args, **kwargs)
            outer = request["phase"]
            request["phase"] = phase
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                request["t"][phase] = request["t"].get(phase, 0.0) + spent
                request["phase"] = outer
                if outer is not None:  # nested phases count once, in the innermost
                    request["t"][outer] = request["t"].get(outer, 0.0) - spent

        return wrapper

    access.authenticate_token = timed("auth", access.authenticate_token)  # type: ignore[assignment]
    access.remembered_user = timed("auth", access.remembered_user)  # type: ignore[assignment]
    cases.get_case = timed("service", cases.get_case)  # type: ignore[assignment]
    cases.move = timed("service", cases.move)  # type: ignore[assignment]
    # The head lock is taken when the queued events are chained, inside the commit.
    ledger.chain_queued = timed("ledger", ledger.chain_queued)  # type: ignore[assignment]
    Session.commit = timed("commit", Session.commit)  # type: ignore[method-assign]

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        request = current.get()
        if request is None:
            return
        spent = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
        key = f"sql:{request['phase'] or 'other'}"
        request["t"][key] = request["t"].get(key, 0.0) + spent
        request["t"]["sql_statements"] = request["t"].get("sql_statements", 0.0) + 1

    class Timing:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":

                async def send_and_save(message: Any) -> None:
                    if message["type"] == "lifespan.shutdown.complete":
                        with lock:
                            out.write_text(json.dumps(totals, indent=2))
                    await send(message)

                await self.app(scope, receive, send_and_save)
                return
            if scope["type"] != "http" or not scope["path"].startswith("/cases/"):
                await self.app(scope, receive, send)
                return
            kind = "move" if scope["method"] == "POST" else "read"
            request: dict[str, Any] = {"phase": None, "t": {}}
            token = current.set(request)
            started = time.perf_counter()
            try:
                await self.app(scope, receive, send)
            finally:
                current.reset(token)
                request["t"]["total"] = time.perf_counter() - started
                with lock:
                    into = totals.setdefault(kind, {"requests": 0.0})
                    into["requests"] += 1
                    for name, value in request["t"].items():
                        into[name] = into.get(name, 0.0) + value

    app = app_from_environment()
    app.add_middleware(Timing)
    return app


def profiled_serve(out: Path, port: int, workers: int | None) -> None:
    """What `fakescope serve` does, with every worker built by `profiled_app`; totals land in folder `out`."""
    from fakescope.api.server import default_workers, run
    from fakescope.operations.db.migrate import ready_url
    from fakescope.settings import get_settings

    settings = get_settings()
    ready_url(settings)
    out.mkdir(parents=True, exist_ok=True)
    os.environ[_PROFILE_DIR] = str(out)
    count = workers if workers is not None else default_workers(settings)
    factory = "benchmarks.bench_operations:profiled_app"
    run(settings, host="127.0.0.1", port=port, workers=count, factory=factory)


def _merged(folder: Path) -> dict[str, dict[str, float]]:
    """The per-kind totals of every instrumented worker, added up."""
    merged: dict[str, dict[str, float]] = {}
    for path in sorted(folder.glob("*.json")):
        for kind, values in json.loads(path.read_text()).items():
            into = merged.setdefault(kind, {})
            for name, value in values.items():
                into[name] = into.get(name, 0.0) + value
    return merged


def _split(totals: dict[str, float]) -> dict[str, Any]:
    """Per-request milliseconds by phase; each phase's own Python time is its wall time minus its SQL."""
    n = totals.get("requests", 0.0) or 1.0
    ms = {
        name: value * 1000 / n for name, value in totals.items() if name not in ("requests", "sql_statements")
    }
    phases = ("auth", "service", "ledger", "commit")
    split: dict[str, Any] = {"requests": int(n), "server_ms": ms.get("total", 0.0)}
    accounted = 0.0
    for phase in phases:
        wall = ms.get(phase, 0.0)
        sql = ms.get(f"sql:{phase}", 0.0)
        split[f"{phase}_ms"] = wall
        split[f"{phase}_sql_ms"] = sql
        accounted += wall
    split["sql_total_ms"] = sum(value for name, value in ms.items() if name.startswith("sql:"))
    split["sql_statements"] = totals.get("sql_statements", 0.0) / n
    split["rest_ms"] = split["server_ms"] - accounted  # routing, validation, session, JSON, threadpool wait
    return split


# ---------------------------------------------------------------- the run


def _summary(kind: str, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    target_rate, target_p99 = TARGETS[kind]
    per_s = statistics.median(r["per_s"] for r in rounds)
    p99 = statistics.median(r["p99_ms"] for r in rounds)
    return {
        "workload": "GET /cases/{id}" if kind == "read" else "POST /cases/{id}/moves (planned->purchased)",
        "clients": None,
        "rounds": len(rounds),
        "requests_per_round": int(statistics.median(r["requests"] for r in rounds)),
        "per_s_median": round(per_s, 1),
        "per_s_rounds": [round(r["per_s"], 1) for r in rounds],
        "target_per_s": target_rate,
        "per_s_vs_target": round(per_s / target_rate, 2),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in rounds), 1),
        "p95_ms": round(statistics.median(r["p95_ms"] for r in rounds), 1),
        "p99_ms": round(p99, 1),
        "p99_rounds": [round(r["p99_ms"], 1) for r in rounds],
        "target_p99_ms": target_p99,
        "p99_vs_target": round(p99 / target_p99, 2),
        "errors": sum(r["errors"] for r in rounds),
        "met": per_s >= target_rate and p99 <= target_p99,
    }


def run(
    cases: int,
    clients: int,
    rounds: int,
    seconds: float,
    moves_per_client: int,
    profile: bool,
    py_spy: str | None,
    workers: int | None = None,
) -> Any:
    """Set up, measure `rounds` rounds of reads and of moves, then (optionally) one instrumented round."""
    needed = clients * moves_per_client * (rounds + (1 if profile else 0) + (1 if py_spy else 0))
    if cases < needed:
        raise SystemExit(f"--cases must be at least {needed} so that every move has its own planned case")
    url = scratch_postgres("fakescope_bench_ops_")
    folder = Path(tempfile.mkdtemp(prefix="fakescope-bench-ops-"))
    workspace = folder / "workspace"
    env = {
        **os.environ,
        "FAKESCOPE_WORKSPACE": str(workspace),
        "FAKESCOPE_DATABASE_URL": url,
        "PYTHONPATH": str(Path(__file__).parent.parent),
    }
    notes: dict[str, Any] = {
        "database": "PostgreSQL (scratch database, dropped after)",
        "cases": cases,
        "serve_workers": workers if workers is not None else "default (serve.workers, else one per CPU)",
    }
    server: Server | None = None
    try:
        _write_plan(folder / "plan.csv", cases)
        started = time.perf_counter()
        _cli(env, "cases", "import-plan", str(folder / "plan.csv"))
        notes["import_plan_s"] = round(time.perf_counter() - started, 2)
        admin = _cli(env, "users", "create", "bench-admin", "--role", "admin").stdout.strip().splitlines()[-1]
        tokens = _investigator_tokens(workspace, url, clients)

        server = Server(env, folder / "server.log", workers=workers)
        notes["serve_start_s"] = round(server.start(), 2)
        listing = httpx.get(
            f"{server.url}/cases",
            params={"limit": 100_000},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=120,
        )
        listing.raise_for_status()
        case_ids = [case["case_id"] for case in listing.json() if case["state"] == "planned"]
        if len(case_ids) != cases:
            raise RuntimeError(f"imported {len(case_ids)} planned cases, expected {cases}")
        shuffled = case_ids[:]
        random.Random(3).shuffle(shuffled)
        queues = [shuffled[n::clients] for n in range(clients)]

        _drive(server.url, tokens, _reads(case_ids), 2.0)  # warm-up: pools, caches, the threadpool
        read_rounds, move_rounds = [], []
        for number in range(rounds):
            read_rounds.append(_drive(server.url, tokens, _reads(case_ids), seconds, server.pid))
            move_rounds.append(_drive(server.url, tokens, _moves(queues, moves_per_client), None, server.pid))
            print(
                f"round {number + 1}: reads {read_rounds[-1]['per_s']:.0f}/s "
                f"p99 {read_rounds[-1]['p99_ms']:.1f} ms; moves {move_rounds[-1]['per_s']:.0f}/s "
                f"p99 {move_rounds[-1]['p99_ms']:.1f} ms",
                flush=True,
            )
        cpu: dict[str, Any] = {}
        if py_spy:
            for kind, workload in (("read", _reads(case_ids)), ("move", _moves(queues, moves_per_client))):
                samples = folder / f"py-spy-{kind}.txt"
                sampler = _py_spy(py_spy, server.pid, samples)
                time.sleep(1.0)  # py-spy attaches
                _drive(server.url, tokens, workload, seconds if kind == "read" else None, server.pid)
                sampler.send_signal(signal.SIGINT)
                sampler.wait(timeout=60)
                cpu[kind] = _cpu_profile(samples) if samples.exists() else {"error": "py-spy wrote nothing"}
        server.stop()
        server = None

        split: dict[str, Any] = {}
        if profile:
            out = folder / "profile"
            server = Server(env, folder / "server-profiled.log", profile_out=out, workers=workers)
            server.start()
            _drive(server.url, tokens, _reads(case_ids), 2.0)
            profiled_read = _drive(server.url, tokens, _reads(case_ids), seconds)
            profiled_move = _drive(server.url, tokens, _moves(queues, moves_per_client), None)
            server.stop()
            server = None
            totals = _merged(out)
            split = {
                "read": {**_split(totals["read"]), "client_p50_ms": profiled_read["p50_ms"]},
                "move": {**_split(totals["move"]), "client_p50_ms": profiled_move["p50_ms"]},
            }
            split["read"]["client_per_s"] = profiled_read["per_s"]
            split["move"]["client_per_s"] = profiled_move["per_s"]
        # Every move above went through the ledger from 20 clients at once: the chain must still verify.
        started = time.perf_counter()
        checked = subprocess.run(
            [sys.executable, "-m", "fakescope", "verify"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        notes["verify_exit"] = checked.returncode
        notes["verify_s"] = round(time.perf_counter() - started, 2)
        notes["verify_says"] = checked.stdout.strip().splitlines()[-1:] if checked.stdout.strip() else []
        if checked.returncode != 0:
            raise RuntimeError(f"fakescope verify failed after the run: {checked.stdout[-2000:]}")
    finally:
        if server is not None:
            server.stop()
        drop_postgres(url)
    rows = [_summary("read", read_rounds), _summary("move", move_rounds)]
    for row in rows:
        row["clients"] = clients
    return rows, {
        "notes": notes,
        "rounds": {"read": read_rounds, "move": move_rounds},
        "split": split,
        "cpu_profile": cpu,
    }


def _py_spy(binary: str, pid: int, out: Path) -> subprocess.Popen[bytes]:
    """Sample the server thread holding the GIL (py-spy `--gil`, until SIGINT): where its CPU goes."""
    return subprocess.Popen(
        [
            *(binary, "record", "--pid", str(pid), "--duration", "600", "--rate", "250", "--gil"),
            *("--format", "raw", "--output", str(out), "--nonblocking"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _bucket(frame: str) -> str:
    """Which package a sampled frame's file belongs to (py-spy names files from their package folder)."""
    location = frame.rpartition("(")[2]
    if "/" not in location or location.startswith("<"):
        return "python stdlib (threading, selectors, ...)"
    return location.split("/", 1)[0]


# Frames whose inclusive share is worth quoting: our request path and the libraries' big steps.
INCLUSIVE = (
    "fakescope/",
    "h11/",
    "uvicorn/protocols",
    "fastapi/routing.py",
    "serialize_response",
    "solve_dependencies",
    "pool/base.py",
    "Session.commit",
)


def _cpu_profile(path: Path) -> dict[str, Any]:
    """Share of the samples by the library of the innermost frame, and the busiest functions (self time)."""
    libraries: dict[str, int] = {}
    functions: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        leaf = stack.rsplit(";", 1)[-1]
        total += count
        libraries[_bucket(leaf)] = libraries.get(_bucket(leaf), 0) + count
        functions[leaf] = functions.get(leaf, 0) + count
        for frame in set(stack.split(";")):
            name = frame.split(" (", 1)[0]
            if any(marker in frame for marker in INCLUSIVE):
                inclusive[name] = inclusive.get(name, 0) + count
    share = {name: round(100 * n / total, 1) for name, n in sorted(libraries.items(), key=lambda kv: -kv[1])}
    top = sorted(functions.items(), key=lambda kv: -kv[1])[:12]
    return {
        "samples": total,
        "by_library_pct": share,
        "top_self_pct": {name: round(100 * n / total, 1) for name, n in top},
        "inclusive_pct": {
            name: round(100 * n / total, 1) for name, n in sorted(inclusive.items(), key=lambda kv: -kv[1])
        },
    }


def _split_markdown(split: dict[str, Any]) -> str:
    lines = [
        "### where the server's time goes (instrumented rerun, mean ms per request)",
        "",
        "| kind | server total | token check (SQL) | service (SQL) | ledger chain under the head lock (SQL) "
        "| rest of commit (SQL) "
        "| rest: routing, validation, JSON, threadpool wait | SQL statements | client p50 | throughput |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, row in split.items():
        lines.append(
            f"| {kind} | {row['server_ms']:.2f} | {row['auth_ms']:.2f} ({row['auth_sql_ms']:.2f}) "
            f"| {row['service_ms']:.2f} ({row['service_sql_ms']:.2f}) "
            f"| {row['ledger_ms']:.2f} ({row['ledger_sql_ms']:.2f}) "
            f"| {row['commit_ms']:.2f} ({row['commit_sql_ms']:.2f}) | {row['rest_ms']:.2f} "
            f"| {row['sql_statements']:.1f} | {row['client_p50_ms']:.2f} | {row['client_per_s']:.0f}/s |"
        )
    lines += [
        "",
        "Phases are exclusive (the ledger chain runs inside the commit and counts under ledger, not",
        "commit); the figure in brackets is the SQL time inside the phase (lock waits included; the",
        "COMMIT itself goes through the driver, not a cursor, so it counts in the phase, not its SQL).",
        "Summed over every worker process. Client p50 minus server total is HTTP parsing in uvicorn",
        "and the client itself.",
    ]
    return "\n".join(lines)


def _cpu_markdown(cpu: dict[str, Any], rounds: dict[str, list[dict[str, Any]]]) -> str:
    lines = ["### where the server's CPU goes (py-spy --gil on the plain server, share of samples)", ""]
    for kind, profile in cpu.items():
        if "by_library_pct" not in profile:
            continue
        cpu_ms = statistics.median(r["server_cpu_ms_per_request"] for r in rounds[kind])
        busy = statistics.median(r["server_cores_busy"] for r in rounds[kind])
        client_ms = statistics.median(r["client_cpu_ms_per_request"] for r in rounds[kind])
        libraries = ", ".join(f"{name} {pct}%" for name, pct in list(profile["by_library_pct"].items())[:9])
        ours = ", ".join(
            f"{name} {pct}%"
            for name, pct in list(profile["inclusive_pct"].items())
            if name not in ("<module>", "run", "register.<locals>.serve")
        )
        lines += [
            f"- **{kind}**: server CPU {cpu_ms:.2f} ms per request, {busy:.2f} cores busy (all worker "
            f"processes); clients {client_ms:.2f} ms CPU per request.",
            f"  - innermost frame by package: {libraries}",
            f"  - inclusive (request path): {ours[:900]}",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=6_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each read round")
    parser.add_argument("--moves-per-client", type=int, default=60, help="moves per client per round")
    parser.add_argument("--no-profile", action="store_true", help="skip the instrumented rerun")
    parser.add_argument("--no-save", action="store_true", help="print only (for a quick check)")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy binary for a CPU profile")
    parser.add_argument("--workers", type=int, help="`fakescope serve --workers` (default: its own default)")
    parser.add_argument("--profiled-serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profiled_serve is not None:
        profiled_serve(args.profiled_serve, args.port, args.workers)
        return
    rows, detail = run(
        args.cases,
        args.clients,
        args.rounds,
        args.seconds,
        args.moves_per_client,
        not args.no_profile,
        args.py_spy,
        args.workers,
    )
    if args.no_save:
        print(json.dumps({"rows": rows, **detail}, indent=2, default=str))
        return
    machine = machine_info()
    save_results("operations", rows, {**machine, **detail["notes"]})
    stored = json.loads((RESULTS_DIR / "operations.json").read_text())
    (RESULTS_DIR / "operations.json").write_text(
        json.dumps({**stored, **detail}, indent=2, default=str) + "\n"
    )
    markdown = (RESULTS_DIR / "operations.md").read_text()
    if detail["split"]:
        markdown += "\n" + _split_markdown(detail["split"]) + "\n"
        print(_split_markdown(detail["split"]))
    if detail["cpu_profile"]:
        markdown += "\n" + _cpu_markdown(detail["cpu_profile"], detail["rounds"]) + "\n"
    markdown += (
        "\nMedians of the rounds; the clients and the server share a 2-core machine with other"
        " engineers' jobs (noisy).\n"
        "\nEarlier runs, before and after each change: [operations-history.md](operations-history.md).\n"
    )
    (RESULTS_DIR / "operations.md").write_text(markdown)


if __name__ == "__main__":
    main()
