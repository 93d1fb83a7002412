"""Screening one registration in the service: the index is built once per snapshot and kept warm.

Bans are the snapshot's plus enforcement's, read on every request through the caller's session.
"""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from fakescope.analytics.engine import open_engine
from fakescope.analytics.identity.bans import enforcement_bans_in, snapshot_bans
from fakescope.analytics.identity.index import (
    BanView,
    Match,
    ScreeningIndex,
    load_saved,
    normalised_sellers,
    saved_is_current,
    scorecard_for,
)
from fakescope.analytics.identity.model import Scorecard
from fakescope.analytics.identity.service import (
    SCORECARD_FILE,
    decision_rules,
    read_sellers,
    save_scorecard,
    snapshot_fingerprint,
)
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
        normalised = normalised_sellers(sellers, bans)
        index = ScreeningIndex(
            sellers,
            _shared_scorecard(workspace, normalised, fingerprint),
            fingerprint,
            bans,
            normalised=normalised,
        )
        _warm[key] = (identity, index, bans)
        return index, bans


def _shared_scorecard(workspace: Workspace, normalised: pa.Table, fingerprint: str) -> Scorecard:
    """The snapshot's scorecard, trained by the first worker process that needs it and saved for the others
    (who wait on a file lock rather than train again), so every worker answers with the same model."""
    path = workspace.derived(SCORECARD_FILE.removesuffix(".json"), ".json")
    workspace.derived_dir.mkdir(parents=True, exist_ok=True)
    with (workspace.derived_dir / ".identity_model.lock").open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            saved = load_saved(path)
            scorecard = scorecard_for(normalised, fingerprint, saved)
            if not saved_is_current(saved, fingerprint):
                save_scorecard(workspace, scorecard.to_dict(), fingerprint)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    return scorecard


def screen_registration(settings: Settings, session: Session, registration: dict[str, Any]) -> Match:
    """Screen one registration against every banned seller, enforcement's bans included."""
    index, snapshot = warm_index(settings)
    # A view, not a merged copy of the snapshot's 50k bans: the index only looks at enforcement's.
    bans = BanView(snapshot, enforcement_bans_in(session))
    return index.screen(registration, bans, decision_rules(settings.identity))
