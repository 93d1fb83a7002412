"""Appending to the ledger inside the caller's transaction, and re-hashing the whole chain to find tampering.

`append` queues an event; just before the transaction commits, the queue is chained under the ledger lock
(PostgreSQL: an advisory lock taken in arrival order, then the head row; SQLite writers hold BEGIN
IMMEDIATE already), held for three statements and the commit, whatever the caller did first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, event, func, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from fakescope.core.clock import utcnow
from fakescope.errors import IntegrityError
from fakescope.operations.ledger.chain import GENESIS, canonical_payload, entry_hash
from fakescope.operations.ledger.models import LedgerEntry, LedgerHead

_QUEUE = "fakescope.ledger.queue"
LEDGER_LOCK_KEY = 0x66616B65_6C6564  # "fake" "led": the PostgreSQL advisory lock every ledger writer takes
_ENTRIES: Table = LedgerEntry.__table__  # type: ignore[assignment]
_HEAD: Table = LedgerHead.__table__  # type: ignore[assignment]


def actor_name(actor: Any) -> str:
    """The name a ledger entry records for an actor: a string, or a principal's `name`."""
    if isinstance(actor, str):
        return actor
    name = getattr(actor, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"cannot name actor {actor!r}")
    return name


@dataclass(frozen=True)
class _Queued:
    actor: str
    event_type: str
    subject_type: str
    subject_id: str
    payload: dict[str, Any]
    transaction: SessionTransaction  # the innermost transaction open at append: a savepoint rollback drops it


def append(
    session: Session,
    *,
    actor: Any,
    event_type: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
) -> None:
    """Add one event to the caller's transaction: chained when it commits, gone if it rolls back."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        transaction = session.begin()
    queued = _Queued(
        actor=actor_name(actor),
        event_type=event_type,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=canonical_payload(payload),
        transaction=transaction,
    )
    session.info.setdefault(_QUEUE, []).append(queued)


def chain_queued(session: Session) -> int:
    """Chain this transaction's queued events now (commit does it by itself); how many were written.

    Takes the head lock, which stays held until the transaction ends: call it only right before committing,
    or where a reader in the same transaction must see the entries.
    """
    queued: list[_Queued] = session.info.pop(_QUEUE, None) or []
    if not queued:
        return 0
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # Writers queue here in arrival order (the lock manager lets no newcomer jump the queue). Waiting on
        # the head row alone, a newcomer can take the row between one holder's commit and the next waiter
        # waking: with 20 clients the moves' p99 was 5x their p50 (300 vs 58 ms), in order it is 1.8x.
        session.execute(select(func.pg_advisory_xact_lock(LEDGER_LOCK_KEY)))
    head = session.execute(
        update(_HEAD)
        .where(_HEAD.c.id == 1)
        .values(seq=_HEAD.c.seq + len(queued))
        .returning(_HEAD.c.seq, _HEAD.c.entry_hash)
    ).first()
    if head is None:
        if session.execute(select(_ENTRIES.c.seq).limit(1)).first() is not None:
            raise IntegrityError("ledger head row is missing while entries exist; run `fakescope verify`")
        session.execute(insert(_HEAD).values(id=1, seq=len(queued), entry_hash=GENESIS))
        last_seq, prev_hash = len(queued), GENESIS
    else:
        last_seq, prev_hash = head.seq, head.entry_hash
    rows: list[dict[str, Any]] = []
    for seq, item in enumerate(queued, start=last_seq - len(queued) + 1):
        fields: dict[str, Any] = {
            "seq": seq,
            "at": utcnow(),
            "actor": item.actor,
            "event_type": item.event_type,
            "subject_type": item.subject_type,
            "subject_id": item.subject_id,
            "payload": item.payload,
            "prev_hash": prev_hash,
        }
        prev_hash = entry_hash(**fields)
        rows.append({**fields, "entry_hash": prev_hash})
    write_head = update(_HEAD).where(_HEAD.c.id == 1).values(entry_hash=prev_hash)
    if postgres:
        # One round trip for both writes (a data-modifying WITH), while every other writer waits on the lock.
        session.execute(write_head.add_cte(insert(_ENTRIES).values(rows).cte("chained")))
    else:
        session.execute(insert(_ENTRIES), rows)
        session.execute(write_head)
    return len(rows)


@event.listens_for(Session, "before_commit")
def _chain_before_commit(session: Session) -> None:
    if not session.info.get(_QUEUE) or session.get_nested_transaction() is not None:
        return  # nothing queued, or a savepoint is being released: chain at the real commit
    session.flush()  # the caller's own writes first, so nothing but the commit follows the head lock
    chain_queued(session)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    queued: list[_Queued] | None = session.info.get(_QUEUE)
    if queued:
        session.info[_QUEUE] = [q for q in queued if not _inside(q.transaction, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_QUEUE, None)


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


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
    """Every entry about one subject, oldest first (this transaction's queued events included)."""
    chain_queued(session)
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
    chain_queued(session)
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
