"""The appraisal table: which organisation appraises a case, by when, and what it found.

One row per time a case is sent for appraisal; the open one has no `completed_at`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fakescope.operations.db.base import Base


class Appraisal(Base):
    """A case assigned to a rights holder or an inspection agency, with its deadline and its outcome."""

    __tablename__ = "appraisals"
    __table_args__ = (Index("ix_appraisals_open_due", "completed_at", "due_at"),)

    appraisal_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.org_id"), index=True)
    # Why this organisation: the brand's "rights_holder", or an "agency".
    route: Mapped[str] = mapped_column(String(20))
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    verdict: Mapped[str | None] = mapped_column(String(20))
    reasoning: Mapped[str | None] = mapped_column(Text)
    verdict_by: Mapped[str | None] = mapped_column(String(200))
    report_evidence_id: Mapped[str | None] = mapped_column(String(40))
