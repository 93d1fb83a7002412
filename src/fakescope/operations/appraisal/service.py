"""Sending a case to its appraiser (rights holder or agency, with a deadline), the appraisers' view, verdicts.

Every query is scoped through the access policy: an appraiser sees only their organisation's cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fakescope.core.clock import utcnow
from fakescope.core.ids import new_id
from fakescope.errors import FieldInvalid, NotFound, NotReady
from fakescope.operations.access.models import Organisation, OrgBrand
from fakescope.operations.access.policy import RECORD_VERDICTS, require, visible_cases
from fakescope.operations.access.principal import Principal
from fakescope.operations.appraisal.models import Appraisal
from fakescope.operations.appraisal.routing import AGENCY, RIGHTS_HOLDER, Candidate, choose_appraiser
from fakescope.operations.cases.models import Case
from fakescope.operations.cases.service import get_case, record_verdict
from fakescope.operations.cases.transitions import check_fields, check_move
from fakescope.operations.enforcement.service import list_actions
from fakescope.operations.evidence.service import attach, list_evidence, store_stream
from fakescope.operations.ledger import service as ledger
from fakescope.operations.storehouse.service import sample_for_case
from fakescope.settings import Settings


def _open_counts(session: Session) -> dict[str, int]:
    stmt = (
        select(Appraisal.org_id, func.count())
        .where(Appraisal.completed_at.is_(None))
        .group_by(Appraisal.org_id)
    )
    return {org_id: int(count) for org_id, count in session.execute(stmt).all()}


def _candidates(session: Session, *, brand_id: str | None) -> tuple[Candidate | None, list[Candidate]]:
    counts = _open_counts(session)
    owner = None
    if brand_id is not None:
        org = session.scalar(
            select(Organisation)
            .join(OrgBrand, OrgBrand.org_id == Organisation.org_id)
            .where(OrgBrand.brand_id == brand_id, Organisation.kind == RIGHTS_HOLDER)
        )
        if org is not None:
            owner = Candidate(org.org_id, org.name, org.kind, counts.get(org.org_id, 0))
    agencies = [
        Candidate(org.org_id, org.name, org.kind, counts.get(org.org_id, 0))
        for org in session.scalars(select(Organisation).where(Organisation.kind == AGENCY))
    ]
    return owner, agencies


def on_in_appraisal(*, session: Session, case: Case, actor: Principal, settings: Settings) -> Appraisal:
    """Assign the case to its brand's rights holder, else an agency (by category rule), with a deadline."""
    owner, agencies = _candidates(session, brand_id=case.brand_id)
    route = choose_appraiser(
        category=case.category,
        brand_owner=owner,
        agencies=agencies,
        route_by_category=settings.operations.appraisal_route_by_category,
    )
    if route is None:
        raise NotReady(
            f"no organisation can appraise case {case.case_id} (brand {case.brand_id or 'none'}): create the "
            "brand's rights holder (`fakescope orgs create NAME --kind rights_holder --brands BRAND`) "
            "or an inspection agency (`--kind agency`)",
            case_id=case.case_id,
        )
    now = utcnow()
    appraisal = Appraisal(
        appraisal_id=new_id("apr"),
        case_id=case.case_id,
        org_id=route.org_id,
        route=route.route,
        assigned_at=now,
        assigned_by=ledger.actor_name(actor),
        due_at=now + timedelta(days=settings.operations.appraisal_deadline_days),
    )
    session.add(appraisal)
    case.appraiser_org_id = route.org_id
    session.flush()
    ledger.append(
        session,
        actor=actor,
        event_type="appraisal.assigned",
        subject_type="case",
        subject_id=case.case_id,
        payload={
            "appraisal_id": appraisal.appraisal_id,
            "org_id": route.org_id,
            "route": route.route,
            "due_at": appraisal.due_at,
        },
    )
    return appraisal


def open_appraisal(session: Session, *, case_id: str) -> Appraisal | None:
    """The case's appraisal still waiting for a verdict, if any."""
    stmt = (
        select(Appraisal)
        .where(Appraisal.case_id == case_id, Appraisal.completed_at.is_(None))
        .order_by(Appraisal.assigned_at.desc())
    )
    return session.scalars(stmt).first()


def close_appraisal(*, session: Session, case: Case, actor: Principal) -> Appraisal | None:
    """Record the verdict on the case's open appraisal (enforcement calls it in the verdict's transaction)."""
    appraisal = open_appraisal(session, case_id=case.case_id)
    if appraisal is None:
        return None
    appraisal.completed_at = case.verdict_at or utcnow()
    appraisal.verdict, appraisal.reasoning = case.verdict, case.verdict_reason
    appraisal.verdict_by = ledger.actor_name(actor)
    session.flush()
    return appraisal


def _visible(actor: Principal) -> Any:
    joined: Any = select(Appraisal, Case).join(Case, Case.case_id == Appraisal.case_id)
    return visible_cases(joined, actor)


def list_appraisals(
    session: Session, *, actor: Principal, open_only: bool = False
) -> list[tuple[Appraisal, Case]]:
    """The appraisals of the cases this user may see, soonest deadline first."""
    stmt = _visible(actor)
    if open_only:
        stmt = stmt.where(Appraisal.completed_at.is_(None))
    stmt = stmt.order_by(Appraisal.due_at, Appraisal.appraisal_id)
    return [(row[0], row[1]) for row in session.execute(stmt).all()]


def overdue(
    session: Session, *, actor: Principal, now: datetime | None = None
) -> list[tuple[Appraisal, Case]]:
    """Open appraisals past their deadline, of cases this user may see, most overdue first."""
    moment = now or utcnow()
    stmt = (
        _visible(actor)
        .where(Appraisal.completed_at.is_(None), Appraisal.due_at < moment, Case.state == "in_appraisal")
        .order_by(Appraisal.due_at, Appraisal.appraisal_id)
    )
    return [(row[0], row[1]) for row in session.execute(stmt).all()]


@dataclass
class AppraisalView:
    """What an appraiser sees of one case: the case, its appraisals, evidence, sample and actions."""

    case: Case
    appraisals: list[Appraisal]
    evidence: list[Any] = field(default_factory=list)
    samples: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)


def appraisal_view(session: Session, *, case_id: str, actor: Principal) -> AppraisalView:
    """One visible case with everything an appraiser needs; NotFound for a case they may not see."""
    case = get_case(session, case_id=case_id, user=actor)
    appraisals = list(
        session.scalars(select(Appraisal).where(Appraisal.case_id == case_id).order_by(Appraisal.assigned_at))
    )
    sample = sample_for_case(session, case_id=case_id)
    return AppraisalView(
        case=case,
        appraisals=appraisals,
        evidence=list_evidence(session, case_id=case_id, user=actor),
        samples=[sample] if sample is not None else [],
        actions=list_actions(session, actor=actor, case_id=case_id),
    )


def check_can_submit(
    session: Session, *, case_id: str, verdict: str, reasoning: str, actor: Principal
) -> Case:
    """The case, if this user may record this verdict on it now; checked before any report byte is stored."""
    require(actor, RECORD_VERDICTS, "record verdicts")
    if not (reasoning or "").strip():
        raise FieldInvalid("reasoning", "an appraisal verdict needs its reasoning")
    check_fields("verdict", {"verdict": verdict})
    case = get_case(session, case_id=case_id, user=actor)
    check_move(case.state, "verdict")
    return case


def store_report(chunks: Iterable[bytes], *, settings: Settings) -> tuple[str, int]:
    """Stream a report into the evidence store (content-addressed); (sha256, size). Empty is refused."""
    sha256, size = store_stream(chunks, settings=settings)
    if size == 0:
        raise FieldInvalid("report", "the report file is empty")
    return sha256, size


@dataclass
class VerdictOutcome:
    """What a submitted verdict did."""

    case: Case
    appraisal: Appraisal | None
    report: Any
    actions: list[Any]


def submit_verdict(
    session: Session,
    *,
    case_id: str,
    verdict: str,
    reasoning: str,
    report_sha256: str,
    report_size: int,
    report_filename: str | None,
    actor: Principal,
    settings: Settings,
    report_content_type: str | None = None,
    expected_version: int | None = None,
) -> VerdictOutcome:
    """Attach the stored report as evidence and record the verdict with its reasoning, in one transaction.

    Enforcement runs inside the verdict (cases.record_verdict calls it), so its actions share this commit.
    """
    check_can_submit(session, case_id=case_id, verdict=verdict, reasoning=reasoning, actor=actor)
    report, _ = attach(
        session,
        case_id=case_id,
        sha256=report_sha256,
        size=report_size,
        kind="report",
        actor=actor,
        filename=report_filename,
        content_type=report_content_type,
        place="appraisal",
    )
    appraisal = open_appraisal(session, case_id=case_id)
    if appraisal is not None:
        appraisal.report_evidence_id = report.evidence_id
    case = record_verdict(
        session,
        case_id=case_id,
        verdict=verdict,
        reason=reasoning.strip(),
        actor=actor,
        settings=settings,
        expected_version=expected_version,
    )
    actions = list_actions(session, actor=actor, case_id=case_id)
    return VerdictOutcome(case=case, appraisal=appraisal, report=report, actions=actions)


def get_appraisal(session: Session, *, case_id: str, actor: Principal) -> Appraisal:
    """The latest appraisal of a visible case; NotFound when hidden or never sent for appraisal."""
    stmt = _visible(actor).where(Appraisal.case_id == case_id).order_by(Appraisal.assigned_at.desc())
    found = session.execute(stmt).first()
    if found is None:
        raise NotFound(f"no appraisal for case {case_id!r}", case_id=case_id)
    return found[0]
