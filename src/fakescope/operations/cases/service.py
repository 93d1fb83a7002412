"""Opening cases from a plan, listing and reading them (scoped by role and organisation), and moving them.

Every move locks the case row, checks the caller's version, applies the move's side effects (storehouse,
appraisal, enforcement) and records a case event and a ledger entry, all in the caller's transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fakescope.core.clock import utcnow
from fakescope.core.hashing import sha256_chunks
from fakescope.core.ids import new_id
from fakescope.errors import Conflict, NotFound, UsageError
from fakescope.operations.access.policy import (
    IMPORT_PLANS,
    MOVE_CASES,
    RECORD_VERDICTS,
    can_see_case,
    require,
    visible_cases,
)
from fakescope.operations.access.principal import Principal
from fakescope.operations.cases.models import Case, CaseEvent
from fakescope.operations.cases.plan import PlanRow, parse_plan
from fakescope.operations.cases.schemas import ImportReport
from fakescope.operations.cases.transitions import OPEN_STATES, STATES, check_fields, check_move
from fakescope.operations.ledger import service as ledger
from fakescope.operations.storehouse import service as storehouse
from fakescope.settings import Settings

_CHUNK = 500


def import_plan(session: Session, *, path: Path, actor: Principal, settings: Settings) -> ImportReport:
    """Open a case per plan row not seen before; a listing with an open case is left alone. All or nothing."""
    require(actor, IMPORT_PLANS, "import plans")
    if not path.is_file():
        raise UsageError(f"plan file {path} does not exist")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = parse_plan(handle, source=path.name)
    with path.open("rb") as handle:
        file_hash, _ = sha256_chunks(iter(lambda: handle.read(1 << 20), b""))
    return open_cases(session, rows=rows, actor=actor, source=path.name, file_hash=file_hash)


def open_cases(
    session: Session, *, rows: Iterable[PlanRow], actor: Principal, source: str, file_hash: str | None = None
) -> ImportReport:
    """Open cases for parsed plan rows (idempotent on plan_id and listing_id)."""
    rows = list(rows)
    imported: set[tuple[str, str]] = set()
    busy: set[str] = set()
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        pairs = [(row.plan_id, row.listing_id) for row in chunk]
        found = session.execute(
            select(Case.plan_id, Case.listing_id).where(tuple_(Case.plan_id, Case.listing_id).in_(pairs))
        )
        imported.update((plan_id, listing_id) for plan_id, listing_id in found)
        busy.update(
            session.scalars(
                select(Case.listing_id).where(
                    Case.listing_id.in_([row.listing_id for row in chunk]), Case.state.in_(OPEN_STATES)
                )
            )
        )
    now, name = utcnow(), ledger.actor_name(actor)
    opened: list[Case] = []
    already_imported = already_open = 0
    for row in rows:
        if (row.plan_id, row.listing_id) in imported:
            already_imported += 1
            continue
        if row.listing_id in busy:
            already_open += 1
            continue
        busy.add(row.listing_id)
        case = Case(
            case_id=new_id("case"),
            plan_id=row.plan_id,
            listing_id=row.listing_id,
            shop_id=row.shop_id,
            seller_id=row.seller_id,
            brand_id=row.brand_id,
            category=row.category,
            price=row.price,
            cost=row.cost,
            currency=row.currency,
            risk=row.risk,
            harm=row.harm,
            expected_value=row.expected_value,
            plan_reason=row.reason,
            inclusion_probability=row.inclusion_probability,
            state="planned",
            created_at=now,
            updated_at=now,
        )
        opened.append(case)
    session.add_all(opened)
    session.flush()
    session.add_all(
        CaseEvent(
            case_id=case.case_id,
            at=now,
            actor=name,
            from_state=None,
            to_state="planned",
            reason=f"opened from plan {case.plan_id} ({source})",
            fields={},
            version=case.version,
        )
        for case in opened
    )
    session.flush()
    if opened:
        ledger.append(
            session,
            actor=name,
            event_type="plan.imported",
            subject_type="plan",
            subject_id=opened[0].plan_id,
            payload={
                "source": source,
                "file_sha256": file_hash,
                "cases": [[case.case_id, case.listing_id] for case in opened],
            },
        )
    return ImportReport(
        rows=len(rows),
        opened=len(opened),
        already_imported=already_imported,
        already_open=already_open,
        case_ids=[case.case_id for case in opened],
    )


def list_cases(
    session: Session, *, user: Principal, state: str | None = None, limit: int | None = None, offset: int = 0
) -> list[Case]:
    """The cases this user may see, oldest first, optionally in one state."""
    if state is not None and state not in STATES:
        from fakescope.errors import FieldInvalid

        raise FieldInvalid("state", f"unknown state {state!r}; states are {', '.join(STATES)}")
    stmt = visible_cases(select(Case), user)
    if state is not None:
        stmt = stmt.where(Case.state == state)
    stmt = stmt.order_by(Case.created_at, Case.plan_id, Case.listing_id, Case.case_id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def get_case(session: Session, *, case_id: str, user: Principal, for_update: bool = False) -> Case:
    """One case, if this user may see it; NotFound otherwise (the same for missing and hidden)."""
    stmt = visible_cases(select(Case).where(Case.case_id == case_id), user)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    case = session.scalar(stmt)
    if case is None:
        raise NotFound(f"no case {case_id!r}", case_id=case_id)
    return case


def case_history(session: Session, *, case_id: str, user: Principal) -> list[CaseEvent]:
    """Every change of a visible case, oldest first."""
    get_case(session, case_id=case_id, user=user)
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.event_id)
    return list(session.scalars(stmt))


def move(
    session: Session,
    *,
    case_id: str,
    to_state: str,
    actor: Principal,
    settings: Settings,
    reason: str | None = None,
    fields: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Move a case one step; 409 for an illegal move or a stale version (with the current state)."""
    if to_state == "verdict":
        given = dict(fields or {})
        verdict = given.pop("verdict", None)
        check_fields("verdict", {"verdict": verdict, **given})
        return record_verdict(
            session,
            case_id=case_id,
            verdict=str(verdict),
            reason=reason,
            actor=actor,
            settings=settings,
            expected_version=expected_version,
        )
    case = _locked(
        session, case_id=case_id, user=actor, expected_version=expected_version, allowed=MOVE_CASES
    )
    check_move(case.state, to_state)
    clean = check_fields(to_state, fields or {})
    return _apply(
        session, case=case, to_state=to_state, fields=clean, reason=reason, actor=actor, settings=settings
    )


def record_verdict(
    session: Session,
    *,
    case_id: str,
    verdict: str,
    reason: str | None,
    actor: Principal,
    settings: Settings,
    expected_version: int | None = None,
) -> Case:
    """Record an appraisal verdict; enforcement runs in the same transaction; inconclusive closes the case."""
    case = _locked(
        session, case_id=case_id, user=actor, expected_version=expected_version, allowed=RECORD_VERDICTS
    )
    check_move(case.state, "verdict")
    clean = check_fields("verdict", {"verdict": verdict})
    _apply(
        session, case=case, to_state="verdict", fields=clean, reason=reason, actor=actor, settings=settings
    )
    if case.verdict == "inconclusive":
        _apply(
            session,
            case=case,
            to_state="closed",
            fields={},
            actor=actor,
            settings=settings,
            reason="inconclusive verdict closes the case; the listing may be planned again",
        )
    return case


def _locked(
    session: Session, *, case_id: str, user: Principal, expected_version: int | None, allowed: frozenset[str]
) -> Case:
    # Visibility first: a case the user cannot see is 404 whatever their role, as if it did not exist.
    case = get_case(session, case_id=case_id, user=user, for_update=True)
    require(user, allowed, f"move cases to {'verdict' if allowed is RECORD_VERDICTS else 'this state'}")
    if expected_version is not None and case.version != expected_version:
        raise _stale(case, expected_version)
    return case


def _stale(case: Case, expected_version: int | None) -> Conflict:
    return Conflict(
        f"case {case.case_id} changed: it is {case.state} at version {case.version}, "
        f"you had version {expected_version}; reload and retry",
        case_id=case.case_id,
        state=case.state,
        version=case.version,
    )


def _apply(
    session: Session,
    *,
    case: Case,
    to_state: str,
    fields: dict[str, Any],
    reason: str | None,
    actor: Principal,
    settings: Settings,
) -> Case:
    from_state, now = case.state, utcnow()
    seen_version = case.version
    case.state = to_state
    case.updated_at = now
    for name, value in fields.items():
        setattr(case, name, value)
    if to_state == "purchased":
        case.purchased_at = now
    elif to_state == "received":
        case.received_at = now
    elif to_state == "verdict":
        case.verdict_reason, case.verdict_at, case.verdict_by = reason, now, ledger.actor_name(actor)
    elif to_state == "closed":
        case.closed_at = now
    try:
        session.flush()
    except StaleDataError:
        raise _stale(case, seen_version) from None
    if to_state == "received":
        storehouse.book_in(session, case=case, location=settings.operations.intake_location, actor=actor)
    elif to_state == "in_appraisal":
        _hook("fakescope.operations.appraisal.service", "on_in_appraisal")(
            session=session, case=case, actor=actor, settings=settings
        )
        _check_out_to_appraiser(session, case=case, actor=actor)
    elif to_state == "verdict":
        if case.verdict == "genuine":
            storehouse.mark_asset(session, case=case, actor=actor)
        _hook("fakescope.operations.enforcement.service", "on_verdict")(
            session=session, case=case, actor=actor, settings=settings
        )
    elif to_state == "closed":
        storehouse.start_retention(session, case=case, settings=settings)
    session.add(
        CaseEvent(
            case_id=case.case_id,
            at=now,
            actor=ledger.actor_name(actor),
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            fields=fields,
            version=case.version,
        )
    )
    session.flush()
    # Queued: the ledger chains it under its head lock just before the caller commits.
    ledger.append(
        session,
        actor=actor,
        event_type="case.moved",
        subject_type="case",
        subject_id=case.case_id,
        payload={
            "from": from_state,
            "to": to_state,
            "reason": reason,
            "fields": fields,
            "version": case.version,
        },
    )
    return case


def _check_out_to_appraiser(session: Session, *, case: Case, actor: Principal) -> None:
    sample = storehouse.sample_for_case(session, case_id=case.case_id)
    if sample is None or sample.status != "in_store":
        return
    holder = "appraisal"
    if case.appraiser_org_id is not None:
        from fakescope.operations.access.models import Organisation

        org = session.get(Organisation, case.appraiser_org_id)
        holder = org.name if org is not None else case.appraiser_org_id
    storehouse.check_out(
        session,
        sample_id=sample.sample_id,
        holder=holder,
        holder_org_id=case.appraiser_org_id,
        actor=actor,
        note="sent for appraisal",
    )


def _skip(**_: Any) -> None:
    return None


def _hook(module: str, name: str) -> Callable[..., Any]:
    """A function of a capability built in parallel (appraisal, enforcement); a no-op until it exists."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as missing:
        if missing.name != module:
            raise
        return _skip
    function = getattr(found, name, None)
    return function if callable(function) else _skip


def visible(case: Case, user: Principal) -> bool:
    """Whether a loaded case is visible to a user (for edges holding a case already)."""
    return can_see_case(case, user)
