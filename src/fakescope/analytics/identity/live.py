"""Screening one registration in the service: the index is built once per snapshot and kept warm.

Bans are the snapshot's plus enforcement's, read on every request through the caller's session.
"""

from __future__ import annotations

import threading
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
_warm: dict[str, tuple[ScreeningIndex, dict[str, datetime | None]]] = {}


def warm_index(settings: Settings) -> tuple[ScreeningIndex, dict[str, datetime | None]]:
    """The index of the workspace's current snapshot (built on first use, rebuilt after a new ingest)."""
    key = str(settings.workspace.resolve())
    workspace = Workspace(settings.workspace)
    with _lock:
        with open_engine(settings) as engine:
            fingerprint = snapshot_fingerprint(engine)
            cached = _warm.get(key)
            if cached is not None and cached[0].fingerprint == fingerprint:
                return cached
            sellers = read_sellers(engine)
            bans = snapshot_bans(engine)
        saved = load_saved(workspace.derived(SCORECARD_FILE.removesuffix(".json"), ".json"))
        index = ScreeningIndex.build(sellers, fingerprint, saved, bans)
        _warm[key] = (index, bans)
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
