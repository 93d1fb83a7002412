"""The listings a test buy can reach, as engine-free Ibis expressions, and the arrays a plan is made from.

Reachable: active listing, open shop, seller not banned, no conclusive check within the recheck window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fakescope.analytics.engine import Engine

ACTIVE = "active"
CONCLUSIVE = ("counterfeit", "genuine")
CHECK_COLUMNS = ("check_id", "listing_id", "checked_at", "verdict", "inclusion_probability")
EXTRA_CHECKS = "fakescope_sampling_extra_checks"
SCORES = "fakescope_sampling_scores"


def all_checks(spot_checks: ir.Table, extra: ir.Table | None) -> ir.Table:
    """The snapshot's spot checks plus checks made since (verdicts not yet in a snapshot)."""
    mine = spot_checks.select(
        listing_id=spot_checks.listing_id.cast("string"),
        checked_at=spot_checks.checked_at.cast("timestamp"),
        verdict=spot_checks.verdict.cast("string"),
        inclusion_probability=spot_checks.inclusion_probability.cast("float64"),
    )
    if extra is None:
        return mine
    theirs = extra.select(
        listing_id=extra.listing_id.cast("string"),
        checked_at=extra.checked_at.cast("timestamp"),
        verdict=extra.verdict.cast("string"),
        inclusion_probability=extra.inclusion_probability.cast("float64"),
    )
    return ibis.union(mine, theirs, distinct=False)


def recent_sales(orders: ir.Table, as_of: datetime, days: int) -> ir.Table:
    """Units sold and GMV per listing in the `days` before the as-of time."""
    window = orders.filter((orders.ordered_at > as_of - timedelta(days=days)) & (orders.ordered_at <= as_of))
    return window.group_by("listing_id").aggregate(
        units=window.quantity.sum().cast("float64"),
        gmv=(window.quantity * window.unit_price).sum().cast("float64"),
    )


def reachable_listings(
    listings: ir.Table,
    shops: ir.Table,
    bans: ir.Table,
    checks: ir.Table,
    *,
    as_of: datetime,
    recheck_after_days: int,
) -> ir.Table:
    """Active listings in open shops of unbanned sellers, without a conclusive check in the recheck window."""
    open_shops = shops.filter(shops.status == ACTIVE).select("shop_id", "seller_id")
    banned = bans.select("seller_id")
    recently = checks.filter(
        checks.verdict.isin(CONCLUSIVE) & (checks.checked_at > as_of - timedelta(days=recheck_after_days))
    ).select("listing_id")
    active = listings.filter(listings.status == ACTIVE)
    reachable = active.join(open_shops, "shop_id").select(
        "listing_id", "shop_id", "seller_id", "brand_id", "category", "price", "currency"
    )
    reachable = reachable.anti_join(banned, "seller_id")
    return reachable.anti_join(recently, "listing_id")


def shop_last_checks(checks: ir.Table, listings: ir.Table) -> ir.Table:
    """When each shop was last checked conclusively (any of its listings, any time)."""
    conclusive = checks.filter(checks.verdict.isin(CONCLUSIVE))
    joined = conclusive.join(listings.select("listing_id", "shop_id"), "listing_id")
    return joined.group_by("shop_id").aggregate(last_checked_at=joined.checked_at.max())


@dataclass(frozen=True)
class Candidates:
    """One row per reachable listing in the budget's currency, as arrays (what the pure parts take)."""

    listing_id: npt.NDArray[np.object_]
    shop_id: npt.NDArray[np.object_]
    seller_id: npt.NDArray[np.object_]
    brand_id: npt.NDArray[np.object_]
    category: npt.NDArray[np.object_]
    price: npt.NDArray[np.float64]
    risk: npt.NDArray[np.float64]
    units: npt.NDArray[np.float64]
    gmv: npt.NDArray[np.float64]
    shop_last_check: npt.NDArray[np.float64]
    unscored: int

    def __len__(self) -> int:
        return int(self.listing_id.size)

    def take(self, index: npt.NDArray[np.int64]) -> Candidates:
        """The candidates at `index` (in that order)."""
        arrays = {name: getattr(self, name)[index] for name in _ARRAYS}
        return Candidates(**arrays, unscored=self.unscored)


_ARRAYS = (
    "listing_id", "shop_id", "seller_id", "brand_id", "category",
    "price", "risk", "units", "gmv", "shop_last_check",
)  # fmt: skip


def currencies(engine: Engine) -> list[str]:
    """The currencies the snapshot's listings use (upper-cased)."""
    listings = engine.table("listings")
    table = engine.to_arrow(listings.select(currency=listings.currency.upper()).distinct())
    return sorted(str(c) for c in table.column("currency").to_pylist() if c is not None)


def load_candidates(
    engine: Engine,
    *,
    scores: pa.Table,
    currency: str,
    as_of: datetime,
    recheck_after_days: int,
    recent_days: int,
    extra_checks: pa.Table | None = None,
) -> Candidates:
    """Run the reachability, sales and last-check expressions and join the risk scores, as arrays.

    `as_of` is naive UTC (as the snapshot stores times); a listing without a score gets risk 0 (counted).
    """
    extra = None
    if extra_checks is not None and extra_checks.num_rows:
        extra = engine.register(EXTRA_CHECKS, extra_checks.select(list(CHECK_COLUMNS)))
    checks = all_checks(engine.table("spot_checks"), extra)
    listings = engine.table("listings")
    reachable = reachable_listings(
        listings,
        engine.table("shops"),
        engine.table("bans"),
        checks,
        as_of=as_of,
        recheck_after_days=recheck_after_days,
    )
    reachable = reachable.filter(reachable.currency.upper() == currency.upper())
    sales = recent_sales(engine.table("orders"), as_of, recent_days)
    risk = engine.register(SCORES, scores.select(["listing_id", "risk"]))
    last = shop_last_checks(checks, listings)
    joined = (
        reachable.left_join(sales, reachable.listing_id == sales.listing_id)
        .left_join(risk, reachable.listing_id == risk.listing_id)
        .left_join(last, reachable.shop_id == last.shop_id)
        .select(
            *[reachable[c] for c in reachable.columns],
            sales.units,
            sales.gmv,
            risk.risk,
            last.last_checked_at,
        )
    )
    table = engine.to_arrow(joined.order_by("listing_id"))
    return _arrays(table)


def _arrays(table: pa.Table) -> Candidates:
    def text(name: str) -> npt.NDArray[np.object_]:
        return np.array(table.column(name).to_pylist(), dtype=object)

    def number(name: str) -> npt.NDArray[np.float64]:
        return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)

    risk = number("risk")
    last = table.column("last_checked_at").cast(pa.timestamp("us"))
    seconds = last.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64) / 1e6
    seconds = np.where(last.is_null().to_numpy(zero_copy_only=False), -np.inf, seconds)
    return Candidates(
        listing_id=text("listing_id"),
        shop_id=text("shop_id"),
        seller_id=text("seller_id"),
        brand_id=text("brand_id"),
        category=text("category"),
        price=number("price"),
        risk=np.nan_to_num(risk, nan=0.0),
        units=np.nan_to_num(number("units"), nan=0.0),
        gmv=np.nan_to_num(number("gmv"), nan=0.0),
        shop_last_check=seconds,
        unscored=int(np.isnan(risk).sum()),
    )
