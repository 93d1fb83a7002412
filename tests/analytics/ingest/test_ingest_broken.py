"""Each kind of broken input is refused by `fakescope ingest` with the place named, exit code 1, and a
workspace left byte-for-byte as it was (absent, or holding an earlier snapshot)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_market import Market, contract_market, tree_digest, write_csv, write_market

from fakescope.analytics.ingest import ingest_folder
from fakescope.errors import InvalidData
from fakescope.settings import get_settings


def _missing_table(m: Market, folder: Path) -> None:
    del m["orders"]


def _missing_column(m: Market, folder: Path) -> None:
    for row in m["listings"]:
        del row["title"]


def _wrong_type(m: Market, folder: Path) -> None:
    m["reviews"][0]["rating"] = "five"


def _duplicate_key(m: Market, folder: Path) -> None:
    m["listings"].append(dict(m["listings"][0], title="copy"))


def _dangling_foreign_key(m: Market, folder: Path) -> None:
    m["orders"][0]["listing_id"] = "L999"


def _bad_enum(m: Market, folder: Path) -> None:
    m["disputes"][0]["reason"] = "fake"


def _rating_six(m: Market, folder: Path) -> None:
    m["reviews"][0]["rating"] = 6


def _negative_price(m: Market, folder: Path) -> None:
    m["listings"][0]["price"] = -3


def _malformed_timestamp(m: Market, folder: Path) -> None:
    m["orders"][0]["ordered_at"] = "2026-02-30T10:00:00Z"


def _after_truncated_parquet(folder: Path) -> None:
    (folder / "listings.csv").unlink()
    write_market(folder, {"listings": contract_market()["listings"]}, fmt="parquet")
    data = (folder / "listings.parquet").read_bytes()
    (folder / "listings.parquet").write_bytes(data[: len(data) // 2])


def _after_stray_quote(folder: Path) -> None:
    with (folder / "listings.csv").open("a", encoding="utf-8") as handle:
        handle.write('L3,H1,"Acme cream 50ml,cosmetics,10,2026-03-01T00:00:00Z,,,,,,,\n')


def _after_zero_byte(folder: Path) -> None:
    (folder / "orders.csv").write_bytes(b"")


def _after_not_utf8(folder: Path) -> None:
    text = (folder / "sellers.csv").read_text(encoding="utf-8")
    (folder / "sellers.csv").write_bytes(text.encode("gb18030"))


def _after_two_files(folder: Path) -> None:
    write_market(folder, {"listings": contract_market()["listings"]}, fmt="parquet")


def _after_parquet_wrong_type(folder: Path) -> None:
    (folder / "listings.csv").unlink()
    rows = [dict(row, price=str(row["price"])) for row in contract_market()["listings"]]
    write_market(folder, {"listings": rows}, fmt="parquet")
    # write_parquet types columns from the contract, so retype price by hand as text.
    import pyarrow.parquet as pq

    table = pq.read_table(folder / "listings.parquet")
    index = table.schema.get_field_index("price")
    import pyarrow as pa

    table = table.set_column(index, "price", pa.array([str(v) for v in table["price"].to_pylist()]))
    pq.write_table(table, folder / "listings.parquet")


Break = tuple[Callable[[Market, Path], None] | None, Callable[[Path], None] | None, list[str]]

BROKEN: dict[str, Break] = {
    "missing table": (_missing_table, None, ["orders: required table is missing"]),
    "missing column": (_missing_column, None, ["listings, title: required column is missing"]),
    "wrong type": (_wrong_type, None, ["reviews, key R1, rating: wrong type: 'five' is not a whole number"]),
    "parquet wrong type": (
        None,
        _after_parquet_wrong_type,
        ["listings, price: wrong type: the column is VARCHAR in listings.parquet"],
    ),
    "duplicate key": (
        _duplicate_key,
        None,
        ["listings, key L1, listing_id: duplicate primary key: appears 2 times"],
    ),
    "dangling foreign key": (
        _dangling_foreign_key,
        None,
        ["orders, key O1, listing_id: dangling foreign key: no listings row has listing_id 'L999'"],
    ),
    "bad enum": (_bad_enum, None, ["disputes, key D1, reason: bad value: 'fake' is not one of"]),
    "rating of 6": (_rating_six, None, ["reviews, key R1, rating: out of range: 6 is above the maximum 5"]),
    "negative price": (
        _negative_price,
        None,
        ["listings, key L1, price: out of range: -3.0 is below the minimum 0"],
    ),
    "malformed timestamp": (
        _malformed_timestamp,
        None,
        ["orders, key O1, ordered_at: malformed timestamp: '2026-02-30T10:00:00Z'"],
    ),
    "truncated parquet": (
        None,
        _after_truncated_parquet,
        ["listings: listings.parquet, not a readable Parquet file"],
    ),
    "csv stray quote": (None, _after_stray_quote, ["listings: listings.csv, line 4:", "unterminated quote"]),
    "zero-byte file": (None, _after_zero_byte, ["orders: orders.csv is a zero-byte file"]),
    "not utf-8": (None, _after_not_utf8, ["sellers: sellers.csv, line 2:", "not utf-8"]),
    "two files for one table": (
        None,
        _after_two_files,
        ["listings: two files for one table: listings.csv and listings.parquet"],
    ),
}


def _broken_folder(root: Path, name: str) -> Path:
    change_market, change_files, _ = BROKEN[name]
    data = contract_market()
    folder = root / "broken"
    if change_market is not None:
        change_market(data, folder)
    write_market(folder, data)
    if change_files is not None:
        change_files(folder)
    return folder


@pytest.mark.parametrize("workspace_state", ["absent", "with snapshot"])
@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_input_is_refused_and_workspace_unchanged(
    name: str, workspace_state: str, tmp_path: Path, market: Callable[..., Path], cli: Callable[..., object]
) -> None:
    workspace = tmp_path / "workspace"
    if workspace_state == "with snapshot":
        first = cli("--workspace", workspace, "ingest", market())
        assert first.exit_code == 0, first.stderr  # type: ignore[attr-defined]
    before = tree_digest(workspace)
    folder = _broken_folder(tmp_path, name)

    result = cli("--workspace", workspace, "ingest", folder)

    assert result.exit_code == 1, result.said  # type: ignore[attr-defined]
    for fragment in BROKEN[name][2]:
        assert fragment.lower() in result.said.lower(), result.said  # type: ignore[attr-defined]
    assert tree_digest(workspace) == before
    # Nothing was left beside the workspace either (the snapshot is built there, then renamed in).
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".fakescope-ingest")]


def test_every_problem_is_gathered_with_counts(tmp_path: Path, market: Callable[..., Path]) -> None:
    data = contract_market()
    base = data["reviews"][0]
    data["reviews"] = [dict(base, review_id=f"R{i}", rating=9) for i in range(12)]
    data["listings"][1]["status"] = "sold"
    data["orders"][1]["quantity"] = 0

    with pytest.raises(InvalidData) as raised:
        ingest_folder(market(data), settings=get_settings(tmp_path / "workspace"))

    lines = raised.value.summary()
    assert sum("reviews" in line and "rating: out of range: 9" in line for line in lines) == 5
    assert "  ... and 7 more like this (12 in all)" in lines
    assert any(line.startswith("listings, key L2, status: bad value: 'sold'") for line in lines)
    assert any(
        line.startswith("orders, key O2, quantity: out of range: 0 is below the minimum 1") for line in lines
    )
    assert raised.value.counts[("reviews", "rating", "range")] == 12
    assert not (tmp_path / "workspace").exists()


def test_rows_are_numbered_in_file_order_when_a_key_is_missing(
    tmp_path: Path, market: Callable[..., Path]
) -> None:
    data = contract_market()
    data["orders"][1]["order_id"] = None

    with pytest.raises(InvalidData) as raised:
        ingest_folder(market(data), settings=get_settings(tmp_path / "workspace"))

    assert raised.value.summary() == [
        "orders, row 2, order_id: required value is missing",
        # The dispute on that order now points at nothing.
        "disputes, key D1, order_id: dangling foreign key: no orders row has order_id 'O2'",
    ]


def test_parquet_values_are_checked_like_csv(tmp_path: Path, market: Callable[..., Path]) -> None:
    data = contract_market()
    data["spot_checks"][0]["inclusion_probability"] = 0.0
    data["products"][0]["reference_price"] = 0.0
    data["listings"][0]["image_hash"] = "0123456789abcdeg"

    with pytest.raises(InvalidData) as raised:
        ingest_folder(market(data, fmt="parquet"), settings=get_settings(tmp_path / "workspace"))

    assert sorted(raised.value.summary()) == [
        "listings, key L1, image_hash: bad value: '0123456789abcdeg' does not match ^[0-9A-Fa-f]{16}$",
        "products, key P1, reference_price: out of range: 0.0 is not above 0",
        "spot_checks, key C1, inclusion_probability: out of range: 0.0 is not above 0",
    ]


def test_a_table_in_another_format_is_named_when_missing(tmp_path: Path, market: Callable[..., Path]) -> None:
    folder = market()
    (folder / "orders.csv").rename(folder / "orders.xlsx")

    with pytest.raises(InvalidData) as raised:
        ingest_folder(folder, settings=get_settings(tmp_path / "workspace"))

    assert raised.value.summary() == [
        f"orders: required table is missing: no orders.parquet or orders.csv in {folder} "
        "(found orders.xlsx: only Parquet and CSV are read)"
    ]


def test_a_column_differing_only_in_case_is_named(tmp_path: Path, market: Callable[..., Path]) -> None:
    folder = market()
    write_csv(folder / "brands.csv", ["brand_id", "Name"], [{"brand_id": "B1", "Name": "Acme"}])

    with pytest.raises(InvalidData) as raised:
        ingest_folder(folder, settings=get_settings(tmp_path / "workspace"))

    assert raised.value.summary() == [
        "brands, name: required column is missing from brands.csv",
        "brands, Name: column 'Name' differs from the contract's 'name' only in case; rename it",
    ]


def test_a_csv_separated_by_semicolons_is_named(tmp_path: Path, market: Callable[..., Path]) -> None:
    folder = market()
    (folder / "brands.csv").write_text("brand_id;name\nB1;Acme\n", encoding="utf-8")

    with pytest.raises(InvalidData) as raised:
        ingest_folder(folder, settings=get_settings(tmp_path / "workspace"))

    assert raised.value.summary() == [
        "brands: brands.csv, line 1: the header is one column; fields must be separated by ',' not ';'"
    ]


def test_a_required_column_cannot_be_blank_in_csv(tmp_path: Path, market: Callable[..., Path]) -> None:
    folder = market()
    write_csv(folder / "brands.csv", ["brand_id", "name"], [{"brand_id": "B1", "name": ""}])

    with pytest.raises(InvalidData) as raised:
        ingest_folder(folder, settings=get_settings(tmp_path / "workspace"))

    assert raised.value.summary() == ["brands, key B1, name: required value is missing"]
