"""The transparent rule score used when there are no labels: points per warning sign, summed, then squashed.

Every point is visible (it becomes a reason); the result ranks listings but is not a calibrated probability,
which every output says (explanation `rule`, fallback true).
"""

from __future__ import annotations

import numpy as np

# feature -> (points per unit, cap on units); a price feature scores how far below 1 it is.
POINTS: dict[str, tuple[float, float]] = {
    "counterfeit_disputes": (1.2, 3),
    "fake_reviews": (0.8, 3),
    "fake_dispute_texts": (0.8, 3),
    "reports": (1.0, 2),
    "seller_prior_counterfeit": (2.0, 2),
    "shop_prior_counterfeit": (1.0, 2),
    "seller_banned": (2.5, 1),
    "seller_banned_links": (1.5, 2),
    "seller_listings_disputed": (0.4, 5),
    "throwaway_reviews": (0.2, 5),
}
PRICE_POINTS: dict[str, float] = {"price_to_reference": 4.0, "price_to_peers": 2.0}
# Log-odds with no warning sign at all: about 2%.
BASE = -4.0


def rule_points(values: np.ndarray, features: list[str]) -> np.ndarray:
    """Points per row and feature (zeros for features the rules do not use), with a last bias column."""
    points = np.zeros((values.shape[0], len(features) + 1))
    for j, name in enumerate(features):
        column = np.nan_to_num(values[:, j], nan=0.0)
        if name in POINTS:
            weight, cap = POINTS[name]
            points[:, j] = weight * np.clip(column, 0, cap)
        elif name in PRICE_POINTS:
            below = np.where(np.isnan(values[:, j]), 0.0, np.clip(1.0 - values[:, j], 0.0, 1.0))
            points[:, j] = PRICE_POINTS[name] * below
    points[:, -1] = BASE
    return points


def rule_risk(points: np.ndarray) -> np.ndarray:
    """The rule score in [0, 1] (a logistic of the summed points)."""
    return 1.0 / (1.0 + np.exp(-points.sum(axis=1)))
