"""Evidence tables: stored blobs (one per distinct SHA-256), their attachment to cases, custody events.

A blob is written to storage before its row exists, so a crash leaves at most an unreferenced temp file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fakescope.core.clock import utcnow
from fakescope.operations.db.base import Base

EVIDENCE_KINDS = ("video", "photo", "receipt", "report", "other")
CUSTODY_ACTIONS = (
    "collected",
    "transferred",
    "viewed",
    "exported",
    "stored",
    "checked_out",
    "checked_in",
    "moved",
    "held",
    "released",
    "asset",
    "disposed",
)


class EvidenceBlob(Base):
    """One distinct content, stored once under its SHA-256 whatever the number of cases using it."""

    __tablename__ = "evidence_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evidence(Base):
    """An evidence item: a blob attached to a case, with its kind and who collected it."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("case_id", "sha256", name="uq_evidence_case_sha256"),)

    evidence_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(200))
    collected_by: Mapped[str] = mapped_column(String(200))
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustodyEvent(Base):
    """One link of a chain of custody: an item (evidence or sample) collected, moved, viewed, exported..."""

    __tablename__ = "custody_events"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(40), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    place: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
