"""Recording one link of a chain of custody (who, when, where, what) and its ledger entry, in one call.

Used by evidence and by the storehouse, so every item's history reads the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fakescope.core.clock import utcnow
from fakescope.operations.evidence.models import CUSTODY_ACTIONS, CustodyEvent
from fakescope.operations.ledger import service as ledger


def record(
    session: Session,
    *,
    item_type: str,
    item_id: str,
    case_id: str,
    action: str,
    actor: Any,
    place: str | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Append a custody event and its ledger entry (`custody.<action>`)."""
    if action not in CUSTODY_ACTIONS:
        raise ValueError(f"unknown custody action {action!r}")
    name = ledger.actor_name(actor)
    event = CustodyEvent(
        item_type=item_type,
        item_id=item_id,
        case_id=case_id,
        action=action,
        actor=name,
        at=utcnow(),
        place=place,
        note=note,
        details=details or {},
    )
    session.add(event)
    session.flush()
    ledger.append(
        session,
        actor=name,
        event_type=f"custody.{action}",
        subject_type=item_type,
        subject_id=item_id,
        payload={"case_id": case_id, "place": place, "note": note, **(details or {})},
    )
    return event


def history(session: Session, *, item_id: str) -> list[CustodyEvent]:
    """The chain of custody of one item, oldest first."""
    stmt = select(CustodyEvent).where(CustodyEvent.item_id == item_id).order_by(CustodyEvent.event_id)
    return list(session.scalars(stmt))
