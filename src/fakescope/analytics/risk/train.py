"""`train`: fit the counterfeit-risk model on decided spot checks and save it as the next versioned artifact.

Trees learn from the earlier checks, calibration from the later slice; with no usable labels a transparent
rule model is saved instead and every score made with it says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from fakescope.analytics.engine import open_engine
from fakescope.analytics.features import DEFINITIONS_VERSION, builtin_features
from fakescope.analytics.risk import metrics
from fakescope.analytics.risk.artifact import save_artifact
from fakescope.analytics.risk.calibration import apply_calibration, fit_calibration
from fakescope.analytics.risk.frames import matrix, prepare, training_frame
from fakescope.analytics.risk.labels import CUTOFF_DAYS, MAX_WEIGHT, Labels, time_split
from fakescope.analytics.risk.model import PARAMS, ROUNDS, fit_trees, margins
from fakescope.settings import Settings
from fakescope.workspace import Workspace

Progress = Callable[[str], None]
# Below this many checks of either verdict the trees would learn noise; the rule model is used instead.
MIN_PER_CLASS = 5
WEIGHT_POLICY = (
    f"1/inclusion_probability, capped at {MAX_WEIGHT:g}; unknown probability: weight 1 (one certain pick)"
)


@dataclass
class TrainReport:
    """What training did: the version saved, labels used, features, metrics on the calibration slice."""

    model_version: str
    fallback: bool
    path: str
    labels: dict[str, int]
    features: list[str]
    left_out: dict[str, str]
    metrics: dict[str, Any] = field(default_factory=dict)
    best_feature: dict[str, Any] | None = None
    note: str = ""


def threads(settings: Settings) -> int:
    """Threads for XGBoost: the analytics thread setting, else 2 (the machine is shared)."""
    return int(settings.analytics.duckdb_threads or 2)


def best_single_feature(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, features: list[str], early: np.ndarray, late: np.ndarray
) -> dict[str, Any] | None:
    """The feature ranking the earlier checks best (by weighted ROC AUC), calibrated on the later slice."""
    best: tuple[float, int, float] | None = None
    for j in range(len(features)):
        column = x[early, j]
        fill = float(np.nanmin(x[:, j])) - 1.0 if np.isfinite(x[:, j]).any() else 0.0
        auc = metrics.roc_auc(y[early], np.nan_to_num(column, nan=fill), w[early])
        if auc is None:
            continue
        direction = 1.0 if auc >= 0.5 else -1.0
        strength = max(auc, 1 - auc)
        if best is None or strength > best[0]:
            best = (strength, j, direction)
    if best is None:
        return None
    _, j, direction = best
    fill = float(np.nanmin(x[:, j])) - 1.0 if np.isfinite(x[:, j]).any() else 0.0
    signed = direction * np.nan_to_num(x[:, j], nan=fill)
    return {
        "name": features[j],
        "direction": direction,
        "fill": fill,
        "calibration": fit_calibration(signed[late], y[late], w[late]),
    }


def single_feature_probability(best: dict[str, Any], values: np.ndarray) -> np.ndarray:
    """The best single feature turned into a probability by its own calibration."""
    signed = best["direction"] * np.nan_to_num(values, nan=best["fill"])
    return apply_calibration(best["calibration"], signed)


def fit_model(
    x: np.ndarray, labels: Labels, features: list[str], *, calibration_share: float, nthread: int
) -> dict[str, Any]:
    """Trees on the earlier checks, calibration and metrics on the later slice, best single feature beside."""
    y, w = labels.y.astype(float), labels.weight
    early, late = time_split(labels, calibration_share)
    booster = fit_trees(x[early], y[early], w[early], features, nthread=nthread)
    late_margin = margins(booster, x[late], features)
    calibration = fit_calibration(late_margin, y[late], w[late])
    probability = apply_calibration(calibration, late_margin)
    best = best_single_feature(x, y, w, features, early, late)
    found: dict[str, Any] = {"model": metrics.summary(y[late], probability, w[late])}
    if best is not None:
        feature_probability = single_feature_probability(best, x[late, features.index(best["name"])])
        found["best_feature"] = {
            "name": best["name"],
            **metrics.summary(y[late], feature_probability, w[late]),
        }
    return {"booster": booster, "calibration": calibration, "best": best, "metrics": found, "early": early}


def _window(labels: Labels, early: np.ndarray | None) -> dict[str, Any]:
    times = labels.table.column("checked_at").to_pylist()
    if not times:
        return {}
    window: dict[str, Any] = {"first_check": times[0], "last_check": times[-1]}
    if early is not None and early.any() and (~early).any():
        window["trees_until"] = times[int(np.flatnonzero(early)[-1])]
        window["calibration_from"] = times[int(np.flatnonzero(~early)[0])]
    return window


def train(
    settings: Settings, *, extra_labels: pa.Table | None = None, progress: Progress | None = None
) -> TrainReport:
    """Train on the snapshot's spot checks plus `extra_labels` (spot_checks columns) and save the next
    version."""
    step = progress or (lambda _m: None)
    workspace = Workspace(settings.workspace)
    with open_engine(settings) as engine:
        step("labels")
        prepared = prepare(engine, extra_labels)
        labels = prepared.labels
        counts = {
            "checks": prepared.checks.num_rows,
            "decided": labels.size,
            "counterfeit": labels.positives,
            "genuine": labels.size - labels.positives,
            "unknown_probability": int(
                np.isnan(
                    labels.table.column("inclusion_probability").to_numpy(zero_copy_only=False).astype(float)
                ).sum()
            ),
            "extra_used": prepared.extra_used.num_rows if prepared.extra_used is not None else 0,
            "extra_dropped_unknown_listing": prepared.extra_dropped,
        }
        manifest: dict[str, Any] = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "definitions_version": DEFINITIONS_VERSION,
            "data_fingerprint": prepared.tables.fingerprint,
            "snapshot_as_of": prepared.tables.as_of,
            "recent_days": settings.risk.recent_days,
            "cutoff_days": CUTOFF_DAYS,
            "labels": counts,
            "weights": WEIGHT_POLICY,
        }
        usable = labels.positives >= MIN_PER_CLASS and labels.size - labels.positives >= MIN_PER_CLASS
        if not usable:
            return _save_rule_model(workspace, manifest, prepared, counts, settings)
        table, frame = training_frame(prepared.tables, labels, settings, step)
        features = frame.available
        step("trees and calibration")
        x = matrix(table, features)
        fitted = fit_model(
            x, labels, features, calibration_share=settings.risk.calibration_share, nthread=threads(settings)
        )
    manifest.update(
        fallback=False,
        kind="xgboost",
        features=features,
        left_out=frame.unavailable,
        training_window=_window(labels, fitted["early"]),
        calibration=fitted["calibration"],
        best_feature=fitted["best"],
        metrics=fitted["metrics"],
        params={**PARAMS, "rounds": ROUNDS},
    )
    artifact = save_artifact(workspace, manifest, fitted["booster"], prepared.extra_used)
    return TrainReport(
        model_version=artifact.version,
        fallback=False,
        path=str(artifact.path),
        labels=counts,
        features=features,
        left_out=frame.unavailable,
        metrics=fitted["metrics"],
        best_feature=fitted["best"],
    )


def _save_rule_model(
    workspace: Workspace, manifest: dict[str, Any], prepared: Any, counts: dict[str, int], settings: Settings
) -> TrainReport:
    from fakescope.analytics.risk.rules import POINTS, PRICE_POINTS

    names = {f.name for f in builtin_features()}
    features = [n for n in [*POINTS, *PRICE_POINTS] if n in names]
    note = (
        f"not enough labels to train ({counts['counterfeit']} counterfeit, {counts['genuine']} genuine; "
        f"need {MIN_PER_CLASS} of each): scores use the transparent rule score, not a calibrated probability"
    )
    manifest.update(
        fallback=True,
        kind="rule",
        features=features,
        left_out={},
        note=note,
        training_window=_window(prepared.labels, None),
        metrics={},
    )
    artifact = save_artifact(workspace, manifest, None, prepared.extra_used)
    return TrainReport(
        model_version=artifact.version,
        fallback=True,
        path=str(artifact.path),
        labels=counts,
        features=features,
        left_out={},
        note=note,
    )
