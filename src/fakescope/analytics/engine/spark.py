"""The Spark engine: the same Ibis definitions on PySpark (local mode by default), for scale-out.

Reads a Parquet copy of the DuckDB snapshot, exported once per snapshot version, as Spark temporary views.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from fakescope.analytics.engine.base import Engine, EngineUnsupported

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

# Below this folder of the snapshot's directory live its Parquet copies, one per snapshot version.
PARQUET_DIR = "spark"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _version_key(path: Path) -> str:
    """A key that changes whenever the snapshot file does (size and modification time)."""
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]


def export_parquet(snapshot: Path) -> Path:
    """The folder holding one Parquet file per snapshot table, exported now unless this version already is."""
    import duckdb

    root = snapshot.parent / PARQUET_DIR
    target = root / _version_key(snapshot)
    if (target / "_complete").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    # Export into a private folder and rename it into place, so a reader never sees half a copy.
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=root))
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        names = [row[0] for row in con.execute("SHOW TABLES").fetchall()]
        for name in names:
            file = staging / f"{name}.parquet"
            con.execute(f"COPY {_quoted(name)} TO '{file}' (FORMAT parquet)")
    finally:
        con.close()
    (staging / "_complete").write_text("\n".join(names) + "\n")
    try:
        staging.rename(target)
    except OSError:
        # Another process finished the same export first; its copy is as good as ours.
        shutil.rmtree(staging, ignore_errors=True)
    for old in root.iterdir():
        if old != target and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return target


class SparkEngine(Engine):
    """Ibis over a local (or configured) SparkSession, the snapshot's tables as temporary views."""

    name = "spark"

    def __init__(
        self,
        path: Path,
        *,
        master: str | None = None,
        driver_memory: str = "2g",
        shuffle_partitions: int = 2,
        conf: dict[str, str] | None = None,
    ) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise EngineUnsupported(
                "engine 'spark' needs PySpark: install fakescope[spark] (and Java 17)"
            ) from exc
        self.path = path
        self.parquet = export_parquet(path)
        settings: dict[str, Any] = {
            "spark.driver.memory": driver_memory,
            "spark.sql.shuffle.partitions": str(shuffle_partitions),
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "UTC",
            # The snapshot's timestamps carry no zone; read them as such, not as instants.
            "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            **(conf or {}),
        }
        builder = SparkSession.builder.master(master or os.environ.get("FAKESCOPE_SPARK_MASTER", "local[2]"))
        builder = builder.appName("fakescope")
        for key, value in settings.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # the JVM failing to start surfaces as a bare Py4J or runtime error
            raise EngineUnsupported(f"engine 'spark' could not start a SparkSession: {exc}") from exc
        session.sparkContext.setLogLevel("ERROR")
        self.session = session
        self.con = ibis.pyspark.connect(session)
        self._tables: set[str] = set()
        for file in sorted(self.parquet.glob("*.parquet")):
            session.read.parquet(str(file)).createOrReplaceTempView(file.stem)
            self._tables.add(file.stem)
        self._registered: set[str] = set()

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)

    def to_arrow(self, expr: ir.Expr) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def register(self, name: str, data: pa.Table) -> ir.Table:
        # Spark 4 takes Arrow directly; a temporary view lives as long as this session.
        self.session.createDataFrame(data).createOrReplaceTempView(name)
        self._registered.add(name)
        return self.con.table(name)

    def has_table(self, name: str) -> bool:
        return name in self._tables or name in self._registered

    def close(self) -> None:
        for name in self._registered:
            with contextlib.suppress(Exception):
                self.session.catalog.dropTempView(name)
        self.con.disconnect()
