"""The targeted selection: optimal within budget, shop limits and quotas; coverage of unchecked shops."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fakescope.analytics.sampling import optimiser
from fakescope.errors import UsageError


def _instance(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "value": rng.uniform(0, 5, n),
        "cost": rng.uniform(300, 900, n).round(),
        "shop": rng.integers(0, max(2, n // 3), n),
        "brand": rng.integers(-1, 3, n),
    }


def _brute_force(data: dict[str, np.ndarray], budget: float, room: int, quotas: dict[int, int]) -> float:
    best = -1.0
    n = data["value"].size
    for mask in itertools.product([0, 1], repeat=n):
        chosen = np.flatnonzero(mask)
        if data["cost"][chosen].sum() > budget:
            continue
        if chosen.size and np.bincount(data["shop"][chosen]).max() > room:
            continue
        if any((data["brand"][chosen] == b).sum() < m for b, m in quotas.items()):
            continue
        best = max(best, float(data["value"][chosen].sum()))
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_brute_force_and_bound_holds(seed: int) -> None:
    data = _instance(13, seed)
    budget = 2_500.0
    quotas = {0: 1}
    room = np.full(int(data["shop"].max()) + 1, 1)
    result = optimiser.select(
        data["value"], data["cost"], data["shop"], data["brand"], budget, room=room, quotas=quotas
    )
    optimum = _brute_force(data, budget, 1, quotas)
    assert result.objective == pytest.approx(optimum, rel=1e-4)
    assert result.bound >= result.objective - 1e-9
    assert data["cost"][result.chosen].sum() <= budget
    assert np.bincount(data["shop"][result.chosen]).max() <= 1
    assert (data["brand"][result.chosen] == 0).sum() >= 1


def test_large_instance_respects_every_constraint_with_a_small_gap() -> None:
    rng = np.random.default_rng(7)
    n = 30_000
    value = rng.beta(1, 8, n) * rng.uniform(1, 10, n)
    cost = 315 + np.exp(rng.normal(5, 0.7, n))
    shop = rng.integers(0, 2_000, n)
    brand = rng.integers(-1, 40, n)
    room = np.full(2_000, 2)
    room[:10] = 0  # shops that coverage already filled
    result = optimiser.select(value, cost, shop, brand, 150_000.0, room=room, quotas={5: 6, 9: 3})
    chosen = result.chosen
    assert cost[chosen].sum() <= 150_000.0
    per_shop = np.bincount(shop[chosen], minlength=2_000)
    assert (per_shop <= room).all()
    assert (brand[chosen] == 5).sum() >= 6 and (brand[chosen] == 9).sum() >= 3
    assert result.gap < 0.01
    assert result.shortlist < n
    # Chosen rows beat a greedy plan by value per cost.
    order = np.argsort(-value / cost)
    spent, greedy, taken = 0.0, 0.0, np.zeros(2_000, int)
    for i in order:
        if spent + cost[i] <= 150_000.0 and taken[shop[i]] < room[shop[i]]:
            spent += cost[i]
            greedy += value[i]
            taken[shop[i]] += 1
    assert result.objective >= greedy * 0.999


def test_unmeetable_quota_is_a_clear_error() -> None:
    data = _instance(20, 4)
    room = np.full(int(data["shop"].max()) + 1, 2)
    with pytest.raises(UsageError, match="quotas cannot be met"):
        optimiser.select(
            data["value"], data["cost"], data["shop"], data["brand"], 1_000.0, room=room, quotas={1: 5}
        )


def test_coverage_takes_one_listing_from_each_longest_unchecked_shop() -> None:
    shop = np.array([0, 0, 1, 1, 2, 3, 3])
    last_check = np.array([10.0, -np.inf, 5.0, -np.inf])
    ratio = np.array([0.1, 0.3, 0.9, 0.2, 0.5, 0.4, 0.8])
    cost = np.full(7, 100.0)
    chosen = optimiser.pick_coverage(shop, last_check, ratio, cost, 250.0)
    # Never-checked shops 1 and 3 first (shop 1's best promises more), each through its best listing.
    assert chosen.tolist() == [2, 6]
    more = optimiser.pick_coverage(shop, last_check, ratio, cost, 1_000.0)
    assert sorted(shop[more].tolist()) == [0, 1, 2, 3]


def test_quota_reason_marks_only_the_forced_rows() -> None:
    chosen = np.array([0, 1, 2, 3])
    ratio = np.array([0.9, 0.5, 0.1, 0.6])
    brand = np.array([7, -1, 7, -1])
    marked = optimiser.quota_reasons(chosen, ratio, brand, {7: 2})
    assert marked.tolist() == [False, False, True, False]


def _full_milp(value: np.ndarray, cost: np.ndarray, shop: np.ndarray, budget: float, room: int) -> float:
    """The exact optimum with every candidate free (no shortlist, nothing fixed)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix, vstack

    per_shop = csr_matrix((np.ones(shop.size), (shop, np.arange(shop.size))))
    matrix = vstack([csr_matrix(cost), per_shop])
    upper = np.r_[budget, np.full(per_shop.shape[0], room)]
    result = milp(
        -value,
        constraints=LinearConstraint(matrix, -np.inf, upper),
        integrality=np.ones(value.size),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 1e-6},
    )
    return float(-result.fun)


def test_fixing_the_clear_picks_keeps_the_optimum() -> None:
    rng = np.random.default_rng(11)
    n = 3_000
    value = rng.beta(1, 8, n) * rng.uniform(1, 10, n)
    cost = 315 + np.exp(rng.normal(5, 0.7, n))
    shop = rng.integers(0, 800, n)
    brand = np.full(n, -1)
    budget = 200_000.0
    result = optimiser.select(value, cost, shop, brand, budget, room=np.full(800, 2))
    assert result.fixed > 0, "the instance is big enough for the core to leave clear picks out of the solver"
    assert result.shortlist - result.fixed <= optimiser.CORE_SIZE
    assert cost[result.chosen].sum() <= budget
    assert np.bincount(shop[result.chosen]).max() <= 2
    assert result.objective >= _full_milp(value, cost, shop, budget, 2) * (1 - 1e-4)


def test_quotas_are_met_when_the_clear_picks_would_take_the_whole_budget() -> None:
    rng = np.random.default_rng(12)
    n = 8_000
    value = rng.beta(1, 8, n) * rng.uniform(1, 10, n)
    cost = 315 + np.exp(rng.normal(5, 0.7, n))
    shop = np.arange(n)
    brand = np.full(n, -1)
    weak = np.argsort(value / cost)[:40]  # the worst value per cost: no LP pick would take them
    brand[weak] = 3
    cost[weak] = 20_000.0  # 12 of them need 240,000: more than the fixed picks leave
    result = optimiser.select(value, cost, shop, brand, 300_000.0, room=np.ones(n, np.int64), quotas={3: 12})
    assert result.fixed == 0, "solved again with every pick free"
    assert (brand[result.chosen] == 3).sum() >= 12
    assert cost[result.chosen].sum() <= 300_000.0
