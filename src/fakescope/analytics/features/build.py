"""Assemble every feature for a set of anchors: listing, shop, seller, history, base rates and providers.

Intermediate results (the scope, listing activity) are materialised through the engine, so each is
computed once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from fakescope.analytics.features import activity as act
from fakescope.analytics.features.baserates import base_rates
from fakescope.analytics.features.catalog import builtin_features
from fakescope.analytics.features.entities import (
    days_between,
    listing_owners,
    owner_sums,
    scope_of,
    seller_facts,
    shop_facts,
)
from fakescope.analytics.features.identity import banned_links
from fakescope.analytics.features.providers import registered_providers
from fakescope.analytics.features.tables import SnapshotTables

# Columns carried beside the features for the reasons (not model inputs).
INFO_COLUMNS = ("price", "reference_price", "review_term", "dispute_term", "seller_link_field")

Progress = Callable[[str], None]
_names = itertools.count()


@dataclass
class FeatureFrame:
    """Features for anchors: keys, model features, info columns, and what the snapshot could supply."""

    table: pa.Table
    features: list[str]
    unavailable: dict[str, str]

    @property
    def available(self) -> list[str]:
        return [name for name in self.features if name not in self.unavailable]


def _ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    return numerator.cast("float64") / ibis.greatest(denominator, 1).cast("float64")


def listing_activity(
    tables: SnapshotTables, scope: ir.Table, *, recent_days: int, places: ir.Table | None = None
) -> ir.Table:
    """All per-listing activity of the scope in one table keyed (listing_id, as_of)."""
    parts = [
        act.order_activity(tables, scope, recent_days=recent_days, places=places),
        act.review_activity(tables, scope, recent_days=recent_days),
        act.dispute_activity(tables, scope, recent_days=recent_days),
        act.report_activity(tables, scope, recent_days=recent_days),
        act.verdict_history(tables, scope),
    ]
    out = parts[0]
    for part in parts[1:]:
        out = out.join(part, list(act.KEYS)).select(
            out, *[part[c] for c in part.columns if c not in act.KEYS]
        )
    return out


def peer_prices(tables: SnapshotTables, anchors: ir.Table) -> ir.Table:
    """Per (product_id, currency, as_of): the median price and number of listings of that product by then."""
    listings = tables["listings"]
    anchored = anchors.join(listings, "listing_id").select("product_id", "currency", anchors.as_of)
    wanted = anchored.filter(anchored.product_id.notnull()).distinct()
    peers = listings.select("product_id", "currency", "price", "listed_at")
    joined = wanted.join(
        peers,
        [
            wanted.product_id == peers.product_id,
            wanted.currency == peers.currency,
            peers.listed_at <= wanted.as_of,
        ],
    )
    return joined.group_by([wanted.product_id, wanted.currency, wanted.as_of]).aggregate(
        # exact median: approx_median is a different algorithm (and answer) on each engine
        peer_price=joined.price.median(),
        peers=joined.count(),
    )


def listing_table(
    tables: SnapshotTables, anchors: ir.Table, activity: ir.Table, *, recent_days: int, default_currency: str
) -> ir.Table:
    """Listing-level features of the anchors (from their materialised activity)."""
    listings, products = tables["listings"], tables["products"]
    base = anchors.join(listings, "listing_id").select(
        "listing_id", anchors.as_of, "product_id", "currency", "price", "listed_at"
    )
    base = base.left_join(products, "product_id").select(base, products.reference_price)
    peers = peer_prices(tables, anchors)
    base = base.left_join(peers, ["product_id", "currency", "as_of"]).select(
        base, peers.peer_price, peers.peers
    )
    a = base.join(activity, list(act.KEYS)).select(
        base, *[activity[c] for c in activity.columns if c not in act.KEYS]
    )
    same_currency = a.currency.fill_null(default_currency) == default_currency
    weekly = a.orders_recent.cast("float64") * 7.0 / float(recent_days)
    by_reason = {f"{r}_disputes": a[f"disputes_{r}"] for r in act.dispute_reasons()}
    five, one = _ratio(a.five_star, a.reviews), _ratio(a.one_star, a.reviews)
    return a.select(
        "listing_id",
        "as_of",
        age_days=days_between(a.as_of, a.listed_at),
        price_to_reference=ibis.ifelse(same_currency, a.price / a.reference_price, ibis.null("float64")),
        price_to_peers=a.price / ibis.greatest(a.peer_price, 0.01),
        peers=a.peers.fill_null(0),
        orders=a.orders,
        orders_recent=a.orders_recent,
        sales_spike=a.orders_week.cast("float64") / (weekly + 1.0),
        dispatch_places=a.dispatch_places,
        dispatch_places_recent=a.dispatch_places_recent,
        away_share=_ratio(a.orders_away, a.orders_placed),
        reviews=a.reviews,
        rating_mean=ibis.ifelse(
            a.reviews > 0, a.rating_sum.cast("float64") / a.reviews, ibis.null("float64")
        ),
        five_share=five,
        one_share=one,
        j_shape=2.0 * ibis.least(five, one),
        short_five_share=_ratio(a.short_five, a.reviews),
        throwaway_reviews=a.short_five_throwaway,
        throwaway_reviews_recent=a.short_five_throwaway_recent,
        fake_reviews=a.fake_reviews,
        fake_review_share=_ratio(a.fake_reviews, a.reviews),
        disputes=a.disputes,
        dispute_rate=_ratio(a.disputes, a.orders),
        **by_reason,
        counterfeit_disputes_recent=a.counterfeit_disputes_recent,
        counterfeit_dispute_rate=_ratio(a[f"disputes_{act.COUNTERFEIT_REASON}"], a.orders),
        buyer_won_share=_ratio(a.buyer_won, a.disputes),
        fake_dispute_texts=a.fake_dispute_texts,
        reports=a.reports,
        reports_recent=a.reports_recent,
        prior_counterfeit=a.prior_counterfeit,
        prior_genuine=a.prior_genuine,
        price=a.price,
        reference_price=a.reference_price,
        review_term=a.review_term,
        dispute_term=a.dispute_term,
    )


def _with_providers(
    tables: SnapshotTables, out: ir.Table, keyed: ir.Table, unavailable: dict[str, str]
) -> tuple[ir.Table, list[str]]:
    names: list[str] = []
    for provider in registered_providers():
        # From the keyed anchors, not `out`: selecting from the full feature join would run it all.
        wanted = keyed.select(provider.key, "as_of").distinct()
        built = provider.build(tables, wanted)
        names.extend(provider.features)
        if built is None:
            for feature in provider.features:
                unavailable[feature] = f"provider {provider.name} has nothing for this snapshot"
            out = out.mutate(**{f: ibis.null("float64") for f in provider.features})
            continue
        picked = built.select(provider.key, "as_of", *[built[f].cast("float64") for f in provider.features])
        out = out.left_join(picked, [provider.key, "as_of"]).select(
            out, *[picked[f] for f in provider.features]
        )
    return out, names


def feature_table(
    tables: SnapshotTables,
    anchors: ir.Table,
    *,
    recent_days: int,
    default_currency: str,
    unavailable: dict[str, str],
    progress: Progress | None = None,
) -> tuple[ir.Table, list[str]]:
    """The feature expression for the anchors and the provider features it adds (materialising as it goes)."""
    step = progress or (lambda _message: None)
    engine = tables.engine
    run = next(_names)
    step("scope")
    scope = engine.register(f"fs_scope_{run}", engine.to_arrow(scope_of(tables, anchors)))
    places = engine.register(f"fs_places_{run}", engine.to_arrow(act.place_keys(tables)))
    step("listing activity")
    activity = engine.register(
        f"fs_activity_{run}",
        engine.to_arrow(listing_activity(tables, scope, recent_days=recent_days, places=places)),
    )
    step("shops, sellers, history")
    owners = listing_owners(tables)
    keyed = (
        anchors.select("listing_id", "as_of")
        .join(owners, "listing_id")
        .select("listing_id", anchors.as_of, owners.shop_id, owners.seller_id)
    )
    out = keyed
    listing = listing_table(
        tables, anchors, activity, recent_days=recent_days, default_currency=default_currency
    )
    out = out.join(listing, list(act.KEYS)).select(
        out, *[listing[c] for c in listing.columns if c not in act.KEYS]
    )
    shop_anchors = keyed.select("shop_id", "as_of").distinct()
    seller_anchors = keyed.select("seller_id", "as_of").distinct()
    for level, facts in (
        ("shop", shop_facts(tables, shop_anchors)),
        ("seller", seller_facts(tables, seller_anchors)),
    ):
        sums = owner_sums(tables, activity, level)
        key = [f"{level}_id", "as_of"]
        out = out.left_join(sums, key).select(out, *[sums[c] for c in sums.columns if c not in key])
        out = out.left_join(facts, key).select(out, *[facts[c] for c in facts.columns if c not in key])
    links = banned_links(tables, seller_anchors)
    out = out.left_join(links, ["seller_id", "as_of"]).select(
        out, links.seller_banned_links, links.seller_link_fields, links.seller_link_field
    )
    out = out.fill_null({"seller_banned_links": 0, "seller_link_fields": 0})
    rates = base_rates(tables, anchors, places)
    out = out.left_join(rates, list(act.KEYS)).select(
        out, rates.brand_rate, rates.category_rate, rates.city_rate
    )
    out, provided = _with_providers(tables, out, keyed, unavailable)
    return out, provided


def source_availability(tables: SnapshotTables) -> dict[tuple[str, str | None], bool]:
    """Whether each (table, column) a feature reads holds anything in this snapshot."""
    wanted: dict[str, set[str]] = {}
    for feature in builtin_features():
        for table, column in feature.sources:
            wanted.setdefault(table, set())
            if column:
                wanted[table].add(column)
    found: dict[tuple[str, str | None], bool] = {}
    for table, columns in wanted.items():
        t = tables[table]
        counts = {"rows": t.count(), **{f"c_{c}": t[c].count() for c in sorted(columns)}}
        row = tables.engine.to_arrow(t.aggregate(**counts)).to_pylist()[0]
        found[(table, None)] = row["rows"] > 0
        for column in columns:
            found[(table, column)] = row[f"c_{column}"] > 0
    return found


@dataclass
class FeatureQuery:
    """Features for anchors as one expression still to run, with the feature names and what the snapshot
    could not supply (known before the expression runs)."""

    expr: ir.Table
    features: list[str]
    unavailable: dict[str, str]

    @property
    def available(self) -> list[str]:
        return [name for name in self.features if name not in self.unavailable]


def feature_query(
    tables: SnapshotTables,
    anchors: ir.Table,
    *,
    recent_days: int,
    default_currency: str = "CNY",
    progress: Progress | None = None,
) -> FeatureQuery:
    """Every feature for the anchors as one expression (its intermediate results already materialised)."""
    availability = source_availability(tables)
    unavailable: dict[str, str] = {}
    for feature in builtin_features():
        missing = [f"{t}.{c}" if c else f"{t} rows" for t, c in feature.sources if not availability[(t, c)]]
        if missing:
            unavailable[feature.name] = "the snapshot has no " + ", ".join(missing)
    expr, provided = feature_table(
        tables,
        anchors,
        recent_days=recent_days,
        default_currency=default_currency,
        unavailable=unavailable,
        progress=progress,
    )
    names = [f.name for f in builtin_features()] + provided
    return FeatureQuery(expr=expr, features=names, unavailable=unavailable)


def build_features(
    tables: SnapshotTables,
    anchors: ir.Table,
    *,
    recent_days: int,
    default_currency: str = "CNY",
    progress: Progress | None = None,
) -> FeatureFrame:
    """Run every feature for the anchors and return them as Arrow, with what the snapshot could not supply."""
    query = feature_query(
        tables, anchors, recent_days=recent_days, default_currency=default_currency, progress=progress
    )
    if progress:
        progress("features")
    table = tables.engine.to_arrow(query.expr)
    return FeatureFrame(table=table, features=query.features, unavailable=query.unavailable)
