"""Where ring finding reads tables from: the analytics engine, or a feature build's snapshot tables.

Only three things are needed (a table by name, run an expression, register Arrow), so both fit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from fakescope.analytics.features.tables import SnapshotTables


class Source(Protocol):
    """The part of the Engine interface ring finding uses."""

    def table(self, name: str) -> ir.Table: ...

    def to_arrow(self, expr: ir.Expr) -> pa.Table: ...

    def register(self, name: str, data: pa.Table) -> ir.Table: ...


class SnapshotSource:
    """A feature build's tables (which may carry operations verdicts) over its engine."""

    def __init__(self, tables: SnapshotTables) -> None:
        self.tables = tables

    def table(self, name: str) -> ir.Table:
        return self.tables[name]

    def to_arrow(self, expr: ir.Expr) -> pa.Table:
        return self.tables.engine.to_arrow(expr)

    def register(self, name: str, data: pa.Table) -> ir.Table:
        return self.tables.engine.register(name, data)
