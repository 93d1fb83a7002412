"""`screen(settings)`: read the snapshot and the bans, screen, keep the result as derived table `screen`.

Also keeps the trained model's scorecard beside it, so the live screening index can start without training.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from fakescope.analytics.derived import write_derived
from fakescope.analytics.engine import open_engine
from fakescope.analytics.identity.bans import enforcement_bans, snapshot_bans
from fakescope.analytics.identity.normalise import Coverage
from fakescope.analytics.identity.screening import DecisionRules, Progress, screen_sellers
from fakescope.settings import IdentitySettings, Settings
from fakescope.workspace import Workspace

SCREEN_TABLE = "screen"
SCORECARD_FILE = "identity_model.json"


@dataclass
class ScreenReport:
    """What a screen did: its rows, counts per decision, the bans it used and what the sellers lacked."""

    table: pa.Table
    counts: dict[str, int]
    banned: int
    coverage: Coverage
    path: Path
    trained_fields: list[str]


def snapshot_fingerprint(engine: Any) -> str:
    if not engine.has_table("fakescope_snapshot"):
        return ""
    info = engine.to_arrow(engine.table("fakescope_snapshot").select("fingerprint"))
    values = info.column("fingerprint").to_pylist()
    return str(values[0]) if values else ""


def read_sellers(engine: Any) -> pa.Table:
    """The snapshot's sellers with the contract's identity columns."""
    return engine.to_arrow(engine.table("sellers"))


def save_scorecard(workspace: Workspace, scorecard: dict[str, Any], fingerprint: str) -> Path:
    """Keep the trained model's numbers for the live index, written atomically."""
    workspace.derived_dir.mkdir(parents=True, exist_ok=True)
    target = workspace.derived(SCORECARD_FILE.removesuffix(".json"), ".json")
    fd, tmp = tempfile.mkstemp(dir=workspace.derived_dir, prefix=".identity_model.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump({"snapshot_fingerprint": fingerprint, **scorecard}, handle)
    os.replace(tmp, target)
    return target


def decision_rules(identity: IdentitySettings) -> DecisionRules:
    """The thresholds and block rules the settings configure."""
    return DecisionRules(
        block_threshold=identity.block_threshold,
        review_threshold=identity.review_threshold,
        block_corroborating=identity.block_corroborating,
        block_carried_over=identity.block_carried_over,
        block_named_identifiers=identity.block_named_identifiers,
    )


@contextmanager
def splink_connection(settings: Settings) -> Iterator[Any]:
    """An in-memory DuckDB for Splink under the analytics memory limit, spilling inside the workspace (in a
    folder removed afterwards) rather than in whatever folder the command was started from."""
    import duckdb

    workspace = Workspace(settings.workspace)
    workspace.derived_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workspace.derived_dir, prefix=".splink-spill.") as spill:
        con = duckdb.connect()
        try:
            con.execute("SET memory_limit = ?", [settings.analytics.duckdb_memory_limit])
            con.execute("SET temp_directory = ?", [spill])
            if settings.analytics.duckdb_threads:
                con.execute(f"SET threads = {int(settings.analytics.duckdb_threads)}")
            yield con
        finally:
            con.close()


def screen(
    settings: Settings, *, since: datetime | None = None, progress: Progress | None = None
) -> ScreenReport:
    """Screen every seller (or those registered since `since`) against every other banned seller."""
    workspace = Workspace(settings.workspace)
    with open_engine(settings) as engine:
        sellers = read_sellers(engine)
        banned = snapshot_bans(engine)
        fingerprint = snapshot_fingerprint(engine)
    for seller_id in enforcement_bans(settings):
        banned.setdefault(seller_id, None)  # made after the snapshot: "just now"
    since_naive = since.astimezone(UTC).replace(tzinfo=None) if since and since.tzinfo else since
    with splink_connection(settings) as connection:
        result = screen_sellers(
            sellers,
            banned,
            decision_rules(settings.identity),
            since=since_naive,
            progress=progress,
            connection=connection,
        )
    counts = result.counts()
    meta = {
        "snapshot_fingerprint": fingerprint,
        "since": since.isoformat() if since else None,
        "banned": result.banned,
        "counts": counts,
        "lacking": result.coverage.lacking,
        "block_threshold": settings.identity.block_threshold,
        "review_threshold": settings.identity.review_threshold,
        "trained_fields": result.model.scorecard.trained_fields,
        "screened_at": datetime.now(UTC).isoformat(),
    }
    path = write_derived(workspace, SCREEN_TABLE, result.table, meta)
    save_scorecard(workspace, result.model.scorecard.to_dict(), fingerprint)
    return ScreenReport(
        result.table, counts, result.banned, result.coverage, path, result.model.scorecard.trained_fields
    )
