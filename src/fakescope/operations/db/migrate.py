"""Creates or migrates the operations database to the newest Alembic revision, run from Settings, no ini file.

Every command that touches the database calls `ready_url(settings)` first; once per URL per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from fakescope.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_done: set[str] = set()
_lock = threading.Lock()


def _url_of(settings_or_url: Settings | str) -> str:
    if isinstance(settings_or_url, str):
        return settings_or_url
    if not settings_or_url.database_url:
        settings_or_url.workspace.mkdir(parents=True, exist_ok=True)
    return settings_or_url.resolved_database_url


def alembic_config(url: str) -> Config:
    """An Alembic Config pointing at our migrations and at this database (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    # ConfigParser interpolation would eat '%' in passwords
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["fakescope_url"] = url
    return config


def head_revision() -> str | None:
    """The newest revision among the migration scripts."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database is at (None when never migrated)."""
    from fakescope.operations.db.session import engine_for

    with engine_for(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(settings_or_url: Settings | str, revision: str = "head") -> str:
    """Migrate the database to `revision` (default the newest); returns its URL. Safe to run concurrently."""
    url = _url_of(settings_or_url)
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        _done.add(url)
    return url


def ready_url(settings: Settings | str) -> str:
    """The database URL, created and migrated to head on first use in this process."""
    url = _url_of(settings)
    if url in _done:
        return url
    with _lock:
        if url not in _done:
            upgrade(url)
    return url


@contextmanager
def operations_transaction(settings: Settings) -> Iterator[Session]:
    """One committed unit of work on the workspace's operations database, migrated first (CLI commands)."""
    from fakescope.operations.db.session import transaction

    with transaction(ready_url(settings)) as session:
        yield session
