"""Per-seller evidence for ring risk and ring reports: listings, GMV, verdicts, disputes, reports, dispatch.

Ibis expressions run on the analytics engine; `as_of` keeps only what was known before that moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa

if TYPE_CHECKING:
    from fakescope.analytics.rings.source import Source


def _before(table: ibis.Table, column: str, as_of: datetime | None) -> ibis.Table:
    return table if as_of is None else table.filter(table[column] < as_of)


def _owned_listings(engine: Source, members: ibis.Table, as_of: datetime | None) -> ibis.Table:
    listings = _before(engine.table("listings"), "listed_at", as_of)
    shops = engine.table("shops").select("shop_id", "seller_id")
    owned = listings.join(shops, "shop_id").select("listing_id", "seller_id", "currency")
    return owned.join(members, "seller_id").select("listing_id", "seller_id", "currency")


def seller_evidence(engine: Source, member_ids: pa.Array, as_of: datetime | None = None) -> pa.Table:
    """One row per given seller: listings, counterfeit/genuine verdicts, counterfeit disputes (all and won
    by the buyer), rights-holder reports."""
    members = engine.register("fakescope_ring_members", pa.table({"seller_id": member_ids}))
    owned = _owned_listings(engine, members, as_of)
    listing_counts = owned.group_by("seller_id").aggregate(listings=owned.listing_id.count())
    checks = _before(engine.table("spot_checks"), "checked_at", as_of).join(owned, "listing_id")
    verdicts = checks.group_by("seller_id").aggregate(
        counterfeit_verdicts=(checks.verdict == "counterfeit").cast("int64").sum(),
        genuine_verdicts=(checks.verdict == "genuine").cast("int64").sum(),
    )
    disputes = _before(engine.table("disputes"), "opened_at", as_of).join(owned, "listing_id")
    disputes = disputes.filter(disputes.reason == "counterfeit")
    dispute_counts = disputes.group_by("seller_id").aggregate(
        counterfeit_disputes=disputes.dispute_id.count(),
        counterfeit_disputes_won=(disputes.outcome == "buyer_won").cast("int64").sum(),
    )
    reports = _before(engine.table("rights_holder_reports"), "reported_at", as_of).join(owned, "listing_id")
    report_counts = reports.group_by("seller_id").aggregate(rights_holder_reports=reports.report_id.count())
    out = members
    for part in (listing_counts, verdicts, dispute_counts, report_counts):
        out = out.left_join(part, "seller_id").select(~ibis.selectors.endswith("_right"))
    counts = ["listings", "counterfeit_verdicts", "genuine_verdicts", "counterfeit_disputes",
              "counterfeit_disputes_won", "rights_holder_reports"]  # fmt: skip
    return engine.to_arrow(out.fill_null(dict.fromkeys(counts, 0)))


def seller_gmv(engine: Source, member_ids: pa.Array, as_of: datetime | None = None) -> pa.Table:
    """Order value per seller and currency (`seller_id, currency, gmv, orders`)."""
    members = engine.register("fakescope_ring_members_gmv", pa.table({"seller_id": member_ids}))
    owned = _owned_listings(engine, members, as_of)
    orders = _before(engine.table("orders"), "ordered_at", as_of).join(owned, "listing_id")
    value = orders.quantity.cast("float64") * orders.unit_price
    return engine.to_arrow(
        orders.group_by(["seller_id", "currency"]).aggregate(gmv=value.sum(), orders=orders.order_id.count())
    )


def seller_dispatch(engine: Source, member_ids: pa.Array, as_of: datetime | None = None) -> pa.Table:
    """Where each seller's orders ship from (`seller_id, province, city, orders`)."""
    members = engine.register("fakescope_ring_members_dispatch", pa.table({"seller_id": member_ids}))
    owned = _owned_listings(engine, members, as_of)
    orders = _before(engine.table("orders"), "ordered_at", as_of).join(owned, "listing_id")
    orders = orders.filter(orders.ship_from_city.notnull() | orders.ship_from_province.notnull())
    return engine.to_arrow(
        orders.group_by(["seller_id", orders.ship_from_province.name("province"),
                         orders.ship_from_city.name("city")]).aggregate(orders=orders.order_id.count())
    )  # fmt: skip
