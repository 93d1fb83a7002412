"""Reads what the workspace's current snapshot says about itself (`fakescope status`).

Opens the snapshot read-only; no snapshot is NotReady, pointing at `fakescope ingest`.
"""

from __future__ import annotations

import duckdb

from fakescope.analytics.ingest.report import SnapshotInfo
from fakescope.core.clock import as_utc
from fakescope.errors import ArtifactError, NotReady
from fakescope.settings import Settings
from fakescope.workspace import Workspace


def snapshot_info(settings: Settings) -> SnapshotInfo:
    """The as-of time, fingerprint, load time, source and per-table row counts of the current snapshot."""
    path = Workspace(settings.workspace).snapshot_db
    if not path.is_file():
        raise NotReady(
            f"no snapshot in workspace {settings.workspace}: run `fakescope ingest DIR` first",
            workspace=str(settings.workspace),
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise ArtifactError(
            f"{path}: not a readable snapshot ({error}); run `fakescope ingest DIR` again"
        ) from error
    try:
        meta = con.execute("SELECT as_of, fingerprint, loaded_at, source FROM fakescope_snapshot").fetchone()
        rows = con.execute("SELECT table_name, row_count, source_file FROM fakescope_tables").fetchall()
    except duckdb.Error as error:
        raise ArtifactError(
            f"{path}: snapshot without its metadata ({error}); run `fakescope ingest DIR` again"
        ) from error
    finally:
        con.close()
    if meta is None:
        raise ArtifactError(f"{path}: snapshot without its metadata; run `fakescope ingest DIR` again")
    return SnapshotInfo(
        path=path,
        as_of=as_utc(meta[0]),
        fingerprint=str(meta[1]),
        loaded_at=as_utc(meta[2]),
        source=str(meta[3]),
        tables={str(name): int(count) for name, count, _ in rows},
        files={str(name): (str(file) if file is not None else None) for name, _, file in rows},
    )
