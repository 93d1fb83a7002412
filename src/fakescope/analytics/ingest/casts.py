"""Turns a staged column into the snapshot's type for its contract kind, as SQL expressions.

Snapshot types: identifier and text VARCHAR, integer BIGINT, money and probability DOUBLE, time TIMESTAMP in
UTC. A value that does not convert becomes NULL here and is reported by the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fakescope.analytics.ingest.sql import ident, literal
from fakescope.contract import Column, Kind

SQL_TYPES = {
    Kind.IDENTIFIER: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.INTEGER: "BIGINT",
    Kind.MONEY: "DOUBLE",
    Kind.PROBABILITY: "DOUBLE",
    Kind.TIME: "TIMESTAMP",
}

# What a value of each kind must look like, for messages.
EXPECTED = {
    Kind.IDENTIFIER: "text",
    Kind.TEXT: "text",
    Kind.INTEGER: "a whole number",
    Kind.MONEY: "a decimal number",
    Kind.PROBABILITY: "a decimal number",
    Kind.TIME: "an ISO-8601 time (2026-03-01T08:15:00Z, +08:00 or no zone)",
}

# What each kind accepts as a Parquet column type (DuckDB's names for them).
_PARQUET_FAMILIES = {
    Kind.IDENTIFIER: ("string",),
    Kind.TEXT: ("string",),
    Kind.INTEGER: ("integer", "float"),
    Kind.MONEY: ("integer", "float"),
    Kind.PROBABILITY: ("integer", "float"),
    Kind.TIME: ("timestamp",),
}
_PARQUET_WANTED = {
    Kind.IDENTIFIER: "a string",
    Kind.TEXT: "a string",
    Kind.INTEGER: "an integer",
    Kind.MONEY: "a float or decimal",
    Kind.PROBABILITY: "a float",
    Kind.TIME: "a timestamp",
}
_INTEGER_TYPES = re.compile(r"^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$")
_FLOAT_TYPES = re.compile(r"^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?)$")
_TIME_TYPES = re.compile(r"^(TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|DATE)$")


def family(source_type: str) -> str:
    """The family of a DuckDB type: string, integer, float, timestamp or other."""
    upper = source_type.upper()
    if upper == "VARCHAR":
        return "string"
    if _INTEGER_TYPES.match(upper):
        return "integer"
    if _FLOAT_TYPES.match(upper):
        return "float"
    if _TIME_TYPES.match(upper):
        return "timestamp"
    return "other"


def accepts(column: Column, source_type: str) -> bool:
    """Whether a column of this DuckDB type can hold values of the column's kind."""
    return family(source_type) in _PARQUET_FAMILIES[column.kind]


def wanted(column: Column) -> str:
    """The Parquet type the contract wants for a column, in words."""
    return _PARQUET_WANTED[column.kind]


@dataclass(frozen=True)
class ColumnSql:
    """SQL over a staged column: whether a value was given, and the value in the snapshot's type."""

    given: str
    typed: str
    final: str


def column_sql(column: Column, source_type: str | None, *, prefix: str = "") -> ColumnSql:
    """Expressions for one contract column; `source_type` None means the file lacks the column."""
    sql_type = SQL_TYPES[column.kind]
    default = f"CAST({literal(column.null_means)} AS {sql_type})" if column.null_means is not None else None
    if source_type is None or (family(source_type) != "string" and not accepts(column, source_type)):
        # Absent, or (checked elsewhere) a wrong-typed column that holds only nulls.
        return ColumnSql("false", f"CAST(NULL AS {sql_type})", default or f"CAST(NULL AS {sql_type})")
    raw = prefix + ident(column.name)
    kind = column.kind
    source = family(source_type)
    if source == "string":
        # An empty string is null in Parquet too, as in CSV, so both forms of the same data agree.
        given = f"(NULLIF({raw}, '') IS NOT NULL)"
        typed = _from_text(kind, raw)
    else:
        given = f"({raw} IS NOT NULL)"
        typed = _from_native(kind, source, raw)
    final = f"COALESCE({typed}, {default})" if default is not None else typed
    return ColumnSql(given, typed, final)


def _from_text(kind: Kind, raw: str) -> str:
    if kind in (Kind.IDENTIFIER, Kind.TEXT):
        return f"NULLIF({raw}, '')"
    if kind is Kind.INTEGER:
        # DuckDB would round '3.5' to 4; the contract wants digits.
        digits = f"regexp_full_match(trim({raw}), '[+-]?[0-9]+')"
        return f"CASE WHEN {digits} THEN TRY_CAST(trim({raw}) AS BIGINT) END"
    if kind in (Kind.MONEY, Kind.PROBABILITY):
        number = f"TRY_CAST(trim({raw}) AS DOUBLE)"
        return f"CASE WHEN isfinite({number}) THEN {number} END"
    # The session runs in UTC, so a time without a zone is taken as UTC and one with a zone is moved to it.
    return f"CAST(TRY_CAST(trim({raw}) AS TIMESTAMPTZ) AS TIMESTAMP)"


def _from_native(kind: Kind, source: str, raw: str) -> str:
    if kind is Kind.INTEGER:
        if source == "float":
            # Pandas writes integer columns with nulls as floats; whole values are still whole numbers.
            number = f"CAST({raw} AS DOUBLE)"
            whole = f"isfinite({number}) AND {number} = trunc({number})"
            return f"CASE WHEN {whole} THEN TRY_CAST({raw} AS BIGINT) END"
        return f"TRY_CAST({raw} AS BIGINT)"
    if kind in (Kind.MONEY, Kind.PROBABILITY):
        number = f"CAST({raw} AS DOUBLE)"
        return f"CASE WHEN isfinite({number}) THEN {number} END"
    if kind is Kind.TIME:
        return f"CAST({raw} AS TIMESTAMP)"
    return f"CAST({raw} AS VARCHAR)"
