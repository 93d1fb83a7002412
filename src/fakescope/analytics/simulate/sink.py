"""Writing simulated tables in the contract's shape: one file per table, Parquet or CSV, written in chunks.

Column names, order and value kinds come from the contract; times are UTC (`...Z` in CSV).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fakescope.contract import Kind, Table

TIME_TYPE = pa.timestamp("s", tz="UTC")
_ARROW: dict[Kind, pa.DataType] = {
    Kind.IDENTIFIER: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.INTEGER: pa.int64(),
    Kind.MONEY: pa.float64(),
    Kind.PROBABILITY: pa.float64(),
    Kind.TIME: TIME_TYPE,
}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a contract table, in contract column order."""
    return pa.schema([pa.field(c.name, _ARROW[c.kind]) for c in table.columns])


def times(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """UTC timestamps from epoch seconds; `valid` false gives a null."""
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(np.asarray(seconds, dtype=np.int64), type=pa.int64(), mask=mask).cast(TIME_TYPE)


class TableSink:
    """Appends chunks of one contract table to `out/NAME.parquet` or `out/NAME.csv`."""

    def __init__(self, out: Path, table: Table, fmt: str) -> None:
        self.table = table
        self.fmt = fmt
        self.schema = arrow_schema(table)
        self.path = out / f"{table.name}.{fmt}"
        self.rows = 0
        self._writer: Any = None
        if fmt == "csv":
            fields = [
                pa.field(f.name, pa.string()) if pa.types.is_timestamp(f.type) else f for f in self.schema
            ]
            self._file_schema = pa.schema(fields)
            self._writer = pacsv.CSVWriter(str(self.path), self._file_schema)
        else:
            self._file_schema = self.schema
            self._writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")

    def write(self, columns: dict[str, Any]) -> None:
        """Append one chunk; every contract column must be given (None for an all-null column)."""
        unknown = set(columns) - set(self.schema.names)
        if unknown:
            raise KeyError(f"{self.table.name}: no such column(s) {sorted(unknown)}")
        lengths = {len(v) for v in columns.values() if v is not None}
        if len(lengths) != 1:
            raise ValueError(f"{self.table.name}: columns of unequal length {lengths}")
        n = lengths.pop()
        arrays = []
        for field in self.schema:
            value = columns.get(field.name)
            if value is None:
                arrays.append(pa.nulls(n, type=field.type))
            elif isinstance(value, pa.Array | pa.ChunkedArray):
                arrays.append(value.cast(field.type))
            else:
                arrays.append(pa.array(value, type=field.type))
        batch = pa.Table.from_arrays(arrays, schema=self.schema)
        if self.fmt == "csv":
            for i, field in enumerate(self.schema):
                if pa.types.is_timestamp(field.type):
                    text = pc.strftime(batch.column(i), format="%Y-%m-%dT%H:%M:%SZ")
                    batch = batch.set_column(i, pa.field(field.name, pa.string()), text)
        self._writer.write_table(batch)
        self.rows += n

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def write_table(out: Path, table: Table, fmt: str, columns: dict[str, Any]) -> int:
    """Write a whole table at once; returns its row count."""
    sink = TableSink(out, table, fmt)
    try:
        sink.write(columns)
    finally:
        sink.close()
    return sink.rows
