"""`score`: risk for every listing, shop and seller from the newest model, each with three reasons in words.

Exact SHAP contributions explain the top `explain_top_n` listings, approximate ones the rest; written to the
derived tables `scores_listing`, `scores_shop`, `scores_seller` that `plan` and the service read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fakescope.analytics.derived import write_derived
from fakescope.analytics.engine import open_engine
from fakescope.analytics.features import (
    DEFINITIONS_VERSION,
    FeatureFrame,
    FeatureQuery,
    builtin_features,
    snapshot_tables,
)
from fakescope.analytics.risk.artifact import Artifact, load_latest
from fakescope.analytics.risk.calibration import apply_calibration
from fakescope.analytics.risk.frames import (
    ScoringInputs,
    info_columns,
    scoring_inputs,
    scoring_query,
    with_checks,
)
from fakescope.analytics.risk.model import contributions, margins
from fakescope.analytics.risk.reasons import reasons_from_contributions
from fakescope.analytics.risk.rules import rule_points, rule_risk
from fakescope.errors import ArtifactError
from fakescope.settings import Settings
from fakescope.workspace import Workspace

Progress = Callable[[str], None]
LEVELS = ("listing", "shop", "seller")
# A listing at or above this risk counts as high-risk in shop and seller summaries.
HIGH_RISK = 0.5
# Rows explained at a time: bounds the contribution matrix held at once (~100 MB at 100k rows).
CHUNK_ROWS = 100_000


@dataclass
class ListingScores:
    """Scores of every listing, riskiest first, with the model matrix they came from (reused by evaluate)."""

    table: pa.Table
    matrix: np.ndarray
    features: list[str]
    frame_order: np.ndarray

    def feature_values(self, name: str) -> np.ndarray:
        """One feature's values in the table's (riskiest-first) order."""
        return self.matrix[self.frame_order, self.features.index(name)]


@dataclass
class ScoreReport:
    """What scoring wrote: rows per level, the model version, fallback, explanation counts, table paths."""

    model_version: str
    fallback: bool
    listings: int
    shops: int
    sellers: int
    exact: int
    approximate: int
    paths: dict[str, str]
    snapshot_fingerprint: str


def check_fits(artifact: Artifact, frame: FeatureFrame | FeatureQuery) -> None:
    """Refuse a model whose features this snapshot cannot supply, or built on other definitions."""
    if artifact.manifest.get("definitions_version") != DEFINITIONS_VERSION:
        raise ArtifactError(
            f"model {artifact.version} was built with feature definitions "
            f"{artifact.manifest.get('definitions_version')!r}, this fakescope has {DEFINITIONS_VERSION!r}: "
            "run `fakescope train` again"
        )
    if artifact.fallback:
        return
    missing = [f for f in artifact.features if f not in frame.features]
    empty = {f: frame.unavailable[f] for f in artifact.features if f in frame.unavailable}
    if missing or empty:
        problems = [f"{f} (not defined here)" for f in missing] + [f"{f} ({why})" for f, why in empty.items()]
        raise ArtifactError(
            f"model {artifact.version} needs features this snapshot cannot supply: {'; '.join(problems[:8])}"
            + (f" and {len(problems) - 8} more" if len(problems) > 8 else "")
            + ". Train a model on this data with `fakescope train`.",
            features=missing + list(empty),
        )


def _chunks(rows: np.ndarray) -> list[np.ndarray]:
    return [rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)]


def listing_inputs(
    settings: Settings, artifact: Artifact, engine: Any, progress: Progress | None
) -> ScoringInputs:
    """The model matrix of every listing of the snapshot, with its keys and the columns reasons quote.

    Checks the model fits before the features run. The caller closes the engine before `listing_scores`,
    so the engine's memory is gone before the model's work starts."""
    step = progress or (lambda _m: None)
    tables = with_checks(engine, snapshot_tables(engine), artifact.extra_labels)
    query = scoring_query(tables, settings, step)
    check_fits(artifact, query)
    step("features")
    return scoring_inputs(engine, query, artifact.features)


def _margins(booster: Any, x: np.ndarray, features: list[str]) -> np.ndarray:
    # A chunk at a time: the booster's own copy of the matrix then stays one chunk large.
    parts = [margins(booster, x[r], features) for r in _chunks(np.arange(len(x)))]
    return np.concatenate(parts) if parts else np.zeros(0)


def listing_scores(
    settings: Settings, artifact: Artifact, inputs: ScoringInputs, progress: Progress | None
) -> ListingScores:
    """Risk, reasons and explanation kind for every listing of `listing_inputs`."""
    step = progress or (lambda _m: None)
    features = artifact.features
    x, keys, info = inputs.x, inputs.keys, inputs.info
    step("risk")
    n = len(x)
    booster = artifact.booster
    if booster is None:
        parts = [rule_risk(rule_points(x[r], features)) for r in _chunks(np.arange(n))]
        risk = np.concatenate(parts) if parts else np.zeros(0)
        order = np.argsort(-risk, kind="stable")
        groups: list[tuple[np.ndarray, bool]] = [(np.arange(n), False)]
        explanation = pa.repeat(pa.scalar("rule"), n)
    else:
        margin = _margins(booster, x, features)
        risk = apply_calibration(artifact.manifest["calibration"], margin)
        order = np.lexsort((-margin, -risk))
        top = order[: min(settings.risk.explain_top_n, n)]
        exact = np.zeros(n, dtype=bool)
        exact[top] = True
        # Rows in frame order within each group, so the chunks read the matrix mostly in sequence.
        groups = [(np.sort(top), True), (np.flatnonzero(~exact), False)]
        explanation = pa.array(np.where(exact, "exact", "approximate"), pa.string())
    descriptions = {f.name: f.description for f in builtin_features()}
    reasons = np.empty(n, dtype=object)
    # Contributions and reasons a chunk at a time: a full n x features contribution matrix is
    # the largest thing scoring would otherwise hold, and reasons only need each row's top few.
    for rows, exact_group in groups:
        step("reasons (exact)" if exact_group else "reasons")
        for chunk in _chunks(rows):
            values = x[chunk]
            if booster is None:
                contrib = rule_points(values, features)
            else:
                contrib = contributions(booster, values, features, exact=exact_group)
            reasons[chunk] = reasons_from_contributions(
                contrib,
                values,
                features,
                info_columns(info.take(pa.array(chunk))),
                recent_days=settings.risk.recent_days,
                descriptions=descriptions,
            )
    table = pa.table(
        {
            "listing_id": keys.column("listing_id"),
            "shop_id": keys.column("shop_id"),
            "seller_id": keys.column("seller_id"),
            "risk": pa.array(risk, pa.float64()),
            "reasons": pa.array(reasons, pa.string()),
            "explanation": explanation,
            "model_version": pa.repeat(pa.scalar(artifact.version), n),
        }
    )
    # Riskiest first, ties by tree margin: the same order that chose which rows get exact explanations.
    return ListingScores(table=table.take(pa.array(order)), matrix=x, features=features, frame_order=order)


def owner_scores(listings: pa.Table, level: str) -> pa.Table:
    """Shop or seller scores from their listings: the riskiest listing's risk and reasons, with counts."""
    key = f"{level}_id"
    ordered = listings.filter(pc.is_valid(listings.column(key)))
    ordered = ordered.sort_by([("risk", "descending"), ("listing_id", "ascending")])
    encoded = pc.dictionary_encode(ordered.column(key)).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    groups = len(encoded.dictionary)
    # After the sort, a group's first row is its riskiest listing (ties by listing_id).
    _, first = np.unique(codes, return_index=True)
    risk = ordered.column("risk").to_numpy(zero_copy_only=False)
    total = np.bincount(codes, minlength=groups)
    high = np.bincount(codes, weights=(risk >= HIGH_RISK).astype(float), minlength=groups).astype(np.int64)
    expected = np.bincount(codes, weights=risk, minlength=groups)
    top = ordered.take(pa.array(first))
    reasons = [
        f"{h} of {t} listings high-risk; riskiest {lid}: {why}"
        for h, t, lid, why in zip(
            high.tolist(),
            total.tolist(),
            top.column("listing_id").to_pylist(),
            top.column("reasons").to_pylist(),
            strict=True,
        )
    ]
    columns: dict[str, Any] = {key: top.column(key).cast(pa.string())}
    if level == "shop":
        columns["seller_id"] = top.column("seller_id").cast(pa.string())
    columns.update(
        risk=top.column("risk"),
        reasons=pa.array(reasons, pa.string()),
        explanation=top.column("explanation"),
        model_version=top.column("model_version"),
        listings=pa.array(total, pa.int64()),
        high_risk_listings=pa.array(high, pa.int64()),
        expected_counterfeit_listings=pa.array(expected, pa.float64()),
        riskiest_listing_id=top.column("listing_id"),
    )
    table = pa.table(columns)
    return table.sort_by([("risk", "descending"), (key, "ascending")])


def score(settings: Settings, *, progress: Progress | None = None) -> ScoreReport:
    """Score every listing, shop and seller with the newest model and write the three score tables."""
    workspace = Workspace(settings.workspace)
    artifact = load_latest(workspace)
    with open_engine(settings) as engine:
        fingerprint = snapshot_tables(engine).fingerprint
        inputs = listing_inputs(settings, artifact, engine, progress)
    scored = listing_scores(settings, artifact, inputs, progress)
    del inputs
    if progress:
        progress("shops, sellers and writing")
    listings = scored.table
    meta = {
        "snapshot_fingerprint": fingerprint,
        "model_version": artifact.version,
        "fallback": artifact.fallback,
        "scored_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "explain_top_n": settings.risk.explain_top_n,
    }
    if artifact.fallback:
        meta["note"] = artifact.manifest.get("note", "rule score: no model was trained")
    tables = {
        "listing": listings,
        "shop": owner_scores(listings, "shop"),
        "seller": owner_scores(listings, "seller"),
    }
    paths = {level: str(write_derived(workspace, f"scores_{level}", t, meta)) for level, t in tables.items()}
    kinds = pc.value_counts(listings.column("explanation")).to_pylist()
    count = {k["values"]: int(k["counts"]) for k in kinds}
    return ScoreReport(
        model_version=artifact.version,
        fallback=artifact.fallback,
        listings=listings.num_rows,
        shops=tables["shop"].num_rows,
        sellers=tables["seller"].num_rows,
        exact=count.get("exact", 0),
        approximate=count.get("approximate", 0),
        paths=paths,
        snapshot_fingerprint=fingerprint,
    )
