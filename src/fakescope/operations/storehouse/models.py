"""The sample table: one physical sample per case, its location or holder, retention and legal hold.

A genuine sample stays as a platform asset in the same table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fakescope.core.clock import utcnow
from fakescope.operations.db.base import Base

SAMPLE_STATUSES = ("in_store", "checked_out", "disposed")


class Sample(Base):
    """A bought product, booked in when the case is received."""

    __tablename__ = "samples"

    sample_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="in_store")
    room: Mapped[str | None] = mapped_column(String(100))
    shelf: Mapped[str | None] = mapped_column(String(100))
    bin: Mapped[str | None] = mapped_column(String(100))
    holder: Mapped[str | None] = mapped_column(String(200))
    holder_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.org_id"), index=True)
    is_asset: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    retain_until: Mapped[datetime | None]
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    disposed_at: Mapped[datetime | None]

    @property
    def location(self) -> str | None:
        if self.room is None:
            return None
        return f"{self.room}/{self.shelf}/{self.bin}"
