"""Prevalence estimators: exact on a census, unbiased and well covered on repeated samples, domains."""

from __future__ import annotations

import numpy as np
import pytest

from fakescope.analytics.sampling import estimators, explore


def test_census_is_exact() -> None:
    counterfeit = np.array([True, False, False, True])
    result = estimators.ratio_estimate(counterfeit, np.ones(4))
    assert result.share == 0.5 and result.low == 0.5 and result.high == 0.5
    assert result.random_checks == 0


def test_weights_follow_horvitz_thompson() -> None:
    # A certain genuine check, a random fake drawn with p=0.5, a random genuine one with p=0.25.
    counterfeit = np.array([False, True, False])
    inclusion = np.array([1.0, 0.5, 0.25])
    result = estimators.ratio_estimate(counterfeit, inclusion)
    assert result.share == pytest.approx(2 / (1 + 2 + 4))
    assert result.population == pytest.approx(7.0)
    gmv = np.array([10.0, 30.0, 5.0])
    by_gmv = estimators.ratio_estimate(counterfeit, inclusion, measure=gmv)
    assert by_gmv.share == pytest.approx(60 / (10 + 60 + 20))
    assert 0 <= by_gmv.low <= by_gmv.share <= by_gmv.high <= 1


def test_wilson_stays_inside_zero_one() -> None:
    low, high = estimators.wilson(0.0, 30)
    assert low == 0.0 and 0 < high < 0.15
    low, high = estimators.wilson(1.0, 5)
    assert high == 1.0 and low > 0.4


def test_interval_covers_truth_over_repeated_draws() -> None:
    rng = np.random.default_rng(11)
    n = 20_000
    fake = rng.random(n) < 0.04
    risk = np.clip(np.where(fake, rng.beta(4, 2, n), rng.beta(1, 12, n)), 0, 1)
    cost = 315 + np.exp(rng.normal(5, 0.8, n))
    # A census stratum of the riskiest listings, then the explore draw over the rest.
    certain = np.argsort(-risk)[:200]
    rest = np.setdiff1d(np.arange(n), certain)
    plan = explore.design(explore.sizes(risk[rest], 0.05), cost[rest], 25_000.0)
    covered, covered_ht, estimates = 0, 0, []
    for seed in range(200):
        drawn = rest[explore.draw(plan, np.random.default_rng(seed))]
        checked = np.concatenate([certain, drawn])
        inclusion = np.concatenate([np.ones(certain.size), plan.inclusion[np.searchsorted(rest, drawn)]])
        result = estimators.ratio_estimate(fake[checked], inclusion)
        estimates.append(result.share)
        covered += result.low <= fake.mean() <= result.high
        # With the frame's size known, Horvitz-Thompson proper.
        known = estimators.ratio_estimate(fake[checked], inclusion, known_total=float(n))
        covered_ht += known.low <= fake.mean() <= known.high
    assert covered / 200 >= 0.9
    assert covered_ht / 200 >= 0.9
    assert np.mean(estimates) == pytest.approx(fake.mean(), rel=0.1)
    # A naive hit rate over the same checks is far off: that is why the weights matter.
    assert fake[checked].mean() > 3 * fake.mean()


def test_domains_partition_the_checks() -> None:
    counterfeit = np.array([True, False, True, False, False])
    inclusion = np.array([1.0, 0.2, 0.5, 0.5, 1.0])
    groups = np.array(["food", "food", "toys", None, "toys"], dtype=object)
    by = estimators.estimate_by(groups, counterfeit, inclusion)
    assert set(by) == {"food", "toys", "(none)"}
    assert by["food"].share == pytest.approx(1 / 6)
    assert by["toys"].share == pytest.approx(2 / 3)
    assert sum(e.checks for e in by.values()) == 5
