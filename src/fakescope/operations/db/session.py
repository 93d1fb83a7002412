"""The database engine and session factory for a settings object; SQLite gets WAL and foreign keys.

Services take a Session and flush; the edge (a route or a command) commits once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions itself: we issue BEGIN (IMMEDIATE) in `_sqlite_begin`.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads, then writes after another writer committed, fails at once with
    # SQLITE_BUSY (its snapshot is stale) instead of waiting; taking the write lock up front makes writers
    # queue on busy_timeout and read the latest row versions, like a row lock on PostgreSQL.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _normalise(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


@lru_cache(maxsize=64)
def engine_for(url: str, write: bool = True) -> Engine:
    """One pooled engine per URL in this process; `write=False` gives SQLite readers that never lock."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate if write else _sqlite_begin_deferred)
        return engine
    if not write:
        return engine_for(url, True)
    return create_engine(_normalise(url), pool_size=20, max_overflow=20, pool_pre_ping=True)


def dispose_engines() -> None:
    """Close every pooled connection this process holds (tests, forks, shutdown)."""
    session_factory.cache_clear()
    engine_for.cache_clear()
    for engine in list(_ENGINES):
        engine.dispose()
    _ENGINES.clear()


_ENGINES: set[Engine] = set()


@lru_cache(maxsize=64)
def session_factory(url: str, *, write: bool = True) -> sessionmaker[Session]:
    """Sessions bound to the engine for a URL; objects stay readable after commit."""
    engine = engine_for(url, write)
    _ENGINES.add(engine)
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with session_factory(url)() as session, session.begin():
        yield session
