"""Creating organisations and users, issuing API tokens, and turning a token or a password into a user.

Token checks are one HMAC and one indexed lookup (or a few seconds' memory of one); passwords use argon2.
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
from fakescope.operations.access.token_cache import TOKENS, CheckedToken
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
    """Forget a token (logging out of the web pages); this process stops trusting it at once."""
    token_hash = keyed_hash(secret_key(settings), token)
    TOKENS.forget(_database_key(settings), token_hash)
    row = session.get(ApiToken, token_hash)
    if row is not None:
        session.delete(row)
        session.flush()


_USER_COLUMNS = (User.user_id, User.name, User.role, User.org_id, User.created_at)


def authenticate_token(
    session: Session, *, token: str, settings: Settings, now: datetime | None = None
) -> User:
    """The active user holding this token; Unauthorized otherwise (the same answer for every failure).

    One indexed query (token joined to its user, plain columns, no ORM identity work). An API token found
    valid is trusted for `serve.token_cache_seconds` by this process: revoking it or deactivating its user
    reaches other processes within that time. Web-session tokens are checked every time, so logging out
    takes effect at once in every worker; expiry is checked on every request either way.
    """
    token_hash = keyed_hash(secret_key(settings), token)
    database, ttl = _database_key(settings), settings.serve.token_cache_seconds
    checked = TOKENS.get(database, token_hash, ttl) if ttl > 0 else None
    if checked is not None:
        return _remembered(checked, now)
    found = session.execute(
        select(*_USER_COLUMNS, User.active, ApiToken.kind, ApiToken.expires_at)
        .join(ApiToken, ApiToken.user_id == User.user_id)
        .where(ApiToken.token_hash == token_hash)
    ).first()
    if found is None or not found.active:
        raise Unauthorized("invalid or expired token")
    columns = (found.user_id, found.name, found.role, found.org_id, found.created_at)
    expires_at = found.expires_at
    if ttl > 0 and found.kind == "api":
        TOKENS.put(database, token_hash, columns, expires_at)
    return _remembered(CheckedToken(columns, expires_at, 0.0), now)


def remembered_user(*, token: str, settings: Settings, now: datetime | None = None) -> User | None:
    """The user of an API token this process checked in the last `serve.token_cache_seconds`, else None.

    No I/O, so an async edge can call it before deciding whether a database check is needed.
    """
    ttl = settings.serve.token_cache_seconds
    if ttl <= 0:
        return None
    checked = TOKENS.get(_database_key(settings), keyed_hash(secret_key(settings), token), ttl)
    return _remembered(checked, now) if checked is not None else None


def _remembered(checked: CheckedToken, now: datetime | None) -> User:
    if checked.expires_at is not None and checked.expires_at <= (now or utcnow()):
        raise Unauthorized("invalid or expired token")
    user_id, name, role, org_id, created_at = checked.user
    # A detached User (not loaded into the session): routes and services read its columns only.
    return User(user_id=user_id, name=name, role=role, org_id=org_id, active=True, created_at=created_at)


def _database_key(settings: Settings) -> str:
    # Which database a token belongs to, without resolving paths on every request.
    return f"{settings.database_url}|{settings.workspace}"


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
