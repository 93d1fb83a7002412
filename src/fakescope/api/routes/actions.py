"""Enforcement action endpoints: the outbox (scoped to the cases the caller may see), one action, retry.

Delivery itself runs in the server's worker and in `fakescope actions deliver`.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from fakescope.api.deps import CurrentUser, SessionDep
from fakescope.operations.enforcement import service as enforcement
from fakescope.operations.enforcement.schemas import ActionRead

router = APIRouter(tags=["actions"])


@router.get("/actions")
def list_actions(
    session: SessionDep,
    user: CurrentUser,
    state: str | None = Query(default=None, description="pending, delivered or failed"),
    case_id: str | None = None,
    limit: int | None = Query(default=None, ge=1, le=100_000),
    offset: int = Query(default=0, ge=0),
) -> list[ActionRead]:
    """The enforcement actions of the cases the caller may see, oldest first."""
    found = enforcement.list_actions(
        session, actor=user, state=state, case_id=case_id, limit=limit, offset=offset
    )
    return [ActionRead.model_validate(action) for action in found]


@router.get("/actions/{action_id}")
def get_action(action_id: str, session: SessionDep, user: CurrentUser) -> ActionRead:
    """One action; 404 when missing or not the caller's to see."""
    return ActionRead.model_validate(enforcement.get_action(session, action_id=action_id, actor=user))


@router.post("/actions/{action_id}/retry")
def retry_action(action_id: str, session: SessionDep, user: CurrentUser) -> ActionRead:
    """Put a failed action back in the queue (admins and analysts)."""
    enforcement.retry_failed(session, actor=user, action_ids=[action_id])
    action = enforcement.get_action(session, action_id=action_id, actor=user)
    session.commit()
    return ActionRead.model_validate(action)
