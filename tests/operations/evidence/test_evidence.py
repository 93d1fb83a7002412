"""Evidence is stored once under its SHA-256, attached only from purchase to close, and re-verified on reads.

`verify` must name the exact file whose bytes changed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fakescope.errors import IllegalTransition, IntegrityError, PayloadTooLarge
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.evidence import custody
from fakescope.operations.evidence import service as evidence
from fakescope.operations.ledger.audit import verify_all
from fakescope.settings import Settings, get_settings


def _file(tmp_path: Path, name: str, size: int, seed: int = 0) -> Path:
    path = tmp_path / name
    path.write_bytes(hashlib.sha256(str(seed).encode()).digest() * (size // 32) + b"x" * (size % 32))
    return path


def _add(settings: Settings, actor: Any, case_id: str, path: Path, **kwargs: Any) -> tuple[str, str, bool]:
    with operations_transaction(settings) as session:
        item, created = evidence.add_file(
            session, case_id=case_id, path=path, actor=actor, settings=settings, **kwargs
        )
        return item.evidence_id, item.sha256, created


def test_content_addressed_deduplicated_and_attached(
    settings: Settings,
    operator: Any,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
    tmp_path: Path,
) -> None:
    first, second = open_cases(2)
    advance(first, "purchased")
    advance(second, "purchased")
    video = _file(tmp_path, "unboxing.mp4", 3 * 1024 * 1024 + 7)
    digest = hashlib.sha256(video.read_bytes()).hexdigest()
    ev1, sha1, created1 = _add(settings, operator, first, video)
    ev1_again, _, created_again = _add(settings, operator, first, video)
    ev2, sha2, created2 = _add(settings, operator, second, video, kind="video")
    assert sha1 == sha2 == digest and (created1, created_again, created2) == (True, False, True)
    assert ev1 == ev1_again and ev1 != ev2
    stored = [p for p in (settings.workspace / "evidence").rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [digest]
    with operations_transaction(settings) as session:
        items = evidence.list_evidence(session, case_id=first, user=operator)
        chain = custody.history(session, item_id=ev1)
    assert [(i.kind, i.filename, i.size) for i in items] == [("video", "unboxing.mp4", video.stat().st_size)]
    assert [(c.action, c.actor) for c in chain] == [("collected", "local-operator")]


def test_no_evidence_before_purchase(
    settings: Settings, operator: Any, open_cases: Callable[..., list[str]], tmp_path: Path
) -> None:
    [case_id] = open_cases(1)
    with pytest.raises(IllegalTransition, match="from purchased until the case closes"):
        _add(settings, operator, case_id, _file(tmp_path, "a.jpg", 100))
    assert not (settings.workspace / "evidence").exists() or not any(
        (settings.workspace / "evidence").rglob("*.jpg")
    )


def test_reads_and_exports_are_verified_and_recorded(
    settings: Settings,
    operator: Any,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
    tmp_path: Path,
) -> None:
    [case_id] = open_cases(1)
    advance(case_id, "purchased")
    photo = _file(tmp_path, "receipt.jpg", 50_000, seed=3)
    evidence_id, sha256, _ = _add(settings, operator, case_id, photo, kind="receipt")
    out = tmp_path / "out" / "copy.jpg"
    with operations_transaction(settings) as session:
        evidence.export(
            session, evidence_id=evidence_id, dest=out, user=operator, settings=settings, place="test"
        )
        _, chunks = evidence.open_for_reading(
            session, evidence_id=evidence_id, user=operator, settings=settings
        )
        assert b"".join(chunks) == photo.read_bytes()
    assert out.read_bytes() == photo.read_bytes()
    stored = evidence.storage_for(settings).path_for(sha256)
    os.chmod(stored, 0o644)
    data = bytearray(stored.read_bytes())
    data[1234] ^= 0x01
    stored.write_bytes(bytes(data))
    with operations_transaction(settings) as session:
        with pytest.raises(IntegrityError, match="does not match its hash"):
            evidence.open_for_reading(session, evidence_id=evidence_id, user=operator, settings=settings)
        with pytest.raises(IntegrityError):
            evidence.export(
                session, evidence_id=evidence_id, dest=tmp_path / "bad.jpg", user=operator, settings=settings
            )
    assert not (tmp_path / "bad.jpg").exists()
    with operations_transaction(settings) as session:
        actions = [c.action for c in custody.history(session, item_id=evidence_id)]
    assert actions == ["collected", "exported", "viewed"]


def test_verify_names_the_flipped_file(
    settings: Settings,
    operator: Any,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
    tmp_path: Path,
) -> None:
    [case_id] = open_cases(1)
    advance(case_id, "purchased")
    ids = [
        _add(settings, operator, case_id, _file(tmp_path, f"f{i}.jpg", 4000 + i, seed=i)) for i in range(3)
    ]
    with operations_transaction(settings) as session:
        assert verify_all(session, settings=settings).ok
    victim_id, victim_sha, _ = ids[1]
    path = evidence.storage_for(settings).path_for(victim_sha)
    os.chmod(path, 0o644)
    with path.open("r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0x80]))
    with operations_transaction(settings) as session:
        report = verify_all(session, settings=settings)
    assert report.evidence_files == 3
    assert report.lines() == [
        f"evidence file {path}: content does not match its SHA-256 (altered) (evidence {victim_id})"
    ]
    path.unlink()
    with operations_transaction(settings) as session:
        assert verify_all(session, settings=settings).lines() == [
            f"evidence file {path}: missing (evidence {victim_id})"
        ]


def test_over_the_limit_leaves_nothing(
    settings: Settings,
    operator: Any,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
    tmp_path: Path,
) -> None:
    [case_id] = open_cases(1)
    advance(case_id, "purchased")
    small = get_settings(
        settings.workspace, database_url=settings.database_url, operations={"max_upload_bytes": 1000}
    )
    with pytest.raises(PayloadTooLarge):
        _add(small, operator, case_id, _file(tmp_path, "big.mp4", 5000))
    leftovers = [p for p in (settings.workspace / "evidence").rglob("*") if p.is_file()]
    assert leftovers == []
    with operations_transaction(settings) as session:
        assert evidence.list_evidence(session, case_id=case_id, user=operator) == []


def test_temp_files_of_dead_uploads_are_swept(settings: Settings) -> None:
    store = evidence.storage_for(settings)
    store.tmp_dir.mkdir(parents=True)
    dead = store.tmp_dir / f"{os.getpid()}-abc.part"  # named after a live pid, but nobody is writing it
    dead.write_bytes(b"half an upload")
    live = store.writer(max_bytes=1000)
    live.write(b"in progress")
    assert store.sweep_temp() == 1
    assert not dead.exists() and live.temp_path.exists()
    sha256, size = live.commit()
    assert size == 11 and store.exists(sha256) and list(store.tmp_dir.iterdir()) == []


def test_an_upload_killed_before_its_pid_is_reaped_is_swept(settings: Settings) -> None:
    """A SIGKILLed worker can linger as a zombie whose pid still answers: its temp file goes all the same."""
    store = evidence.storage_for(settings)
    script = (
        "import sys, time; from pathlib import Path\n"
        "from fakescope.operations.evidence.storage import LocalStorage\n"
        "w = LocalStorage(Path(sys.argv[1])).writer(max_bytes=10**6); w.write(b'x' * 1000)\n"
        "print(w.temp_path, flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(store.root)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    temp = Path(child.stdout.readline().strip())
    assert temp.exists() and store.sweep_temp() == 0  # alive: left alone
    os.kill(child.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while store.sweep_temp() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, 0)  # not reaped yet: the pid still answers, as a zombie's does
    assert not temp.exists()
    child.wait()
