"""Scored simulated workspaces for the check tests, built once per session (ingest, train, score).

Each test gets its own copy, so plans and retraining never leak between tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from fakescope.settings import Settings, get_settings


@pytest.fixture(scope="session")
def _scored(
    tmp_path_factory: pytest.TempPathFactory, marketplace: Callable[..., Path]
) -> Callable[[int, int], tuple[Path, Path]]:
    made: dict[tuple[int, int], tuple[Path, Path]] = {}

    def build(listings: int, seed: int) -> tuple[Path, Path]:
        if (listings, seed) not in made:
            from fakescope.analytics.ingest import ingest_folder
            from fakescope.analytics.risk import score, train

            source = marketplace(listings, seed)
            workspace = tmp_path_factory.mktemp(f"scored-{listings}-{seed}")
            settings = get_settings(workspace)
            ingest_folder(source, settings=settings)
            train(settings)
            score(settings)
            made[(listings, seed)] = (workspace, source)
        return made[(listings, seed)]

    return build


@pytest.fixture
def scored_settings(
    tmp_path: Path, _scored: Callable[[int, int], tuple[Path, Path]]
) -> Callable[..., Settings]:
    """Settings for a fresh copy of an ingested, trained and scored simulated marketplace."""

    def build(listings: int = 3_000, seed: int = 2, **overrides: object) -> Settings:
        source, _ = _scored(listings, seed)
        workspace = tmp_path / f"scored-{listings}-{seed}"
        if not workspace.exists():
            shutil.copytree(source, workspace)
        return get_settings(workspace, **overrides)

    return build


@pytest.fixture
def truth_of(_scored: Callable[[int, int], tuple[Path, Path]]) -> Callable[[int, int], dict[str, bool]]:
    """The simulator's truth (listing_id -> counterfeit) of a scored marketplace."""

    def read(listings: int = 3_000, seed: int = 2) -> dict[str, bool]:
        _, source = _scored(listings, seed)
        table = pq.read_table(source / "_truth" / "listings.parquet")
        flags = np.asarray(table.column("counterfeit").to_pylist(), dtype=bool)
        return dict(zip(table.column("listing_id").to_pylist(), flags.tolist(), strict=True))

    return read
