"""Creating organisations and users, issuing API tokens, and turning a token or a password into a user.

Token checks are one HMAC and one primary-key lookup; passwords go through argon2.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fakescope.core.clock import utcnow
from fakescope.core.ids import keyed_hash, new_id, new_token
from fakescope.errors import Conflict, FieldInvalid, NotFound, Unauthorized
from fakescope.operations.access.models import ORG_KINDS, ROLES, ApiToken, Organisation, OrgBrand, User
from fakescope.operations.access.passwords import check_password, hash_password
from fakescope.operations.access.policy import MANAGE_ACCESS, require
from fakescope.operations.access.principal import Principal
from fakescope.operations.access.secrets import secret_key
from fakescope.operations.ledger import service as ledger
from fakescope.settings import Settings


def create_organisation(
    session: Session, *, name: str, kind: str, brands: list[str] | None = None, actor: Principal
) -> Organisation:
    """A new rights holder or agency; a brand can have only one owner."""
    require(actor, MANAGE_ACCESS, "create organisations")
    name = name.strip()
    if not name:
        raise FieldInvalid("name", "must not be empty")
    if kind not in ORG_KINDS:
        raise FieldInvalid("kind", f"must be one of {', '.join(ORG_KINDS)}, not {kind!r}")
    brand_ids = sorted({b.strip() for b in brands or [] if b.strip()})
    if brand_ids and kind != "rights_holder":
        raise FieldInvalid("brands", "only a rights holder owns brands")
    if session.scalar(select(Organisation.org_id).where(Organisation.name == name)) is not None:
        raise Conflict(f"an organisation named {name!r} exists already", field="name")
    if brand_ids:
        owned = session.execute(
            select(OrgBrand.brand_id, Organisation.name)
            .join(Organisation)
            .where(OrgBrand.brand_id.in_(brand_ids))
        ).first()
        if owned is not None:
            raise Conflict(f"brand {owned[0]!r} is owned by {owned[1]!r} already", field="brands")
    org = Organisation(org_id=new_id("org"), name=name, kind=kind, created_at=utcnow())
    org.brands = [OrgBrand(brand_id=brand) for brand in brand_ids]
    session.add(org)
    session.flush()
    ledger.append(
        session,
        actor=actor,
        event_type="org.created",
        subject_type="organisation",
        subject_id=org.org_id,
        payload={"name": name, "kind": kind, "brands": brand_ids},
    )
    return org


def find_organisation(session: Session, *, ref: str) -> Organisation:
    """An organisation by id or by name."""
    org = session.get(Organisation, ref) or session.scalar(
        select(Organisation).where(Organisation.name == ref)
    )
    if org is None:
        raise NotFound(f"no organisation {ref!r}", field="org")
    return org


def list_organisations(session: Session, *, actor: Principal) -> list[Organisation]:
    """Every organisation for an admin; others see only their own."""
    stmt = select(Organisation).order_by(Organisation.name)
    if actor.role not in MANAGE_ACCESS:
        stmt = stmt.where(Organisation.org_id == actor.org_id)
    return list(session.scalars(stmt))


def create_user(
    session: Session,
    *,
    name: str,
    role: str,
    org: str | None = None,
    password: str | None = None,
    actor: Principal,
    settings: Settings,
) -> tuple[User, str]:
    """A new user and their first API token (returned once, stored only as a keyed hash)."""
    require(actor, MANAGE_ACCESS, "create users")
    name = name.strip()
    if not name:
        raise FieldInvalid("name", "must not be empty")
    if role not in ROLES:
        raise FieldInvalid("role", f"must be one of {', '.join(ROLES)}, not {role!r}")
    org_id = find_organisation(session, ref=org).org_id if org else None
    if role == "appraiser" and org_id is None:
        raise FieldInvalid("org", "an appraiser belongs to an organisation: give --org")
    if password is not None and len(password) < 8:
        raise FieldInvalid("password", "must be at least 8 characters")
    if session.scalar(select(User.user_id).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} exists already", field="name")
    user = User(
        user_id=new_id("usr"),
        name=name,
        role=role,
        org_id=org_id,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    token = issue_token(session, user=user, settings=settings)
    ledger.append(
        session,
        actor=actor,
        event_type="user.created",
        subject_type="user",
        subject_id=user.user_id,
        payload={"name": name, "role": role, "org_id": org_id, "password": password is not None},
    )
    return user, token


def list_users(session: Session, *, actor: Principal) -> list[User]:
    """Every user, for an admin."""
    require(actor, MANAGE_ACCESS, "list users")
    return list(session.scalars(select(User).order_by(User.name)))


def issue_token(
    session: Session, *, user: User, settings: Settings, kind: str = "api", ttl: timedelta | None = None
) -> str:
    """A new random bearer token for a user; only its HMAC is stored."""
    token = new_token()
    expires = utcnow() + ttl if ttl is not None else None
    session.add(
        ApiToken(
            token_hash=keyed_hash(secret_key(settings), token),
            user_id=user.user_id,
            kind=kind,
            created_at=utcnow(),
            expires_at=expires,
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, *, token: str, settings: Settings) -> None:
    """Forget a token (logging out of the web pages)."""
    row = session.get(ApiToken, keyed_hash(secret_key(settings), token))
    if row is not None:
        session.delete(row)
        session.flush()


def authenticate_token(
    session: Session, *, token: str, settings: Settings, now: datetime | None = None
) -> User:
    """The active user holding this token; Unauthorized otherwise (the same answer for every failure)."""
    found = session.execute(
        select(User, ApiToken.expires_at)
        .join(ApiToken, ApiToken.user_id == User.user_id)
        .where(ApiToken.token_hash == keyed_hash(secret_key(settings), token))
    ).first()
    if found is None:
        raise Unauthorized("invalid or expired token")
    user, expires_at = found
    if not user.active or (expires_at is not None and expires_at <= (now or utcnow())):
        raise Unauthorized("invalid or expired token")
    return user


def authenticate_password(session: Session, *, name: str, password: str) -> User:
    """The active user with this name and password; Unauthorized otherwise."""
    user = session.scalar(select(User).where(User.name == name))
    if not check_password(user.password_hash if user else None, password) or user is None or not user.active:
        raise Unauthorized("wrong user name or password")
    return user


def find_user(session: Session, *, ref: str) -> User:
    """A user by id or by name."""
    user = session.get(User, ref) or session.scalar(select(User).where(User.name == ref))
    if user is None:
        raise NotFound(f"no user {ref!r}", field="user")
    return user
