"""Against a real `fakescope serve` process: the whole prove path, a SIGKILL mid-upload, 20 racing clients.

The CLI runs as a subprocess on the same workspace and database, as an operator would use it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_helpers import PURCHASE, bearer, open_cases, write_plan
from live_server import LiveServer
from sqlalchemy import func, select

from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.evidence.models import Evidence, EvidenceBlob
from fakescope.operations.ledger import service as ledger


def _admin(server: LiveServer) -> str:
    made = server.cli("users", "create", "root", "--role", "admin")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def _verify(server: LiveServer) -> tuple[bool, int]:
    from fakescope.operations.ledger.audit import verify_all

    with operations_transaction(server.settings) as session:
        report = verify_all(session, settings=server.settings)
    return report.ok, report.evidence_files


def _cases(server: LiveServer) -> list[dict[str, Any]]:
    listed = server.cli("cases", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    cases: list[dict[str, Any]] = json.loads(listed.stdout)
    return cases


def test_plan_to_stored_sample_then_verify_clean(live_server: LiveServer, tmp_path: Path) -> None:
    server = live_server
    token = _admin(server)
    plan = write_plan(tmp_path / "plan.csv", 3)
    imported = server.cli("cases", "import-plan", str(plan))
    assert imported.returncode == 0, imported.stderr
    cases = _cases(server)
    assert len(cases) == 3 and {c["state"] for c in cases} == {"planned"}
    case_id = cases[0]["case_id"]
    with httpx.Client(base_url=server.url, headers=bearer(token), timeout=30) as http:
        moved = http.post(
            f"/cases/{case_id}/moves", json={"state": "purchased", "expected_version": 1, "fields": PURCHASE}
        )
        assert moved.status_code == 200, moved.text
        film, receipt = b"film" * 300_000, b"receipt" * 100
        for body, kind in ((film, "video"), (receipt, "receipt")):
            up = http.post(f"/cases/{case_id}/evidence?kind={kind}", content=body)
            assert up.status_code == 201 and up.json()["sha256"] == hashlib.sha256(body).hexdigest()
        received = http.post(f"/cases/{case_id}/moves", json={"state": "received", "expected_version": 2})
        assert received.json()["state"] == "received"
        sample = http.get(f"/cases/{case_id}/sample").json()
        assert (sample["status"], sample["location"]) == ("in_store", "intake/1/1")
        page = http.get(f"/ui/cases/{case_id}")
        assert page.status_code == 200 and "intake/1/1" in page.text
    clean = server.cli("verify")
    assert clean.returncode == 0, clean.stderr
    assert "2 evidence files" in clean.stdout


def _slow_body(total: int, reached: threading.Event, hold: threading.Event) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"v" * 65536
        sent += 65536
        if sent >= total // 2 and not reached.is_set():
            reached.set()
            hold.wait(20)


def test_sigkill_mid_upload_leaves_no_partial_evidence(live_server: LiveServer, admin_token: str) -> None:
    server, token = live_server, admin_token
    [case_id] = open_cases(server.settings, 1)
    moved = httpx.post(
        f"{server.url}/cases/{case_id}/moves",
        json={"state": "purchased", "fields": PURCHASE},
        headers=bearer(token),
    )
    assert moved.status_code == 200
    total = 8 * 1024 * 1024
    reached, hold, outcome = threading.Event(), threading.Event(), {}

    def upload() -> None:
        try:
            outcome["answer"] = httpx.post(
                f"{server.url}/cases/{case_id}/evidence?kind=video",
                content=_slow_body(total, reached, hold),
                headers=bearer(token),
                timeout=30,
            )
        except httpx.HTTPError as error:
            outcome["error"] = error

    thread = threading.Thread(target=upload)
    thread.start()
    assert reached.wait(20)
    store = server.settings.workspace / "evidence"
    deadline = time.monotonic() + 10
    while not list((store / "tmp").glob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list((store / "tmp").glob("*.part")), "the upload should be streaming into a temp file"
    server.kill()
    hold.set()
    thread.join(30)
    assert "answer" not in outcome and "error" in outcome
    assert [p for p in store.rglob("*") if p.is_file() and p.parent.name != "tmp"] == []
    with operations_transaction(server.settings) as session:
        assert session.scalar(select(func.count()).select_from(Evidence)) == 0
        assert session.scalar(select(func.count()).select_from(EvidenceBlob)) == 0
    assert _verify(server) == (True, 0)
    server.start()
    assert list((store / "tmp").glob("*.part")) == []  # the restarted server swept the dead upload
    whole = b"v" * total
    again = httpx.post(
        f"{server.url}/cases/{case_id}/evidence?kind=video", content=whole, headers=bearer(token), timeout=60
    )
    assert again.status_code == 201 and again.json()["sha256"] == hashlib.sha256(whole).hexdigest()
    assert _verify(server) == (True, 1)


_LOCK = threading.Lock()


def test_twenty_clients_racing_one_case(live_server: LiveServer, admin_token: str) -> None:
    server, token = live_server, admin_token
    [case_id] = open_cases(server.settings, 1)
    rounds = [("purchased", 1, PURCHASE), ("received", 2, {})]
    clients = [httpx.Client(base_url=server.url, headers=bearer(token), timeout=60) for _ in range(20)]
    try:
        for state, version, fields in rounds:
            barrier = threading.Barrier(len(clients))
            answers: list[httpx.Response] = []

            def race(
                http: httpx.Client,
                state: str = state,
                version: int = version,
                fields: Any = fields,
                barrier: threading.Barrier = barrier,
                answers: list[httpx.Response] = answers,
            ) -> None:
                barrier.wait()
                answer = http.post(
                    f"/cases/{case_id}/moves",
                    json={"state": state, "expected_version": version, "fields": fields},
                )
                with _LOCK:
                    answers.append(answer)

            threads = [threading.Thread(target=race, args=(http,)) for http in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            codes = sorted(a.status_code for a in answers)
            assert codes == [200] + [409] * 19, codes
            for answer in answers:
                if answer.status_code == 409:
                    assert (answer.json()["state"], answer.json()["version"]) == (state, version + 1)
    finally:
        for http in clients:
            http.close()
    with operations_transaction(server.settings) as session:
        moves = [e for e in ledger.entries_for(session, subject_type="case", subject_id=case_id)]
        count, problems = ledger.verify(session)
    assert [e.payload["to"] for e in moves if e.event_type == "case.moved"] == ["purchased", "received"]
    assert problems == [] and count >= 3


@pytest.mark.parametrize("api_backend", ["sqlite"], indirect=True)
def test_a_large_upload_never_sits_in_server_memory(live_server: LiveServer, admin_token: str) -> None:
    server, token = live_server, admin_token
    [case_id] = open_cases(server.settings, 1)
    httpx.post(
        f"{server.url}/cases/{case_id}/moves",
        json={"state": "purchased", "fields": PURCHASE},
        headers=bearer(token),
    )
    # With several workers the upload lands in one of them: watch every process of the server.
    statuses = [Path(f"/proc/{pid}/status") for pid in server.pids()]

    def rss_kib(status: Path, key: str) -> int:
        line = next(line for line in status.read_text().splitlines() if line.startswith(key))
        return int(line.split()[1])

    before = [rss_kib(status, "VmRSS") for status in statuses]
    total = 128 * 1024 * 1024
    digest = hashlib.sha256()

    def body() -> Iterator[bytes]:
        block = bytes(range(256)) * 4096  # 1 MiB
        for _ in range(total // len(block)):
            digest.update(block)
            yield block

    answer = httpx.post(
        f"{server.url}/cases/{case_id}/evidence?kind=video",
        content=body(),
        headers=bearer(token),
        timeout=120,
    )
    assert answer.status_code == 201 and answer.json()["size"] == total
    assert answer.json()["sha256"] == digest.hexdigest()
    grown = [rss_kib(status, "VmHWM") - was for status, was in zip(statuses, before, strict=True)]
    grown_mib = max(grown) / 1024
    assert grown_mib < 48, f"server peak memory grew {grown_mib:.0f} MiB for a 128 MiB upload"


@pytest.mark.parametrize("api_backend", ["sqlite"], indirect=True)
def test_serve_runs_the_worker_processes_asked_for(
    api_settings: Any, admin_token: str, tmp_path: Path
) -> None:
    server = LiveServer(api_settings, tmp_path / "workers.log", workers=3).start()
    try:
        workers = server.worker_pids()
        assert len(workers) == 3
        [case_id] = open_cases(server.settings, 1)
        # Each request opens a new connection, taken by whichever worker accepts it first.
        for _ in range(12):
            answer = httpx.get(f"{server.url}/cases/{case_id}", headers=bearer(admin_token), timeout=30)
            assert answer.status_code == 200 and answer.json()["case_id"] == case_id
        assert httpx.get(f"{server.url}/cases/{case_id}", timeout=30).status_code == 401
    finally:
        server.stop()
    assert server.process is not None and server.process.poll() is not None
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
