"""Calibration maps from a model margin (or one feature) to a probability: isotonic, or Platt when data
is thin.

Stored as plain numbers in the artifact, applied with NumPy; fitted on a later time slice than the trees.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

# Isotonic needs enough of both classes to draw a stable staircase; below this Platt's two numbers do.
MIN_ISOTONIC_PER_CLASS = 20


def fit_calibration(score: np.ndarray, y: np.ndarray, weight: np.ndarray) -> dict[str, Any]:
    """Fit a calibration map on (score, label, weight); returns its JSON-able parameters."""
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives == 0 or negatives == 0:
        rate = float(np.average(y, weights=weight)) if len(y) else 0.0
        return {"kind": "constant", "rate": rate}
    if min(positives, negatives) >= MIN_ISOTONIC_PER_CLASS:
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(score, y, sample_weight=weight)
        return {
            "kind": "isotonic",
            "x": [float(v) for v in iso.X_thresholds_],
            "y": [float(v) for v in iso.y_thresholds_],
        }
    platt = LogisticRegression(C=1e6)
    platt.fit(score.reshape(-1, 1), y, sample_weight=weight)
    return {"kind": "platt", "a": float(platt.coef_[0][0]), "b": float(platt.intercept_[0])}


def apply_calibration(params: dict[str, Any], score: np.ndarray) -> np.ndarray:
    """Probabilities from scores under a fitted map."""
    kind = params.get("kind")
    if kind == "isotonic":
        return np.interp(score, np.asarray(params["x"]), np.asarray(params["y"]))
    if kind == "platt":
        return 1.0 / (1.0 + np.exp(-(params["a"] * score + params["b"])))
    if kind == "constant":
        return np.full(len(score), float(params["rate"]))
    raise ValueError(f"unknown calibration kind {kind!r}")
