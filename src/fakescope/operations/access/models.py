"""Access tables: organisations (rights holders owning brands, inspection agencies), users, API tokens.

A token is stored only as its HMAC-SHA-256 under the workspace secret, so a database leak reveals none.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fakescope.core.clock import utcnow
from fakescope.operations.db.base import Base

ROLES = ("admin", "analyst", "investigator", "appraiser", "liaison")
ORG_KINDS = ("rights_holder", "agency")


class Organisation(Base):
    """A rights holder (owning brands) or an inspection agency."""

    __tablename__ = "organisations"

    org_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brands: Mapped[list[OrgBrand]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def brand_ids(self) -> list[str]:
        return sorted(brand.brand_id for brand in self.brands)


class OrgBrand(Base):
    """A brand a rights holder owns (one owner per brand)."""

    __tablename__ = "org_brands"

    brand_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.org_id", ondelete="CASCADE"), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="brands")


class User(Base):
    """A person using the service, with one role; appraisers belong to an organisation."""

    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.org_id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """One bearer token (API or web session), known only by its keyed hash."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
