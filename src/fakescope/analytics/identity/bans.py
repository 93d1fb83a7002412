"""Who is banned: the snapshot's bans table plus the bans enforcement made in the operations database.

Enforcement's bans count as soon as they are committed; a workspace without an operations database has none.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from fakescope.errors import FakescopeError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fakescope.analytics.engine import Engine
    from fakescope.settings import Settings

log = logging.getLogger(__name__)


def snapshot_bans(engine: Engine) -> dict[str, datetime | None]:
    """Each seller in the snapshot's bans table and when the ban was made (empty when none were sent)."""
    if not engine.has_table("bans"):
        return {}
    bans = engine.to_arrow(engine.table("bans").select("seller_id", "banned_at"))
    return {
        str(s): t for s, t in zip(bans["seller_id"].to_pylist(), bans["banned_at"].to_pylist(), strict=True)
    }


def enforcement_bans_in(session: Session) -> set[str]:
    """Bans enforcement made, read through its service (empty while that capability is not installed)."""
    try:
        from fakescope.operations.enforcement.service import banned_seller_ids
    except ImportError:
        return set()
    return set(banned_seller_ids(session))


def enforcement_bans(settings: Settings) -> set[str]:
    """Enforcement's bans for a command-line run: none when the workspace has no operations database yet."""
    if not settings.database_url and not (settings.workspace / "operations.sqlite").exists():
        return set()
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from fakescope.operations.db.session import session_factory

    try:
        with session_factory(settings.resolved_database_url, write=False)() as session:
            return enforcement_bans_in(session)
    except (OperationalError, ProgrammingError) as exc:
        # A database that was never migrated has no enforcement tables, hence no bans.
        log.info("no enforcement bans read: %s", exc)
        return set()
    except FakescopeError:
        raise
