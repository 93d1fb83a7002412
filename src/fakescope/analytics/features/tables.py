"""The snapshot's tables as Ibis expressions, plus the anchors features are computed for: (listing_id, as_of).

An anchor says "this listing, as of this moment": every feature of it uses only rows from before `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from fakescope.analytics.engine import Engine
from fakescope.contract.model import load_contract
from fakescope.errors import NotReady

ANCHOR_SCHEMA = pa.schema([("listing_id", pa.string()), ("as_of", pa.timestamp("us"))])


@dataclass(frozen=True)
class SnapshotTables:
    """Every contract table of one snapshot, and the snapshot's as-of time and fingerprint."""

    engine: Engine
    as_of: datetime
    fingerprint: str
    tables: dict[str, ir.Table]

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    def with_table(self, name: str, table: ir.Table) -> SnapshotTables:
        """The same snapshot with one table replaced (spot checks joined with operations verdicts)."""
        return replace(self, tables={**self.tables, name: table})


def snapshot_tables(engine: Engine) -> SnapshotTables:
    """Open every contract table of the engine's snapshot; NotReady when it is not a fakescope snapshot."""
    if not engine.has_table("fakescope_snapshot"):
        raise NotReady("the workspace has no ingested snapshot: run `fakescope ingest DIR` first")
    meta = engine.to_arrow(engine.table("fakescope_snapshot").select("as_of", "fingerprint")).to_pylist()
    if not meta:
        raise NotReady("the snapshot has no as-of row: run `fakescope ingest DIR` again")
    tables = {}
    for table in load_contract().tables:
        if not engine.has_table(table.name):
            raise NotReady(f"the snapshot lacks table {table.name!r}: run `fakescope ingest DIR` again")
        tables[table.name] = engine.table(table.name)
    return SnapshotTables(
        engine=engine, as_of=meta[0]["as_of"], fingerprint=str(meta[0]["fingerprint"]), tables=tables
    )


def anchors_at(tables: SnapshotTables, as_of: datetime | None = None) -> ir.Table:
    """Every listing, as of one moment (the snapshot's as-of time by default)."""
    moment = ibis.literal(as_of or tables.as_of, type="timestamp")
    return tables["listings"].select("listing_id", as_of=moment)


def register_anchors(tables: SnapshotTables, name: str, anchors: pa.Table) -> ir.Table:
    """Make Arrow anchors (listing_id, as_of) available to expressions."""
    return tables.engine.register(name, anchors.select(["listing_id", "as_of"]).cast(ANCHOR_SCHEMA))
