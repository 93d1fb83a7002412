"""The catalog of built-in features: each name, what it measures, and the snapshot columns it needs.

A feature whose source is empty in a snapshot is "unavailable" there: training leaves it out, scoring
refuses a
model that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fakescope.analytics.features.activity import dispute_reasons

# Bumped whenever a definition changes meaning, so an old model is not fed new semantics.
DEFINITIONS_VERSION = "1"


@dataclass(frozen=True)
class Feature:
    """One model feature: its column, a description, and (table, column or None for "any row") it reads."""

    name: str
    description: str
    sources: tuple[tuple[str, str | None], ...]


def _f(name: str, description: str, *sources: tuple[str, str | None]) -> Feature:
    return Feature(name, description, tuple(sources))


_ORD = ("orders", None)
_REV = ("reviews", None)
_DIS = ("disputes", None)
_CHK = ("spot_checks", None)


def _owner_features(level: str) -> list[Feature]:
    p = f"{level}_"
    return [
        _f(p + "listings", f"listings of the {level} listed by then"),
        _f(p + "listings_disputed", f"the {level}'s listings with a counterfeit dispute", _DIS),
        _f(
            p + "listings_fake_reviewed",
            f"the {level}'s listings with a review calling them fake",
            ("reviews", "text"),
        ),
        _f(p + "orders_recent", f"the {level}'s orders in the recent window", _ORD),
        _f(p + "counterfeit_disputes", f"counterfeit disputes over the {level}'s listings", _DIS),
        _f(
            p + "counterfeit_disputes_recent",
            f"recent counterfeit disputes over the {level}'s listings",
            _DIS,
        ),
        _f(p + "counterfeit_dispute_rate", f"counterfeit disputes per order, {level}", _DIS, _ORD),
        _f(p + "dispute_rate", f"disputes per order, {level}", _DIS, _ORD),
        _f(p + "buyer_won_share", f"share of the {level}'s disputes the buyer won", ("disputes", "outcome")),
        _f(p + "fake_reviews", f"reviews calling the {level}'s items fake", ("reviews", "text")),
        _f(
            p + "fake_review_share", f"share of the {level}'s reviews calling items fake", ("reviews", "text")
        ),
        _f(p + "one_star_share", f"share of 1-star reviews, {level}", _REV),
        _f(p + "throwaway_share", f"share of short 5-star reviews from throwaway buyers, {level}", _REV),
        _f(
            p + "away_share",
            f"share of the {level}'s orders sent from elsewhere",
            ("orders", "ship_from_city"),
        ),
        _f(
            p + "reports", f"rights-holder reports on the {level}'s listings", ("rights_holder_reports", None)
        ),
        _f(p + "prior_checks", f"earlier spot checks of the {level}'s listings", _CHK),
        _f(p + "prior_counterfeit", f"earlier counterfeit verdicts on the {level}'s listings", _CHK),
        _f(p + "prior_genuine", f"earlier genuine verdicts on the {level}'s listings", _CHK),
    ]


def builtin_features() -> tuple[Feature, ...]:
    """Every built-in feature, in model column order."""
    listing = [
        _f("age_days", "days since the listing went up"),
        _f(
            "price_to_reference",
            "price over the product's reference price",
            ("products", None),
            ("listings", "product_id"),
        ),
        _f(
            "price_to_peers",
            "price over the median of listings of the same product",
            ("listings", "product_id"),
        ),
        _f("peers", "listings of the same product", ("listings", "product_id")),
        _f("orders", "orders before as_of", _ORD),
        _f("orders_recent", "orders in the recent window", _ORD),
        _f("sales_spike", "last week's orders over the recent weekly average", _ORD),
        _f("dispatch_places", "distinct cities orders were sent from", ("orders", "ship_from_city")),
        _f("dispatch_places_recent", "distinct dispatch cities lately", ("orders", "ship_from_city")),
        _f(
            "away_share",
            "share of orders sent from another city than listed",
            ("orders", "ship_from_city"),
            ("listings", "ship_from_city"),
        ),
        _f("reviews", "reviews before as_of", _REV),
        _f("rating_mean", "mean rating", _REV),
        _f("five_share", "share of 5-star reviews", _REV),
        _f("one_share", "share of 1-star reviews", _REV),
        _f("j_shape", "both extremes high: twice the smaller of the 1-star and 5-star shares", _REV),
        _f("short_five_share", "share of short 5-star reviews", _REV),
        _f(
            "throwaway_reviews",
            "short 5-star reviews from buyers with few purchases",
            _REV,
            ("reviews", "buyer_id"),
        ),
        _f(
            "throwaway_reviews_recent",
            "recent short 5-star reviews from throwaway buyers",
            _REV,
            ("reviews", "buyer_id"),
        ),
        _f("fake_reviews", "reviews saying the item is fake", ("reviews", "text")),
        _f("fake_review_share", "share of reviews saying the item is fake", ("reviews", "text")),
        _f("disputes", "disputes before as_of", _DIS),
        _f("dispute_rate", "disputes per order", _DIS, _ORD),
        *[_f(f"{reason}_disputes", f"disputes with reason {reason}", _DIS) for reason in dispute_reasons()],
        _f("counterfeit_disputes_recent", "counterfeit disputes in the recent window", _DIS),
        _f("counterfeit_dispute_rate", "counterfeit disputes per order", _DIS, _ORD),
        _f("buyer_won_share", "share of disputes the buyer won", ("disputes", "outcome")),
        _f("fake_dispute_texts", "dispute texts saying the item is fake", ("disputes", "text")),
        _f("reports", "rights-holder reports on the listing", ("rights_holder_reports", None)),
        _f("reports_recent", "recent rights-holder reports", ("rights_holder_reports", None)),
        _f("prior_counterfeit", "earlier counterfeit verdicts on this listing", _CHK),
        _f("prior_genuine", "earlier genuine verdicts on this listing", _CHK),
        _f(
            "brand_rate",
            "smoothed counterfeit share of earlier verdicts on the brand",
            _CHK,
            ("listings", "brand_id"),
        ),
        _f("category_rate", "smoothed counterfeit share of earlier verdicts in the category", _CHK),
        _f(
            "city_rate",
            "smoothed counterfeit share of earlier verdicts on the dispatch city",
            _CHK,
            ("listings", "ship_from_city"),
        ),
    ]
    shop = [
        *_owner_features("shop"),
        _f("shop_age_days", "days since the shop opened"),
        _f("shop_closed", "the shop had closed"),
    ]
    seller = [
        *_owner_features("seller"),
        _f("seller_age_days", "days since the seller registered"),
        _f("seller_shops", "shops the seller had opened"),
        _f("seller_shops_closed", "the seller's shops that had closed", ("shops", "closed_at")),
        _f("seller_banned", "the seller was banned", ("bans", None)),
        _f(
            "seller_banned_links",
            "banned sellers sharing a phone, bank account, ID, device or address",
            ("bans", None),
        ),
        _f(
            "seller_link_fields",
            "how many kinds of identity value are shared with banned sellers",
            ("bans", None),
        ),
    ]
    return tuple(listing + shop + seller)
