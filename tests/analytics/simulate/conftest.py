"""Simulated marketplaces shared by the simulator's tests, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakescope.analytics.simulate import SimulationSummary, simulate_marketplace


@pytest.fixture(scope="session")
def sim_small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulationSummary]:
    """3,000 listings, Parquet."""
    out = tmp_path_factory.mktemp("sim-3k-parquet")
    return out, simulate_marketplace(out, listings=3_000, seed=2)


@pytest.fixture(scope="session")
def sim_small_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulationSummary]:
    """The same 3,000 listings, CSV."""
    out = tmp_path_factory.mktemp("sim-3k-csv")
    return out, simulate_marketplace(out, listings=3_000, seed=2, fmt="csv")


@pytest.fixture(scope="session")
def sim_medium(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulationSummary]:
    """20,000 listings, Parquet: big enough for AUCs and ratios."""
    out = tmp_path_factory.mktemp("sim-20k")
    return out, simulate_marketplace(out, listings=20_000, seed=11)
