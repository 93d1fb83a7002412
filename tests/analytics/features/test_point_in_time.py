"""Features as of t use only rows from before t: changing anything after t leaves them as they were."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pyarrow as pa

from fakescope.analytics.engine import open_engine
from fakescope.analytics.features import build_features, register_anchors, snapshot_tables
from fakescope.settings import Settings
from fakescope.workspace import Workspace


def _features_at(settings: Settings, days_back: int) -> tuple[pa.Table, object]:
    with open_engine(settings) as engine:
        tables = snapshot_tables(engine)
        t = tables.as_of - timedelta(days=days_back)
        ids = engine.to_arrow(tables["listings"].select("listing_id")).column("listing_id")
        anchors = pa.table({"listing_id": ids, "as_of": pa.array([t] * len(ids), pa.timestamp("us"))})
        frame = build_features(tables, register_anchors(tables, "test_anchors", anchors), recent_days=90)
    return frame.table.sort_by("listing_id"), t


def _change_after(settings: Settings, t: object) -> None:
    """Orders, fake reviews, counterfeit disputes, reports, a verdict at t, bans and closures after t."""
    con = duckdb.connect(str(Workspace(settings.workspace).snapshot_db))
    try:
        con.execute("SET TimeZone = 'UTC'")
        after = "CAST(? AS TIMESTAMP) + INTERVAL 1 DAY"
        con.execute(
            "INSERT INTO orders (order_id, listing_id, buyer_id, quantity, unit_price, ordered_at, "
            "ship_from_city) "
            f"SELECT 'new-o-' || listing_id, listing_id, 'new-buyer', 3, 1.0, {after}, 'elsewhere' "
            "FROM listings LIMIT 200",
            [t],
        )
        con.execute(
            "INSERT INTO reviews (review_id, listing_id, rating, created_at, buyer_id, text) "
            f"SELECT 'new-r-' || listing_id, listing_id, 1, {after}, 'new-buyer', '假货, fake' "
            "FROM listings LIMIT 200",
            [t],
        )
        con.execute(
            "INSERT INTO disputes (dispute_id, listing_id, opened_at, reason, outcome, text) "
            f"SELECT 'new-d-' || listing_id, listing_id, {after}, 'counterfeit', 'buyer_won', "
            "'not authentic' "
            "FROM listings LIMIT 200",
            [t],
        )
        con.execute(
            "INSERT INTO rights_holder_reports (report_id, listing_id, brand_id, reported_at) "
            f"SELECT 'new-p-' || listing_id, listing_id, brand_id, {after} FROM listings "
            "WHERE brand_id IS NOT NULL LIMIT 200",
            [t],
        )
        # A verdict made exactly at t: its own features (as of t) must not see it.
        con.execute(
            "INSERT INTO spot_checks (check_id, listing_id, checked_at, verdict, inclusion_probability) "
            "SELECT 'new-c-' || listing_id, listing_id, CAST(? AS TIMESTAMP), 'counterfeit', 0.5 "
            "FROM listings LIMIT 200",
            [t],
        )
        con.execute(
            f"INSERT INTO bans (seller_id, banned_at) SELECT seller_id, {after} FROM sellers "
            "WHERE seller_id NOT IN (SELECT seller_id FROM bans) LIMIT 50",
            [t],
        )
        con.execute(f"UPDATE shops SET closed_at = {after}, status = 'closed' WHERE closed_at IS NULL", [t])
    finally:
        con.close()


def test_features_at_t_ignore_everything_after_t(snapshot_settings) -> None:
    settings = snapshot_settings(2_000, 3)
    before, t = _features_at(settings, days_back=60)
    _change_after(settings, t)
    after, _ = _features_at(settings, days_back=60)
    assert before.num_rows == 2_000
    assert after.equals(before)
    # The change is real: features as of now (after the inserted rows) do move.
    now_before = before.column("fake_reviews").to_pylist()
    now, _ = _features_at(settings, days_back=-2)
    assert sum(now.column("fake_reviews").to_pylist()) > sum(now_before)
    assert sum(now.column("seller_banned").to_pylist()) > sum(before.column("seller_banned").to_pylist())
