"""User endpoints: admins create users (the answer carries the new token once) and list them; `/users/me`.

Tokens are never shown again; only their keyed hash is kept.
"""

from __future__ import annotations

from fastapi import APIRouter

from fakescope.api.deps import CurrentUser, SessionDep, SettingsDep
from fakescope.operations.access import service as access
from fakescope.operations.access.schemas import UserCreate, UserCreated, UserRead

router = APIRouter(tags=["users"])


@router.post("/users", status_code=201)
def create_user(
    body: UserCreate, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> UserCreated:
    """A new user and their API token (admins only)."""
    created, token = access.create_user(
        session,
        name=body.name,
        role=body.role,
        org=body.org,
        password=body.password,
        actor=user,
        settings=settings,
    )
    session.commit()
    return UserCreated.model_validate({**UserRead.model_validate(created).model_dump(), "token": token})


@router.get("/users")
def list_users(session: SessionDep, user: CurrentUser) -> list[UserRead]:
    """Every user (admins only)."""
    return [UserRead.model_validate(found) for found in access.list_users(session, actor=user)]


@router.get("/users/me")
def me(user: CurrentUser) -> UserRead:
    """The caller."""
    return UserRead.model_validate(user)
