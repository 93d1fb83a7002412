"""The tree model: XGBoost on decided verdicts with inverse-probability weights, and its contributions.

Pure NumPy in, NumPy out; saving and loading live in `artifact.py`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xgboost as xgb

PARAMS: dict[str, Any] = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "max_depth": 4,
    "eta": 0.05,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 2.0,
    "lambda": 2.0,
    "tree_method": "hist",
}
ROUNDS = 300


def fit_trees(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, features: list[str], *, nthread: int, seed: int = 0
) -> xgb.Booster:
    """Gradient-boosted trees on the labelled rows (weights rescaled to mean 1 for min_child_weight)."""
    scaled = weight * (len(weight) / weight.sum())
    data = xgb.DMatrix(x, label=y, weight=scaled, feature_names=features, missing=np.nan)
    params = {**PARAMS, "nthread": nthread, "seed": seed}
    return xgb.train(params, data, num_boost_round=ROUNDS)


def margins(booster: xgb.Booster, x: np.ndarray, features: list[str]) -> np.ndarray:
    """Raw log-odds of the trees for each row."""
    return np.asarray(booster.predict(_matrix(x, features), output_margin=True), dtype=float)


def contributions(booster: xgb.Booster, x: np.ndarray, features: list[str], *, exact: bool) -> np.ndarray:
    """Per-feature contributions to the margin (last column the bias): exact TreeSHAP or approximate."""
    if len(x) == 0:
        return np.zeros((0, len(features) + 1))
    out = booster.predict(_matrix(x, features), pred_contribs=True, approx_contribs=not exact)
    return np.asarray(out, dtype=float)


def _matrix(x: np.ndarray, features: list[str]) -> xgb.DMatrix:
    return xgb.DMatrix(x, feature_names=features, missing=np.nan)
