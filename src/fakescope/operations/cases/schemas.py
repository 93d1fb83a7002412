"""The shapes of cases at the edges (API answers, CLI JSON): reads, moves, imports, history.

Built from the ORM rows with `from_attributes`; the edges never hand-build case dictionaries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PLAN_COLUMNS = (
    "plan_id",
    "listing_id",
    "shop_id",
    "seller_id",
    "brand_id",
    "category",
    "price",
    "cost",
    "currency",
    "risk",
    "harm",
    "expected_value",
    "reason",
    "inclusion_probability",
)


class CaseRead(BaseModel):
    """A case as users see it."""

    model_config = ConfigDict(from_attributes=True)

    case_id: str
    plan_id: str
    listing_id: str
    shop_id: str
    seller_id: str
    brand_id: str | None
    category: str | None
    price: float | None
    cost: float | None
    currency: str | None
    risk: float | None
    harm: float | None
    expected_value: float | None
    plan_reason: str | None
    inclusion_probability: float | None
    state: str
    version: int
    buyer_account: str | None
    order_ref: str | None
    amount_paid: float | None
    purchased_at: datetime | None
    received_at: datetime | None
    appraiser_org_id: str | None
    verdict: str | None
    verdict_reason: str | None
    verdict_at: datetime | None
    verdict_by: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CaseEventRead(BaseModel):
    """One change in a case's history."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    from_state: str | None
    to_state: str
    reason: str | None
    fields: dict[str, Any]
    version: int


class CaseMove(BaseModel):
    """A request to move a case: the target state, the version the caller saw, why, and the move's fields."""

    state: str
    expected_version: int | None = Field(default=None, ge=1)
    reason: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class ImportReport(BaseModel):
    """What one plan import did."""

    rows: int
    opened: int
    already_imported: int
    already_open: int
    case_ids: list[str]
