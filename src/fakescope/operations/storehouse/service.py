"""Booking samples in, moving them between locations, checking them out to appraisers and back, disposal.

Disposal is refused under a legal hold, while the case is open, and before retention has run out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fakescope.core.clock import utcnow
from fakescope.core.ids import new_id
from fakescope.errors import Conflict, FieldInvalid, NotFound
from fakescope.operations.access.principal import Principal
from fakescope.operations.cases.models import Case
from fakescope.operations.evidence import custody
from fakescope.operations.storehouse.models import Sample
from fakescope.settings import Settings


def parse_location(text: str) -> tuple[str, str, str]:
    """`room/shelf/bin` as its three parts; each must be non-empty."""
    parts = [part.strip() for part in text.split("/")]
    if len(parts) != 3 or not all(parts):
        raise FieldInvalid("location", f"must be room/shelf/bin, not {text!r}")
    return parts[0], parts[1], parts[2]


def sample_for_case(session: Session, *, case_id: str) -> Sample | None:
    """The case's sample, if one was booked in."""
    return session.scalar(select(Sample).where(Sample.case_id == case_id))


def _sample(session: Session, sample_id: str) -> Sample:
    sample = session.get(Sample, sample_id)
    if sample is None:
        raise NotFound(f"no sample {sample_id!r}")
    return sample


def book_in(session: Session, *, case: Case, location: str, actor: Principal) -> Sample:
    """Store the received sample of a case at a location (the intake location on receipt)."""
    room, shelf, bin_ = parse_location(location)
    if sample_for_case(session, case_id=case.case_id) is not None:
        raise Conflict(f"case {case.case_id} has a sample booked in already")
    sample = Sample(
        sample_id=new_id("smp"),
        case_id=case.case_id,
        status="in_store",
        room=room,
        shelf=shelf,
        bin=bin_,
        booked_at=utcnow(),
    )
    session.add(sample)
    session.flush()
    custody.record(
        session,
        item_type="sample",
        item_id=sample.sample_id,
        case_id=case.case_id,
        action="stored",
        actor=actor,
        place=location,
    )
    return sample


def move_to(session: Session, *, sample_id: str, location: str, actor: Principal) -> Sample:
    """Move a sample that is in store to another room/shelf/bin."""
    sample = _sample(session, sample_id)
    if sample.status != "in_store":
        raise Conflict(f"sample {sample_id} is {sample.status}, not in store", status=sample.status)
    sample.room, sample.shelf, sample.bin = parse_location(location)
    session.flush()
    custody.record(
        session,
        item_type="sample",
        item_id=sample_id,
        case_id=sample.case_id,
        action="moved",
        actor=actor,
        place=location,
    )
    return sample


def check_out(
    session: Session,
    *,
    sample_id: str,
    holder: str,
    actor: Principal,
    holder_org_id: str | None = None,
    note: str | None = None,
) -> Sample:
    """Hand a sample out (to an appraiser); it leaves its shelf until checked back in."""
    sample = _sample(session, sample_id)
    if sample.status != "in_store":
        raise Conflict(f"sample {sample_id} is {sample.status}, not in store", status=sample.status)
    place = sample.location
    sample.status, sample.holder, sample.holder_org_id = "checked_out", holder, holder_org_id
    sample.room = sample.shelf = sample.bin = None
    session.flush()
    custody.record(
        session,
        item_type="sample",
        item_id=sample_id,
        case_id=sample.case_id,
        action="checked_out",
        actor=actor,
        place=place,
        note=note,
        details={"holder": holder, "holder_org_id": holder_org_id},
    )
    return sample


def check_in(
    session: Session, *, sample_id: str, location: str, actor: Principal, note: str | None = None
) -> Sample:
    """Take a sample back from its holder onto a shelf."""
    sample = _sample(session, sample_id)
    if sample.status != "checked_out":
        raise Conflict(f"sample {sample_id} is {sample.status}, not checked out", status=sample.status)
    room, shelf, bin_ = parse_location(location)
    returned_by = sample.holder
    sample.status, sample.holder, sample.holder_org_id = "in_store", None, None
    sample.room, sample.shelf, sample.bin = room, shelf, bin_
    session.flush()
    custody.record(
        session,
        item_type="sample",
        item_id=sample_id,
        case_id=sample.case_id,
        action="checked_in",
        actor=actor,
        place=location,
        note=note,
        details={"returned_by": returned_by},
    )
    return sample


def set_legal_hold(
    session: Session, *, sample_id: str, hold: bool, reason: str | None, actor: Principal
) -> Sample:
    """Put a legal hold on a sample (no disposal whatever the retention) or release it."""
    sample = _sample(session, sample_id)
    if hold and not (reason or "").strip():
        raise FieldInvalid("reason", "a legal hold needs a reason")
    sample.legal_hold, sample.hold_reason = hold, (reason if hold else None)
    session.flush()
    custody.record(
        session,
        item_type="sample",
        item_id=sample_id,
        case_id=sample.case_id,
        action="held" if hold else "released",
        actor=actor,
        note=reason,
    )
    return sample


def mark_asset(session: Session, *, case: Case, actor: Principal) -> Sample | None:
    """A genuine sample becomes a platform asset, kept in the same storehouse (None if no sample)."""
    sample = sample_for_case(session, case_id=case.case_id)
    if sample is None or sample.is_asset:
        return sample
    sample.is_asset = True
    session.flush()
    custody.record(
        session,
        item_type="sample",
        item_id=sample.sample_id,
        case_id=case.case_id,
        action="asset",
        actor=actor,
        place=sample.location,
    )
    return sample


def start_retention(session: Session, *, case: Case, settings: Settings) -> None:
    """On close: keep the sample at least `retention_years` from now (years of 365.25 days... by date)."""
    sample = sample_for_case(session, case_id=case.case_id)
    if sample is None:
        return
    closed = case.closed_at or utcnow()
    sample.retain_until = _add_years(closed, settings.operations.retention_years)
    session.flush()


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February into a non-leap year
        return moment.replace(year=moment.year + years, day=28)


def dispose(
    session: Session, *, sample_id: str, actor: Principal, reason: str, now: datetime | None = None
) -> Sample:
    """Destroy a sample; refused under a legal hold, for an open case, or before retention ends."""
    sample = _sample(session, sample_id)
    now = now or utcnow()
    if sample.status == "disposed":
        raise Conflict(f"sample {sample_id} was disposed of already", status=sample.status)
    if sample.legal_hold:
        raise Conflict(f"sample {sample_id} is under a legal hold: {sample.hold_reason}", legal_hold=True)
    if sample.is_asset:
        raise Conflict(f"sample {sample_id} is a platform asset", is_asset=True)
    if sample.retain_until is None:
        raise Conflict(f"sample {sample_id} belongs to an open case; retention starts when it closes")
    if now < sample.retain_until:
        raise Conflict(
            f"sample {sample_id} must be kept until {sample.retain_until.date().isoformat()}",
            retain_until=sample.retain_until.isoformat(),
        )
    if sample.status == "checked_out":
        raise Conflict(f"sample {sample_id} is checked out to {sample.holder}", status=sample.status)
    place = sample.location
    sample.status, sample.disposed_at = "disposed", now
    sample.room = sample.shelf = sample.bin = None
    session.flush()
    custody.record(
        session,
        item_type="sample",
        item_id=sample_id,
        case_id=sample.case_id,
        action="disposed",
        actor=actor,
        place=place,
        note=reason,
    )
    return sample


def get_sample(session: Session, *, sample_id: str, user: Principal) -> Sample:
    """A sample, if its case is visible to this user."""
    from fakescope.operations.cases.service import get_case

    sample = session.get(Sample, sample_id)
    if sample is None:
        raise NotFound(f"no sample {sample_id!r}")
    try:
        get_case(session, case_id=sample.case_id, user=user)
    except NotFound:
        raise NotFound(f"no sample {sample_id!r}") from None
    return sample


def perform(
    session: Session,
    *,
    sample_id: str,
    action: str,
    actor: Principal,
    location: str | None = None,
    holder: str | None = None,
    reason: str | None = None,
) -> Sample:
    """One storehouse action by name (the API's and CLI's entry point); staff roles only."""
    from fakescope.operations.access.policy import MOVE_CASES, require

    require(actor, MOVE_CASES, "handle samples")
    get_sample(session, sample_id=sample_id, user=actor)
    if action in ("check_in", "move") and not location:
        raise FieldInvalid("location", f"{action} needs a location (room/shelf/bin)")
    if action == "check_in":
        return check_in(session, sample_id=sample_id, location=location or "", actor=actor, note=reason)
    if action == "move":
        return move_to(session, sample_id=sample_id, location=location or "", actor=actor)
    if action == "check_out":
        if not holder:
            raise FieldInvalid("holder", "check_out needs a holder")
        return check_out(session, sample_id=sample_id, holder=holder, actor=actor, note=reason)
    if action in ("hold", "release"):
        return set_legal_hold(session, sample_id=sample_id, hold=action == "hold", reason=reason, actor=actor)
    if action == "dispose":
        if not reason:
            raise FieldInvalid("reason", "disposal needs a reason")
        return dispose(session, sample_id=sample_id, actor=actor, reason=reason)
    raise FieldInvalid("action", "must be one of check_in, check_out, move, hold, release, dispose")
