"""Charts for evaluate: a reliability plot and a precision-recall curve, drawn with matplotlib's Agg backend.

Each curve set holds the model and the best single feature, so the gap between them is visible.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import precision_recall_curve

from fakescope.analytics.risk.metrics import reliability


def plot_reliability(
    path: Path, y: np.ndarray, w: np.ndarray, curves: dict[str, np.ndarray], *, title: str
) -> Path:
    """Predicted against observed counterfeit rate per probability bin, with the diagonal."""
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    for name, probability in curves.items():
        predicted, observed, _ = reliability(y, probability, w)
        ax.plot(predicted, observed, marker="o", label=name)
    ax.set(
        xlabel="predicted risk",
        ylabel="observed counterfeit rate",
        title=f"Reliability: {title}",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_precision_recall(
    path: Path, y: np.ndarray, w: np.ndarray, curves: dict[str, np.ndarray], *, title: str
) -> Path:
    """Precision against recall for each score."""
    fig, ax = plt.subplots(figsize=(6, 5))
    for name, score in curves.items():
        if y.sum() == 0:
            continue
        precision, recall, _ = precision_recall_curve(y, score, sample_weight=w)
        ax.plot(recall, precision, label=name)
    ax.set(
        xlabel="recall", ylabel="precision", title=f"Precision-recall: {title}", xlim=(0, 1), ylim=(0, 1.02)
    )
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
