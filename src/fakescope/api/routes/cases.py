"""Case endpoints: list and read (scoped to the caller), history, and moves with the version the caller saw.

A stale version or an illegal move answers 409 with the case's current state and version.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from fakescope.api.deps import CurrentUser, SessionDep, SettingsDep
from fakescope.operations.cases import service as cases
from fakescope.operations.cases.schemas import CaseEventRead, CaseMove, CaseRead

router = APIRouter(tags=["cases"])


@router.get("/cases")
def list_cases(
    session: SessionDep,
    user: CurrentUser,
    state: str | None = None,
    limit: int | None = Query(default=None, ge=1, le=100_000),
    offset: int = Query(default=0, ge=0),
) -> list[CaseRead]:
    """The cases the caller may see, oldest first."""
    found = cases.list_cases(session, user=user, state=state, limit=limit, offset=offset)
    return [CaseRead.model_validate(case) for case in found]


@router.get("/cases/{case_id}")
def get_case(case_id: str, session: SessionDep, user: CurrentUser) -> CaseRead:
    """One case; 404 when missing or not visible to the caller."""
    return CaseRead.model_validate(cases.get_case(session, case_id=case_id, user=user))


@router.get("/cases/{case_id}/history")
def case_history(case_id: str, session: SessionDep, user: CurrentUser) -> list[CaseEventRead]:
    """Every change of the case: who, when, what, why."""
    events = cases.case_history(session, case_id=case_id, user=user)
    return [CaseEventRead.model_validate(event) for event in events]


@router.post("/cases/{case_id}/moves")
def move_case(
    case_id: str, body: CaseMove, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> CaseRead:
    """Move the case to `state`; give `expected_version` so concurrent edits cannot overwrite each other."""
    case = cases.move(
        session,
        case_id=case_id,
        to_state=body.state,
        actor=user,
        settings=settings,
        reason=body.reason,
        fields=body.fields,
        expected_version=body.expected_version,
    )
    session.commit()
    return CaseRead.model_validate(case)
