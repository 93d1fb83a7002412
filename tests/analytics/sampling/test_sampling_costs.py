"""Check costs and harm: per-category overrides found whatever the spelling, the defaults for the rest."""

from __future__ import annotations

import numpy as np
import pytest

from fakescope.analytics.sampling import costs
from fakescope.settings import SamplingSettings


def test_costs_take_each_categorys_override_and_the_default_elsewhere() -> None:
    settings = SamplingSettings(appraisal_fee_by_category={"baby_formula": 500.0})
    categories = np.array(["Baby Formula", "toys", None, "baby-formula"], dtype=object)
    price = np.array([100.0, 50.0, 20.0, 10.0])
    got = costs.check_costs(price, categories, settings)
    fee, ship = settings.appraisal_fee, settings.shipping_cost
    wanted = [100 + ship + 500, 50 + ship + fee, 20 + ship + fee, 10 + ship + 500]
    assert got.tolist() == pytest.approx(wanted)


def test_harm_weighs_safety_categories_and_an_unknown_or_missing_one_weighs_one() -> None:
    settings = SamplingSettings()
    weighted = next(iter(settings.category_weights))
    categories = np.array([weighted, "no such category", None], dtype=object)
    harm = costs.harm(np.ones(3), np.full(3, 10.0), categories, settings)
    assert harm[0] == pytest.approx(settings.category_weights[weighted] * harm[1])
    assert harm[1] == harm[2]
