"""Alembic environment: the database URL comes from the Config the code built, never from an ini file.

On PostgreSQL an advisory lock keeps concurrent starters (several servers, CLI runs) from racing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from fakescope.operations.db.registry import load_all_models
from fakescope.operations.db.session import engine_for

config = context.config
target_metadata = load_all_models()
_LOCK_KEY = 7_340_119_021  # any constant: one migration at a time per PostgreSQL database


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.attributes.get("fakescope_url") or config.get_main_option("sqlalchemy.url")
    engine = engine_for(str(url))
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
