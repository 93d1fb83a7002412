"""FastAPI dependencies every route uses: the settings, a database session, the current user, role checks.

Routes commit (`session.commit()`); the session dependency closes and rolls back whatever was not committed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fakescope.errors import Forbidden, Unauthorized
from fakescope.operations.access import service as access
from fakescope.operations.access.models import User
from fakescope.operations.db.migrate import ready_url
from fakescope.operations.db.session import session_factory
from fakescope.settings import Settings

SESSION_COOKIE = "fakescope_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_settings_dep(request: Request) -> Settings:
    """The Settings the app was created with (async: no I/O, so no trip through the threadpool)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(request: Request, settings: SettingsDep) -> AsyncIterator[Session]:
    """A session for this request; reads never take SQLite's write lock.

    Async because making a session does no I/O (it connects on first use, in the route's thread); closing
    one that still holds a connection rolls back, so that runs in the threadpool, off the event loop.
    """
    url = ready_url(settings)
    write = request.method not in _SAFE_METHODS
    session = session_factory(url, write=write)()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_read_session(settings: SettingsDep) -> AsyncIterator[Session]:
    """A session that only reads, whatever the method (a POST that answers from data, as screening
    does): on SQLite it never takes the write lock, so it neither waits on writers nor holds them up."""
    session = session_factory(ready_url(settings), write=False)()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


ReadSessionDep = Annotated[Session, Depends(get_read_session)]


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header, or of the web session cookie on safe methods."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("expected 'Authorization: Bearer <token>'")
        return token.strip()
    # The cookie only authorises reads: a page cannot be tricked into writes by another site (CSRF).
    if request.method in _SAFE_METHODS:
        return request.cookies.get(SESSION_COOKIE) or None
    return None


async def get_current_user(request: Request, session: ReadSessionDep, settings: SettingsDep) -> User:
    """The user holding the request's token; 401 without a valid one.

    A token this process checked moments ago is answered from memory without leaving the event loop;
    otherwise the database check runs in the threadpool, on a read session of its own: a write route's
    session would take SQLite's write lock for the token check and hold it for the whole request.
    """
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("this endpoint needs a bearer token")
    user = access.remembered_user(token=token, settings=settings)
    if user is None:
        user = await run_in_threadpool(access.authenticate_token, session, token=token, settings=settings)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: str) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only these roles through (403 for the others); returns the user."""
    allowed = frozenset(roles)

    async def check(user: CurrentUser) -> User:  # async: no I/O, so no trip through the threadpool
        if user.role not in allowed:
            raise Forbidden(f"role {user.role!r} may not do this (needs {', '.join(sorted(allowed))})")
        return user

    return check
