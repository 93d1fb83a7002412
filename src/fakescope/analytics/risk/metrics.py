"""Ranking and calibration metrics with weights: ROC AUC, average precision, precision@k, expected
calibration error.

Pure NumPy/scikit-learn; weights make a biased sample of checks speak for the whole population.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

ECE_BINS = 10


def _weights(y: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    return np.ones(len(y)) if weight is None else np.asarray(weight, dtype=float)


def roc_auc(y: np.ndarray, score: np.ndarray, weight: np.ndarray | None = None) -> float | None:
    """Area under the ROC curve; None when only one class is present."""
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, score, sample_weight=_weights(y, weight)))


def average_precision(y: np.ndarray, score: np.ndarray, weight: np.ndarray | None = None) -> float | None:
    """Average precision (area under the precision-recall curve); None without positives."""
    if y.sum() == 0:
        return None
    return float(average_precision_score(y, score, sample_weight=_weights(y, weight)))


def precision_at(y: np.ndarray, score: np.ndarray, k: int, weight: np.ndarray | None = None) -> float | None:
    """Weighted share of positives among the k highest scores (all rows when there are fewer)."""
    if len(y) == 0:
        return None
    top = np.argsort(-score, kind="stable")[: min(k, len(y))]
    w = _weights(y, weight)[top]
    return float((y[top] * w).sum() / w.sum())


def reliability(
    y: np.ndarray, probability: np.ndarray, weight: np.ndarray | None = None, bins: int = ECE_BINS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per equal-width bin: mean predicted probability, observed rate and weight (empty bins dropped)."""
    w = _weights(y, weight)
    index = np.clip((probability * bins).astype(int), 0, bins - 1)
    total = np.bincount(index, weights=w, minlength=bins)
    predicted = np.bincount(index, weights=w * probability, minlength=bins)
    observed = np.bincount(index, weights=w * y, minlength=bins)
    keep = total > 0
    return predicted[keep] / total[keep], observed[keep] / total[keep], total[keep]


def expected_calibration_error(
    y: np.ndarray, probability: np.ndarray, weight: np.ndarray | None = None, bins: int = ECE_BINS
) -> float | None:
    """Weighted mean gap between predicted and observed rates over equal-width probability bins."""
    if len(y) == 0:
        return None
    predicted, observed, total = reliability(y, probability, weight, bins)
    return float((np.abs(predicted - observed) * total).sum() / total.sum())


def summary(
    y: np.ndarray, probability: np.ndarray, weight: np.ndarray | None = None, k: int = 1000
) -> dict[str, float | None]:
    """The four headline metrics."""
    return {
        "roc_auc": roc_auc(y, probability, weight),
        "average_precision": average_precision(y, probability, weight),
        f"precision_at_{k}": precision_at(y, probability, k, weight),
        "ece": expected_calibration_error(y, probability, weight),
    }
