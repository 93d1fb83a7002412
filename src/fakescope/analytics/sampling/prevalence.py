"""`fakescope prevalence`: the counterfeit share of listings and of GMV from completed checks, with 95% CIs.

Checks with a known inclusion probability enter (weighted 1/p); inconclusive and unknown-probability ones are
left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fakescope.analytics.engine import open_engine
from fakescope.analytics.ingest import snapshot_info
from fakescope.analytics.sampling.candidates import CHECK_COLUMNS, EXTRA_CHECKS, all_checks, recent_sales
from fakescope.analytics.sampling.estimators import Estimate, estimate_by, ratio_estimate
from fakescope.errors import InvalidData, NotReady, Problem, UsageError
from fakescope.settings import Settings

COUNTERFEIT = "counterfeit"
INCONCLUSIVE = "inconclusive"
Grouping = Literal["category", "brand"]


@dataclass(frozen=True)
class Prevalence:
    """Overall and per-group estimates, and what was left out."""

    listings: Estimate
    gmv: Estimate
    by: str | None
    groups: dict[str, tuple[Estimate, Estimate]]
    used: int
    inconclusive: int
    unknown_probability: int
    first_check: datetime | None
    last_check: datetime | None
    meta: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "listings": self.listings.as_dict(),
            "gmv": self.gmv.as_dict(),
            "by": self.by,
            "groups": {k: {"listings": a.as_dict(), "gmv": b.as_dict()} for k, (a, b) in self.groups.items()},
            "used": self.used,
            "left_out": {"inconclusive": self.inconclusive, "unknown_probability": self.unknown_probability},
            "first_check": self.first_check,
            "last_check": self.last_check,
        }


def from_checks(
    verdict: npt.NDArray[np.object_],
    inclusion: npt.NDArray[np.float64],
    gmv: npt.NDArray[np.float64],
    groups: npt.NDArray[np.object_] | None = None,
    *,
    by: str | None = None,
    known_listings: float | None = None,
    known_gmv: float | None = None,
) -> Prevalence:
    """The estimates from check arrays (pure): verdict per check, its inclusion probability (NaN: unknown)."""
    verdict = np.asarray(verdict, dtype=object)
    inclusion = np.asarray(inclusion, dtype=np.float64)
    unknown = ~np.isfinite(inclusion)
    inconclusive = (verdict == INCONCLUSIVE) & ~unknown
    used = ~unknown & ~inconclusive
    fake = verdict[used] == COUNTERFEIT
    probability = inclusion[used]
    money = np.asarray(gmv, dtype=np.float64)[used]
    listings = ratio_estimate(fake, probability, known_total=known_listings)
    by_gmv = ratio_estimate(fake, probability, measure=money, known_total=known_gmv)
    grouped: dict[str, tuple[Estimate, Estimate]] = {}
    if groups is not None:
        labels = np.asarray(groups, dtype=object)[used]
        counts = estimate_by(labels, fake, probability)
        values = estimate_by(labels, fake, probability, measure=money)
        grouped = {key: (counts[key], values[key]) for key in counts}
    return Prevalence(
        listings=listings,
        gmv=by_gmv,
        by=by,
        groups=grouped,
        used=int(used.sum()),
        inconclusive=int(inconclusive.sum()),
        unknown_probability=int(unknown.sum()),
        first_check=None,
        last_check=None,
    )


def read_checks_file(path: Path) -> pa.Table:
    """Checks in the contract's `spot_checks` columns from CSV or Parquet (e.g. `fakescope labels --out`)."""
    if not path.is_file():
        raise UsageError(f"checks file {path} does not exist")
    try:
        if path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
        else:
            types = {
                "check_id": pa.string(),
                "listing_id": pa.string(),
                "verdict": pa.string(),
                "inclusion_probability": pa.float64(),
                "checked_at": pa.timestamp("us", tz="UTC"),
            }
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    except (OSError, pa.ArrowException) as error:
        raise UsageError(f"checks file {path}: not readable ({error})") from error
    missing = [c for c in CHECK_COLUMNS if c not in table.column_names and c != "inclusion_probability"]
    if missing:
        raise InvalidData([Problem(path.name, c, "required column is missing") for c in missing])
    if "inclusion_probability" not in table.column_names:
        table = table.append_column("inclusion_probability", pa.nulls(table.num_rows, pa.float64()))
    probability = table.column("inclusion_probability").cast(pa.float64()).to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(np.isfinite(probability) & ((probability <= 0) | (probability > 1)))
    if bad.size:
        raise InvalidData(
            [
                Problem(
                    path.name, "inclusion_probability", f"{probability[i]} is not in (0, 1]", row=int(i) + 2
                )
                for i in bad[:20]
            ],
            counts={(path.name, "inclusion_probability", ""): int(bad.size)},
        )
    checked = table.column("checked_at")
    if pa.types.is_timestamp(checked.type) and checked.type.tz is not None:
        checked = checked.cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
    return pa.table(
        {
            "check_id": table.column("check_id").cast(pa.string()),
            "listing_id": table.column("listing_id").cast(pa.string()),
            "checked_at": checked,
            "verdict": table.column("verdict").cast(pa.string()),
            "inclusion_probability": table.column("inclusion_probability").cast(pa.float64()),
        }
    )


def estimate_prevalence(
    settings: Settings,
    *,
    by: Grouping | None = None,
    since: datetime | None = None,
    checks_file: Path | None = None,
) -> Prevalence:
    """Prevalence from the snapshot's spot checks (and those in `checks_file`), optionally by a grouping."""
    if by not in (None, "category", "brand"):
        raise UsageError(f"--by must be category or brand, got {by!r}")
    info = snapshot_info(settings)
    extra = read_checks_file(checks_file) if checks_file is not None else None
    as_of = info.as_of.astimezone(UTC).replace(tzinfo=None)
    with open_engine(settings) as engine:
        registered = engine.register(EXTRA_CHECKS, extra) if extra is not None and extra.num_rows else None
        checks = all_checks(engine.table("spot_checks"), registered)
        if since is not None:
            checks = checks.filter(checks.checked_at >= since.astimezone(UTC).replace(tzinfo=None))
        listings = engine.table("listings")
        sales = recent_sales(engine.table("orders"), as_of, settings.risk.recent_days)
        joined = (
            checks.left_join(listings, checks.listing_id == listings.listing_id)
            .left_join(sales, checks.listing_id == sales.listing_id)
            .select(
                checks.verdict,
                checks.inclusion_probability,
                checks.checked_at,
                listings.category,
                listings.brand_id,
                sales.gmv,
            )
        )
        table = engine.to_arrow(joined)
    if table.num_rows == 0:
        raise NotReady(
            "no completed spot checks to estimate from: the snapshot has none (pass --checks FILE, or "
            "run `fakescope labels --out FILE` after test buys)"
        )
    inclusion = table.column("inclusion_probability").to_numpy(zero_copy_only=False).astype(np.float64)
    gmv = np.nan_to_num(table.column("gmv").to_numpy(zero_copy_only=False).astype(np.float64), nan=0.0)
    group_column = {"category": "category", "brand": "brand_id"}.get(by or "")
    groups = np.array(table.column(group_column).to_pylist(), dtype=object) if group_column else None
    result = from_checks(
        np.array(table.column("verdict").to_pylist(), dtype=object), inclusion, gmv, groups, by=by
    )
    times = [t for t in table.column("checked_at").to_pylist() if t is not None]
    return Prevalence(
        **{
            **result.__dict__,
            "first_check": min(times) if times else None,
            "last_check": max(times) if times else None,
            "meta": {"snapshot_fingerprint": info.fingerprint, "as_of": info.as_of},
        }
    )
