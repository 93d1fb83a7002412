"""The small Engine interface: tables by name, run an Ibis expression, write a derived table, close.

Engine quirks live in the engine modules; an engine that cannot run something raises EngineUnsupported.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fakescope.errors import FakescopeError, NotReady

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from fakescope.settings import Settings


class EngineUnsupported(FakescopeError):
    """This engine cannot run this definition; the message names the engine and the definition."""


class Engine(abc.ABC):
    """A columnar engine over one snapshot."""

    name: str = "abstract"

    @abc.abstractmethod
    def table(self, name: str) -> ir.Table:
        """A snapshot table as an Ibis table expression."""

    @abc.abstractmethod
    def to_arrow(self, expr: ir.Expr) -> pa.Table:
        """Run an expression and return its result as an Arrow table."""

    def to_batches(self, expr: ir.Table, rows: int) -> Iterator[pa.RecordBatch]:
        """Run a table expression and yield its result in batches of at most `rows` rows.

        The default runs it whole; an engine that can stream overrides this so a large result (every
        listing's features) is never held twice, once in the engine and once as Arrow."""
        yield from self.to_arrow(expr).to_batches(max_chunksize=rows)

    @abc.abstractmethod
    def register(self, name: str, data: pa.Table) -> ir.Table:
        """Make an Arrow table (labels, scores) available to expressions under a name, for this session."""

    @abc.abstractmethod
    def has_table(self, name: str) -> bool:
        """Whether the snapshot (or this session) has a table of that name."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the engine's resources."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_engine(settings: Settings, snapshot: Path | None = None) -> Engine:
    """Open the configured engine over the workspace's snapshot (or another snapshot file)."""
    from fakescope.workspace import Workspace

    path = snapshot or Workspace(settings.workspace).snapshot_db
    if not path.exists():
        raise NotReady(
            f"no snapshot in workspace {settings.workspace}: run `fakescope ingest DIR` first",
            workspace=str(settings.workspace),
        )
    if settings.analytics.engine == "duckdb":
        from fakescope.analytics.engine.duckdb import DuckDBEngine

        return DuckDBEngine(
            path,
            memory_limit=settings.analytics.duckdb_memory_limit,
            threads=settings.analytics.duckdb_threads,
        )
    if settings.analytics.engine == "spark":
        from fakescope.analytics.engine.spark import SparkEngine

        return SparkEngine(path)
    raise EngineUnsupported(f"engine {settings.analytics.engine!r} is not known")
