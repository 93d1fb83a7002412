"""The DuckDB engine: the embedded default, reading the workspace's snapshot file read-only.

Uses Ibis's DuckDB backend so the same definitions can later run on Spark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import ibis

from fakescope.analytics.engine.base import Engine

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa


class DuckDBEngine(Engine):
    """Ibis over DuckDB, snapshot opened read-only so analysis never alters the loaded data."""

    name = "duckdb"

    def __init__(self, path: Path, *, memory_limit: str, threads: int | None = None) -> None:
        self.path = path
        self.con = ibis.duckdb.connect(database=str(path), read_only=True)
        self.con.raw_sql(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.raw_sql(f"SET threads = {int(threads)}")
        self._registered: set[str] = set()

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)

    def to_arrow(self, expr: ir.Expr) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def to_batches(self, expr: ir.Table, rows: int) -> Iterator[pa.RecordBatch]:
        # DuckDB streams the result: only one batch at a time is converted to Arrow.
        yield from self.con.to_pyarrow_batches(expr, chunk_size=rows)

    def register(self, name: str, data: pa.Table) -> ir.Table:
        self._registered.add(name)
        return self.con.create_table(name, data, temp=True, overwrite=True)

    def has_table(self, name: str) -> bool:
        return name in self._registered or name in self.con.list_tables()

    def close(self) -> None:
        self.con.disconnect()
