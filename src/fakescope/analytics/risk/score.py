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
from fakescope.analytics.features import DEFINITIONS_VERSION, FeatureFrame, builtin_features, snapshot_tables
from fakescope.analytics.risk.artifact import Artifact, load_latest
from fakescope.analytics.risk.calibration import apply_calibration
from fakescope.analytics.risk.frames import info_columns, matrix, scoring_frame, with_checks
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


@dataclass
class ListingScores:
    """Scores of every listing with the frame they came from (reused by evaluate)."""

    table: pa.Table
    frame: FeatureFrame
    values: np.ndarray
    features: list[str]
    frame_order: np.ndarray


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


def check_fits(artifact: Artifact, frame: FeatureFrame) -> None:
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


def listing_scores(
    settings: Settings, artifact: Artifact, engine: Any, progress: Progress | None
) -> ListingScores:
    """Features, risk, reasons and explanation kind for every listing of the snapshot."""
    step = progress or (lambda _m: None)
    tables = with_checks(engine, snapshot_tables(engine), artifact.extra_labels)
    frame = scoring_frame(tables, settings, step)
    check_fits(artifact, frame)
    features = artifact.features
    x = matrix(frame.table, features)
    step("risk and reasons")
    n = len(x)
    if artifact.booster is None:
        contrib = rule_points(x, features)
        risk = rule_risk(contrib)
        order = np.argsort(-risk, kind="stable")
        explanation = np.full(n, "rule", dtype=object)
    else:
        margin = margins(artifact.booster, x, features)
        risk = apply_calibration(artifact.manifest["calibration"], margin)
        order = np.lexsort((-margin, -risk))
        top = order[: min(settings.risk.explain_top_n, n)]
        rest = order[len(top) :]
        contrib = np.zeros((n, len(features) + 1))
        contrib[top] = contributions(artifact.booster, x[top], features, exact=True)
        contrib[rest] = contributions(artifact.booster, x[rest], features, exact=False)
        explanation = np.full(n, "approximate", dtype=object)
        explanation[top] = "exact"
    descriptions = {f.name: f.description for f in builtin_features()}
    reasons = reasons_from_contributions(
        contrib,
        x,
        features,
        info_columns(frame.table),
        recent_days=settings.risk.recent_days,
        descriptions=descriptions,
    )
    table = pa.table(
        {
            "listing_id": frame.table.column("listing_id"),
            "shop_id": frame.table.column("shop_id"),
            "seller_id": frame.table.column("seller_id"),
            "risk": pa.array(risk, pa.float64()),
            "reasons": pa.array(reasons, pa.string()),
            "explanation": pa.array(explanation.tolist(), pa.string()),
            "model_version": pa.array([artifact.version] * n, pa.string()),
        }
    )
    # Riskiest first, ties by tree margin: the same order that chose which rows get exact explanations.
    return ListingScores(
        table=table.take(pa.array(order)), frame=frame, values=x[order], features=features, frame_order=order
    )


def owner_scores(listings: pa.Table, level: str) -> pa.Table:
    """Shop or seller scores from their listings: the riskiest listing's risk and reasons, with counts."""
    key = f"{level}_id"
    frame = listings.to_pandas()
    frame = frame.sort_values(["risk", "listing_id"], ascending=[False, True], kind="stable")
    grouped = frame.groupby(key, sort=False)
    top = grouped.head(1).set_index(key)
    counts = grouped.agg(
        listings=("listing_id", "size"),
        high_risk_listings=("risk", lambda r: int((r >= HIGH_RISK).sum())),
        expected_counterfeit_listings=("risk", "sum"),
    )
    out = top.join(counts)
    reasons = [
        f"{high} of {total} listings high-risk; riskiest {lid}: {why}"
        for high, total, lid, why in zip(
            out.high_risk_listings, out.listings, out.listing_id, out.reasons, strict=True
        )
    ]
    columns: dict[str, Any] = {key: pa.array(out.index.astype(str).tolist(), pa.string())}
    if level == "shop":
        columns["seller_id"] = pa.array(out.seller_id.tolist(), pa.string())
    columns.update(
        risk=pa.array(out.risk.to_numpy(), pa.float64()),
        reasons=pa.array(reasons, pa.string()),
        explanation=pa.array(out.explanation.tolist(), pa.string()),
        model_version=pa.array(out.model_version.tolist(), pa.string()),
        listings=pa.array(out.listings.to_numpy(), pa.int64()),
        high_risk_listings=pa.array(out.high_risk_listings.to_numpy(), pa.int64()),
        expected_counterfeit_listings=pa.array(out.expected_counterfeit_listings.to_numpy(), pa.float64()),
        riskiest_listing_id=pa.array(out.listing_id.tolist(), pa.string()),
    )
    table = pa.table(columns)
    return table.sort_by([("risk", "descending"), (key, "ascending")])


def score(settings: Settings, *, progress: Progress | None = None) -> ScoreReport:
    """Score every listing, shop and seller with the newest model and write the three score tables."""
    workspace = Workspace(settings.workspace)
    artifact = load_latest(workspace)
    with open_engine(settings) as engine:
        scored = listing_scores(settings, artifact, engine, progress)
        fingerprint = snapshot_tables(engine).fingerprint
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
