"""`evaluate`: how good the model is, beside the best single feature, with a reliability plot and a PR curve.

Without truth: a time-split holdout of spot checks (the newest share), a model trained on the older ones,
inverse-probability weighted. With a truth file (a simulation's): the saved model on active listings no spot
check touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fakescope.analytics.engine import open_engine
from fakescope.analytics.risk import metrics
from fakescope.analytics.risk.artifact import load_latest
from fakescope.analytics.risk.frames import matrix, prepare, training_frame
from fakescope.analytics.risk.labels import Labels
from fakescope.analytics.risk.plots import plot_precision_recall, plot_reliability
from fakescope.analytics.risk.score import listing_inputs, listing_scores
from fakescope.analytics.risk.train import fit_model, single_feature_probability, threads
from fakescope.errors import FieldInvalid, NotReady, UsageError
from fakescope.settings import Settings
from fakescope.workspace import Workspace

Progress = Callable[[str], None]
HOLDOUT_SHARE = 0.2
TOP_K = 1000


@dataclass
class EvaluationReport:
    """Metrics for the model and for the best single feature, on which rows, and the charts drawn."""

    mode: str
    rows: int
    positives: int
    model: dict[str, float | None]
    best_feature: dict[str, Any]
    charts: dict[str, str] = field(default_factory=dict)
    model_version: str | None = None


def _charts(
    workspace: Workspace, y: np.ndarray, w: np.ndarray, curves: dict[str, np.ndarray], title: str
) -> dict[str, str]:
    workspace.reports_dir.mkdir(parents=True, exist_ok=True)
    reliability = workspace.reports_dir / "risk_reliability.png"
    pr = workspace.reports_dir / "risk_precision_recall.png"
    plot_reliability(reliability, y, w, curves, title=title)
    plot_precision_recall(pr, y, w, curves, title=title)
    return {"reliability": str(reliability), "precision_recall": str(pr)}


def _holdout(settings: Settings, progress: Progress | None) -> EvaluationReport:
    with open_engine(settings) as engine:
        prepared = prepare(engine, None)
        labels = prepared.labels
        if labels.positives < 2 or labels.size - labels.positives < 2:
            raise NotReady(
                f"too few decided spot checks to evaluate ({labels.positives} counterfeit, "
                f"{labels.size - labels.positives} genuine)"
            )
        table, frame = training_frame(prepared.tables, labels, settings, progress)
    features = frame.available
    x = matrix(table, features)
    n_hold = max(1, round(labels.size * HOLDOUT_SHARE))
    cut = labels.size - n_hold
    older = Labels(labels.table.slice(0, cut))
    fitted = fit_model(
        x[:cut], older, features, calibration_share=settings.risk.calibration_share, nthread=threads(settings)
    )
    from fakescope.analytics.risk.calibration import apply_calibration
    from fakescope.analytics.risk.model import margins

    y, w = labels.y[cut:].astype(float), labels.weight[cut:]
    probability = apply_calibration(fitted["calibration"], margins(fitted["booster"], x[cut:], features))
    best = fitted["best"]
    curves = {"model": probability}
    report_best: dict[str, Any] = {}
    if best is not None:
        curves[f"best feature: {best['name']}"] = single_feature_probability(
            best, x[cut:, features.index(best["name"])]
        )
        report_best = {
            "name": best["name"],
            **metrics.summary(y, curves[f"best feature: {best['name']}"], w, TOP_K),
        }
    charts = _charts(
        Workspace(settings.workspace), y, w, curves, f"time-split holdout: newest {n_hold} checks"
    )
    return EvaluationReport(
        mode="holdout",
        rows=len(y),
        positives=int(y.sum()),
        model=metrics.summary(y, probability, w, TOP_K),
        best_feature=report_best,
        charts=charts,
    )


def _truth(settings: Settings, truth: Path, progress: Progress | None) -> EvaluationReport:
    if not truth.is_file():
        raise UsageError(f"truth file {truth} does not exist")
    try:
        known = pq.read_table(truth, columns=["listing_id", "counterfeit"])
    except Exception as exc:  # pyarrow raises several kinds for a bad file
        raise FieldInvalid(
            "truth", f"{truth} is not a Parquet file with listing_id, counterfeit: {exc}"
        ) from exc
    artifact = load_latest(Workspace(settings.workspace))
    with open_engine(settings) as engine:
        inputs = listing_inputs(settings, artifact, engine, progress)
        listings = engine.to_arrow(engine.table("listings").select("listing_id", "status"))
        checks = engine.to_arrow(engine.table("spot_checks").select("listing_id"))
    scored = listing_scores(settings, artifact, inputs, progress)
    touched = set(checks.column("listing_id").to_pylist())
    if artifact.extra_labels is not None:
        touched |= set(artifact.extra_labels.column("listing_id").to_pylist())
    active = set(
        listings.filter(pc.equal(listings.column("status"), "active")).column("listing_id").to_pylist()
    )
    truth_map = dict(
        zip(known.column("listing_id").to_pylist(), known.column("counterfeit").to_pylist(), strict=True)
    )
    ids = scored.table.column("listing_id").to_pylist()
    keep = np.array([i in active and i not in touched and i in truth_map for i in ids])
    y = np.array([bool(truth_map.get(i)) for i in ids], dtype=float)[keep]
    w = np.ones(len(y))
    risk = scored.table.column("risk").to_numpy()[keep]
    curves = {"model": risk}
    best = artifact.manifest.get("best_feature")
    report_best: dict[str, Any] = {}
    if best and best["name"] in scored.features:
        values = scored.feature_values(best["name"])[keep]
        label = f"best feature: {best['name']}"
        curves[label] = single_feature_probability(best, values)
        report_best = {"name": best["name"], **metrics.summary(y, curves[label], w, TOP_K)}
    charts = _charts(Workspace(settings.workspace), y, w, curves, "active listings no spot check touched")
    return EvaluationReport(
        mode="truth",
        rows=len(y),
        positives=int(y.sum()),
        model=metrics.summary(y, risk, w, TOP_K),
        best_feature=report_best,
        charts=charts,
        model_version=artifact.version,
    )


def evaluate(
    settings: Settings, *, truth: Path | None = None, progress: Progress | None = None
) -> EvaluationReport:
    """Evaluate on a time-split holdout of spot checks, or (with a truth file) on untouched active
    listings."""
    if truth is not None:
        return _truth(settings, Path(truth), progress)
    return _holdout(settings, progress)
