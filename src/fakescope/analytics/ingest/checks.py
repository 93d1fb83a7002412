"""Checks staged tables against the contract's rules, all read from `load_contract()`.

Per column: wrong type, missing required value, enumeration, range, pattern; per table: duplicate primary
keys; across tables: dangling foreign keys. One scan per table counts every rule, then examples of failures.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from fakescope.analytics.ingest.casts import EXPECTED, accepts, column_sql, wanted
from fakescope.analytics.ingest.problems import ProblemLog
from fakescope.analytics.ingest.reading import StagedTable
from fakescope.analytics.ingest.sql import ident, literal, raw_table
from fakescope.contract import Column, Contract, Kind, Table
from fakescope.errors import Problem

_SHOWN = 60
# How a value that does not convert is named, by kind.
_WRONG = {kind: "malformed timestamp" if kind is Kind.TIME else "wrong type" for kind in Kind}


@dataclass(frozen=True)
class _Rule:
    """One row-level rule on one column: the SQL that picks failing rows and how to word a failure."""

    column: str
    rule: str
    where: str
    value: str
    message: str
    quoted: bool = True

    def describe(self, value: str | None) -> str:
        shown = _show(value) if self.quoted else str(value)
        return self.message.replace("{value}", shown)


def check_columns(
    con: duckdb.DuckDBPyConnection, table: Table, staged: StagedTable, log: ProblemLog
) -> set[str]:
    """Check every column of one staged table; returns the contract columns usable as keys afterwards."""
    rules: list[_Rule] = []
    usable: set[str] = set()
    for column in table.columns:
        source_type = staged.columns.get(column.name)
        if source_type is None:
            if column.required:
                log.add(
                    Problem(
                        table.name,
                        column.name,
                        f"required column is missing from {staged.file.path.name}",
                        rule="missing_column",
                    )
                )
            continue
        # CSV is all text, parsed value by value; a Parquet column must already have the kind's type.
        wrong_type = staged.file.format != "csv" and not accepts(column, source_type)
        if wrong_type and _has_values(con, table.name, column.name):
            log.add(
                Problem(
                    table.name,
                    column.name,
                    f"wrong type: the column is {source_type} in {staged.file.path.name}; "
                    f"the contract wants {wanted(column)}",
                    rule="type",
                )
            )
            continue
        usable.add(column.name)
        rules.extend(_column_rules(column, source_type))
    _collide_in_case(table, staged, log)
    if not rules:
        return usable
    pk = _key_sql(table, staged, usable)
    counted = ", ".join(f"count(*) FILTER (WHERE {rule.where})" for rule in rules)
    totals = con.execute(f"SELECT {counted} FROM {raw_table(table.name)}").fetchone() or ()
    for rule, total in zip(rules, totals, strict=True):
        if not total:
            continue
        examples = con.execute(
            f"SELECT rowid + 1, {pk}, CAST({rule.value} AS VARCHAR) FROM {raw_table(table.name)} "
            f"WHERE {rule.where} ORDER BY rowid LIMIT {log.examples}"
        ).fetchall()
        log.add_group(
            [
                Problem(table.name, rule.column, rule.describe(value), row=int(row), key=key, rule=rule.rule)
                for row, key, value in examples
            ],
            int(total),
        )
    return usable


def check_primary_key(
    con: duckdb.DuckDBPyConnection, table: Table, staged: StagedTable, usable: set[str], log: ProblemLog
) -> None:
    """Each primary key value appears once."""
    if table.primary_key not in usable:
        return
    key = _key_sql(table, staged, usable)
    # A plain grouping first: listing the rows of each duplicate costs several times more, so only on failure.
    duplicated = con.execute(
        f"SELECT count(*) FROM (SELECT {key} AS k FROM {raw_table(table.name)} "
        f"WHERE {key} IS NOT NULL GROUP BY k HAVING count(*) > 1)"
    ).fetchone()
    if not duplicated or not duplicated[0]:
        return
    found = con.execute(
        f"SELECT k, n, rows, count(*) OVER () FROM ("
        f"  SELECT {key} AS k, count(*) AS n, list(rowid + 1 ORDER BY rowid)[1:3] AS rows,"
        f"  min(rowid) AS first"
        f"  FROM {raw_table(table.name)} WHERE {key} IS NOT NULL GROUP BY k HAVING count(*) > 1"
        f") ORDER BY first LIMIT {log.examples}"
    ).fetchall()
    if not found:
        return
    log.add_group(
        [
            Problem(
                table.name,
                table.primary_key,
                f"duplicate primary key: appears {n} times (rows {', '.join(str(r) for r in rows)}"
                f"{', ...' if n > len(rows) else ''})",
                key=str(k),
                rule="primary_key",
            )
            for k, n, rows, _ in found
        ],
        int(found[0][3]),
    )


def check_foreign_keys(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    staged: dict[str, StagedTable],
    usable: dict[str, set[str]],
    log: ProblemLog,
) -> None:
    """Each foreign key value names a row of the table it references (skipped where that table failed)."""
    for table in contract.tables:
        if table.name not in staged:
            continue
        for column in table.foreign_keys:
            target = contract.table(str(column.references))
            if column.name not in usable[table.name] or target.primary_key not in usable.get(
                target.name, set()
            ):
                continue
            child = column_sql(column, staged[table.name].columns[column.name], prefix="c.").typed
            parent = column_sql(
                target.column(target.primary_key),
                staged[target.name].columns[target.primary_key],
                prefix="p.",
            ).typed
            key = _key_sql(table, staged[table.name], usable[table.name], prefix="c.")
            found = con.execute(
                f"SELECT c.rowid + 1 AS row, {key}, {child}, count(*) OVER () "
                f"FROM {raw_table(table.name)} c WHERE {child} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {raw_table(target.name)} p WHERE {parent} = {child}) "
                f"ORDER BY row LIMIT {log.examples}"
            ).fetchall()
            if not found:
                continue
            log.add_group(
                [
                    Problem(
                        table.name,
                        column.name,
                        f"dangling foreign key: no {target.name} row has {target.primary_key} {_show(value)}",
                        row=int(row),
                        key=key_value,
                        rule="foreign_key",
                    )
                    for row, key_value, value, _ in found
                ],
                int(found[0][3]),
            )


def _column_rules(column: Column, source_type: str) -> list[_Rule]:
    sql = column_sql(column, source_type)
    raw = ident(column.name)
    rules = [
        _Rule(
            column.name,
            "type",
            f"{sql.given} AND {sql.typed} IS NULL",
            raw,
            f"{_WRONG[column.kind]}: {{value}} is not {EXPECTED[column.kind]}",
        )
    ]
    if column.required:
        rules.append(_Rule(column.name, "required", f"NOT {sql.given}", "NULL", "required value is missing"))
    if column.enum is not None:
        allowed = ", ".join(literal(v) for v in column.enum)
        rules.append(
            _Rule(
                column.name,
                "enum",
                f"{sql.typed} IS NOT NULL AND {sql.typed} NOT IN ({allowed})",
                sql.typed,
                f"bad value: {{value}} is not one of {', '.join(column.enum)}",
            )
        )
    if column.min is not None:
        rules.append(
            _range(column, sql.typed, f"{sql.typed} < {column.min}", f"below the minimum {_num(column.min)}")
        )
    if column.exclusive_min is not None:
        rules.append(
            _range(
                column,
                sql.typed,
                f"{sql.typed} <= {column.exclusive_min}",
                f"not above {_num(column.exclusive_min)}",
            )
        )
    if column.max is not None:
        rules.append(
            _range(column, sql.typed, f"{sql.typed} > {column.max}", f"above the maximum {_num(column.max)}")
        )
    if column.pattern is not None:
        rules.append(
            _Rule(
                column.name,
                "pattern",
                f"{sql.typed} IS NOT NULL AND NOT regexp_matches({sql.typed}, {literal(column.pattern)})",
                sql.typed,
                "bad value: {value} does not match " + column.pattern,
            )
        )
    return rules


def _range(column: Column, typed: str, where: str, words: str) -> _Rule:
    return _Rule(column.name, "range", where, typed, f"out of range: {{value}} is {words}", quoted=False)


def _key_sql(table: Table, staged: StagedTable, usable: set[str], prefix: str = "") -> str:
    if table.primary_key not in usable:
        return "CAST(NULL AS VARCHAR)"
    return column_sql(table.column(table.primary_key), staged.columns[table.primary_key], prefix=prefix).typed


def _has_values(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = con.execute(
        f"SELECT 1 FROM {raw_table(table)} WHERE {ident(column)} IS NOT NULL LIMIT 1"
    ).fetchone()
    return found is not None


def _collide_in_case(table: Table, staged: StagedTable, log: ProblemLog) -> None:
    """An extra column that differs from a contract column only in case would shadow it."""
    contract_names = {name.lower(): name for name in table.column_names}
    for name in staged.columns:
        wanted_name = contract_names.get(name.lower())
        if wanted_name is not None and wanted_name != name:
            log.add(
                Problem(
                    table.name,
                    name,
                    f"column {name!r} differs from the contract's {wanted_name!r} only in case; rename it",
                    rule="column_name",
                )
            )


def _show(value: str | None) -> str:
    if value is None:
        return "null"
    text = value if len(value) <= _SHOWN else value[: _SHOWN - 3] + "..."
    return repr(text)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
