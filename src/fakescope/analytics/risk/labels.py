"""Training labels: decided spot-check verdicts (snapshot plus operations verdicts), weights and feature
cut-offs.

Pure Arrow/NumPy: counterfeit is 1, genuine 0, inconclusive left out; weight 1/inclusion_probability where
known and 1 where unknown (a check of unknown design counts as one certain pick, never amplified).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fakescope.contract.model import Kind, load_contract
from fakescope.errors import FieldInvalid

# Features for a check are computed as of the last cut-off on this grid (days, counted back from the
# snapshot's as-of time) at or before the check: one feature build per cut-off instead of per check.
CUTOFF_DAYS = 7
# 1/p explodes for tiny p; cap it so one lucky draw cannot outweigh hundreds of checks.
MAX_WEIGHT = 100.0

_ARROW = {
    Kind.IDENTIFIER: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.INTEGER: pa.int64(),
    Kind.MONEY: pa.float64(),
    Kind.PROBABILITY: pa.float64(),
    Kind.TIME: pa.timestamp("us"),
}


def spot_checks_schema() -> pa.Schema:
    """The contract's spot_checks columns as Arrow (times UTC without a zone, as in the snapshot)."""
    table = load_contract().table("spot_checks")
    return pa.schema([pa.field(c.name, _ARROW[c.kind]) for c in table.columns])


def conform_labels(extra: pa.Table) -> pa.Table:
    """Extra labels cast to the spot_checks schema; FieldInvalid naming a missing or unreadable column."""
    schema = spot_checks_schema()
    columns = []
    for field in schema:
        if field.name not in extra.column_names:
            raise FieldInvalid(
                f"extra_labels.{field.name}", "missing: extra labels need the spot_checks columns"
            )
        column = extra.column(field.name)
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            # Same instant, zone dropped: the snapshot holds UTC without a zone.
            column = column.cast(pa.timestamp("us", "UTC")).cast(pa.int64()).cast(pa.timestamp("us"))
        try:
            columns.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise FieldInvalid(
                f"extra_labels.{field.name}", f"cannot be read as {field.type}: {exc}"
            ) from exc
    return pa.Table.from_arrays(columns, schema=schema)


def merge_checks(
    snapshot_checks: pa.Table, extra: pa.Table | None, listing_ids: pa.Array
) -> tuple[pa.Table, int]:
    """Snapshot checks plus extra ones not already there (by check_id) whose listing is in the snapshot.

    Returns the merged checks and how many extra labels were dropped for naming an unknown listing.
    """
    base = snapshot_checks.select(spot_checks_schema().names).cast(spot_checks_schema())
    if extra is None or extra.num_rows == 0:
        return base, 0
    extra = conform_labels(extra)
    fresh = extra.filter(pc.invert(pc.is_in(extra.column("check_id"), value_set=base.column("check_id"))))
    known = pc.is_in(fresh.column("listing_id"), value_set=listing_ids)
    dropped = int(fresh.num_rows - pc.sum(known.cast(pa.int64())).as_py()) if fresh.num_rows else 0
    return pa.concat_tables([base, fresh.filter(known)]), dropped


@dataclass
class Labels:
    """Decided checks in time order: listing, time, cut-off, label (1 counterfeit), weight."""

    table: pa.Table

    @property
    def size(self) -> int:
        return self.table.num_rows

    @property
    def y(self) -> np.ndarray:
        return self.table.column("label").to_numpy()

    @property
    def weight(self) -> np.ndarray:
        return self.table.column("weight").to_numpy()

    @property
    def positives(self) -> int:
        return int(self.y.sum()) if self.size else 0


def cutoff_for(checked_at: datetime, as_of: datetime, days: int = CUTOFF_DAYS) -> datetime:
    """The last grid point at or before the check (grid counted back from as_of), never after as_of."""
    if checked_at >= as_of:
        return as_of
    step = timedelta(days=days)
    steps = -((checked_at - as_of) // step)  # ceil of the distance in steps
    return as_of - steps * step


def decided_labels(checks: pa.Table, as_of: datetime) -> Labels:
    """Counterfeit/genuine checks with label, weight and cut-off, oldest first."""
    decided = checks.filter(
        pc.is_in(checks.column("verdict"), value_set=pa.array(["counterfeit", "genuine"]))
    )
    decided = decided.sort_by([("checked_at", "ascending"), ("check_id", "ascending")])
    label = pc.equal(decided.column("verdict"), "counterfeit").cast(pa.int64())
    probability = decided.column("inclusion_probability").to_numpy(zero_copy_only=False).astype(float)
    weight = np.where(
        np.isnan(probability), 1.0, np.minimum(1.0 / np.where(probability > 0, probability, 1.0), MAX_WEIGHT)
    )
    cutoffs = [cutoff_for(t, as_of) for t in decided.column("checked_at").to_pylist()]
    table = decided.select(["check_id", "listing_id", "checked_at", "inclusion_probability"]).append_column(
        "label", label
    )
    table = table.append_column("weight", pa.array(weight, pa.float64()))
    table = table.append_column("as_of", pa.array(cutoffs, pa.timestamp("us")))
    return Labels(table)


def time_split(labels: Labels, later_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (earlier, later): the later slice is the last `later_share` of checks by time."""
    n = labels.size
    later = max(1, round(n * later_share)) if n > 1 else 0
    mask = np.zeros(n, dtype=bool)
    if later:
        mask[n - later :] = True
    return ~mask, mask
