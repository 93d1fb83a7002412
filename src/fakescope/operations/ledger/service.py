"""Appending to the ledger inside the caller's transaction, and re-hashing the whole chain to find tampering.

Appenders lock the head row (FOR UPDATE on PostgreSQL; SQLite writers already hold BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fakescope.core.clock import utcnow
from fakescope.errors import IntegrityError
from fakescope.operations.ledger.chain import GENESIS, canonical_payload, entry_hash
from fakescope.operations.ledger.models import LedgerEntry, LedgerHead


def actor_name(actor: Any) -> str:
    """The name a ledger entry records for an actor: a string, or a principal's `name`."""
    if isinstance(actor, str):
        return actor
    name = getattr(actor, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"cannot name actor {actor!r}")
    return name


def append(
    session: Session,
    *,
    actor: Any,
    event_type: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
) -> LedgerEntry:
    """Chain one event after the current head, in the caller's transaction (flushed, not committed)."""
    head = session.execute(
        select(LedgerHead)
        .where(LedgerHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        if session.execute(select(LedgerEntry.seq).limit(1)).first() is not None:
            raise IntegrityError("ledger head row is missing while entries exist; run `fakescope verify`")
        head = LedgerHead(id=1, seq=0, entry_hash=GENESIS)
        session.add(head)
    entry = LedgerEntry(
        seq=head.seq + 1,
        at=utcnow(),
        actor=actor_name(actor),
        event_type=event_type,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=canonical_payload(payload),
        prev_hash=head.entry_hash,
    )
    entry.entry_hash = _hash_of(entry)
    session.add(entry)
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash
    session.flush()
    return entry


def _hash_of(entry: LedgerEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        event_type=entry.event_type,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        payload=entry.payload,
        prev_hash=entry.prev_hash,
    )


def entries_for(session: Session, *, subject_type: str, subject_id: str) -> list[LedgerEntry]:
    """Every entry about one subject, oldest first."""
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.subject_type == subject_type, LedgerEntry.subject_id == subject_id)
        .order_by(LedgerEntry.seq)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class LedgerProblem:
    """One break in the chain, naming the entry (by sequence number)."""

    seq: int
    message: str

    def __str__(self) -> str:
        return f"ledger entry {self.seq}: {self.message}"


def _stream(session: Session) -> Iterator[LedgerEntry]:
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(LedgerEntry).where(LedgerEntry.seq > last).order_by(LedgerEntry.seq).limit(2000)
            )
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
        session.expunge_all()


def verify(session: Session) -> tuple[int, list[LedgerProblem]]:
    """Re-hash every entry and check each link and the head; (entries checked, problems found)."""
    problems: list[LedgerProblem] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for entry in _stream(session):
        count += 1
        if entry.seq != expected_seq:
            missing = (
                f"entry {expected_seq} is missing (deleted)"
                if entry.seq == expected_seq + 1
                else f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)"
            )
            problems.append(LedgerProblem(expected_seq, missing))
        elif entry.prev_hash != prev_hash:
            problems.append(
                LedgerProblem(entry.seq - 1, f"hash does not match what entry {entry.seq} links to (altered)")
            )
        if _hash_of(entry) != entry.entry_hash:
            problems.append(LedgerProblem(entry.seq, "content does not match its hash (altered)"))
        expected_seq, prev_hash = entry.seq + 1, entry.entry_hash
    head = session.get(LedgerHead, 1)
    last_seq = expected_seq - 1
    if head is None:
        if count:
            problems.append(LedgerProblem(last_seq, "the ledger head row is missing"))
    elif head.seq != last_seq or head.entry_hash != prev_hash:
        if head.seq > last_seq:
            problems.append(
                LedgerProblem(last_seq + 1, f"entries {last_seq + 1}..{head.seq} are missing (deleted)")
            )
        else:
            problems.append(LedgerProblem(head.seq, "the ledger head does not match the last entry"))
    return count, problems
