"""API and CLI shapes of enforcement actions and of a delivery pass.

An action's `message` is exactly what the marketplace receives.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class ActionRead(BaseModel):
    """One outbox action with its delivery state."""

    model_config = ConfigDict(from_attributes=True)

    action_id: str
    type: str
    case_id: str
    listing_id: str
    shop_id: str
    seller_id: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    message: dict[str, Any]


class DeliveryReportRead(BaseModel):
    """What a delivery pass did."""

    model_config = ConfigDict(from_attributes=True)

    destination: str
    claimed: int
    delivered: int
    retried: int
    failed: int
    cases_acted: int
    errors: list[str]
