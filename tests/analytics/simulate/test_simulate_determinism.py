"""The same seed gives the same marketplace; another seed another; CSV and Parquet hold identical data."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from simdb import connect, scalar

from fakescope.analytics.simulate import SimulationSummary, simulate_marketplace
from fakescope.contract import load_contract
from fakescope.errors import UsageError


def test_same_seed_same_marketplace(tmp_path: Path, sim_small: tuple[Path, SimulationSummary]) -> None:
    folder, summary = sim_small
    again = simulate_marketplace(tmp_path / "again", listings=summary.listings, seed=summary.seed)
    assert again.rows == summary.rows
    for table in load_contract().table_names:
        assert pq.read_table(folder / f"{table}.parquet").equals(
            pq.read_table(tmp_path / "again" / f"{table}.parquet")
        )
    for truth in ("listings", "sellers"):
        first = pq.read_table(folder / "_truth" / f"{truth}.parquet")
        assert first.equals(pq.read_table(tmp_path / "again" / "_truth" / f"{truth}.parquet"))


def test_another_seed_another_marketplace(tmp_path: Path, sim_small: tuple[Path, SimulationSummary]) -> None:
    folder, summary = sim_small
    simulate_marketplace(tmp_path / "other", listings=summary.listings, seed=summary.seed + 1)
    assert not pq.read_table(folder / "listings.parquet").equals(
        pq.read_table(tmp_path / "other" / "listings.parquet")
    )


def test_csv_and_parquet_hold_identical_data(
    sim_small: tuple[Path, SimulationSummary], sim_small_csv: tuple[Path, SimulationSummary]
) -> None:
    parquet, csv = connect(sim_small[0]), connect(sim_small_csv[0])
    assert sim_small[1].rows == sim_small_csv[1].rows
    for table in load_contract().tables:
        a = parquet.execute(f"SELECT * FROM {table.name} ORDER BY {table.primary_key}").to_arrow_table()
        b = csv.execute(f"SELECT * FROM {table.name} ORDER BY {table.primary_key}").to_arrow_table()
        assert a.schema == b.schema, table.name
        assert a.equals(b), f"{table.name} differs between CSV and Parquet"
    assert scalar(csv, "SELECT count(*) FROM spot_checks WHERE inclusion_probability IS NULL") > 0


def test_rewriting_a_folder_replaces_the_other_format(tmp_path: Path) -> None:
    simulate_marketplace(tmp_path, listings=300, seed=4, fmt="csv")
    simulate_marketplace(tmp_path, listings=300, seed=4, fmt="parquet")
    assert not list(tmp_path.glob("*.csv"))  # never two files for one table
    assert len(list(tmp_path.glob("*.parquet"))) == len(load_contract().tables)


@pytest.mark.parametrize(("listings", "fmt"), [(10, "parquet"), (1_000, "xlsx")])
def test_bad_arguments_are_usage_errors(tmp_path: Path, listings: int, fmt: str) -> None:
    with pytest.raises(UsageError):
        simulate_marketplace(tmp_path, listings=listings, seed=1, fmt=fmt)
