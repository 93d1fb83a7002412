"""The exploration design: exact inclusion probabilities, never over budget, no zero chance."""

from __future__ import annotations

import numpy as np
import pytest

from fakescope.analytics.sampling import explore


def _frame(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    risk = rng.beta(1, 6, n)
    cost = 315 + np.exp(rng.normal(4.5, 0.8, n))
    return explore.sizes(risk, 0.05), cost


def _exact_frequencies(plan: explore.ExploreDesign, cost: np.ndarray, grid: int) -> tuple[np.ndarray, float]:
    """How often each unit is drawn over an even grid of starts (the design's only random number)."""
    counts = np.zeros(cost.size)
    worst = 0.0
    for start in (np.arange(grid) + 0.5) / grid * plan.step:
        chosen = explore.draw_at(plan, start)
        counts[chosen] += 1
        worst = max(worst, float(cost[chosen].sum()))
    return counts / grid, worst


def test_inclusion_probabilities_are_exact_and_budget_never_exceeded() -> None:
    size, cost = _frame(300, seed=3)
    budget = 6_000.0
    plan = explore.design(size, cost, budget)
    assert plan.draws >= 5
    assert plan.worst_cost <= budget
    frequencies, worst = _exact_frequencies(plan, cost, grid=20_000)
    # Integrating over the start, each unit's frequency is its inclusion probability (up to the grid).
    assert np.abs(frequencies - plan.inclusion).max() < 2e-3
    assert worst <= budget
    assert plan.inclusion.sum() == pytest.approx(plan.draws + plan.take_all.size)


def test_probability_follows_risk_with_a_floor() -> None:
    risk = np.array([0.0, 0.01, 0.05, 0.1, 0.4] + [0.05] * 45)
    cost = np.full(50, 100.0)
    plan = explore.design(explore.sizes(risk, 0.05), cost, 300.0)
    assert plan.draws == 3
    assert (plan.inclusion > 0).all(), "every unit keeps a nonzero chance"
    assert plan.inclusion[0] == plan.inclusion[1] == plan.inclusion[2]
    assert plan.inclusion[4] == pytest.approx(4 * plan.inclusion[3])


def test_a_dominant_unit_is_taken_for_certain() -> None:
    risk = np.array([1.0] + [0.05] * 99)
    plan = explore.design(explore.sizes(risk, 0.05), np.full(100, 10.0), 100.0)
    assert plan.inclusion[0] == 1.0
    assert 0 in explore.draw(plan, np.random.default_rng(0))
    assert plan.inclusion[1:].max() < 1.0
    assert plan.inclusion.sum() == pytest.approx(10.0)


def test_units_dearer_than_the_budget_get_no_chance_and_no_budget_draws_nothing() -> None:
    size = np.array([0.5, 0.5, 0.5])
    cost = np.array([50.0, 60.0, 5_000.0])
    plan = explore.design(size, cost, 200.0)
    assert plan.inclusion[2] == 0.0
    assert plan.inclusion[:2].sum() > 0
    nothing = explore.design(size, cost, 10.0)
    assert nothing.inclusion.sum() == 0.0
    assert explore.draw(nothing, np.random.default_rng(1)).size == 0


def test_random_draws_reproduce_the_probabilities() -> None:
    size, cost = _frame(2_000, seed=5)
    plan = explore.design(size, cost, 20_000.0)
    counts = np.zeros(size.size)
    rounds = 4_000
    for seed in range(rounds):
        chosen = explore.draw(plan, np.random.default_rng(seed))
        assert cost[chosen].sum() <= 20_000.0
        counts[chosen] += 1
    expected = plan.inclusion * rounds
    # Aggregate over deciles of probability so the check has power without being flaky.
    deciles = np.array_split(np.argsort(plan.inclusion), 10)
    for group in deciles:
        seen, wanted = counts[group].sum(), expected[group].sum()
        assert abs(seen - wanted) < 5 * np.sqrt(wanted) + 1
