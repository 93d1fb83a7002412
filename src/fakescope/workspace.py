"""Where a workspace keeps each kind of state: the snapshot, derived tables, models, evidence, the database.

One place names every path, so commands agree on the layout; creating folders happens only on write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workspace:
    """The layout of one workspace folder."""

    root: Path

    @property
    def snapshot_db(self) -> Path:
        """The current validated snapshot (DuckDB), replaced whole by each successful ingest."""
        return self.root / "snapshot.duckdb"

    @property
    def derived_dir(self) -> Path:
        """Derived tables (scores, plans, screens, rings) as Parquet, each with a JSON sidecar."""
        return self.root / "derived"

    @property
    def models_dir(self) -> Path:
        """Versioned risk-model artifacts, one folder per version."""
        return self.root / "models"

    @property
    def evidence_dir(self) -> Path:
        """Content-addressed evidence files, named by their SHA-256."""
        return self.root / "evidence"

    @property
    def reports_dir(self) -> Path:
        """Charts and reports (PNG) for people to look at."""
        return self.root / "reports"

    @property
    def operations_db(self) -> Path:
        """The embedded operations database (SQLite) when FAKESCOPE_DATABASE_URL is not set."""
        return self.root / "operations.sqlite"

    @property
    def secret_key_file(self) -> Path:
        """The development secret for keyed hashes, made on first use when no secret is configured."""
        return self.root / "secret.key"

    def derived(self, name: str, suffix: str = ".parquet") -> Path:
        return self.derived_dir / f"{name}{suffix}"
