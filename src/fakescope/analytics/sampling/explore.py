"""The exploration sample: a random draw with exactly known inclusion probabilities that never overspends.

Systematic sampling with probability proportional to size (risk with a floor) over the units in cost order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class ExploreDesign:
    """A fixed design: the certain units, the systematic step over the rest, and every unit's probability.

    `inclusion[i]` is the exact probability that unit i is drawn: 1 for a certain unit, `n * size / X` for the
    others (`n` draws over total size `X`), 0 for a unit outside the frame (too dear for the budget).
    """

    take_all: npt.NDArray[np.int64]
    order: npt.NDArray[np.int64]
    cumulative: npt.NDArray[np.float64]
    draws: int
    step: float
    inclusion: npt.NDArray[np.float64]
    worst_cost: float


def sizes(risk: npt.NDArray[np.float64], floor: float) -> npt.NDArray[np.float64]:
    """Size measure: the risk, never below `floor`, so every listing keeps a nonzero chance."""
    if not 0 < floor <= 1:
        raise ValueError(f"explore floor must be in (0, 1], got {floor}")
    return np.maximum(np.nan_to_num(np.asarray(risk, dtype=np.float64), nan=0.0), floor)


def _take_all(size: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.bool_]:
    """Units whose size share gives them probability >= 1 (iterated: removing one raises the rest)."""
    certain = np.zeros(size.size, dtype=bool)
    while True:
        left = n - int(certain.sum())
        if left <= 0:
            return certain
        total = float(size[~certain].sum())
        big = ~certain & (left * size >= total)
        if not big.any():
            return certain
        certain |= big


@dataclass(frozen=True)
class _Layout:
    certain: npt.NDArray[np.bool_]
    order: npt.NDArray[np.int64]
    cumulative: npt.NDArray[np.float64]
    draws: int
    step: float
    worst_cost: float


def _layout(
    size: npt.NDArray[np.float64], cost: npt.NDArray[np.float64], by_cost: npt.NDArray[np.int64], n: int
) -> _Layout:
    certain = _take_all(size, n)
    order = by_cost[~certain[by_cost]]
    draws = n - int(certain.sum())
    certain_cost = float(cost[certain].sum())
    if draws <= 0 or order.size == 0:
        return _Layout(certain, order, np.zeros(0), 0, 0.0, certain_cost)
    cumulative = np.cumsum(size[order])
    step = float(cumulative[-1]) / draws
    # Along the cost order, draw j lands in [j*step, (j+1)*step); the dearest unit it can hit is the one
    # holding the interval's right end, so summing those bounds the cost of every possible sample.
    ends = np.minimum(
        np.searchsorted(cumulative, step * np.arange(1, draws + 1), side="left"), order.size - 1
    )
    worst = certain_cost + float(cost[order[ends]].sum())
    return _Layout(certain, order, cumulative, draws, step, worst)


def design(
    size: npt.NDArray[np.float64], cost: npt.NDArray[np.float64], budget: float, *, cap: float | None = None
) -> ExploreDesign:
    """The largest systematic sample whose dearest possible outcome still fits `budget`.

    Units dearer than the budget (or than `cap`) are outside the frame and get probability 0.
    """
    size = np.asarray(size, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    if size.shape != cost.shape:
        raise ValueError("size and cost must have the same length")
    inclusion = np.zeros(size.size, dtype=np.float64)
    affordable = np.flatnonzero(cost <= (budget if cap is None else min(budget, cap)))
    empty = ExploreDesign(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0, 0.0, inclusion, 0.0)
    if budget <= 0 or affordable.size == 0:
        return empty
    sub_size, sub_cost = size[affordable], cost[affordable]
    by_cost = np.argsort(sub_cost, kind="stable").astype(np.int64)
    best: _Layout | None = None
    low, high = 1, affordable.size
    # The worst cost grows (nearly) with n; binary search keeps only layouts that were checked to fit.
    while low <= high:
        middle = (low + high) // 2
        layout = _layout(sub_size, sub_cost, by_cost, middle)
        if layout.worst_cost <= budget:
            best, low = layout, middle + 1
        else:
            high = middle - 1
    if best is None:
        return empty
    if best.draws:
        sub_inclusion = sub_size / best.step
        sub_inclusion[best.certain] = 1.0
    else:
        sub_inclusion = best.certain.astype(np.float64)
    inclusion[affordable] = sub_inclusion
    return ExploreDesign(
        take_all=affordable[np.flatnonzero(best.certain)],
        order=affordable[best.order],
        cumulative=best.cumulative,
        draws=best.draws,
        step=best.step,
        inclusion=inclusion,
        worst_cost=best.worst_cost,
    )


def best_design(
    size: npt.NDArray[np.float64], cost: npt.NDArray[np.float64], budget: float, *, keep: float = 0.95
) -> ExploreDesign:
    """The design that spends most of `budget` in expectation while its frame keeps `keep` of the units.

    The worst case always includes the dearest unit in the frame, so a budget only a few times a dear unit's
    cost buys almost nothing; leaving units above budget/2, /4 or /8 out of the frame (probability 0,
    counted) can buy many more checks, but only while the frame still holds nearly every unit: the estimate
    speaks for the frame. The choice depends on the data only, so the probabilities stay exact.
    """
    cost = np.asarray(cost, dtype=np.float64)
    designs = [design(size, cost, budget, cap=budget / share) for share in (1, 2, 4, 8)]
    wide = [
        d for d, share in zip(designs, (1, 2, 4, 8), strict=True) if (cost <= budget / share).mean() >= keep
    ]
    return max(wide or designs[:1], key=lambda d: float((d.inclusion * cost).sum()))


def draw(plan: ExploreDesign, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """One sample from the design: the certain units plus one unit per systematic step from a random start."""
    return draw_at(plan, rng.uniform(0.0, plan.step) if plan.draws else 0.0)


def draw_at(plan: ExploreDesign, start: float) -> npt.NDArray[np.int64]:
    """The sample a given start in [0, step) selects (the design's only random number)."""
    if plan.draws == 0:
        return np.sort(plan.take_all)
    points = start + plan.step * np.arange(plan.draws)
    hit = np.minimum(np.searchsorted(plan.cumulative, points, side="right"), plan.order.size - 1)
    return np.sort(np.concatenate([plan.take_all, plan.order[hit]]))
