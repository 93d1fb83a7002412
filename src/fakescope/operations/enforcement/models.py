"""Enforcement tables: the outbox of actions, the shops' penalty points and the sellers' bans.

An action row is its own message; delivery state lives on the row so nothing needs a second store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fakescope.operations.db.base import Base


class EnforcementAction(Base):
    """One action for the marketplace, written with its verdict and delivered at least once."""

    __tablename__ = "enforcement_actions"
    __table_args__ = (
        Index("ix_enforcement_actions_due", "state", "next_attempt_at"),
        Index("ix_enforcement_actions_listing", "listing_id", "type"),
    )

    action_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    # The organisation that appraised the case: appraisers see only their own organisation's actions.
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.org_id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    listing_id: Mapped[str] = mapped_column(String(200))
    shop_id: Mapped[str] = mapped_column(String(200))
    seller_id: Mapped[str] = mapped_column(String(200))
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class ShopPenalty(Base):
    """A shop's accumulated penalty points and when enforcement closed it."""

    __tablename__ = "shop_penalties"

    shop_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None]
    closed_by_case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.case_id"))
    updated_at: Mapped[datetime]


class SellerBan(Base):
    """A seller banned for good by a counterfeit verdict; identity screening reads these on every request."""

    __tablename__ = "seller_bans"

    seller_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    banned_at: Mapped[datetime]
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"))
    reason: Mapped[str] = mapped_column(Text, default="")
