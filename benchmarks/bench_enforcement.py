"""Benchmark: verdict-to-delivered latency and throughput for 10,000 counterfeit verdicts on PostgreSQL.

Producers record verdicts (each its own transaction, enforcement inside); delivery worker processes POST every
action to a webhook receiver in another process. Run: `python -m benchmarks.bench_enforcement`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import secrets
import statistics
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks.harness import drop_postgres, machine_info, save_results, scratch_postgres


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def _receive(port_out: Any, stop: Any) -> None:
    """A marketplace stand-in in its own process: 200 for every POST, counting distinct keys."""
    seen: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:
            return None

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                seen.add(self.headers.get("Idempotency-Key") or "")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = _Receiver(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop.wait()
    port_out.put(len(seen))
    server.shutdown()


def _deliver(settings_json: str, stop: Any) -> None:
    """One delivery worker process, polling the outbox until told to stop."""
    from fakescope.operations.enforcement.worker import DeliveryWorker
    from fakescope.settings import Settings

    worker = DeliveryWorker(Settings.model_validate_json(settings_json))
    worker.start()
    stop.wait()
    worker.stop()


def _cases_in_appraisal(url: str, count: int) -> list[str]:
    """Bulk-made cases waiting for a verdict (the moves before appraisal are another benchmark's)."""
    from fakescope.core.clock import utcnow
    from fakescope.core.ids import new_id
    from fakescope.operations.access import service as access
    from fakescope.operations.access.principal import LOCAL_OPERATOR
    from fakescope.operations.appraisal.models import Appraisal
    from fakescope.operations.cases.models import Case
    from fakescope.operations.db.session import transaction

    now = utcnow()
    with transaction(url) as session:
        org = access.create_organisation(session, name="Bench agency", kind="agency", actor=LOCAL_OPERATOR)
        org_id = org.org_id
    ids: list[str] = []
    for start in range(0, count, 2_000):
        with transaction(url) as session:
            pending: list[Appraisal] = []
            for n in range(start, min(start + 2_000, count)):
                case_id = new_id("case")
                ids.append(case_id)
                session.add(
                    Case(
                        case_id=case_id,
                        plan_id="bench",
                        listing_id=f"listing-{n}",
                        shop_id=f"shop-{n}",
                        seller_id=f"seller-{n}",
                        brand_id=None,
                        category="cosmetics",
                        inclusion_probability=0.5,
                        state="in_appraisal",
                        appraiser_org_id=org_id,
                        created_at=now,
                        updated_at=now,
                    )
                )
                pending.append(
                    Appraisal(
                        appraisal_id=new_id("apr"),
                        case_id=case_id,
                        org_id=org_id,
                        route="agency",
                        assigned_at=now,
                        assigned_by="bench",
                        due_at=now + timedelta(days=14),
                    )
                )
            session.flush()  # the cases first: appraisals point at them
            session.add_all(pending)
    return ids


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(verdicts: int, producers: int, workers: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from fakescope.operations.access.principal import LOCAL_OPERATOR
    from fakescope.operations.cases import service as cases
    from fakescope.operations.db.migrate import upgrade
    from fakescope.operations.db.session import dispose_engines, transaction
    from fakescope.operations.enforcement.models import EnforcementAction
    from fakescope.settings import get_settings

    url = scratch_postgres("fakescope_bench_act_")
    try:
        upgrade(url)
        ids = _cases_in_appraisal(url, verdicts)
        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        port_queue = ctx.Queue()
        receiver = ctx.Process(target=_receive, args=(port_queue, stop))
        receiver.start()
        port = port_queue.get(timeout=30)
        workspace = f"/tmp/fakescope-bench-act-{secrets.token_hex(3)}"
        settings = get_settings(
            workspace,
            database_url=url,
            actions_webhook_url=f"http://127.0.0.1:{port}/actions",
            enforcement={"poll_seconds": 0.05, "delivery_concurrency": 8, "batch_size": 200},
        )
        dispose_engines()  # children open their own pools
        delivery = [
            ctx.Process(target=_deliver, args=(settings.model_dump_json(), stop)) for _ in range(workers)
        ]
        for process in delivery:
            process.start()
        time.sleep(3)  # let the workers import and connect before the clock starts

        verdict_seconds: list[float] = []
        lock = threading.Lock()
        chunks = [ids[i::producers] for i in range(producers)]

        def produce(chunk: list[str]) -> None:
            for case_id in chunk:
                began = time.perf_counter()
                with transaction(url) as session:
                    cases.record_verdict(
                        session,
                        case_id=case_id,
                        verdict="counterfeit",
                        reason="benchmark",
                        actor=LOCAL_OPERATOR,
                        settings=settings,
                    )
                with lock:
                    verdict_seconds.append(time.perf_counter() - began)

        started = time.perf_counter()
        threads = [threading.Thread(target=produce, args=(chunk,)) for chunk in chunks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        verdicts_done = time.perf_counter() - started
        expected = verdicts * 3
        while True:
            with transaction(url) as session:
                delivered = session.scalar(
                    select(func.count())
                    .select_from(EnforcementAction)
                    .where(EnforcementAction.state == "delivered")
                )
            if delivered == expected or time.perf_counter() - started > 1_800:
                break
            time.sleep(0.2)
        all_done = time.perf_counter() - started
        stop.set()
        for process in delivery:
            process.join(60)
        receiver.join(30)
        received = port_queue.get(timeout=10)
        with transaction(url) as session:
            rows = session.execute(
                select(
                    EnforcementAction.created_at, EnforcementAction.delivered_at, EnforcementAction.attempts
                )
            ).all()
            acted = session.scalar(
                select(func.count()).select_from(cases.Case).where(cases.Case.state == "acted")
            )
        latencies = [(d - c).total_seconds() for c, d, _ in rows if d is not None]
        return {
            "verdicts": verdicts,
            "producers": producers,
            "delivery_workers": workers,
            "actions": len(rows),
            "delivered": len(latencies),
            "received_distinct_keys": received,
            "retries": sum(a - 1 for _, _, a in rows if a > 1),
            "cases_acted": acted,
            "verdicts_per_s": round(verdicts / verdicts_done, 1),
            "verdict_p50_ms": round(statistics.median(verdict_seconds) * 1000, 1),
            "verdict_p99_ms": round(_percentile(verdict_seconds, 0.99) * 1000, 1),
            "delivered_per_s": round(len(latencies) / all_done, 1),
            "latency_p50_s": round(statistics.median(latencies), 3),
            "latency_p95_s": round(_percentile(latencies, 0.95), 3),
            "latency_p99_s": round(_percentile(latencies, 0.99), 3),
            "latency_max_s": round(max(latencies), 3),
            "wall_s": round(all_done, 1),
        }
    finally:
        drop_postgres(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verdicts", type=int, default=10_000)
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-save", action="store_true", help="print only (for a quick check)")
    args = parser.parse_args()
    row = run(args.verdicts, args.producers, args.workers)
    if args.no_save:
        print(json.dumps(row, indent=2))
    else:
        save_results("enforcement", [row], machine_info())


if __name__ == "__main__":
    main()
