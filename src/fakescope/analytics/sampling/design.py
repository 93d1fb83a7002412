"""A whole plan from candidate arrays: coverage picks, the optimised risk picks, then the exploration draw.

Pure: no I/O. Deterministic picks carry inclusion probability 1; explore rows their exact design probability.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fakescope.analytics.sampling import explore, optimiser
from fakescope.analytics.sampling.candidates import Candidates
from fakescope.errors import UsageError

RISK, COVERAGE, QUOTA, EXPLORE = "risk", "coverage", "quota", "explore"


@dataclass(frozen=True)
class PlanOptions:
    """What the person asked for: budget split, per-shop limit, quotas, the explore floor and the seed."""

    budget: float
    max_per_shop: int = 2
    explore_share: float = 0.1
    coverage_share: float = 0.1
    quotas: Mapping[str, int] | None = None
    explore_floor: float = 0.05
    shortlist_size: int = 20_000
    time_limit: float = 10.0

    def check(self) -> None:
        """UsageError for values no plan can honour."""
        if not self.budget > 0:
            raise UsageError(f"--budget must be above 0, got {self.budget}")
        if self.max_per_shop < 1:
            raise UsageError(f"--max-per-shop must be at least 1, got {self.max_per_shop}")
        for name, share in (("--explore", self.explore_share), ("--coverage", self.coverage_share)):
            if not 0 <= share <= 1:
                raise UsageError(f"{name} is a share of the budget between 0 and 1, got {share}")
        if self.explore_share + self.coverage_share > 1:
            raise UsageError("--explore and --coverage together exceed the whole budget")


@dataclass(frozen=True)
class PlanDraw:
    """A plan over the candidate frame: which rows, why, with what probability, and how good the picks are."""

    rows: npt.NDArray[np.int64]
    reason: npt.NDArray[np.object_]
    inclusion: npt.NDArray[np.float64]
    cost: npt.NDArray[np.float64]
    harm: npt.NDArray[np.float64]
    value: npt.NDArray[np.float64]
    frame_inclusion: npt.NDArray[np.float64]  # per candidate: 1 picked for certain, else its design chance
    selection: optimiser.Selection
    explore_design: explore.ExploreDesign
    explore_units: npt.NDArray[np.int64]
    explore_budget: float

    @property
    def spend(self) -> float:
        return float(self.cost[self.rows].sum())

    @property
    def deterministic(self) -> npt.NDArray[np.bool_]:
        """Per plan row: picked for certain (risk, coverage, quota) rather than drawn."""
        return self.reason != EXPLORE


def make_draw(
    candidates: Candidates,
    *,
    cost: npt.NDArray[np.float64],
    harm: npt.NDArray[np.float64],
    options: PlanOptions,
    rng: np.random.Generator,
) -> PlanDraw:
    """Coverage first (its share), then the MILP on the rest of the targeted budget, then explore on what is
    left over the listings not yet picked; the total never exceeds the budget."""
    options.check()
    value = candidates.risk * harm
    ratio = value / cost
    shops, shop_code = _codes(candidates.shop_id)
    last_check = np.full(len(shops), -np.inf)
    np.maximum.at(last_check, shop_code, candidates.shop_last_check)
    brands, brand_code = _codes(candidates.brand_id, blank_is_missing=True)
    brand_index = {b: i for i, b in enumerate(brands)}
    quotas = _quota_codes(options.quotas or {}, brand_code, brand_index, shop_code, options.max_per_shop)

    covered = optimiser.pick_coverage(
        shop_code, last_check, ratio, cost, options.budget * options.coverage_share
    )
    room = np.full(len(shops), options.max_per_shop, dtype=np.int64)
    np.subtract.at(room, shop_code[covered], 1)
    risk_budget = options.budget * (1 - options.explore_share) - float(cost[covered].sum())
    open_cost = cost.copy()
    open_cost[covered] = np.inf  # already picked: never again
    selection = optimiser.select(
        value,
        open_cost,
        shop_code,
        brand_code,
        risk_budget,
        room=room,
        quotas=quotas,
        shortlist_size=options.shortlist_size,
        time_limit=options.time_limit,
    )
    picked = selection.chosen
    quota_rows = optimiser.quota_reasons(picked, ratio, brand_code, quotas) if quotas else np.zeros(0, bool)

    deterministic = np.concatenate([covered, picked])
    explore_budget = options.budget - float(cost[deterministic].sum())
    open_rows = np.ones(len(candidates), dtype=bool)
    open_rows[deterministic] = False
    rest = np.flatnonzero(open_rows)
    frame_inclusion = np.zeros(len(candidates))
    frame_inclusion[deterministic] = 1.0
    design = explore.best_design(
        explore.sizes(candidates.risk[rest], options.explore_floor),
        cost[rest],
        explore_budget if options.explore_share > 0 else 0.0,
    )
    frame_inclusion[rest] = design.inclusion
    drawn = rest[explore.draw(design, rng)]

    rows = np.concatenate([covered, picked, drawn])
    reason = np.array(
        [COVERAGE] * covered.size
        + [QUOTA if q else RISK for q in (quota_rows if quotas else np.zeros(picked.size, bool))]
        + [EXPLORE] * drawn.size,
        dtype=object,
    )
    inclusion = frame_inclusion[rows]
    return PlanDraw(
        rows=rows,
        reason=reason,
        inclusion=inclusion,
        cost=cost,
        harm=harm,
        value=value,
        frame_inclusion=frame_inclusion,
        selection=selection,
        explore_design=design,
        explore_units=rest,
        explore_budget=explore_budget,
    )


def _codes(
    values: npt.NDArray[np.object_], *, blank_is_missing: bool = False
) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The distinct values in sorted order, and each row's code into them (-1 for none, or for "" when
    `blank_is_missing`).

    Arrow's hash encoding, then sorting only the few distinct values: a million Python strings sort slowly.
    """
    encoded = pa.array(np.asarray(values, dtype=object), type=pa.string()).dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    order = sorted((d, i) for i, d in enumerate(distinct) if d is not None and (d or not blank_is_missing))
    position = np.full(len(distinct) + 1, -1, dtype=np.int64)  # the last slot is for a missing value
    position[[i for _, i in order]] = np.arange(len(order))
    indices = encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False)
    return [d for d, _ in order], position[indices]


def _quota_codes(
    quotas: Mapping[str, int],
    brand_code: npt.NDArray[np.int64],
    brand_index: Mapping[str, int],
    shop_code: npt.NDArray[np.int64],
    max_per_shop: int,
) -> dict[int, int]:
    """Quotas by brand code; UsageError when a brand has too few reachable listings to meet its quota."""
    codes: dict[int, int] = {}
    for brand, minimum in quotas.items():
        code = brand_index.get(brand)
        if code is None:
            raise UsageError(f"quota for brand {brand!r}: it has no listing a test buy can reach")
        members = shop_code[brand_code == code]
        reachable = int(np.minimum(np.bincount(members), max_per_shop).sum())
        if reachable < minimum:
            raise UsageError(
                f"quota for brand {brand!r} asks {minimum} checks but only {reachable} of its listings can "
                f"be planned (reachable, at most {max_per_shop} per shop)"
            )
        codes[code] = minimum
    return codes
