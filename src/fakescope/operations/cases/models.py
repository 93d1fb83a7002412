"""Case tables: the test-buy case (with its optimistic-concurrency version) and its history of changes.

Each move bumps `version`; an UPDATE that finds another version raises, and the edge answers 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fakescope.core.clock import utcnow
from fakescope.operations.db.base import Base


class Case(Base):
    """A test buy of one listing, from the plan row that chose it to the case's close."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("plan_id", "listing_id", name="uq_cases_plan_listing"),
        Index("ix_cases_state_created", "state", "created_at"),
    )

    case_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(200))
    listing_id: Mapped[str] = mapped_column(String(200), index=True)
    shop_id: Mapped[str] = mapped_column(String(200), index=True)
    seller_id: Mapped[str] = mapped_column(String(200), index=True)
    brand_id: Mapped[str | None] = mapped_column(String(200), index=True)
    category: Mapped[str | None] = mapped_column(String(200))
    price: Mapped[float | None] = mapped_column(Float)
    cost: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(10))
    risk: Mapped[float | None] = mapped_column(Float)
    harm: Mapped[float | None] = mapped_column(Float)
    expected_value: Mapped[float | None] = mapped_column(Float)
    plan_reason: Mapped[str | None] = mapped_column(String(40))
    inclusion_probability: Mapped[float | None] = mapped_column(Float)

    state: Mapped[str] = mapped_column(String(20), default="planned")
    version: Mapped[int] = mapped_column(Integer, default=1)

    buyer_account: Mapped[str | None] = mapped_column(String(200))
    order_ref: Mapped[str | None] = mapped_column(String(200))
    amount_paid: Mapped[float | None] = mapped_column(Float)
    purchased_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    appraiser_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.org_id"), index=True)
    verdict: Mapped[str | None] = mapped_column(String(20))
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    verdict_at: Mapped[datetime | None]
    verdict_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CaseEvent(Base):
    """One change to a case: who, when, what (from and to state, fields set) and why."""

    __tablename__ = "case_events"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer)
