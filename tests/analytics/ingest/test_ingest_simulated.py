"""The simulator's marketplace (10k listings) loads as Parquet and as CSV into identical snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from fakescope.analytics.ingest import ingest_folder
from fakescope.contract import load_contract
from fakescope.settings import get_settings

LISTINGS = 10_000


def test_simulated_parquet_and_csv_give_identical_snapshots(
    tmp_path: Path, marketplace: Callable[..., Path]
) -> None:
    as_parquet = ingest_folder(
        marketplace(LISTINGS, 1, "parquet"), settings=get_settings(tmp_path / "parquet")
    )
    as_csv = ingest_folder(marketplace(LISTINGS, 1, "csv"), settings=get_settings(tmp_path / "csv"))

    assert as_parquet.fingerprint == as_csv.fingerprint
    assert as_parquet.as_of == as_csv.as_of
    assert as_parquet.table("listings").rows == LISTINGS
    assert "_truth/" in as_parquet.skipped and "_truth/" in as_csv.skipped
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{as_parquet.snapshot}' AS p (READ_ONLY)")
        con.execute(f"ATTACH '{as_csv.snapshot}' AS c (READ_ONLY)")
        for table in load_contract().tables:
            p_columns = con.execute(f"DESCRIBE p.{table.name}").fetchall()
            c_columns = con.execute(f"DESCRIBE c.{table.name}").fetchall()
            assert [r[:2] for r in p_columns] == [r[:2] for r in c_columns], table.name
            rows = con.execute(f"SELECT count(*) FROM p.{table.name}").fetchone()
            assert rows is not None and rows[0] == as_parquet.table(table.name).rows
            for left, right in (("p", "c"), ("c", "p")):
                differ = con.execute(
                    f"SELECT count(*) FROM (SELECT * FROM {left}.{table.name} "
                    f"EXCEPT ALL SELECT * FROM {right}.{table.name})"
                ).fetchone()
                assert differ == (0,), f"{table.name}: rows in {left} not in {right}"
