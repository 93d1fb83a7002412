"""API shapes of appraisals: an assignment and its deadline, the appraiser's view of a case, a verdict answer.

Built from ORM rows with `from_attributes`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from fakescope.operations.appraisal.models import Appraisal
from fakescope.operations.cases.models import Case
from fakescope.operations.cases.schemas import CaseRead
from fakescope.operations.enforcement.schemas import ActionRead
from fakescope.operations.evidence.schemas import EvidenceRead
from fakescope.operations.storehouse.schemas import SampleRead


class AppraisalRead(BaseModel):
    """One assignment of a case to an organisation, and its outcome once there is one."""

    model_config = ConfigDict(from_attributes=True)

    appraisal_id: str
    case_id: str
    org_id: str
    route: str
    assigned_at: datetime
    assigned_by: str
    due_at: datetime
    completed_at: datetime | None
    verdict: str | None
    reasoning: str | None
    verdict_by: str | None
    report_evidence_id: str | None


class AppraisalSummary(AppraisalRead):
    """An appraisal with what a work list needs of its case."""

    listing_id: str
    brand_id: str | None
    category: str | None
    state: str
    version: int
    overdue: bool


class AppraisalCaseView(BaseModel):
    """Everything an appraiser sees of one case."""

    case: CaseRead
    appraisals: list[AppraisalRead]
    evidence: list[EvidenceRead]
    samples: list[SampleRead]
    actions: list[ActionRead]


class VerdictRecorded(BaseModel):
    """The answer to a verdict: the case after it, the appraisal, the report item and the queued actions."""

    case: CaseRead
    appraisal: AppraisalRead | None
    report: EvidenceRead
    actions: list[ActionRead]


def summarise(appraisal: Appraisal, case: Case, *, now: datetime) -> AppraisalSummary:
    """An AppraisalSummary from an appraisal row and its case."""
    base = AppraisalRead.model_validate(appraisal).model_dump()
    due_at = base["due_at"]
    return AppraisalSummary(
        **base,
        listing_id=case.listing_id,
        brand_id=case.brand_id,
        category=case.category,
        state=case.state,
        version=case.version,
        overdue=base["completed_at"] is None and due_at < now,
    )
