"""Enforcement in the verdict's transaction: apply the policy, queue one outbox row per action, and the bans.

Also lists actions (scoped by who may see the case), retries failed ones, and moves fully acted cases on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from fakescope.core.clock import utcnow
from fakescope.core.ids import new_id
from fakescope.errors import FakescopeError, FieldInvalid, IllegalTransition, NotFound
from fakescope.operations.access.policy import require, visible_cases
from fakescope.operations.access.principal import Operator, Principal
from fakescope.operations.cases.models import Case
from fakescope.operations.enforcement.buyers import listing_buyers
from fakescope.operations.enforcement.models import EnforcementAction, SellerBan, ShopPenalty
from fakescope.operations.enforcement.policy import (
    ActionState,
    ActionType,
    EnforcementFacts,
    counterfeit_decision,
)
from fakescope.operations.ledger import service as ledger
from fakescope.settings import Settings

RETRY_ACTIONS = frozenset({"admin", "analyst"})
SETTLER = Operator(name="system:enforcement", role="admin")


def on_verdict(
    *, session: Session, case: Case, actor: Principal, settings: Settings
) -> list[EnforcementAction]:
    """Close the case's appraisal; for a counterfeit verdict apply the policy and queue its actions."""
    from fakescope.operations.appraisal.service import close_appraisal

    close_appraisal(session=session, case=case, actor=actor)
    if case.verdict != "counterfeit":
        return []
    now = utcnow()
    penalty = _shop_penalty(session, shop_id=case.shop_id, now=now)
    facts = EnforcementFacts(
        listing_taken_down=_listing_taken_down(session, listing_id=case.listing_id),
        shop_points=penalty.points,
        shop_closed=penalty.closed_at is not None,
        seller_banned=session.get(SellerBan, case.seller_id) is not None,
        buyer_ids=listing_buyers(settings, listing_id=case.listing_id)
        if settings.enforcement.notify_buyers
        else (),
    )
    reason = f"counterfeit verdict in case {case.case_id}"
    decision = counterfeit_decision(policy=settings.enforcement, facts=facts, reason=reason)
    penalty.points, penalty.updated_at = decision.shop_points, now
    if decision.close_shop:
        penalty.closed_at, penalty.closed_by_case_id = now, case.case_id
    if decision.ban_seller:
        session.add(SellerBan(seller_id=case.seller_id, banned_at=now, case_id=case.case_id, reason=reason))
    queued = [_queue(session, case=case, type_=p.type, details=p.details, now=now) for p in decision.actions]
    session.flush()
    # One entry for the whole decision, appended last: the ledger head is the one lock every writer shares,
    # so the verdict holds it for as short a time as possible.
    ledger.append(
        session,
        actor=actor,
        event_type="enforcement.applied",
        subject_type="case",
        subject_id=case.case_id,
        payload={
            "verdict": case.verdict,
            "listing_id": case.listing_id,
            "shop_id": case.shop_id,
            "shop_points": penalty.points,
            "shop_closed": decision.close_shop,
            "seller_id": case.seller_id,
            "seller_banned": decision.ban_seller,
            "actions": [[action.action_id, action.type] for action in queued],
        },
    )
    return queued


def _queue(
    session: Session, *, case: Case, type_: ActionType, details: dict[str, Any], now: datetime
) -> EnforcementAction:
    action_id = new_id("act")
    message = {
        "action_id": action_id,
        "type": type_.value,
        "case_id": case.case_id,
        "listing_id": case.listing_id,
        "shop_id": case.shop_id,
        "seller_id": case.seller_id,
        "brand_id": case.brand_id,
        "verdict": case.verdict,
        "created_at": now.isoformat(),
        **details,
    }
    action = EnforcementAction(
        action_id=action_id,
        case_id=case.case_id,
        org_id=case.appraiser_org_id,
        type=type_.value,
        listing_id=case.listing_id,
        shop_id=case.shop_id,
        seller_id=case.seller_id,
        message=message,
        state=ActionState.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(action)
    return action


def _shop_penalty(session: Session, *, shop_id: str, now: datetime) -> ShopPenalty:
    """The shop's penalty row, locked so two verdicts on one shop add their points one after the other."""
    found = session.get(ShopPenalty, shop_id, with_for_update=True, populate_existing=True)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            session.add(ShopPenalty(shop_id=shop_id, points=0, updated_at=now))
    except DatabaseIntegrityError:
        pass  # another verdict made the row first; lock theirs
    found = session.get(ShopPenalty, shop_id, with_for_update=True, populate_existing=True)
    assert found is not None
    return found


def _listing_taken_down(session: Session, *, listing_id: str) -> bool:
    stmt = select(
        exists().where(
            EnforcementAction.listing_id == listing_id,
            EnforcementAction.type == ActionType.TAKEDOWN_LISTING.value,
        )
    )
    return bool(session.scalar(stmt))


def banned_seller_ids(session: Session) -> set[str]:
    """Every seller enforcement has banned; identity screening reads this on each request."""
    return set(session.scalars(select(SellerBan.seller_id)))


def list_bans(session: Session) -> list[SellerBan]:
    """Every ban, oldest first."""
    return list(session.scalars(select(SellerBan).order_by(SellerBan.banned_at, SellerBan.seller_id)))


def _visible_actions(actor: Principal) -> Any:
    stmt = select(EnforcementAction).join(Case, Case.case_id == EnforcementAction.case_id)
    return visible_cases(stmt, actor)


def list_actions(
    session: Session,
    *,
    actor: Principal,
    state: str | None = None,
    case_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[EnforcementAction]:
    """The actions of the cases this user may see, oldest first, optionally in one delivery state."""
    stmt = _visible_actions(actor)
    if state is not None:
        if state not in {s.value for s in ActionState}:
            allowed = ", ".join(s.value for s in ActionState)
            raise FieldInvalid("state", f"must be one of {allowed}, not {state!r}")
        stmt = stmt.where(EnforcementAction.state == state)
    if case_id is not None:
        stmt = stmt.where(EnforcementAction.case_id == case_id)
    stmt = stmt.order_by(EnforcementAction.created_at, EnforcementAction.action_id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def get_action(session: Session, *, action_id: str, actor: Principal) -> EnforcementAction:
    """One action of a case this user may see; NotFound otherwise."""
    found = session.scalar(_visible_actions(actor).where(EnforcementAction.action_id == action_id))
    if found is None:
        raise NotFound(f"no action {action_id!r}", action_id=action_id)
    return found


def retry_failed(
    session: Session, *, actor: Principal, action_ids: list[str] | None = None
) -> list[EnforcementAction]:
    """Put failed actions (these, or all) back in the queue with a fresh attempt count."""
    require(actor, RETRY_ACTIONS, "retry enforcement actions")
    if action_ids:
        chosen = [get_action(session, action_id=a, actor=actor) for a in action_ids]
    else:
        chosen = list_actions(session, actor=actor, state=ActionState.FAILED.value)
    now = utcnow()
    retried: list[EnforcementAction] = []
    for action in chosen:
        if action.state != ActionState.FAILED.value:
            if action_ids:
                raise IllegalTransition(
                    f"action {action.action_id} is {action.state}; only failed actions can be retried",
                    action_id=action.action_id,
                    state=action.state,
                )
            continue
        action.state, action.attempts, action.next_attempt_at = ActionState.PENDING.value, 0, now
        action.lease_owner = action.lease_until = None
        ledger.append(
            session,
            actor=actor,
            event_type="enforcement.action_retried",
            subject_type="action",
            subject_id=action.action_id,
            payload={"case_id": action.case_id, "last_error": action.last_error},
        )
        retried.append(action)
    session.flush()
    return retried


def counts_by_state(session: Session, *, actor: Principal) -> dict[str, int]:
    """How many visible actions are in each delivery state."""
    grouped: Any = (
        select(EnforcementAction.state, func.count())
        .join(Case, Case.case_id == EnforcementAction.case_id)
        .group_by(EnforcementAction.state)
    )
    stmt = visible_cases(grouped, actor)
    found = {state: int(count) for state, count in session.execute(stmt).all()}
    return {s.value: found.get(s.value, 0) for s in ActionState}


def _undelivered(case_id: Any) -> Any:
    return exists().where(
        EnforcementAction.case_id == case_id, EnforcementAction.state != ActionState.DELIVERED.value
    )


def settle_cases(
    session: Session, *, case_ids: set[str] | None, actor: str | Principal, settings: Settings
) -> int:
    """Move counterfeit cases whose actions are all delivered to `acted` (these cases, or every such case).

    The case row is locked first, so two workers finishing a case's last two actions cannot both miss it.
    """
    from fakescope.operations.cases import service as cases

    stmt = select(Case.case_id).where(
        Case.state == "verdict", Case.verdict == "counterfeit", ~_undelivered(Case.case_id)
    )
    if case_ids is not None:
        if not case_ids:
            return 0
        stmt = stmt.where(Case.case_id.in_(sorted(case_ids)))
    moved = 0
    settler = Operator(name=actor, role="admin") if isinstance(actor, str) else actor
    for case_id in list(session.scalars(stmt.order_by(Case.case_id).limit(1000))):
        try:
            with session.begin_nested():
                case = cases.get_case(session, case_id=case_id, user=SETTLER, for_update=True)
                if case.state != "verdict" or session.scalar(select(_undelivered(case_id))):
                    continue
                cases.move(
                    session,
                    case_id=case_id,
                    to_state="acted",
                    actor=settler,
                    settings=settings,
                    reason="every enforcement action was delivered",
                )
                moved += 1
        except FakescopeError:
            continue  # someone else moved it meanwhile; nothing to do
    return moved
