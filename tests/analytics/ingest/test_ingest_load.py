"""A valid marketplace folder becomes the workspace's snapshot with the contract's names, types and defaults,
whatever mix of Parquet and CSV it comes in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_market import LATEST, contract_market, write_market

from fakescope.analytics.ingest import ingest_folder, snapshot_info
from fakescope.contract import load_contract
from fakescope.errors import InvalidData, NotReady, UsageError
from fakescope.settings import get_settings

TYPES = {"identifier": "VARCHAR", "text": "VARCHAR", "integer": "BIGINT", "money": "DOUBLE"}
TYPES |= {"probability": "DOUBLE", "time": "TIMESTAMP"}


def _query(snapshot: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(sql).fetchall()


def _tables(snapshot: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every contract table's rows, sorted, for comparing two snapshots."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return {
            t.name: sorted(con.execute(f"SELECT * FROM {t.name}").fetchall(), key=repr)
            for t in load_contract().tables
        }


def test_csv_values_keep_their_meaning(tmp_path: Path, market: Callable[..., Path]) -> None:
    report = ingest_folder(market(), settings=get_settings(tmp_path / "ws"))

    snap = report.snapshot
    assert snap == tmp_path / "ws" / "snapshot.duckdb"
    # Identifiers as written, Chinese text intact.
    assert _query(snap, "SELECT seller_id, legal_name, phone FROM sellers ORDER BY seller_id")[0] == (
        "00086",
        "杭州某某贸易有限公司",
        "+86 138-0013-8000",
    )
    # Times: an offset is moved to UTC, Z and no zone are UTC.
    assert _query(snap, "SELECT listing_id, listed_at FROM listings ORDER BY 1") == [
        ("L1", datetime(2026, 3, 1, 0, 15)),
        ("L2", datetime(2026, 3, 2)),
    ]
    assert _query(snap, "SELECT ordered_at FROM orders WHERE order_id = 'O2'") == [
        (datetime(2026, 3, 4, 12),)
    ]
    # Null defaults: status active, currency CNY.
    assert _query(snap, "SELECT listing_id, status, currency FROM listings ORDER BY 1") == [
        ("L1", "active", "CNY"),
        ("L2", "removed", "USD"),
    ]
    assert _query(snap, "SELECT shop_id, status FROM shops ORDER BY 1") == [
        ("H1", "active"),
        ("H2", "closed"),
    ]
    assert _query(snap, "SELECT price, quantity FROM listings JOIN orders USING (listing_id) ORDER BY 1") == [
        (0.0, 1),
        (129.9, 2),
    ]
    assert report.as_of == LATEST and report.as_of_from_data


def test_every_table_has_the_contract_columns_and_types_then_extras(
    tmp_path: Path, market: Callable[..., Path]
) -> None:
    data = contract_market()
    for row in data["listings"]:
        row["internal_score"] = "7"
    del data["bans"]  # an optional table may be absent
    for row in data["reviews"]:
        row.pop("text", None)  # an optional column may be absent

    report = ingest_folder(market(data), settings=get_settings(tmp_path / "ws"))

    with duckdb.connect(str(report.snapshot), read_only=True) as con:
        for table in load_contract().tables:
            described = con.execute(f"DESCRIBE {table.name}").fetchall()
            expected = [(c.name, TYPES[c.kind.value]) for c in table.columns]
            assert [(r[0], r[1]) for r in described[: len(expected)]] == expected, table.name
        assert [r[0] for r in con.execute("DESCRIBE listings").fetchall()][-1] == "internal_score"
        assert con.execute("SELECT count(*) FROM bans").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM reviews WHERE text IS NULL").fetchone() == (2,)
        assert con.execute(
            "SELECT * FROM fakescope_tables WHERE table_name IN ('bans', 'listings')"
        ).fetchall() == [
            ("listings", 2, "listings.csv", "csv"),
            ("bans", 0, None, None),
        ]
        ((as_of, fingerprint, loaded_at, source),) = con.execute(
            "SELECT * FROM fakescope_snapshot"
        ).fetchall()
    # Without bans, the latest time is the spot check's.
    assert (as_of, fingerprint, source) == (
        datetime(2026, 3, 9),
        report.fingerprint,
        str((tmp_path / "market").resolve()),
    )
    assert loaded_at == report.loaded_at.replace(tzinfo=None)
    assert report.table("listings").extra_columns == ("internal_score",)
    assert report.table("reviews").absent_columns == ("buyer_id", "text")


def test_parquet_and_csv_give_identical_tables_and_fingerprint(
    tmp_path: Path, market: Callable[..., Path]
) -> None:
    as_csv = ingest_folder(market(name="csv"), settings=get_settings(tmp_path / "a"))
    as_parquet = ingest_folder(market(name="pq", fmt="parquet"), settings=get_settings(tmp_path / "b"))
    mixed = ingest_folder(
        market(name="mixed", formats={"listings": "parquet", "orders": "parquet", "bans": "parquet"}),
        settings=get_settings(tmp_path / "c"),
    )

    assert _tables(as_csv.snapshot) == _tables(as_parquet.snapshot) == _tables(mixed.snapshot)
    assert as_csv.fingerprint == as_parquet.fingerprint == mixed.fingerprint
    assert mixed.table("listings").format == "parquet" and mixed.table("sellers").format == "csv"


def test_fingerprint_follows_the_content(tmp_path: Path, market: Callable[..., Path]) -> None:
    data = contract_market()
    first = ingest_folder(market(data, name="one"), settings=get_settings(tmp_path / "a"))
    data["listings"].reverse()  # row order does not matter
    again = ingest_folder(market(data, name="two"), settings=get_settings(tmp_path / "b"))
    data["listings"][0]["price"] = 1.5
    changed = ingest_folder(market(data, name="three"), settings=get_settings(tmp_path / "c"))

    assert first.fingerprint == again.fingerprint
    assert changed.fingerprint != first.fingerprint


def test_parquet_zones_and_integer_floats(tmp_path: Path) -> None:
    folder = write_market(tmp_path / "market", fmt="parquet")
    shanghai = pa.array([datetime(2026, 3, 1, 8, 15), datetime(2026, 3, 2, 8)], pa.timestamp("us"))
    table = pq.read_table(folder / "listings.parquet")
    # Naive Parquet timestamps are UTC; one with a zone is moved to UTC.
    table = table.set_column(table.schema.get_field_index("listed_at"), "listed_at", shanghai)
    pq.write_table(table, folder / "listings.parquet")
    reviews = pq.read_table(folder / "reviews.parquet")
    ratings = pa.array([5.0, 1.0], pa.float64())  # how pandas writes an integer column with nulls
    reviews = reviews.set_column(reviews.schema.get_field_index("rating"), "rating", ratings)
    pq.write_table(reviews, folder / "reviews.parquet")
    tz = pq.read_table(folder / "orders.parquet")
    local = tz["ordered_at"].cast(pa.timestamp("us", tz="Asia/Shanghai"))
    tz = tz.set_column(tz.schema.get_field_index("ordered_at"), "ordered_at", local)
    pq.write_table(tz, folder / "orders.parquet")

    report = ingest_folder(folder, settings=get_settings(tmp_path / "ws"))

    assert _query(report.snapshot, "SELECT listed_at FROM listings ORDER BY 1") == [
        (datetime(2026, 3, 1, 8, 15),),
        (datetime(2026, 3, 2, 8),),
    ]
    assert _query(report.snapshot, "SELECT ordered_at FROM orders ORDER BY 1") == [
        (datetime(2026, 3, 3, 10),),
        (datetime(2026, 3, 4, 12),),
    ]
    assert _query(report.snapshot, "SELECT rating FROM reviews ORDER BY 1") == [(1,), (5,)]

    reviews = reviews.set_column(reviews.schema.get_field_index("rating"), "rating", pa.array([4.5, 1.0]))
    pq.write_table(reviews, folder / "reviews.parquet")
    with pytest.raises(InvalidData) as raised:
        ingest_folder(folder, settings=get_settings(tmp_path / "ws2"))
    assert raised.value.summary() == ["reviews, key R1, rating: wrong type: '4.5' is not a whole number"]


def test_header_only_tables_are_valid_empty_tables(tmp_path: Path, market: Callable[..., Path]) -> None:
    data = contract_market()
    data["reviews"] = []
    data["spot_checks"] = []
    report = ingest_folder(
        market(data, formats={"spot_checks": "parquet"}), settings=get_settings(tmp_path / "ws")
    )

    assert report.table("reviews").rows == 0 and report.table("reviews").source_file == "reviews.csv"
    assert report.table("spot_checks").rows == 0 and report.table("spot_checks").format == "parquet"
    assert _query(report.snapshot, "SELECT count(*) FROM reviews") == [(0,)]


def test_files_not_named_for_a_table_are_skipped_and_listed(
    tmp_path: Path, market: Callable[..., Path]
) -> None:
    folder = market()
    write_market(folder / "_truth", {"listings": contract_market()["listings"]}, fmt="parquet")
    (folder / "README.txt").write_text("notes")
    (folder / "listings.json").write_text("[]")

    report = ingest_folder(folder, settings=get_settings(tmp_path / "ws"))

    assert report.skipped == ("README.txt", "_truth/", "listings.json")
    assert report.table("listings").source_file == "listings.csv"


def test_as_of_is_the_latest_time_unless_given(tmp_path: Path, market: Callable[..., Path]) -> None:
    folder = market()
    given = ingest_folder(folder, settings=get_settings(tmp_path / "a"), as_of="2026-04-01T08:00:00+08:00")
    default = ingest_folder(folder, settings=get_settings(tmp_path / "b"))

    assert given.as_of == datetime(2026, 4, 1, tzinfo=UTC) and not given.as_of_from_data
    assert default.as_of == LATEST
    assert given.fingerprint != default.fingerprint  # "recent" depends on it, so derived results do too
    assert snapshot_info(get_settings(tmp_path / "a")).as_of == datetime(2026, 4, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match="not an ISO-8601 time"):
        ingest_folder(folder, settings=get_settings(tmp_path / "c"), as_of="last tuesday")
    assert not (tmp_path / "c").exists()


def test_a_new_ingest_replaces_the_snapshot_whole(tmp_path: Path, market: Callable[..., Path]) -> None:
    settings = get_settings(tmp_path / "ws")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "fakescope.toml").write_text("[risk]\nrecent_days = 30\n")
    first = ingest_folder(market(name="one"), settings=settings)
    data = contract_market()
    data["listings"] = data["listings"][:1]
    data["orders"] = data["orders"][:1]
    data["reviews"] = data["reviews"][:1]
    del data["disputes"][0]["order_id"]
    data["disputes"][0]["listing_id"] = "L1"
    data["rights_holder_reports"][0]["listing_id"] = "L1"
    second = ingest_folder(market(data, name="two"), settings=settings)

    info = snapshot_info(settings)
    assert info.tables["listings"] == 1 and info.fingerprint == second.fingerprint != first.fingerprint
    assert info.source.endswith("two")
    assert sorted(p.name for p in (tmp_path / "ws").iterdir()) == ["fakescope.toml", "snapshot.duckdb"]


def test_status_needs_a_snapshot(tmp_path: Path) -> None:
    with pytest.raises(NotReady, match="fakescope ingest"):
        snapshot_info(get_settings(tmp_path / "nowhere"))


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        ingest_folder(tmp_path / "nowhere", settings=get_settings(tmp_path / "ws"))


def test_duckdb_settings_reach_the_loader(tmp_path: Path, market: Callable[..., Path]) -> None:
    folder = market()
    small = get_settings(tmp_path / "ok", analytics={"duckdb_memory_limit": "256MB", "duckdb_threads": 1})
    assert ingest_folder(folder, settings=small).table("listings").rows == 2

    wrong = get_settings(tmp_path / "bad", analytics={"duckdb_memory_limit": "plenty"})
    with pytest.raises(UsageError, match="DuckDB refused"):
        ingest_folder(folder, settings=wrong)
    assert not (tmp_path / "bad").exists()


def test_excel_style_csv_and_all_null_parquet_columns_load(tmp_path: Path) -> None:
    folder = write_market(tmp_path / "market", formats={"brands": "parquet"})
    # A byte-order mark and CRLF line ends, as spreadsheet programs write them.
    listings = folder / "listings.csv"
    listings.write_bytes(
        b"\xef\xbb\xbf" + listings.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    )
    # An optional column with no values at all has Parquet's null type.
    brands = pq.read_table(folder / "brands.parquet")
    brands = brands.set_column(brands.schema.get_field_index("rights_holder"), "rights_holder", pa.nulls(1))
    pq.write_table(brands, folder / "brands.parquet")

    report = ingest_folder(folder, settings=get_settings(tmp_path / "ws"))

    assert _query(report.snapshot, "SELECT listing_id, title FROM listings ORDER BY 1") == [
        ("L1", "Acme cream 50ml"),
        ("L2", "面霜 正品"),
    ]
    assert _query(report.snapshot, "SELECT brand_id, rights_holder FROM brands") == [("B1", None)]
