"""The bar: a 50k-listing simulated marketplace, scored on active listings no spot check touched."""

from __future__ import annotations

import pytest

from fakescope.analytics.risk import evaluate, train


@pytest.mark.slow
def test_bar_at_50k(snapshot_settings, marketplace) -> None:
    settings = snapshot_settings(50_000, 1)
    trained = train(settings)
    assert not trained.fallback
    report = evaluate(settings, truth=marketplace(50_000, 1) / "_truth" / "listings.parquet")
    model, best = report.model, report.best_feature
    print(f"\nmodel {model}\nbest single feature {best}")
    assert report.rows > 30_000 and report.positives > 500
    assert model["roc_auc"] >= 0.95
    assert model["average_precision"] >= 0.6
    assert model["ece"] <= 0.03
    assert best["name"] and model["average_precision"] > best["average_precision"]
