"""Feature frames for training and scoring: anchors from labels or the snapshot, and the model matrix.

Shared by train, score and evaluate so all three see exactly the same definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fakescope.analytics.engine import Engine
from fakescope.analytics.features import (
    FeatureFrame,
    FeatureQuery,
    SnapshotTables,
    anchors_at,
    build_features,
    feature_query,
    register_anchors,
    snapshot_tables,
)
from fakescope.analytics.features.build import INFO_COLUMNS
from fakescope.analytics.risk.labels import Labels, decided_labels, merge_checks
from fakescope.contract.model import load_contract
from fakescope.settings import Settings

Progress = Callable[[str], None]


@dataclass
class Prepared:
    """The snapshot's tables with spot checks merged with extra labels, and the decided labels."""

    tables: SnapshotTables
    checks: pa.Table
    labels: Labels
    extra_used: pa.Table | None
    extra_dropped: int


def prepare(engine: Engine, extra_labels: pa.Table | None) -> Prepared:
    """Open the snapshot, merge extra labels into its spot checks, and derive the decided labels."""
    tables = snapshot_tables(engine)
    snapshot_checks = engine.to_arrow(tables["spot_checks"])
    listing_ids = engine.to_arrow(tables["listings"].select("listing_id")).column("listing_id")
    checks, dropped = merge_checks(snapshot_checks, extra_labels, listing_ids.combine_chunks())
    used = None
    if checks.num_rows > snapshot_checks.num_rows:
        known = pc.is_in(
            checks.column("check_id"), value_set=snapshot_checks.column("check_id").combine_chunks()
        )
        used = checks.filter(pc.invert(known))
        tables = tables.with_table("spot_checks", engine.register("fs_spot_checks", checks))
    return Prepared(tables, checks, decided_labels(checks, tables.as_of), used, dropped)


def with_checks(engine: Engine, tables: SnapshotTables, extra: pa.Table | None) -> SnapshotTables:
    """Snapshot tables whose spot checks include a model's stored extra labels (as at training)."""
    if extra is None or extra.num_rows == 0:
        return tables
    snapshot_checks = engine.to_arrow(tables["spot_checks"])
    listing_ids = (
        engine.to_arrow(tables["listings"].select("listing_id")).column("listing_id").combine_chunks()
    )
    checks, _ = merge_checks(snapshot_checks, extra, listing_ids)
    return tables.with_table("spot_checks", engine.register("fs_spot_checks", checks))


def _currency() -> str:
    return load_contract().default_currency


def training_frame(
    tables: SnapshotTables, labels: Labels, settings: Settings, progress: Progress | None
) -> tuple[pa.Table, FeatureFrame]:
    """Features of every labelled check as of its cut-off, in label order (label columns first)."""
    anchors_arrow = (
        labels.table.select(["listing_id", "as_of"]).group_by(["listing_id", "as_of"]).aggregate([])
    )
    anchors = register_anchors(tables, "fs_train_anchors", anchors_arrow)
    frame = build_features(
        tables,
        anchors,
        recent_days=settings.risk.recent_days,
        default_currency=_currency(),
        progress=progress,
    )
    return _join_labels(labels, frame), frame


def _join_labels(labels: Labels, frame: FeatureFrame) -> pa.Table:
    keyed = labels.table.append_column("_order", pa.array(np.arange(labels.size)))
    joined = keyed.join(frame.table, ["listing_id", "as_of"], join_type="left outer")
    return joined.sort_by("_order").drop(["_order"])


def scoring_query(tables: SnapshotTables, settings: Settings, progress: Progress | None) -> FeatureQuery:
    """The features of every listing as of the snapshot's as-of time, as an expression still to run."""
    return feature_query(
        tables,
        anchors_at(tables),
        recent_days=settings.risk.recent_days,
        default_currency=_currency(),
        progress=progress,
    )


# Rows fetched from the engine at a time while the model matrix is filled.
BATCH_ROWS = 100_000


@dataclass
class ScoringInputs:
    """What scoring needs of the features: the model matrix, and the keys and quoted columns row by row."""

    x: np.ndarray
    keys: pa.Table
    info: pa.Table


def _copied(batch: pa.RecordBatch, columns: list[str]) -> pa.Table:
    # A column of an engine's batch keeps the whole batch alive (one release for all its columns):
    # copy the few columns kept so each batch's memory goes as soon as its features are in the matrix.
    every = pa.array(np.arange(batch.num_rows))
    return pa.table({name: batch.column(name).take(every) for name in columns})


def scoring_inputs(engine: Engine, query: FeatureQuery, features: list[str]) -> ScoringInputs:
    """Run the feature query a batch at a time into the model matrix, keeping only keys and quoted columns."""
    key_columns = ["listing_id", "shop_id", "seller_id"]
    info_names = [c for c in INFO_COLUMNS if c in query.expr.columns]
    parts: list[np.ndarray] = []
    kept: list[pa.Table] = []
    for batch in engine.to_batches(query.expr, BATCH_ROWS):
        parts.append(matrix(pa.Table.from_batches([batch]), features))
        kept.append(_copied(batch, key_columns + info_names))
        del batch
    x = np.concatenate(parts) if parts else np.empty((0, len(features)))
    del parts
    if not kept:
        kept = [query.expr.schema().to_pyarrow().empty_table().select(key_columns + info_names)]
    rows = pa.concat_tables(kept)
    return ScoringInputs(x=x, keys=rows.select(key_columns), info=rows.select(info_names))


def matrix(table: pa.Table, features: list[str]) -> np.ndarray:
    """The model matrix: one float column per feature, NaN for missing values."""
    out = np.empty((table.num_rows, len(features)), dtype=np.float64)
    for j, name in enumerate(features):
        column = table.column(name)
        out[:, j] = column.cast(pa.float64()).to_numpy(zero_copy_only=False) if table.num_rows else []
    return out


def info_columns(table: pa.Table) -> dict[str, list[Any]]:
    """The non-feature columns reasons quote (terms found, the shared identity field)."""
    return {name: table.column(name).to_pylist() for name in INFO_COLUMNS if name in table.column_names}
