"""The delivery worker: claims due actions from the outbox with a lease, delivers them, records the outcome.

At least once, never lost: a row is marked delivered only after the destination confirmed it, a failure is
retried with exponential backoff, a crashed worker's lease runs out and another worker claims the row again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from fakescope.core.clock import utcnow
from fakescope.core.ids import new_id
from fakescope.operations.enforcement.destinations import (
    DeliveryFailed,
    Destination,
    has_destination,
    open_destination,
)
from fakescope.operations.enforcement.models import EnforcementAction
from fakescope.operations.enforcement.policy import ActionState, backoff_seconds
from fakescope.settings import Settings

log = logging.getLogger(__name__)
WORKER_ACTOR = "system:delivery-worker"


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    destination: str = ""
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    cases_acted: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retried += other.retried
        self.failed += other.failed
        self.cases_acted += other.cases_acted
        self.errors.extend(other.errors)


@dataclass(frozen=True)
class _Claimed:
    token: str
    action_id: str
    case_id: str
    attempts: int
    message: dict[str, Any]


def _factory(settings: Settings, session_factory: sessionmaker[Session] | None) -> sessionmaker[Session]:
    if session_factory is not None:
        return session_factory
    from fakescope.operations.db.migrate import ready_url
    from fakescope.operations.db.session import session_factory as make_factory

    return make_factory(ready_url(settings))


def _claimable(now: datetime) -> Any:
    return and_(
        EnforcementAction.state == ActionState.PENDING.value,
        EnforcementAction.next_attempt_at <= now,
        or_(EnforcementAction.lease_until.is_(None), EnforcementAction.lease_until < now),
    )


def claim(
    session: Session, *, size: int, lease_seconds: float, now: datetime | None = None
) -> list[_Claimed]:
    """Lease up to `size` due actions to a fresh claim token, in one UPDATE; the caller commits.

    PostgreSQL skips rows another worker holds (FOR UPDATE SKIP LOCKED in the subquery); on SQLite the single
    conditional UPDATE runs under the write lock, so two workers can never take the same row either.
    """
    moment = now or utcnow()
    token = new_id("lease")
    due = (
        select(EnforcementAction.action_id)
        .where(_claimable(moment))
        .order_by(EnforcementAction.next_attempt_at, EnforcementAction.created_at)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(EnforcementAction)
        .where(EnforcementAction.action_id.in_(due.scalar_subquery()), _claimable(moment))
        .values(
            lease_owner=token,
            lease_until=moment + timedelta(seconds=lease_seconds),
            attempts=EnforcementAction.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(
            EnforcementAction.action_id,
            EnforcementAction.case_id,
            EnforcementAction.attempts,
            EnforcementAction.message,
        ).where(EnforcementAction.lease_owner == token)
    ).all()
    return [_Claimed(token, r.action_id, r.case_id, r.attempts, dict(r.message)) for r in rows]


def _attempt(destination: Destination, claimed: _Claimed) -> tuple[_Claimed, str | None]:
    try:
        destination.deliver(claimed.message)
    except DeliveryFailed as error:
        return claimed, error.message
    except Exception as error:  # a destination bug must not kill the batch; the row is retried
        return claimed, f"{type(error).__name__}: {error}"
    return claimed, None


def _record(
    session: Session,
    *,
    settings: Settings,
    outcomes: list[tuple[_Claimed, str | None]],
    destination: str,
) -> DeliveryReport:
    """Write each outcome back, only where this worker still holds the lease; then settle finished cases."""
    from fakescope.operations.enforcement.service import settle_cases
    from fakescope.operations.ledger.service import append

    report = DeliveryReport()
    now = utcnow()
    delivered_cases: set[str] = set()
    delivered: list[list[Any]] = []
    failed: list[list[Any]] = []
    policy = settings.enforcement
    successes = [claimed for claimed, error in outcomes if error is None]
    if successes:
        # One statement for every success of the batch; RETURNING says which rows this worker still held.
        still_held = set(
            session.scalars(
                update(EnforcementAction)
                .where(
                    EnforcementAction.action_id.in_([c.action_id for c in successes]),
                    EnforcementAction.state == ActionState.PENDING.value,
                    EnforcementAction.lease_owner == successes[0].token,
                )
                .values(
                    state=ActionState.DELIVERED.value,
                    delivered_at=now,
                    lease_owner=None,
                    lease_until=None,
                    last_error=None,
                )
                .returning(EnforcementAction.action_id)
                .execution_options(synchronize_session=False)
            )
        )
        for claimed in successes:
            if claimed.action_id in still_held:  # else the lease ran out and another worker took it over
                report.delivered += 1
                delivered.append([claimed.action_id, claimed.case_id, claimed.attempts])
                delivered_cases.add(claimed.case_id)
    for claimed, error in outcomes:
        if error is None:
            continue
        held = and_(
            EnforcementAction.action_id == claimed.action_id,
            EnforcementAction.state == ActionState.PENDING.value,
            EnforcementAction.lease_owner == claimed.token,
        )
        gives_up = claimed.attempts >= policy.max_attempts
        values: dict[str, Any] = {"lease_owner": None, "lease_until": None, "last_error": error}
        if gives_up:
            values["state"] = ActionState.FAILED.value
        else:
            wait = backoff_seconds(policy=policy, attempts=claimed.attempts)
            values["next_attempt_at"] = now + timedelta(seconds=wait)
        done = session.execute(
            update(EnforcementAction)
            .where(held)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]
            continue  # the lease ran out and another worker took the row over: its outcome counts
        report.errors.append(f"{claimed.action_id}: {error}")
        if gives_up:
            report.failed += 1
            failed.append([claimed.action_id, claimed.case_id, claimed.attempts, error])
        else:
            report.retried += 1
    # One ledger entry per batch: a per-action entry would make every delivery queue for the ledger head.
    for event_type, entries in (("enforcement.delivered", delivered), ("enforcement.failed", failed)):
        if entries:
            append(
                session,
                actor=WORKER_ACTOR,
                event_type=event_type,
                subject_type="outbox",
                subject_id=outcomes[0][0].token,
                payload={"destination": destination, "actions": entries},
            )
    report.cases_acted = settle_cases(
        session, case_ids=delivered_cases, actor=WORKER_ACTOR, settings=settings
    )
    return report


def deliver_pending(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session] | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> DeliveryReport:
    """Deliver every action due now (at most `limit`), batch by batch, and report what happened.

    Returns when nothing is due; actions waiting for their backoff stay pending for the next pass.
    """
    factory = _factory(settings, session_factory)
    policy = settings.enforcement
    report = DeliveryReport()
    concurrency = max(policy.delivery_concurrency, 1)
    # The lease must outlast a whole batch of timeouts, or a slow batch would be claimed twice.
    rounds = -(-policy.batch_size // concurrency) + 1
    lease = max(policy.lease_seconds, policy.request_timeout_seconds * rounds)
    with (
        open_destination(settings) as destination,
        ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fakescope-delivery") as pool,
    ):
        report.destination = destination.name
        while limit is None or report.claimed < limit:
            size = policy.batch_size if limit is None else min(policy.batch_size, limit - report.claimed)
            with factory() as session, session.begin():
                batch = claim(session, size=size, lease_seconds=lease)
            if not batch:
                break
            report.claimed += len(batch)
            outcomes = list(pool.map(lambda item: _attempt(destination, item), batch))
            with factory() as session, session.begin():
                report.add(
                    _record(session, settings=settings, outcomes=outcomes, destination=destination.name)
                )
            if progress is not None:
                progress(len(batch))
    # Counterfeit cases with nothing left to send (every action delivered, or none needed) move on too.
    from fakescope.operations.enforcement.service import settle_cases

    with factory() as session, session.begin():
        report.cases_acted += settle_cases(session, case_ids=None, actor=WORKER_ACTOR, settings=settings)
    return report


class DeliveryWorker:
    """A background thread running delivery passes until stopped; used by the API server's lifespan."""

    def __init__(
        self,
        settings: Settings,
        *,
        session_factory: sessionmaker[Session] | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.poll_seconds = settings.enforcement.poll_seconds if poll_seconds is None else poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; without a configured destination it logs that and does not start."""
        if self.running:
            return
        if not has_destination(self.settings):
            log.warning("enforcement actions stay in the outbox: no webhook URL or export file configured")
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="fakescope-delivery-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run the next pass now instead of after the poll interval."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to finish its current pass and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_pending(self.settings, session_factory=self.session_factory)
                self.last_error = None
            except Exception as error:  # keep the worker alive; the rows stay pending and are retried
                self.last_error = f"{type(error).__name__}: {error}"
                log.exception("delivery pass failed")
            self.passes += 1
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
