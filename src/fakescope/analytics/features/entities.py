"""Shop and seller features as of each anchor: their listings' activity summed, ages, shops, closures, bans.

A seller of fakes rarely shows it on one listing alone, so every listing also carries its shop's and seller's.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fakescope.analytics.features.tables import SnapshotTables

# Listing activity summed to shops and sellers (columns of the listing activity table).
SUMMED = (
    "orders",
    "orders_recent",
    "orders_placed",
    "orders_away",
    "reviews",
    "one_star",
    "short_five",
    "short_five_throwaway",
    "fake_reviews",
    "disputes",
    "disputes_counterfeit",
    "counterfeit_disputes_recent",
    "buyer_won",
    "fake_dispute_texts",
    "reports",
    "prior_checks",
    "prior_counterfeit",
    "prior_genuine",
)


def days_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Days from `earlier` to `later`, portable (epoch seconds)."""
    # float64 first: Spark's epoch seconds are a decimal, whose division rounds to 7 places.
    return (later.epoch_seconds().cast("float64") - earlier.epoch_seconds().cast("float64")) / 86400.0


def listing_owners(tables: SnapshotTables) -> ir.Table:
    """listing_id, shop_id, seller_id, listed_at for every listing."""
    listings, shops = tables["listings"], tables["shops"]
    joined = listings.join(shops, listings.shop_id == shops.shop_id)
    return joined.select(listings.listing_id, listings.shop_id, shops.seller_id, listings.listed_at)


def scope_of(tables: SnapshotTables, anchors: ir.Table) -> ir.Table:
    """The anchors and every other listing their sellers had listed by as_of: what shop/seller sums need."""
    owners = listing_owners(tables)
    sellers = anchors.join(owners, "listing_id").select(owners.seller_id, anchors.as_of).distinct()
    siblings = sellers.join(
        owners, [sellers.seller_id == owners.seller_id, owners.listed_at <= sellers.as_of]
    )
    siblings = siblings.select(owners.listing_id, sellers.as_of)
    return anchors.select("listing_id", "as_of").union(siblings, distinct=True)


def _ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    return numerator.cast("float64") / ibis.greatest(denominator, 1).cast("float64")


def owner_sums(tables: SnapshotTables, activity: ir.Table, level: str) -> ir.Table:
    """Listing activity summed over a shop's or seller's listings (`level` is `shop` or `seller`)."""
    owners = listing_owners(tables)
    joined = activity.join(owners, "listing_id").select(activity, owners[f"{level}_id"])
    key = [joined[f"{level}_id"], joined.as_of]
    summed = joined.group_by(key).aggregate(
        listings=joined.count(),
        listings_disputed=(joined.disputes_counterfeit > 0).sum(),
        listings_fake_reviewed=(joined.fake_reviews > 0).sum(),
        **{column: joined[column].sum() for column in SUMMED},
    )
    p = f"{level}_"
    return summed.select(
        f"{level}_id",
        "as_of",
        **{
            p + "listings": summed.listings,
            p + "listings_disputed": summed.listings_disputed,
            p + "listings_fake_reviewed": summed.listings_fake_reviewed,
            p + "orders_recent": summed.orders_recent,
            p + "counterfeit_disputes": summed.disputes_counterfeit,
            p + "counterfeit_disputes_recent": summed.counterfeit_disputes_recent,
            p + "counterfeit_dispute_rate": _ratio(summed.disputes_counterfeit, summed.orders),
            p + "dispute_rate": _ratio(summed.disputes, summed.orders),
            p + "buyer_won_share": _ratio(summed.buyer_won, summed.disputes),
            p + "fake_reviews": summed.fake_reviews,
            p + "fake_review_share": _ratio(summed.fake_reviews, summed.reviews),
            p + "one_star_share": _ratio(summed.one_star, summed.reviews),
            p + "throwaway_share": _ratio(summed.short_five_throwaway, summed.reviews),
            p + "away_share": _ratio(summed.orders_away, summed.orders_placed),
            p + "reports": summed.reports,
            p + "prior_checks": summed.prior_checks,
            p + "prior_counterfeit": summed.prior_counterfeit,
            p + "prior_genuine": summed.prior_genuine,
        },
    )


def shop_facts(tables: SnapshotTables, shop_anchors: ir.Table) -> ir.Table:
    """A shop's age and whether it had closed, as of each (shop_id, as_of)."""
    shops = tables["shops"]
    joined = shop_anchors.join(shops, "shop_id")
    return joined.select(
        shop_anchors.shop_id,
        shop_anchors.as_of,
        shop_age_days=days_between(shop_anchors.as_of, shops.opened_at),
        shop_closed=(shops.closed_at.notnull() & (shops.closed_at < shop_anchors.as_of)).cast("int64"),
    )


def seller_facts(tables: SnapshotTables, seller_anchors: ir.Table) -> ir.Table:
    """A seller's age, shops opened and closed, and whether the seller was banned, as of each anchor."""
    sellers, shops, bans = tables["sellers"], tables["shops"], tables["bans"]
    base = seller_anchors.join(sellers, "seller_id").select(
        seller_anchors.seller_id,
        seller_anchors.as_of,
        seller_age_days=days_between(seller_anchors.as_of, sellers.registered_at),
    )
    opened = seller_anchors.join(
        shops, [seller_anchors.seller_id == shops.seller_id, shops.opened_at < seller_anchors.as_of]
    )
    counts = opened.group_by([seller_anchors.seller_id, seller_anchors.as_of]).aggregate(
        seller_shops=opened.count(),
        seller_shops_closed=(opened.closed_at.notnull() & (opened.closed_at < opened.as_of)).sum(),
    )
    banned = seller_anchors.join(
        bans, [seller_anchors.seller_id == bans.seller_id, bans.banned_at < seller_anchors.as_of]
    )
    banned = banned.select(seller_anchors.seller_id, seller_anchors.as_of, seller_banned=ibis.literal(1))
    out = base.left_join(counts, ["seller_id", "as_of"]).select(
        base, counts.seller_shops, counts.seller_shops_closed
    )
    out = out.left_join(banned, ["seller_id", "as_of"]).select(out, banned.seller_banned)
    return out.fill_null({"seller_shops": 0, "seller_shops_closed": 0, "seller_banned": 0})
