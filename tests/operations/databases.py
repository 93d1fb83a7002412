"""Test databases for the operations plane: a fresh PostgreSQL database per test session, SQLite per test.

FAKESCOPE_TEST_POSTGRES_URL names the server (default 127.0.0.1:5432/test); FAKESCOPE_REQUIRE_POSTGRES=1 turns
an unreachable server into a failure, never a skip. Loaded by the operations and API conftests.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("FAKESCOPE_TEST_POSTGRES_URL", DEFAULT_SERVER)


def _driver(url: str) -> str:
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    )


@contextmanager
def postgres_database(prefix: str = "fakescope_test_") -> Iterator[str]:
    """Create a fresh database on the test server, yield its URL, drop it afterwards."""
    server = server_url()
    admin = create_engine(_driver(server), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        message = f"PostgreSQL at {server} is unreachable: {error}"
        if os.environ.get("FAKESCOPE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (FAKESCOPE_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    name = f"{prefix}{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from fakescope.operations.db.session import dispose_engines

        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_postgres(url: str) -> None:
    """Empty every table (keeping the schema and its revision) and put the ledger head back at genesis."""
    from fakescope.operations.db.session import engine_for
    from fakescope.operations.ledger.chain import GENESIS

    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{table}"' for table in tables)
        if names:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(
            text("INSERT INTO ledger_head (id, seq, entry_hash) VALUES (1, 0, :genesis)"),
            {"genesis": GENESIS},
        )


def migrated_sqlite_template(folder: Path) -> Path:
    """A migrated SQLite file, to be copied for each test (migrating once per session)."""
    from fakescope.operations.db.migrate import upgrade
    from fakescope.operations.db.session import dispose_engines

    path = folder / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    dispose_engines()
    return path


def sqlite_copy(template: Path, workspace: Path) -> str:
    """A fresh SQLite database in a workspace, copied from the template; its URL."""
    workspace.mkdir(parents=True, exist_ok=True)
    target = workspace / "operations.sqlite"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
