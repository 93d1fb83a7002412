"""The targeted part of a plan: coverage of long-unchecked shops, then the most expected harm per budget.

A MILP (HiGHS via scipy) on a core of the candidates nearest the LP's margin, the clear picks fixed in, with a
Lagrangian LP bound over every candidate for the gap.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from fakescope.errors import UsageError

# Free binaries the MILP gets at most: HiGHS solved 2,000 near-equal ones in ~0.4 s, 5,000 in ~3 s, and found
# no plan at all for 20,000 within 30 s (1M listings, 2 cores); the gap stayed the same (2e-5) for all three.
CORE_SIZE = 2_000


@dataclass(frozen=True)
class Selection:
    """The chosen candidates and how close they are to the best possible."""

    chosen: npt.NDArray[np.int64]
    objective: float
    bound: float
    shortlist: int
    solver_status: str
    solver_gap: float | None
    seconds: float
    fixed: int = 0  # shortlisted picks fixed in before the solver (clear LP picks)

    @property
    def gap(self) -> float:
        """Relative gap to the LP bound over all candidates (0 = provably optimal)."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


def pick_coverage(
    shop: npt.NDArray[np.int64],
    shop_last_check: npt.NDArray[np.float64],
    ratio: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    budget: float,
) -> npt.NDArray[np.int64]:
    """One listing (its best value per cost) from each of the longest-unchecked shops, while budget lasts.

    `shop_last_check[s]` is when shop s was last checked (any unit, -inf for never); ties go to the shop whose
    best listing promises most, so coverage still leans towards harm.
    """
    if shop.size == 0 or budget <= 0:
        return np.zeros(0, dtype=np.int64)
    by_shop = np.lexsort((-ratio, shop))
    first = by_shop[np.r_[True, shop[by_shop][1:] != shop[by_shop][:-1]]]
    shops = shop[first]
    order = first[np.lexsort((-ratio[first], shop_last_check[shops]))]
    chosen: list[int] = []
    left = budget
    cheapest = float(cost[order].min())
    for index in order:
        if cost[index] <= left:
            chosen.append(int(index))
            left -= float(cost[index])
            if left < cheapest:
                break
    return np.array(sorted(chosen), dtype=np.int64)


def _top_per_shop(
    gain: npt.NDArray[np.float64], shop: npt.NDArray[np.int64], room: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Indices of the positive gains, at most `room[shop]` of the largest per shop."""
    positive = np.flatnonzero(gain > 0)
    if positive.size == 0:
        return positive
    order = positive[np.lexsort((-gain[positive], shop[positive]))]
    shops = shop[order]
    starts = np.r_[0, np.flatnonzero(shops[1:] != shops[:-1]) + 1]
    counts = np.diff(np.r_[starts, shops.size])
    rank = np.arange(shops.size) - np.repeat(starts, counts)
    return order[rank < room[shops]]


@dataclass(frozen=True)
class Bound:
    """The LP bound, the budget's shadow price there, and how many candidates the LP takes."""

    value: float
    price: float
    taken: int


def lp_bound(
    value: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    shop: npt.NDArray[np.int64],
    room: npt.NDArray[np.int64],
    budget: float,
    iterations: int = 60,
) -> Bound:
    """An upper bound on the best plan: min over lambda of lambda*budget + sum per shop of its top gains.

    Dualising the budget leaves one easy problem per shop (take its `room` best positive value - lambda*cost);
    its minimum over lambda is the LP relaxation's optimum without the brand quotas, so it bounds every plan.
    """
    if value.size == 0:
        return Bound(0.0, 0.0, 0)

    def dual(lam: float) -> tuple[float, float, int]:
        gain = value - lam * cost
        taken = _top_per_shop(gain, shop, room)
        return lam * budget + float(gain[taken].sum()), float(cost[taken].sum()), int(taken.size)

    low, high = 0.0, float((value / cost).max())
    bound, spent, taken = dual(low)
    if spent <= budget:
        return Bound(bound, 0.0, taken)
    best = Bound(bound, low, taken)
    for _ in range(iterations):
        middle = (low + high) / 2
        bound, spent, taken = dual(middle)
        if bound < best.value:
            best = Bound(bound, middle, taken)
        if spent > budget:
            low = middle
        else:
            high = middle
    bound, _, taken = dual(high)
    return best if best.value <= bound else Bound(bound, high, taken)


def _rank_in_shop(
    gain: npt.NDArray[np.float64], eligible: npt.NDArray[np.int64], shop: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Per candidate, its place (0 = best) by gain among the eligible candidates of its shop."""
    order = eligible[np.lexsort((-gain[eligible], shop[eligible]))]
    shops = shop[order]
    starts = np.r_[0, np.flatnonzero(shops[1:] != shops[:-1]) + 1]
    rank = np.zeros(gain.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    return rank


def _shortlist(
    gain: npt.NDArray[np.float64],
    eligible: npt.NDArray[np.int64],
    shop: npt.NDArray[np.int64],
    room: npt.NDArray[np.int64],
    brand: npt.NDArray[np.int64],
    cost: npt.NDArray[np.float64],
    quotas: Mapping[int, int],
    size: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """The shortlist and which of it is fixed in: the `size` candidates whose reduced gain (value - shadow
    price x cost) is nearest 0 stay free, with enough of each quota brand to meet its quota; candidates above
    that margin, within their shop's room, are the LP's clear picks and are fixed in."""
    if eligible.size <= size:
        core = eligible
        fixed = np.zeros(0, dtype=np.int64)
    else:
        core = eligible[np.argpartition(np.abs(gain[eligible]), size - 1)[:size]]
        margin = float(np.abs(gain[core]).max())
        above = eligible[gain[eligible] > margin]
        fixed = above[_rank_in_shop(gain, above, shop)[above] < room[shop[above]]]
    extra = [core]
    for code, minimum in quotas.items():
        members = eligible[brand[eligible] == code]
        extra.append(members[np.argsort(-gain[members])[: max(50, 20 * minimum)]])
        extra.append(members[np.argsort(cost[members])[: 10 * minimum]])
    free = np.setdiff1d(np.concatenate(extra), fixed)
    short = np.concatenate([free, fixed])
    order = np.argsort(short)
    is_fixed = np.r_[np.zeros(free.size, bool), np.ones(fixed.size, bool)]
    return short[order], is_fixed[order]


def _constraints(
    cost: npt.NDArray[np.float64],
    shop: npt.NDArray[np.int64],
    brand: npt.NDArray[np.int64],
    budget: float,
    room: npt.NDArray[np.int64],
    quotas: Mapping[int, int],
) -> LinearConstraint:
    """Budget row, one row per shop that has more shortlisted candidates than room, one per quota brand."""
    rows = [cost]
    columns = [np.arange(cost.size)]
    lower, upper = [-np.inf], [budget]
    # One row per shop with more shortlisted candidates than room, built at once (a loop over thousands of
    # shops, each scanning the shortlist, was quadratic).
    shops, inverse, counts = np.unique(shop, return_inverse=True, return_counts=True)
    over = counts > room[shops]
    by_shop = np.argsort(inverse, kind="stable")
    members = by_shop[over[inverse[by_shop]]]
    if members.size:
        rows.append(np.ones(members.size))
        columns.append(members)
    limits = room[shops[over]].astype(np.float64)
    lower.extend([-np.inf] * limits.size)
    upper.extend(limits.tolist())
    sizes = [cost.size, *counts[over].tolist()]
    for code, minimum in quotas.items():
        members = np.flatnonzero(brand == code)
        rows.append(np.ones(members.size))
        columns.append(members)
        lower.append(float(minimum))
        upper.append(np.inf)
        sizes.append(members.size)
    indptr = np.r_[0, np.cumsum(sizes)]
    data = (np.concatenate(rows), np.concatenate(columns), indptr)
    matrix = csr_matrix(data, shape=(len(sizes), cost.size))
    return LinearConstraint(matrix, np.array(lower), np.array(upper))


def select(
    value: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    shop: npt.NDArray[np.int64],
    brand: npt.NDArray[np.int64],
    budget: float,
    *,
    room: npt.NDArray[np.int64],
    quotas: Mapping[int, int] | None = None,
    shortlist_size: int = 20_000,
    time_limit: float = 10.0,
) -> Selection:
    """Maximise total expected harm within `budget`, at most `room[s]` picks in shop s, quota minimums met.

    `brand` holds a brand code per candidate (-1 for none); `quotas` maps a brand code to its minimum number
    of checks. The MILP runs on a shortlist: the candidates whose LP reduced gain is nearest 0 stay free (a
    few times the LP's own pick count, at most `CORE_SIZE` and `shortlist_size`: HiGHS slows sharply on
    thousands of near-equal binaries), the LP's clear picks above them are fixed in. The bound covers every
    candidate, so `gap` says what fixing may have cost. Raises UsageError when the quotas cannot be met
    within the budget.
    """
    started = time.perf_counter()
    quotas = dict(quotas or {})
    value = np.asarray(value, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    eligible = np.flatnonzero((cost <= budget) & (room[shop] > 0) & (value >= 0))
    bound = lp_bound(value[eligible], cost[eligible], shop[eligible], room, budget)
    if eligible.size == 0 or budget <= 0:
        if quotas:
            raise UsageError("the quotas cannot be met: no candidate fits the budget left for them")
        empty = np.zeros(0, dtype=np.int64)
        return Selection(empty, 0.0, bound.value, 0, "empty", 0.0, time.perf_counter() - started)
    gain = value - bound.price * cost
    size = max(1, min(shortlist_size, CORE_SIZE, max(1_000, 4 * bound.taken)))
    short, fixed = _shortlist(gain, eligible, shop, room, brand, cost, quotas, size)
    constraints = _constraints(cost[short], shop[short], brand[short], budget, room, quotas)

    def solve(lower: npt.NDArray[np.float64]) -> Any:
        return milp(
            c=-value[short],
            constraints=constraints,
            integrality=np.ones(short.size),
            bounds=Bounds(lower, 1),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-4, "presolve": True},
        )

    result = solve(fixed.astype(np.float64))
    if result.x is None and result.status == 2 and fixed.any():
        # Quotas may need budget or room that the fixed picks took: solve again with every pick free.
        result = solve(np.zeros(short.size))
        fixed = np.zeros(short.size, dtype=bool)
    if result.x is None:
        if result.status == 2:
            raise UsageError(
                "the quotas cannot be met within the budget and the per-shop limit: lower the quotas, raise "
                "--budget or --max-per-shop"
            )
        raise UsageError(f"the plan solver found no plan ({result.message})")
    chosen = np.sort(short[np.flatnonzero(result.x > 0.5)])
    objective = float(value[chosen].sum())
    status = "optimal" if result.status == 0 else "time limit"
    solver_gap = getattr(result, "mip_gap", None)
    return Selection(
        chosen,
        objective,
        max(bound.value, objective),
        int(short.size),
        status,
        None if solver_gap is None else float(solver_gap),
        time.perf_counter() - started,
        int(fixed.sum()),
    )


def quota_reasons(
    chosen: npt.NDArray[np.int64],
    ratio: npt.NDArray[np.float64],
    brand: npt.NDArray[np.int64],
    quotas: Mapping[int, int],
) -> npt.NDArray[np.bool_]:
    """Which chosen rows are there for a quota: in a quota brand, and worse per cost than the weakest pick
    that no quota forced (it would not have been chosen on its merit)."""
    in_quota = np.isin(brand[chosen], np.array(list(quotas), dtype=np.int64))
    free = chosen[~in_quota]
    threshold = float(ratio[free].min()) if free.size else np.inf
    return in_quota & (ratio[chosen] < threshold)
