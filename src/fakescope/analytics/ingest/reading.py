"""Reads one table file into a DuckDB staging table, as written: CSV all text, Parquet in its own types.

DuckDB does the reading (streaming, within its memory limit); a file it cannot read becomes a Problem that
names the file and, for CSV, the line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

import duckdb

from fakescope.analytics.ingest.folder import TableFile
from fakescope.analytics.ingest.sql import ident, literal, raw_table
from fakescope.errors import Problem

# The longest header line read by hand before DuckDB takes over.
_MAX_HEADER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StagedTable:
    """A file read into `stage.raw_<table>`: its columns with DuckDB's type for each, and its row count."""

    file: TableFile
    columns: dict[str, str]
    rows: int


class ReadFailed(Exception):
    """A file could not be read; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def stage_file(con: duckdb.DuckDBPyConnection, file: TableFile) -> StagedTable:
    """Copy a file's rows into the staging database, in file order (rowid + 1 is the data row number)."""
    if file.format == "csv":
        header = _csv_header(file)
        columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
        source = (
            f"read_csv({literal(file.path)}, header = true, auto_detect = false, columns = {{{columns}}}, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, encoding = 'utf-8')"
        )
    else:
        source = f"read_parquet({literal(file.path)})"
    try:
        con.execute(f"CREATE OR REPLACE TABLE {raw_table(file.table)} AS SELECT * FROM {source}")
    except duckdb.Error as error:
        raise ReadFailed(_read_problem(file, error)) from error
    described = con.execute(f"DESCRIBE {raw_table(file.table)}").fetchall()
    rows = con.execute(f"SELECT count(*) FROM {raw_table(file.table)}").fetchone()
    return StagedTable(file, {str(r[0]): str(r[1]) for r in described}, int(rows[0]) if rows else 0)


def _csv_header(file: TableFile) -> list[str]:
    """The header names, read by hand so DuckDB's sniffer cannot guess them (and errors name line 1)."""
    with file.path.open("rb") as handle:
        line = handle.readline(_MAX_HEADER_BYTES)
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReadFailed(
            _problem(file, f"line 1: not UTF-8 text (byte {error.start + 1} of the header)")
        ) from error
    try:
        names = next(csv.reader([text.rstrip("\r\n")], strict=True), [])
    except csv.Error as error:
        raise ReadFailed(_problem(file, f"line 1: the header is not valid CSV ({error})")) from error
    if not names or all(not n.strip() for n in names):
        raise ReadFailed(_problem(file, "line 1: no header; the first line must name the columns"))
    if len(names) == 1:
        other = next((sep for sep in (";", "\t", "|") if sep in names[0]), None)
        if other is not None:
            raise ReadFailed(
                _problem(
                    file, f"line 1: the header is one column; fields must be separated by ',' not {other!r}"
                )
            )
    seen: dict[str, str] = {}
    for position, name in enumerate(names, start=1):
        if not name.strip():
            raise ReadFailed(_problem(file, f"line 1: column {position} of the header has no name"))
        # DuckDB names are case-insensitive, so `Price` and `price` would collide.
        if name.lower() in seen:
            raise ReadFailed(
                _problem(
                    file, f"line 1: column {name!r} appears twice in the header (as {seen[name.lower()]!r})"
                )
            )
        seen[name.lower()] = name
    return names


def _read_problem(file: TableFile, error: duckdb.Error) -> Problem:
    text = str(error)
    if file.format == "parquet":
        first = text.splitlines()[0] if text else type(error).__name__
        first = re.sub(r"^[A-Za-z ]*Error: ", "", first)
        return _problem(file, f"not a readable Parquet file ({first})")
    match = re.search(r"CSV Error on Line: (\d+)", text)
    reason = _csv_reason(text)
    if match:
        return _problem(file, f"line {match.group(1)}: {reason}")
    return _problem(file, f"not a readable UTF-8 CSV file ({reason})")


def _csv_reason(text: str) -> str:
    """DuckDB's one-line reason: the last line before its list of possible fixes."""
    before_fixes = re.split(r"\n\s*Possible (?:fixes|Solution)", text, maxsplit=1)[0]
    lines = [line.strip() for line in before_fixes.splitlines() if line.strip()]
    reason = lines[-1] if lines else text.strip()
    if reason.startswith("Original Line:") or reason.startswith("CSV Error on Line"):
        reason = "the line is not valid CSV"
    reason = re.sub(r"^[A-Za-z ]*Error: ", "", reason)
    if "unterminated quote" in reason:
        reason += " (a stray quote: a quoted field opened here is never closed)"
    return reason[:300]


def _problem(file: TableFile, message: str) -> Problem:
    return Problem(table=file.table, column=None, message=f"{file.path.name}, {message}", rule="file")


def column_list(staged: StagedTable) -> str:
    """The staged columns, quoted, for a SELECT."""
    return ", ".join(ident(name) for name in staged.columns)
