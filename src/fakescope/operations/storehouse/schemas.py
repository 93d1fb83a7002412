"""API shapes of storehouse samples and the requests that move them.

A location is `room/shelf/bin`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class SampleRead(BaseModel):
    """A sample: where it is or who holds it, and how long it must be kept."""

    model_config = ConfigDict(from_attributes=True)

    sample_id: str
    case_id: str
    status: str
    location: str | None
    holder: str | None
    holder_org_id: str | None
    is_asset: bool
    legal_hold: bool
    hold_reason: str | None
    retain_until: datetime | None
    booked_at: datetime
    disposed_at: datetime | None


class SampleAction(BaseModel):
    """A storehouse action: check_in/move need a location, check_out a holder, hold and dispose a reason."""

    action: str
    location: str | None = None
    holder: str | None = None
    reason: str | None = None
