"""`POST /screen/seller`: one registration (the sellers columns) screened against banned sellers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from fakescope.analytics.identity.live import screen_registration
from fakescope.api.deps import ReadSessionDep, SettingsDep, require_roles
from fakescope.operations.access.models import User

router = APIRouter(tags=["screening"])
Screener = Annotated[User, Depends(require_roles("admin", "analyst", "investigator"))]


class Registration(BaseModel):
    """A seller registration, in the contract's sellers columns."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    seller_id: str = Field(min_length=1)
    registered_at: datetime | None = None
    legal_name: str = Field(min_length=1)
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    bank_account: str | None = None
    address: str | None = None
    province: str | None = None
    city: str | None = None
    device_id: str | None = None


class ScreenAnswer(BaseModel):
    seller_id: str
    banned_seller_id: str | None
    match_probability: float
    decision: str
    agreeing_fields: list[str]


@router.post("/screen/seller", response_model=ScreenAnswer)
def screen_seller(
    registration: Registration, session: ReadSessionDep, settings: SettingsDep, _user: Screener
) -> ScreenAnswer:
    """Best banned match, probability, block/review/allow and the agreeing fields."""
    record = registration.model_dump()
    if record["registered_at"] is not None and record["registered_at"].tzinfo is not None:
        from datetime import UTC

        record["registered_at"] = record["registered_at"].astimezone(UTC).replace(tzinfo=None)
    match = screen_registration(settings, session, record)
    return ScreenAnswer(seller_id=registration.seller_id, **match.__dict__)
