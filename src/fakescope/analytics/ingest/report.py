"""What an ingest hands back: the tables it loaded, what it skipped, the as-of time and the fingerprint.

Plain data, rendered by the CLI and read by tests; no I/O here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Called as progress(stage, done, total) while an ingest runs; the CLI turns it into a progress bar.
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableLoad:
    """One contract table as loaded: its row count, its file (None when absent) and its columns."""

    name: str
    rows: int
    source_file: str | None
    format: str | None
    extra_columns: tuple[str, ...] = ()
    absent_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestReport:
    """The outcome of a successful ingest; times are aware UTC."""

    source: Path
    snapshot: Path
    tables: tuple[TableLoad, ...]
    skipped: tuple[str, ...]
    as_of: datetime
    as_of_from_data: bool
    fingerprint: str
    loaded_at: datetime
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def table(self, name: str) -> TableLoad:
        for load in self.tables:
            if load.name == name:
                return load
        raise KeyError(name)

    @property
    def total_rows(self) -> int:
        return sum(load.rows for load in self.tables)


@dataclass(frozen=True)
class SnapshotInfo:
    """The workspace's current snapshot, as `fakescope status` shows it; times are aware UTC."""

    path: Path
    as_of: datetime
    fingerprint: str
    loaded_at: datetime
    source: str
    tables: dict[str, int]
    files: dict[str, str | None] = field(default_factory=dict)
