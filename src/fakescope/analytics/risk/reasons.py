"""Plain-words reasons: the three features pushing a score up most, each phrased with its value.

"price 71% below reference", "6 counterfeit disputes in 90 days", "reviews say 假货 (4)"; features without a
phrase of their own fall back to their catalog description and value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from fakescope.analytics.features.providers import registered_providers

TOP_REASONS = 3
SEPARATOR = "; "

Row = Mapping[str, Any]
Phrase = Callable[[float, Row, int], "str | None"]


def _count(v: float) -> str:
    return f"{v:.0f}"


def _pct_off(v: float, what: str) -> str | None:
    if v < 1:
        return f"price {100 * (1 - v):.0f}% below {what}"
    return f"price {100 * (v - 1):.0f}% above {what}" if v > 1 else None


def _n(template: str) -> Phrase:
    """A count phrase, skipped when the count is zero (absence never explains a high score)."""
    return lambda v, row, days: template.format(n=_count(v), days=days) if v >= 0.5 else None


def _share(template: str) -> Phrase:
    return lambda v, row, days: template.format(pct=f"{100 * v:.0f}") if v > 0 else None


PHRASES: dict[str, Phrase] = {
    "price_to_reference": lambda v, row, days: _pct_off(v, "reference"),
    "price_to_peers": lambda v, row, days: _pct_off(v, "other listings of the product"),
    "fake_reviews": lambda v, row, days: (
        f"reviews say {row.get('review_term') or 'fake'} ({_count(v)})" if v >= 0.5 else None
    ),
    "fake_dispute_texts": lambda v, row, days: (
        f"disputes say {row.get('dispute_term') or 'fake'} ({_count(v)})" if v >= 0.5 else None
    ),
    "fake_review_share": _share("{pct}% of reviews call it fake"),
    "counterfeit_disputes": _n("{n} counterfeit disputes"),
    "counterfeit_disputes_recent": _n("{n} counterfeit disputes in {days} days"),
    "counterfeit_dispute_rate": _share("counterfeit disputes on {pct}% of orders"),
    "buyer_won_share": _share("buyers won {pct}% of disputes"),
    "reports": _n("{n} rights-holder reports"),
    "reports_recent": _n("{n} rights-holder reports in {days} days"),
    "throwaway_reviews": _n("{n} short 5-star reviews from throwaway buyers"),
    "throwaway_reviews_recent": _n("{n} short 5-star reviews from throwaway buyers in {days} days"),
    "short_five_share": _share("{pct}% short 5-star reviews"),
    "j_shape": _share("ratings split between 5 and 1 stars ({pct}%)"),
    "one_share": _share("{pct}% 1-star reviews"),
    "away_share": _share("{pct}% of orders sent from another city than listed"),
    "dispatch_places": _n("orders sent from {n} different cities"),
    "dispatch_places_recent": _n("orders sent from {n} cities in {days} days"),
    "sales_spike": lambda v, row, days: f"sales {v:.1f}x the usual week" if v >= 1.5 else None,
    "prior_counterfeit": _n("{n} earlier counterfeit verdicts on this listing"),
    "shop_prior_counterfeit": _n("{n} earlier counterfeit verdicts in the shop"),
    "seller_prior_counterfeit": _n("{n} earlier counterfeit verdicts for the seller"),
    "shop_counterfeit_disputes": _n("{n} counterfeit disputes across the shop"),
    "seller_counterfeit_disputes": _n("{n} counterfeit disputes across the seller's shops"),
    "shop_counterfeit_disputes_recent": _n("{n} counterfeit disputes across the shop in {days} days"),
    "seller_counterfeit_disputes_recent": _n("{n} counterfeit disputes across the seller in {days} days"),
    "shop_listings_disputed": _n("{n} of the shop's listings have counterfeit disputes"),
    "seller_listings_disputed": _n("{n} of the seller's listings have counterfeit disputes"),
    "shop_listings_fake_reviewed": _n("{n} of the shop's listings reviewed as fake"),
    "seller_listings_fake_reviewed": _n("{n} of the seller's listings reviewed as fake"),
    "shop_fake_reviews": _n("{n} reviews call the shop's items fake"),
    "seller_fake_reviews": _n("{n} reviews call the seller's items fake"),
    "shop_reports": _n("{n} rights-holder reports on the shop"),
    "seller_reports": _n("{n} rights-holder reports on the seller"),
    "seller_banned": lambda v, row, days: "seller is banned" if v >= 0.5 else None,
    "seller_banned_links": lambda v, row, days: (
        (
            f"seller shares {(row.get('seller_link_field') or 'an identity').replace('_', ' ')} "
            f"with {_count(v)} banned seller{'s' if v >= 1.5 else ''}"
        )
        if v >= 0.5
        else None
    ),
    "seller_shops_closed": _n("seller closed {n} shops"),
    "brand_rate": _share("brand's earlier verdicts {pct}% counterfeit"),
    "category_rate": _share("category's earlier verdicts {pct}% counterfeit"),
    "city_rate": _share("dispatch city's earlier verdicts {pct}% counterfeit"),
    "age_days": lambda v, row, days: f"listed {v:.0f} days ago",
    "shop_age_days": lambda v, row, days: f"shop opened {v:.0f} days ago",
    "seller_age_days": lambda v, row, days: f"seller registered {v:.0f} days ago",
}


def phrase_makers() -> dict[str, Phrase]:
    """Built-in phrases plus those registered providers bring for their features."""
    out = dict(PHRASES)
    for provider in registered_providers():
        for feature, template in provider.reasons.items():
            out[feature] = _template_phrase(template)
    return out


def _template_phrase(template: str) -> Phrase:
    def made(value: float, row: Row, days: int) -> str | None:
        return template.format(value=value) if value > 0 else None

    return made


class _RowView(Mapping[str, Any]):
    """Row i of a few info columns, without building a dict per row."""

    def __init__(self, columns: Mapping[str, Sequence[Any]], i: int) -> None:
        self._columns, self._i = columns, i

    def __getitem__(self, key: str) -> Any:
        return self._columns[key][self._i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def phrase(
    feature: str,
    value: float,
    row: Row,
    recent_days: int,
    descriptions: Mapping[str, str],
    makers: Mapping[str, Phrase] | None = None,
) -> str | None:
    """One reason in words, or None when this value does not make a sensible reason."""
    if value is None or math.isnan(value):
        return None
    maker = (makers if makers is not None else PHRASES).get(feature)
    if maker is not None:
        return maker(float(value), row, recent_days)
    return f"{descriptions.get(feature, feature.replace('_', ' '))}: {value:.3g}"


def reasons_from_contributions(
    contributions: np.ndarray,
    values: np.ndarray,
    features: Sequence[str],
    info: Mapping[str, Sequence[Any]],
    *,
    recent_days: int,
    descriptions: Mapping[str, str],
) -> list[str]:
    """For each row, the top three features pushing its score up, in words, joined by "; "."""
    out: list[str] = []
    if len(contributions) == 0:
        return out
    makers = phrase_makers()
    scores = contributions[:, : len(features)]
    # A few spare candidates so a reason that cannot be phrased gives way to the next one.
    spare = min(TOP_REASONS + 4, scores.shape[1])
    order = (
        np.argpartition(-scores, spare - 1, axis=1)[:, :spare]
        if spare < scores.shape[1]
        else np.argsort(-scores, axis=1)
    )
    ranked = np.take_along_axis(scores, order, axis=1)
    resort = np.argsort(-ranked, axis=1)
    order = np.take_along_axis(order, resort, axis=1)
    # Plain Python lists: indexing NumPy scalars row by row costs several times more.
    ranked_rows = np.take_along_axis(ranked, resort, axis=1).tolist()
    value_rows = np.take_along_axis(values, order, axis=1).tolist()
    order_rows = order.tolist()
    names = list(features)
    for i, (picks, ranks, vals) in enumerate(zip(order_rows, ranked_rows, value_rows, strict=True)):
        said: list[str] = []
        row = _RowView(info, i)
        for j, contribution, value in zip(picks, ranks, vals, strict=True):
            if contribution <= 0 or len(said) == TOP_REASONS:
                break
            text = phrase(names[j], value, row, recent_days, descriptions, makers)
            if text and text not in said:
                said.append(text)
        out.append(SEPARATOR.join(said) if said else "no strong signal")
    return out
