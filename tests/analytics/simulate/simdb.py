"""Reading a simulated marketplace folder with DuckDB for the simulator's tests (not the ingest module).

Views named for the contract tables, typed from the contract, and `truth_listings` / `truth_sellers`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from fakescope.contract import Kind, load_contract

SQL_TYPE = {
    Kind.IDENTIFIER: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.INTEGER: "BIGINT",
    Kind.MONEY: "DOUBLE",
    Kind.PROBABILITY: "DOUBLE",
    Kind.TIME: "TIMESTAMPTZ",
}


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per table file found in `folder` and the truth views."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET threads = 2")
    for table in load_contract().tables:
        parquet, csv = folder / f"{table.name}.parquet", folder / f"{table.name}.csv"
        if parquet.exists():
            con.execute(f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{parquet}')")
        elif csv.exists():
            types = ", ".join(f"'{c.name}': '{SQL_TYPE[c.kind]}'" for c in table.columns)
            con.execute(
                f"CREATE VIEW {table.name} AS SELECT * FROM"
                f" read_csv('{csv}', header=true, columns={{{types}}})"
            )
    for name in ("listings", "sellers"):
        path = folder / "_truth" / f"{name}.parquet"
        con.execute(f"CREATE VIEW truth_{name} AS SELECT * FROM read_parquet('{path}')")
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]
