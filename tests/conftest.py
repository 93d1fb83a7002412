"""Fixtures every test area shares: workspaces, settings, and simulated marketplaces built once per session.

Simulations and snapshots are cached per (listings, seed) for the session; each test gets its own copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from fakescope.settings import Settings, get_settings


@pytest.fixture
def tmp_workspace(tmp_path: Path) -> Path:
    """An empty workspace folder for one test."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return workspace


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    """Build Settings for a workspace, with keyword overrides (`risk={"explain_top_n": 10}`)."""

    def build(workspace: Path, **overrides: object) -> Settings:
        return get_settings(workspace, **overrides)

    return build


@pytest.fixture(scope="session")
def marketplace(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """A simulated marketplace folder in the contract format, made once per (listings, seed, fmt)."""
    made: dict[tuple[int, int, str], Path] = {}

    def build(listings: int = 2_000, seed: int = 1, fmt: str = "parquet") -> Path:
        key = (listings, seed, fmt)
        if key not in made:
            from fakescope.analytics.simulate import simulate_marketplace

            out = tmp_path_factory.mktemp(f"market-{listings}-{seed}-{fmt}")
            simulate_marketplace(out, listings=listings, seed=seed, fmt=fmt)
            made[key] = out
        return made[key]

    return build


@pytest.fixture(scope="session")
def _snapshots(
    tmp_path_factory: pytest.TempPathFactory, marketplace: Callable[..., Path]
) -> Callable[[int, int], Path]:
    made: dict[tuple[int, int], Path] = {}

    def build(listings: int, seed: int) -> Path:
        key = (listings, seed)
        if key not in made:
            from fakescope.analytics.ingest import ingest_folder

            workspace = tmp_path_factory.mktemp(f"snapshot-{listings}-{seed}")
            ingest_folder(marketplace(listings, seed), settings=get_settings(workspace))
            made[key] = workspace
        return made[key]

    return build


@pytest.fixture
def snapshot_settings(tmp_path: Path, _snapshots: Callable[[int, int], Path]) -> Callable[..., Settings]:
    """Settings for a fresh copy of a workspace holding an ingested simulated marketplace."""

    def build(listings: int = 2_000, seed: int = 1, **overrides: object) -> Settings:
        source = _snapshots(listings, seed)
        workspace = tmp_path / f"workspace-{listings}-{seed}"
        if not workspace.exists():
            shutil.copytree(source, workspace)
        return get_settings(workspace, **overrides)

    return build
