"""Appraisal endpoints: the caller's work list, the overdue ones, one case's full view, and the verdict.

The verdict is multipart (fields plus the report file, spooled to disk by the server, never whole in memory).
"""

from __future__ import annotations

from fastapi import APIRouter, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from fakescope.api.deps import CurrentUser, SessionDep, SettingsDep
from fakescope.core.clock import utcnow
from fakescope.core.hashing import CHUNK_SIZE
from fakescope.operations.appraisal import service as appraisal
from fakescope.operations.appraisal.schemas import (
    AppraisalCaseView,
    AppraisalRead,
    AppraisalSummary,
    VerdictRecorded,
    summarise,
)
from fakescope.operations.cases.schemas import CaseRead
from fakescope.operations.enforcement.schemas import ActionRead
from fakescope.operations.evidence.schemas import EvidenceRead
from fakescope.operations.storehouse.schemas import SampleRead

router = APIRouter(tags=["appraisals"])


@router.get("/appraisals")
def list_appraisals(
    session: SessionDep, user: CurrentUser, open_only: bool = False
) -> list[AppraisalSummary]:
    """The appraisals of the cases the caller may see (an appraiser: their organisation's), by deadline."""
    now = utcnow()
    found = appraisal.list_appraisals(session, actor=user, open_only=open_only)
    return [summarise(item, case, now=now) for item, case in found]


@router.get("/appraisals/overdue")
def overdue_appraisals(session: SessionDep, user: CurrentUser) -> list[AppraisalSummary]:
    """Open appraisals past their deadline, most overdue first."""
    now = utcnow()
    return [summarise(item, case, now=now) for item, case in appraisal.overdue(session, actor=user, now=now)]


@router.get("/appraisals/{case_id}")
def appraisal_case(case_id: str, session: SessionDep, user: CurrentUser) -> AppraisalCaseView:
    """One case with its appraisals, evidence, sample and actions; 404 when not the caller's to see."""
    view = appraisal.appraisal_view(session, case_id=case_id, actor=user)
    return AppraisalCaseView(
        case=CaseRead.model_validate(view.case),
        appraisals=[AppraisalRead.model_validate(a) for a in view.appraisals],
        evidence=[EvidenceRead.model_validate(e) for e in view.evidence],
        samples=[SampleRead.model_validate(s) for s in view.samples],
        actions=[ActionRead.model_validate(a) for a in view.actions],
    )


@router.post("/appraisals/{case_id}/verdict", status_code=201)
async def submit_verdict(
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    verdict: str = Form(..., description="counterfeit, genuine or inconclusive"),
    reasoning: str = Form(..., description="why: what the appraiser found"),
    report: UploadFile = File(..., description="the appraisal report"),
    expected_version: int | None = Form(default=None),
) -> VerdictRecorded:
    """Record the caller's verdict with reasoning and the report file (stored as evidence), then enforce."""
    await run_in_threadpool(
        appraisal.check_can_submit, session, case_id=case_id, verdict=verdict, reasoning=reasoning, actor=user
    )
    # Release the connection (and SQLite's write lock) while the report is copied into the store.
    await run_in_threadpool(session.rollback)
    handle = report.file
    sha256, size = await run_in_threadpool(
        appraisal.store_report, iter(lambda: handle.read(CHUNK_SIZE), b""), settings=settings
    )

    def record() -> VerdictRecorded:
        outcome = appraisal.submit_verdict(
            session,
            case_id=case_id,
            verdict=verdict,
            reasoning=reasoning,
            report_sha256=sha256,
            report_size=size,
            report_filename=report.filename,
            report_content_type=report.content_type,
            actor=user,
            settings=settings,
            expected_version=expected_version,
        )
        session.commit()
        return VerdictRecorded(
            case=CaseRead.model_validate(outcome.case),
            appraisal=AppraisalRead.model_validate(outcome.appraisal) if outcome.appraisal else None,
            report=EvidenceRead.model_validate(outcome.report),
            actions=[ActionRead.model_validate(a) for a in outcome.actions],
        )

    return await run_in_threadpool(record)
