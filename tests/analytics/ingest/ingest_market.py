"""A tiny marketplace in the contract format, written as CSV or Parquet file by file, for ingest tests.

The smallest data that exercises every table, key and rule; tests break one thing at a time.
"""

from __future__ import annotations

import copy
import csv
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fakescope.contract import Kind, load_contract

Market = dict[str, list[dict[str, Any]]]

_BASE: Market = {
    "sellers": [
        {
            "seller_id": "00086",
            "registered_at": "2025-01-05T08:00:00Z",
            "legal_name": "杭州某某贸易有限公司",
            "phone": "+86 138-0013-8000",
            "bank_account": "8847 2457 0423 818",
            "province": "浙江省",
        },
        {"seller_id": "S2", "registered_at": "2025-02-01T00:00:00+08:00", "legal_name": "Li Wei"},
    ],
    "shops": [
        {"shop_id": "H1", "seller_id": "00086", "name": "美妆小店", "opened_at": "2025-01-06 09:30:00"},
        {
            "shop_id": "H2",
            "seller_id": "S2",
            "name": "Wei Outlet",
            "opened_at": "2025-02-02T00:00:00Z",
            "status": "closed",
            "closed_at": "2026-02-01T00:00:00Z",
        },
    ],
    "brands": [{"brand_id": "B1", "name": "Acme", "rights_holder": "Acme Ltd"}],
    "products": [
        {
            "product_id": "P1",
            "brand_id": "B1",
            "name": "Acme cream",
            "category": "cosmetics",
            "reference_price": 300.0,
        }
    ],
    "listings": [
        {
            "listing_id": "L1",
            "shop_id": "H1",
            "title": "Acme cream 50ml",
            "category": "cosmetics",
            "price": 129.9,
            "listed_at": "2026-03-01T08:15:00+08:00",
            "brand_id": "B1",
            "product_id": "P1",
            "image_hash": "0123456789abcdef",
        },
        {
            "listing_id": "L2",
            "shop_id": "H2",
            "title": "面霜 正品",
            "category": "cosmetics",
            "price": 0.0,
            "listed_at": "2026-03-02T00:00:00Z",
            "currency": "USD",
            "status": "removed",
        },
    ],
    "orders": [
        {
            "order_id": "O1",
            "listing_id": "L1",
            "buyer_id": "U1",
            "quantity": 2,
            "unit_price": 129.9,
            "ordered_at": "2026-03-03T10:00:00Z",
        },
        {
            "order_id": "O2",
            "listing_id": "L2",
            "buyer_id": "U2",
            "quantity": 1,
            "unit_price": 99.5,
            "ordered_at": "2026-03-04 12:00:00",
        },
    ],
    "reviews": [
        {
            "review_id": "R1",
            "listing_id": "L1",
            "rating": 5,
            "created_at": "2026-03-05T00:00:00Z",
            "order_id": "O1",
        },
        {
            "review_id": "R2",
            "listing_id": "L2",
            "rating": 1,
            "created_at": "2026-03-06T00:00:00Z",
            "text": "假货",
        },
    ],
    "disputes": [
        {
            "dispute_id": "D1",
            "listing_id": "L2",
            "opened_at": "2026-03-07T00:00:00Z",
            "reason": "counterfeit",
            "order_id": "O2",
            "outcome": "open",
        }
    ],
    "rights_holder_reports": [
        {"report_id": "RP1", "listing_id": "L2", "brand_id": "B1", "reported_at": "2026-03-08T00:00:00Z"}
    ],
    "spot_checks": [
        {
            "check_id": "C1",
            "listing_id": "L1",
            "checked_at": "2026-03-09T00:00:00Z",
            "verdict": "genuine",
            "inclusion_probability": 0.02,
        }
    ],
    "bans": [{"seller_id": "S2", "banned_at": "2026-03-10T00:00:00Z", "reason": "counterfeit"}],
}

# The latest time in _BASE: the as-of time an ingest of it must find.
LATEST = datetime(2026, 3, 10, tzinfo=UTC)


def contract_market() -> Market:
    """A fresh copy of the tiny valid marketplace."""
    return copy.deepcopy(_BASE)


def write_market(
    folder: Path,
    market: Market | None = None,
    *,
    fmt: str = "csv",
    formats: Mapping[str, str] | None = None,
) -> Path:
    """Write each table as NAME.csv or NAME.parquet (per `formats`, else `fmt`); returns the folder."""
    market = contract_market() if market is None else market
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in market.items():
        chosen = (formats or {}).get(table, fmt)
        columns = _columns(table, rows)
        if chosen == "csv":
            write_csv(folder / f"{table}.csv", columns, rows)
        else:
            write_parquet(folder / f"{table}.parquet", table, columns, rows)
    return folder


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """A UTF-8 CSV with a header; None is an empty field, everything else as str() writes it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])


def write_parquet(path: Path, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """A Parquet file with the contract's types: strings, int64, float64, timestamps in UTC."""
    spec = load_contract().table(table)
    arrays = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        kind = spec.column(name).kind if name in spec.column_names else None
        arrays[name] = _arrow(kind, values)
    pq.write_table(pa.table(arrays), path)


def _arrow(kind: Kind | None, values: list[Any]) -> pa.Array:
    if kind in (Kind.IDENTIFIER, Kind.TEXT):
        return pa.array(values, pa.string())
    if kind is Kind.INTEGER:
        return pa.array(values, pa.int64())
    if kind in (Kind.MONEY, Kind.PROBABILITY):
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    if kind is Kind.TIME:
        return pa.array([None if v is None else as_utc(v) for v in values], pa.timestamp("us", tz="UTC"))
    return pa.array(values)


def as_utc(value: str | datetime) -> datetime:
    """A contract time as an aware UTC datetime (no zone means UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _columns(table: str, rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return list(load_contract().table(table).column_names)
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    return columns


def tree_digest(root: Path) -> dict[str, str] | None:
    """Every file and folder under `root` with its SHA-256 (folders as 'dir'); None when `root` is absent."""
    if not root.exists():
        return None
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        found[relative] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found
