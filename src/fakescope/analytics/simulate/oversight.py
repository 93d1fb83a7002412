"""What the platform and the brands already did: rights-holder reports (some wrong), past spot checks drawn
by a known design (a uniform part plus a crude old rule), and bans.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fakescope.analytics.simulate import textops, vocab
from fakescope.analytics.simulate.catalog import Catalog
from fakescope.analytics.simulate.listings import Listings
from fakescope.analytics.simulate.population import (
    CHEAP,
    DISCOUNTER,
    MIXED,
    PARALLEL,
    PREMIUM,
    REPLICA,
    Population,
)
from fakescope.analytics.simulate.sink import times

CHECK_SHARE = 0.02
UNIFORM_PART = 0.012
UNKNOWN_SHARE = 0.05


def _listing_ids(rows: np.ndarray) -> object:
    return textops.ids("L", rows + 1, 7)


def _between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + (rng.random(len(lo)) * np.maximum(hi - lo, 0)).astype(np.int64)


def rights_holder_reports(
    rng: np.random.Generator, lst: Listings, pop: Population, catalog: Catalog
) -> tuple[dict[str, object], np.ndarray]:
    """Brands report listings: most of their reports hit fakes, some hit cheap genuine goods.

    Returns the table's columns and which listings were reported."""
    style, kind = pop.style[lst.seller], pop.kind[lst.seller]
    cf = pop.counterfeit[lst.seller]
    p_fake = np.select(
        [style == REPLICA, style == CHEAP, style == PREMIUM, style == MIXED], [0.2, 0.12, 0.06, 0.1], 0.05
    )
    p_genuine = np.where(~cf & ((kind == DISCOUNTER) | (kind == PARALLEL)), 0.015, 0.001)
    eligible = (lst.brand >= 0) & catalog.brand_reports[np.maximum(lst.brand, 0)]
    reported = eligible & (rng.random(lst.n) < np.where(lst.fake, p_fake, p_genuine))
    rows = np.flatnonzero(reported)
    rows = np.concatenate([rows, rows[rng.random(len(rows)) < 0.08]])
    rows.sort()
    when = _between(rng, lst.listed[rows], lst.end[rows])
    return {
        "report_id": textops.ids("RH", np.arange(1, len(rows) + 1), 7),
        "listing_id": _listing_ids(rows),
        "brand_id": catalog.brand_ids.take(lst.brand[rows]),
        "reported_at": times(when),
        "claim": textops.pick(
            vocab.REPORT_CLAIMS,
            rng.integers(0, len(vocab.REPORT_CLAIMS), len(rows)),
            rng.random(len(rows)) < 0.9,
        ),
    }, reported


def inclusion_probabilities(lst: Listings, cf_disputes: np.ndarray) -> np.ndarray:
    """The old design, exactly: a uniform part for everyone plus a part for listings the crude rule picks."""
    rule = (np.nan_to_num(lst.ratio, nan=1.0) < 0.55) | (cf_disputes > 0)
    share = float(rule.mean()) if len(rule) else 0.0
    extra = min(0.5, (CHECK_SHARE - UNIFORM_PART) / share) if share > 0 else 0.0
    return np.minimum(UNIFORM_PART + extra * rule, 1.0)


def spot_checks(
    rng: np.random.Generator, lst: Listings, cf_disputes: np.ndarray, reported: np.ndarray
) -> dict[str, object]:
    """Past test purchases: Poisson sampling by the known design, plus a few of unknown design (null)."""
    pi = inclusion_probabilities(lst, cf_disputes)
    chosen = rng.random(lst.n) < pi
    # An old campaign on reported listings, whose design nobody recorded.
    n_unknown = round(UNKNOWN_SHARE * int(chosen.sum()))
    pool = np.flatnonzero(reported & ~chosen)
    unknown = (
        rng.choice(pool, min(n_unknown, len(pool)), replace=False)
        if len(pool)
        else np.array([], dtype=np.int64)
    )
    rows = np.concatenate([np.flatnonzero(chosen), unknown]).astype(np.int64)
    known = np.concatenate([np.ones(int(chosen.sum()), bool), np.zeros(len(unknown), bool)])
    order = np.argsort(rows, kind="stable")
    rows, known = rows[order], known[order]
    when = _between(rng, lst.listed[rows], lst.end[rows])
    verdict = np.where(lst.fake[rows], 0, 1)
    verdict = np.where(rng.random(len(rows)) < 0.04, 2, verdict)
    return {
        "check_id": textops.ids("C", np.arange(1, len(rows) + 1), 7),
        "listing_id": _listing_ids(rows),
        "checked_at": times(when),
        "verdict": textops.pick(("counterfeit", "genuine", "inconclusive"), verdict),
        "inclusion_probability": pa.array(pi[rows], type=pa.float64(), mask=~known),
    }


def bans(rng: np.random.Generator, pop: Population, seller_ids: object) -> dict[str, object]:
    """One row per banned seller."""
    rows = np.flatnonzero(pop.banned >= 0)
    reasons = vocab.BAN_REASONS
    pick = rng.integers(0, len(reasons), len(rows))
    return {
        "seller_id": seller_ids.take(rows),  # type: ignore[attr-defined]
        "banned_at": times(pop.banned[rows]),
        "reason": textops.pick(
            [r or "" for r in reasons], pick, np.array([reasons[i] is not None for i in pick], bool)
        ),
    }
