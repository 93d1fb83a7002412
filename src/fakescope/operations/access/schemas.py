"""API shapes of organisations and users; a new user's token appears once, in `UserCreated`.

Password hashes and token hashes never leave the service.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class OrganisationCreate(BaseModel):
    """A new organisation."""

    name: str = Field(min_length=1, max_length=200)
    kind: str
    brands: list[str] = Field(default_factory=list)


class OrganisationRead(BaseModel):
    """An organisation, with the brands it owns."""

    model_config = ConfigDict(from_attributes=True)

    org_id: str
    name: str
    kind: str
    brand_ids: list[str]
    created_at: datetime


class UserCreate(BaseModel):
    """A new user; `org` by name or id."""

    name: str = Field(min_length=1, max_length=200)
    role: str
    org: str | None = None
    password: str | None = None


class UserRead(BaseModel):
    """A user, without secrets."""

    model_config = ConfigDict(from_attributes=True)

    user_id: str
    name: str
    role: str
    org_id: str | None
    active: bool
    created_at: datetime


class UserCreated(UserRead):
    """A new user and their API token (shown only this once)."""

    token: str
