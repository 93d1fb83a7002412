"""Identity fixtures: a hand-made market of people, bans and comebacks, screened once per session."""

from __future__ import annotations

import pytest
from identity_factories import Market, ban_times, make_market

from fakescope.analytics.identity.screening import DecisionRules, ScreenResult, screen_sellers


@pytest.fixture(scope="session")
def small_market() -> Market:
    return make_market(300, seed=7)


@pytest.fixture(scope="session")
def small_screen(small_market: Market) -> ScreenResult:
    return screen_sellers(small_market.sellers, ban_times(small_market), DecisionRules(0.9, 0.5))
