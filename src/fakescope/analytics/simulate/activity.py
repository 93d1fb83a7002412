"""Orders, reviews and disputes for a block of listings, vectorised: organic sales, brushing bursts of short
5-star reviews, buyers who know they buy fakes, deceived buyers who complain, false accusations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fakescope.analytics.simulate import places, textops, vocab
from fakescope.analytics.simulate.listings import Listings
from fakescope.analytics.simulate.population import AS_OF, DAY
from fakescope.analytics.simulate.sink import times

REASONS = ("counterfeit", "not_as_described", "quality", "not_received", "other")
OUTCOMES = ("buyer_won", "seller_won", "open")
# Buyer classes: what the buyer got and knows.
GENUINE, KNOWING, NOTICED, UNAWARE, BRUSHED = 0, 1, 2, 3, 4
_RATING_P = np.array(
    [
        [0.06, 0.04, 0.08, 0.20, 0.62],
        [0.03, 0.03, 0.10, 0.24, 0.60],
        [0.50, 0.25, 0.15, 0.05, 0.05],
        [0.10, 0.06, 0.12, 0.22, 0.50],
        [0.00, 0.00, 0.00, 0.00, 1.00],
    ]
)
_REASON_P = {
    KNOWING: [0.10, 0.20, 0.30, 0.30, 0.10],
    NOTICED: [0.60, 0.15, 0.15, 0.05, 0.05],
    UNAWARE: [0.10, 0.25, 0.25, 0.30, 0.10],
}
_P_DISPUTE = {KNOWING: 0.02, NOTICED: 0.3, UNAWARE: 0.06, BRUSHED: 0.0}
# Review phrase groups: 0 none, 1 praise, 2 short praise, 3 "not fake", 4 "fake", 5 complaint,
# 6 knowing praise.
_GROUPS = (
    (),
    vocab.PRAISE,
    vocab.SHORT_PRAISE,
    vocab.NOT_FAKE,
    vocab.FAKE_CLAIM,
    vocab.COMPLAINT,
    vocab.KNOWING_PRAISE,
)
_PHRASES = [p for g in _GROUPS for p in g] or [""]
_OFFSET = np.cumsum([0] + [len(g) for g in _GROUPS])[:-1]
_SIZE = np.array([max(len(g), 1) for g in _GROUPS])
_DISPUTE_PHRASES = [p for r in REASONS for p in vocab.DISPUTE_TEXT[r]] + list(vocab.DISPUTE_NOT_FAKE)
_D_OFFSET = np.cumsum([0] + [len(vocab.DISPUTE_TEXT[r]) for r in REASONS])
_D_SIZE = np.array([len(vocab.DISPUTE_TEXT[r]) for r in REASONS])


@dataclass
class Counters:
    """Running id counters across blocks."""

    orders: int = 0
    reviews: int = 0
    disputes: int = 0
    brushers: int = 0


def _pick_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row from per-row probability vectors (rows of `probs`)."""
    cdf = np.cumsum(probs, axis=1)
    return (rng.random(len(probs))[:, None] > cdf[:, :-1]).sum(axis=1)


def simulate_block(
    rng: np.random.Generator,
    lst: Listings,
    lo: int,
    hi: int,
    counters: Counters,
    n_buyers: int,
    cf_disputes: np.ndarray,
) -> tuple[dict[str, object], dict[str, object], dict[str, object]]:
    """Orders, reviews and disputes (table columns) of listings lo..hi-1; counts counterfeit disputes."""
    idx = np.arange(lo, hi)
    organic = rng.poisson(lst.lam[idx])
    li = np.concatenate([np.repeat(idx, organic), np.repeat(idx, lst.burst[idx])])
    brushed = np.concatenate([np.zeros(organic.sum(), bool), np.ones(lst.burst[idx].sum(), bool)])
    n = len(li)
    listed, end = lst.listed[li], lst.end[li]
    span = np.maximum(end - listed - 60, 1)
    ordered = listed + 30 + (rng.random(n) * span).astype(np.int64)
    # A burst lands within a few days at one moment of the listing's life.
    burst_start = lst.listed[idx] + (
        rng.random(len(idx)) * np.maximum(lst.end[idx] - lst.listed[idx] - 6 * DAY, 1)
    ).astype(np.int64)
    in_burst = burst_start[li - lo] + (rng.random(n) * 5 * DAY).astype(np.int64)
    ordered = np.where(brushed, np.minimum(in_burst, end - 1), ordered)

    fake = lst.fake[li]
    knowing = fake & (rng.random(n) < lst.p_know[li])
    noticed = fake & ~knowing & (rng.random(n) < 0.45)
    klass = np.select([brushed, knowing, noticed, fake], [BRUSHED, KNOWING, NOTICED, UNAWARE], GENUINE)

    fans = max(100, n_buyers // 20)
    regular = (n_buyers * rng.random(n) ** 2).astype(np.int64)
    fan = n_buyers + (fans * rng.random(n) ** 1.5).astype(np.int64)
    n_brushed = int(brushed.sum())
    brush_accounts = n_buyers + fans + (counters.brushers + rng.permutation(n_brushed)) // 2
    counters.brushers += n_brushed
    buyer = np.where(knowing, fan, regular)
    buyer[brushed] = brush_accounts
    buyer_ids = textops.ids("U", buyer, 8)

    quantity = np.where(brushed | (rng.random(n) < 0.85), 1, 1 + rng.geometric(0.5, n))
    coupon = np.where(rng.random(n) < 0.1, rng.uniform(0.8, 0.95, n), 1.0)
    unit_price = np.round(lst.price[li] * coupon, 2)
    away = ~brushed & (rng.random(n) < lst.p_away[li])
    city = np.where(away, lst.hub[li], lst.city[li])
    away_random = away & (rng.random(n) < 0.15)
    city = np.where(away_random, rng.integers(0, places.N_CITIES, n), city)
    province_col, city_col = places.spell(rng, city, rng.random(n) < 0.96)
    order_num = counters.orders + 1 + np.arange(n)
    counters.orders += n
    order_ids = textops.ids("O", order_num, 9)
    listing_ids = textops.ids("L", li + 1, 7)
    orders = {
        "order_id": order_ids,
        "listing_id": listing_ids,
        "buyer_id": buyer_ids,
        "quantity": quantity,
        "unit_price": unit_price,
        "ordered_at": times(ordered),
        "ship_from_province": province_col,
        "ship_from_city": city_col,
    }

    # Reviews.
    p_review = np.select([brushed, knowing, noticed], [1.0, 0.5, 0.6], 0.42)
    created = ordered + np.where(brushed, rng.integers(DAY, 3 * DAY, n), rng.integers(DAY, 20 * DAY, n))
    has_review = (rng.random(n) < p_review) & (created < AS_OF)
    r = np.flatnonzero(has_review)
    rating = _pick_rows(rng, _RATING_P[klass[r]]) + 1
    kr = klass[r]
    u = rng.random(len(r))
    good = rating >= 4
    group = np.zeros(len(r), dtype=np.int64)
    plain = (kr == GENUINE) | (kr == UNAWARE)
    group = np.where(plain & good, np.select([u < 0.45, u < 0.55, u < 0.63], [1, 3, 2], 0), group)
    group = np.where(plain & (rating == 3), np.where(u < 0.5, 5, 0), group)
    group = np.where(plain & (rating <= 2), np.select([u < 0.06, u < 0.66], [4, 5], 0), group)
    group = np.where(
        kr == KNOWING,
        np.select(
            [good & (u < 0.25), good & (u < 0.55), good & (u < 0.6), ~good & (u < 0.4)], [6, 1, 3, 5], 0
        ),
        group,
    )
    group = np.where(kr == NOTICED, np.select([u < 0.6, u < 0.8], [4, 5], 0), group)
    group = np.where(kr == BRUSHED, np.where(u < 0.9, 2, 0), group)
    phrase = _OFFSET[group] + (rng.random(len(r)) * _SIZE[group]).astype(np.int64)
    review_num = counters.reviews + 1 + np.arange(len(r))
    counters.reviews += len(r)
    linked = rng.random(len(r)) < 0.95
    reviews = {
        "review_id": textops.ids("R", review_num, 9),
        "listing_id": listing_ids.take(r),
        "rating": rating,
        "created_at": times(created[r]),
        "order_id": textops.where(linked, order_ids.take(r)),
        "buyer_id": textops.where(linked | (rng.random(len(r)) < 0.5), buyer_ids.take(r)),
        "text": textops.pick(_PHRASES, phrase, group > 0),
    }

    # Disputes.
    genuine_p = lst.p_dispute[li]
    p_dispute = np.select(
        [brushed, knowing, noticed, fake],
        [0.0, _P_DISPUTE[KNOWING], _P_DISPUTE[NOTICED], _P_DISPUTE[UNAWARE]],
        genuine_p,
    )
    opened = ordered + rng.integers(2 * DAY, 30 * DAY, n)
    has_dispute = (rng.random(n) < p_dispute) & (opened < AS_OF)
    d = np.flatnonzero(has_dispute)
    kd = klass[d]
    accuse = lst.accuse[li[d]]
    genuine_probs = np.column_stack(
        [accuse, (1 - accuse) * 0.26, (1 - accuse) * 0.26, (1 - accuse) * 0.37, (1 - accuse) * 0.11]
    )
    probs = genuine_probs.copy()
    for k, row in _REASON_P.items():
        probs[kd == k] = row
    reason = _pick_rows(rng, probs)
    is_cf = reason == 0
    outcome_p = np.where(
        (is_cf & fake[d])[:, None],
        [0.6, 0.2, 0.2],
        np.where(is_cf[:, None], [0.25, 0.55, 0.2], [0.5, 0.35, 0.15]),
    )
    outcome = _pick_rows(rng, outcome_p)
    text_index = _D_OFFSET[reason] + (rng.random(len(d)) * _D_SIZE[reason]).astype(np.int64)
    not_fake_note = (reason == 1) & ~fake[d] & (rng.random(len(d)) < 0.1)
    text_index = np.where(
        not_fake_note, _D_OFFSET[-1] + rng.integers(0, len(vocab.DISPUTE_NOT_FAKE), len(d)), text_index
    )
    np.add.at(cf_disputes, li[d][is_cf], 1)
    dispute_num = counters.disputes + 1 + np.arange(len(d))
    counters.disputes += len(d)
    disputes = {
        "dispute_id": textops.ids("D", dispute_num, 8),
        "listing_id": listing_ids.take(d),
        "opened_at": times(opened[d]),
        "reason": textops.pick(REASONS, reason),
        "order_id": textops.where(rng.random(len(d)) < 0.97, order_ids.take(d)),
        "buyer_id": buyer_ids.take(d),
        "text": textops.pick(_DISPUTE_PHRASES, text_index, rng.random(len(d)) < 0.8),
        "outcome": textops.pick(OUTCOMES, outcome, rng.random(len(d)) < 0.97),
    }
    return orders, reviews, disputes
