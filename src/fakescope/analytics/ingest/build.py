"""Builds the snapshot's tables from validated staging tables: contract types, null defaults, extras kept.

Also works out the as-of time and the fingerprint, and writes `fakescope_snapshot` and `fakescope_tables`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import duckdb

from fakescope.analytics.ingest.casts import SQL_TYPES, column_sql
from fakescope.analytics.ingest.reading import StagedTable
from fakescope.analytics.ingest.report import TableLoad
from fakescope.analytics.ingest.sql import ident, raw_table
from fakescope.contract import Contract, Kind, Table
from fakescope.core.clock import as_utc


def build_table(con: duckdb.DuckDBPyConnection, table: Table, staged: StagedTable | None) -> TableLoad:
    """Create one snapshot table: contract columns in contract order, then the file's extra columns."""
    if staged is None:
        columns = ", ".join(f"{ident(c.name)} {SQL_TYPES[c.kind]}" for c in table.columns)
        con.execute(f"CREATE TABLE {ident(table.name)} ({columns})")
        return TableLoad(table.name, 0, None, None, (), table.column_names)
    selected = [
        f"{column_sql(c, staged.columns.get(c.name)).final} AS {ident(c.name)}" for c in table.columns
    ]
    extras = tuple(name for name in staged.columns if name not in table.column_names)
    selected.extend(ident(name) for name in extras)
    con.execute(
        f"CREATE TABLE {ident(table.name)} AS SELECT {', '.join(selected)} FROM {raw_table(table.name)}"
    )
    con.execute(f"DROP TABLE {raw_table(table.name)}")
    absent = tuple(c.name for c in table.columns if c.name not in staged.columns)
    return TableLoad(table.name, staged.rows, staged.file.path.name, staged.file.format, extras, absent)


def latest_time(con: duckdb.DuckDBPyConnection, contract: Contract) -> datetime | None:
    """The latest time in any time column of any table: the default as-of time."""
    parts = [
        f"SELECT max({ident(c.name)}) AS t FROM {ident(t.name)}"
        for t in contract.tables
        for c in t.columns
        if c.kind is Kind.TIME
    ]
    found = con.execute(f"SELECT max(t) FROM ({' UNION ALL '.join(parts)})").fetchone()
    return found[0] if found else None


def fingerprint(con: duckdb.DuckDBPyConnection, contract: Contract, as_of: datetime) -> str:
    """A hash of the contract columns' content and the as-of time, independent of file format and row order.

    Per table: the row count and the XOR of each row's MD5 over its values as text (rows are distinct, their
    primary keys being unique). Extra columns are left out: nothing downstream reads them.
    """
    lines = []
    for table in contract.tables:
        values = ", ".join(f"coalesce('v' || CAST({ident(c.name)} AS VARCHAR), 'n')" for c in table.columns)
        count, digest = con.execute(
            "SELECT count(*), CAST(coalesce(bit_xor(md5_number("
            f"concat_ws(chr(31), {values}))), 0) AS VARCHAR) "
            f"FROM {ident(table.name)}"
        ).fetchone() or (0, "0")
        lines.append(f"{table.name}\t{count}\t{digest}")
    lines.append(f"as_of\t{_naive(as_of).isoformat()}")
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def write_meta(
    con: duckdb.DuckDBPyConnection,
    loads: list[TableLoad],
    *,
    as_of: datetime,
    fingerprint_value: str,
    loaded_at: datetime,
    source: str,
) -> None:
    """The two tables that describe the snapshot itself."""
    con.execute(
        "CREATE TABLE fakescope_snapshot "
        "(as_of TIMESTAMP, fingerprint VARCHAR, loaded_at TIMESTAMP, source VARCHAR)"
    )
    con.execute(
        "INSERT INTO fakescope_snapshot VALUES (?, ?, ?, ?)",
        [_naive(as_of), fingerprint_value, _naive(loaded_at), source],
    )
    con.execute(
        "CREATE TABLE fakescope_tables "
        "(table_name VARCHAR, row_count BIGINT, source_file VARCHAR, format VARCHAR)"
    )
    con.executemany(
        "INSERT INTO fakescope_tables VALUES (?, ?, ?, ?)",
        [[load.name, load.rows, load.source_file, load.format] for load in loads],
    )


def _naive(moment: datetime) -> datetime:
    """UTC without a zone, as the snapshot stores times."""
    return as_utc(moment).replace(tzinfo=None)
