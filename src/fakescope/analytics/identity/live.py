"""Screening one registration in the service: the index is built once per snapshot and kept warm.

Bans are the snapshot's plus enforcement's, read on every request through the caller's session.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakescope.analytics.engine import open_engine
from fakescope.analytics.identity.bans import enforcement_bans_in, snapshot_bans
from fakescope.analytics.identity.index import Match, ScreeningIndex, load_saved
from fakescope.analytics.identity.service import SCORECARD_FILE, read_sellers, snapshot_fingerprint
from fakescope.settings import Settings
from fakescope.workspace import Workspace

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

_lock = threading.Lock()
# Per workspace: the snapshot file's identity when the index was built, the index, the snapshot's bans.
_warm: dict[str, tuple[tuple[int, int, int], ScreeningIndex, dict[str, datetime | None]]] = {}


def _file_identity(path: Path) -> tuple[int, int, int]:
    """Changes whenever ingest swaps in a new snapshot (it renames a new file into place)."""
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def warm_index(settings: Settings) -> tuple[ScreeningIndex, dict[str, datetime | None]]:
    """The index of the workspace's current snapshot (built on first use, rebuilt after a new ingest)."""
    key = str(settings.workspace.resolve())
    workspace = Workspace(settings.workspace)
    with _lock:
        cached = _warm.get(key)
        # Opening DuckDB just to read the fingerprint cost ~30 ms a request at 1M sellers; the file's
        # identity answers "same snapshot?" in microseconds.
        snapshot = workspace.snapshot_db
        if cached is not None and snapshot.exists() and cached[0] == _file_identity(snapshot):
            return cached[1], cached[2]
        with open_engine(settings) as engine:
            identity = _file_identity(workspace.snapshot_db)
            fingerprint = snapshot_fingerprint(engine)
            if cached is not None and cached[1].fingerprint == fingerprint:
                _warm[key] = (identity, cached[1], cached[2])
                return cached[1], cached[2]
            sellers = read_sellers(engine)
            bans = snapshot_bans(engine)
        saved = load_saved(workspace.derived(SCORECARD_FILE.removesuffix(".json"), ".json"))
        index = ScreeningIndex.build(sellers, fingerprint, saved, bans)
        _warm[key] = (identity, index, bans)
        return index, bans


def screen_registration(settings: Settings, session: Session, registration: dict[str, Any]) -> Match:
    """Screen one registration against every banned seller, enforcement's bans included."""
    index, snapshot = warm_index(settings)
    bans: dict[str, datetime | None] = dict(snapshot)
    for seller_id in enforcement_bans_in(session):
        bans.setdefault(seller_id, None)
    return index.screen(
        registration,
        bans,
        block_threshold=settings.identity.block_threshold,
        review_threshold=settings.identity.review_threshold,
        block_corroborating=settings.identity.block_corroborating,
        block_carried_over=settings.identity.block_carried_over,
    )
