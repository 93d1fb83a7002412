"""The ledger is one hash chain concurrent writers cannot fork; verify names any edited or deleted row.

Tampering is done with plain SQL, as someone with database access would.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from sqlalchemy import text

from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.ledger import service as ledger
from fakescope.operations.ledger.chain import GENESIS
from fakescope.settings import Settings


def _append(settings: Settings, n: int, actor: str = "tester") -> None:
    for i in range(n):
        with operations_transaction(settings) as session:
            ledger.append(
                session,
                actor=actor,
                event_type="test.event",
                subject_type="thing",
                subject_id=f"t{i}",
                payload={"i": i, "note": "ünïcode ok", "amount": 12.5},
            )


def _verify(settings: Settings) -> tuple[int, list[str]]:
    with operations_transaction(settings) as session:
        count, problems = ledger.verify(session)
    return count, [str(p) for p in problems]


def _sql(settings: Settings, statement: str, **params: Any) -> None:
    with operations_transaction(settings) as session:
        session.execute(text(statement), params)


def test_empty_ledger_verifies(settings: Settings) -> None:
    assert _verify(settings) == (0, [])


def test_entries_chain_each_to_the_one_before(settings: Settings) -> None:
    _append(settings, 4)
    with operations_transaction(settings) as session:
        entries = ledger.entries_for(session, subject_type="thing", subject_id="t2")
        all_rows = session.execute(
            text("SELECT seq, prev_hash, entry_hash FROM ledger_entries ORDER BY seq")
        ).all()
    assert entries[0].payload == {"amount": 12.5, "i": 2, "note": "ünïcode ok"}
    assert [row.seq for row in all_rows] == [1, 2, 3, 4]
    assert all_rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(all_rows):
        assert after.prev_hash == before.entry_hash
    assert _verify(settings) == (4, [])


def test_verify_names_an_edited_entry(settings: Settings) -> None:
    _append(settings, 5)
    _sql(settings, "UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 3")
    count, problems = _verify(settings)
    assert count == 5
    assert problems == ["ledger entry 3: content does not match its hash (altered)"]


def test_verify_names_an_edited_payload_even_with_its_hash_recomputed(settings: Settings) -> None:
    _append(settings, 5)
    # the forger rewrites entry 2's payload and its own hash, but entry 3 still links to the old hash
    _sql(
        settings,
        "UPDATE ledger_entries SET payload = '{\"i\": 99}', entry_hash = :h WHERE seq = 2",
        h="f" * 64,
    )
    _, problems = _verify(settings)
    assert "ledger entry 2: content does not match its hash (altered)" in problems
    assert "ledger entry 2: hash does not match what entry 3 links to (altered)" in problems


def test_verify_names_a_deleted_entry(settings: Settings) -> None:
    _append(settings, 5)
    _sql(settings, "DELETE FROM ledger_entries WHERE seq = 2")
    assert _verify(settings)[1] == ["ledger entry 2: entry 2 is missing (deleted)"]


def test_verify_names_deleted_last_entries(settings: Settings) -> None:
    _append(settings, 5)
    _sql(settings, "DELETE FROM ledger_entries WHERE seq >= 4")
    assert _verify(settings)[1] == ["ledger entry 4: entries 4..5 are missing (deleted)"]


def test_concurrent_writers_build_one_chain(settings: Settings) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            _append(settings, 8, actor=f"worker-{worker}")
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _verify(settings) == (64, [])


def _event(session: Any, subject_id: str) -> None:
    ledger.append(
        session,
        actor="tester",
        event_type="test.event",
        subject_type="thing",
        subject_id=subject_id,
        payload={},
    )


def test_a_rolled_back_savepoint_takes_its_events_with_it(settings: Settings) -> None:
    with operations_transaction(settings) as session:
        _event(session, "kept")
        with session.begin_nested():
            _event(session, "released")
        try:
            with session.begin_nested():
                _event(session, "undone")
                raise RuntimeError("the savepoint's work fails")
        except RuntimeError:
            pass
    with operations_transaction(settings) as session:
        subjects = list(session.scalars(text("SELECT subject_id FROM ledger_entries ORDER BY seq")))
    assert subjects == ["kept", "released"]
    assert _verify(settings) == (2, [])


def test_a_rolled_back_transaction_chains_nothing(settings: Settings) -> None:
    try:
        with operations_transaction(settings) as session:
            _event(session, "never")
            raise RuntimeError("the caller fails before committing")
    except RuntimeError:
        pass
    assert _verify(settings) == (0, [])


def test_a_queued_event_holds_no_lock_until_commit(settings: Settings, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite writers hold the database write lock from BEGIN IMMEDIATE on")
    with operations_transaction(settings) as first:
        _event(first, "first")
        # Another writer appends and commits while `first` still has its event queued: nothing blocks it.
        done = threading.Thread(target=_append, args=(settings, 1))
        done.start()
        done.join(10)
        assert not done.is_alive()
    with operations_transaction(settings) as session:
        subjects = list(session.scalars(text("SELECT subject_id FROM ledger_entries ORDER BY seq")))
    assert subjects == ["t0", "first"]
    assert _verify(settings) == (2, [])


def test_readers_in_the_same_transaction_see_queued_events(settings: Settings) -> None:
    with operations_transaction(settings) as session:
        _event(session, "x")
        seen = ledger.entries_for(session, subject_type="thing", subject_id="x")
        assert [e.subject_id for e in seen] == ["x"]
        _event(session, "x")
    assert _verify(settings) == (2, [])
