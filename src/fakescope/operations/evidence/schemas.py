"""API shapes of evidence items and their chain of custody.

Sizes in bytes; `sha256` is the hex digest the store names the file by.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class EvidenceRead(BaseModel):
    """An evidence item attached to a case."""

    model_config = ConfigDict(from_attributes=True)

    evidence_id: str
    case_id: str
    sha256: str
    size: int
    kind: str
    filename: str | None
    content_type: str | None
    collected_by: str
    collected_at: datetime


class EvidenceUploaded(EvidenceRead):
    """The answer to an upload: the item, and whether it is new or a repeat of the same content."""

    created: bool


class CustodyRead(BaseModel):
    """One link of a chain of custody."""

    model_config = ConfigDict(from_attributes=True)

    item_type: str
    item_id: str
    case_id: str
    action: str
    actor: str
    at: datetime
    place: str | None
    note: str | None
    details: dict[str, Any]
