"""Per-listing activity as of each anchor: orders, reviews, disputes, reports and earlier verdicts before
`as_of`.

Counts are additive, so shops and sellers sum them over their listings; each function returns one row per
(listing_id, as_of) of the scope it is given, with zeros where nothing happened.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fakescope.analytics.features.tables import SnapshotTables
from fakescope.analytics.features.text import counterfeit_term, folded_text, is_claim
from fakescope.contract.model import load_contract

# A review this short (characters) says nothing; bursts of them with 5 stars are a paid-review sign.
SHORT_REVIEW_CHARS = 12
# A reviewer with at most this many purchases on the whole platform before `as_of` is a throwaway account.
FEW_PURCHASES = 2

KEYS = ("listing_id", "as_of")


def _contract_value(table: str, column: str, value: str) -> str:
    # The few enum values the features mean something by; fail loudly if the contract ever renames one.
    enum = load_contract().table(table).column(column).enum or ()
    if value not in enum:
        raise KeyError(f"contract {table}.{column} has no value {value!r}")
    return value


COUNTERFEIT_REASON = _contract_value("disputes", "reason", "counterfeit")
BUYER_WON = _contract_value("disputes", "outcome", "buyer_won")
COUNTERFEIT = _contract_value("spot_checks", "verdict", "counterfeit")
GENUINE = _contract_value("spot_checks", "verdict", "genuine")


def dispute_reasons() -> tuple[str, ...]:
    """The contract's dispute reasons, each a count feature."""
    return load_contract().table("disputes").column("reason").enum or ()


def place_key(place: ir.StringValue) -> ir.StringValue:
    """A place name made comparable: folded, no spaces, without a trailing 市/省/city."""
    key = folded_text(place).re_replace(r"\s+", "").re_replace("(市|省|city)$", "")
    return key.nullif("")


def place_keys(tables: SnapshotTables) -> ir.Table:
    """place, key: each distinct dispatch place of orders and listings with its `place_key`.

    Joined back by the raw value, so the string work runs once per place, not once per order.
    """
    orders, listings = tables["orders"], tables["listings"]
    raw = orders.select(place=orders.ship_from_city).union(
        listings.select(place=listings.ship_from_city), distinct=True
    )
    raw = raw.filter(raw.place.notnull())
    return raw.select("place", key=place_key(raw.place))


def keyed_place(table: ir.Table, column: str, places: ir.Table, name: str) -> ir.Table:
    """`table` with its place column's key added as `name` (null where the place is null or blank)."""
    joined = table.left_join(places, table[column] == places.place)
    return joined.select(table, **{name: places.key})


def _before(scope: ir.Table, events: ir.Table, time_column: str) -> ir.Table:
    """Scope rows joined with their listing's events that happened before the anchor's as_of."""
    return scope.join(
        events, [scope.listing_id == events.listing_id, events[time_column] < scope.as_of]
    ).select(*KEYS, *[c for c in events.columns if c not in KEYS])


def _recent(joined: ir.Table, time_column: str, days: int) -> ir.BooleanValue:
    return joined[time_column] >= joined.as_of - ibis.interval(days=days)


def _complete(scope: ir.Table, aggregated: ir.Table) -> ir.Table:
    """Left-join aggregates back onto the scope, zero-filling counts where nothing happened."""
    joined = (
        scope.select(*KEYS)
        .left_join(aggregated, list(KEYS))
        .select(scope.listing_id, scope.as_of, *[c for c in aggregated.columns if c not in KEYS])
    )
    numeric = {c: 0 for c in aggregated.columns if c not in KEYS and aggregated[c].type().is_numeric()}
    return joined.fill_null(numeric) if numeric else joined


def order_activity(
    tables: SnapshotTables, scope: ir.Table, *, recent_days: int, places: ir.Table | None = None
) -> ir.Table:
    """Orders, recent orders and units, last week's orders, dispatch places and orders sent from elsewhere.

    `places` is `place_keys(tables)`, passed in when the caller has materialised it.
    """
    places = place_keys(tables) if places is None else places
    listings = keyed_place(
        tables["listings"].select("listing_id", "ship_from_city"), "ship_from_city", places, "listed_city"
    ).select("listing_id", "listed_city")
    orders = keyed_place(
        tables["orders"].select("listing_id", "ordered_at", "quantity", "unit_price", "ship_from_city"),
        "ship_from_city",
        places,
        "city",
    ).drop("ship_from_city")
    joined = _before(scope, orders, "ordered_at")
    joined = joined.left_join(listings, "listing_id").select(joined, listings.listed_city)
    recent = _recent(joined, "ordered_at", recent_days)
    week = _recent(joined, "ordered_at", 7)
    away = joined.city.notnull() & joined.listed_city.notnull() & (joined.city != joined.listed_city)
    aggregated = joined.group_by(list(KEYS)).aggregate(
        orders=joined.count(),
        orders_recent=recent.sum(),
        orders_week=week.sum(),
        units_recent=ibis.ifelse(recent, joined.quantity, 0).sum(),
        gmv_recent=ibis.ifelse(recent, joined.quantity * joined.unit_price, 0.0).sum(),
        orders_placed=joined.city.notnull().sum(),
        orders_away=away.sum(),
        dispatch_places=joined.city.nunique(),
        dispatch_places_recent=ibis.ifelse(recent, joined.city, ibis.null()).nunique(),
    )
    return _complete(scope, aggregated)


def buyer_purchases(tables: SnapshotTables, buyers: ir.Table) -> ir.Table:
    """How many orders each (buyer_id, as_of) had placed anywhere on the platform before as_of."""
    orders = tables["orders"].select("buyer_id", "ordered_at")
    joined = buyers.join(orders, [buyers.buyer_id == orders.buyer_id, orders.ordered_at < buyers.as_of])
    return joined.group_by([buyers.buyer_id, buyers.as_of]).aggregate(purchases=joined.count())


def review_activity(tables: SnapshotTables, scope: ir.Table, *, recent_days: int) -> ir.Table:
    """Ratings, short 5-star reviews from throwaway buyers, and reviews that call the item fake."""
    raw = tables["reviews"]
    # Text facts once per review, before the join repeats a review for every anchor time after it.
    reviews = raw.select(
        "listing_id",
        "created_at",
        "rating",
        "buyer_id",
        short=raw.text.isnull() | (raw.text.length() <= SHORT_REVIEW_CHARS),
        term=counterfeit_term(raw.text),
    )
    joined = _before(scope, reviews, "created_at")
    buyers = joined.filter(joined.buyer_id.notnull()).select("buyer_id", "as_of").distinct()
    purchases = buyer_purchases(tables, buyers)
    joined = joined.left_join(purchases, ["buyer_id", "as_of"]).select(joined, purchases.purchases)
    short_five = (joined.rating == 5) & joined.short
    throwaway = short_five & (joined.purchases.fill_null(0) <= FEW_PURCHASES)
    fake = is_claim(joined.term)
    recent = _recent(joined, "created_at", recent_days)
    aggregated = joined.group_by(list(KEYS)).aggregate(
        reviews=joined.count(),
        reviews_recent=recent.sum(),
        rating_sum=joined.rating.sum(),
        five_star=(joined.rating == 5).sum(),
        one_star=(joined.rating == 1).sum(),
        short_five=short_five.sum(),
        short_five_throwaway=throwaway.sum(),
        short_five_throwaway_recent=(throwaway & recent).sum(),
        fake_reviews=fake.sum(),
        review_term=joined.term.max(),
    )
    return _complete(scope, aggregated)


def dispute_activity(tables: SnapshotTables, scope: ir.Table, *, recent_days: int) -> ir.Table:
    """Disputes by reason, counterfeit disputes lately, buyer-won disputes and dispute text claiming fakes."""
    raw = tables["disputes"]
    disputes = raw.select("listing_id", "opened_at", "reason", "outcome", term=counterfeit_term(raw.text))
    joined = _before(scope, disputes, "opened_at")
    recent = _recent(joined, "opened_at", recent_days)
    counterfeit = joined.reason == COUNTERFEIT_REASON
    by_reason = {f"disputes_{reason}": (joined.reason == reason).sum() for reason in dispute_reasons()}
    aggregated = joined.group_by(list(KEYS)).aggregate(
        disputes=joined.count(),
        disputes_recent=recent.sum(),
        **by_reason,
        counterfeit_disputes_recent=(counterfeit & recent).sum(),
        buyer_won=(joined.outcome == BUYER_WON).sum(),
        counterfeit_buyer_won=(counterfeit & (joined.outcome == BUYER_WON)).sum(),
        fake_dispute_texts=is_claim(joined.term).sum(),
        dispute_term=joined.term.max(),
    )
    return _complete(scope, aggregated)


def report_activity(tables: SnapshotTables, scope: ir.Table, *, recent_days: int) -> ir.Table:
    """Rights-holder reports on the listing, in all and lately."""
    reports = tables["rights_holder_reports"].select("listing_id", "reported_at")
    joined = _before(scope, reports, "reported_at")
    aggregated = joined.group_by(list(KEYS)).aggregate(
        reports=joined.count(), reports_recent=_recent(joined, "reported_at", recent_days).sum()
    )
    return _complete(scope, aggregated)


def verdict_history(tables: SnapshotTables, scope: ir.Table) -> ir.Table:
    """Spot checks of the listing made before as_of and their verdicts (never the check being predicted)."""
    checks = tables["spot_checks"].select("listing_id", "checked_at", "verdict")
    joined = _before(scope, checks, "checked_at")
    aggregated = joined.group_by(list(KEYS)).aggregate(
        prior_checks=joined.count(),
        prior_counterfeit=(joined.verdict == COUNTERFEIT).sum(),
        prior_genuine=(joined.verdict == GENUINE).sum(),
    )
    return _complete(scope, aggregated)
