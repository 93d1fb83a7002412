"""On the simulator's truth: screening beats plain Splink set up as its tutorial does, on the same sellers and
bans, and meets the bar for recidivists over ten simulated marketplaces taken together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from identity_baseline import plain_splink_best_matches
from identity_factories import recidivist_hits, recidivist_precision_recall

from fakescope.analytics.identity.screening import ScreenResult, screen_sellers
from fakescope.analytics.identity.service import decision_rules
from fakescope.settings import IdentitySettings

LISTINGS, SEED = 40_000, 11
# One marketplace of 150k listings holds ~200 comebacks, so one seed's precision or recall moves by ~0.02 on
# a few sellers (0.925 to 0.98 and 0.86 to 0.94 over these ten): the bar is judged on the ~2,000 together.
BAR_LISTINGS, BAR_SEEDS = 150_000, tuple(range(1, 11))


def _load(folder: Path) -> dict:  # type: ignore[type-arg]
    sellers = pq.read_table(folder / "sellers.parquet")
    truth = pq.read_table(folder / "_truth" / "sellers.parquet").to_pylist()
    bans = {
        r["seller_id"]: r["banned_at"].replace(tzinfo=None)
        for r in pq.read_table(folder / "bans.parquet").to_pylist()
    }
    return {
        "sellers": sellers,
        "bans": bans,
        "comeback_of": {r["seller_id"]: r["comeback_of"] for r in truth if r["comeback_of"]},
        "person_of": {r["seller_id"]: r["person_id"] for r in truth},
    }


def _screen(simulated: dict) -> ScreenResult:  # type: ignore[type-arg]
    return screen_sellers(simulated["sellers"], simulated["bans"], decision_rules(IdentitySettings()))


@pytest.fixture(scope="module")
def simulated(marketplace: Callable[..., Path]) -> dict:  # type: ignore[type-arg]
    return _load(marketplace(LISTINGS, SEED))


@pytest.fixture(scope="module")
def ours(simulated: dict) -> ScreenResult:  # type: ignore[type-arg]
    return _screen(simulated)


@pytest.fixture(scope="module")
def plain_blocked(simulated: dict) -> dict[str, str]:  # type: ignore[type-arg]
    plain = plain_splink_best_matches(simulated["sellers"], simulated["bans"])
    return {s: b for s, (b, p) in plain.items() if b is not None and p >= 0.9}


def _blocked(result: ScreenResult) -> dict[str, str]:
    return {
        r["seller_id"]: r["banned_seller_id"] for r in result.table.to_pylist() if r["decision"] == "block"
    }


@pytest.mark.slow
def test_screening_beats_plain_splink(
    simulated: dict,  # type: ignore[type-arg]
    ours: ScreenResult,
    plain_blocked: dict[str, str],
) -> None:
    assert len(simulated["comeback_of"]) >= 20, "the simulation should hold comebacks to find"
    plain_p, plain_r = recidivist_precision_recall(
        plain_blocked, simulated["comeback_of"], simulated["person_of"]
    )
    our_p, our_r = recidivist_precision_recall(
        _blocked(ours), simulated["comeback_of"], simulated["person_of"]
    )
    print(
        f"plain Splink: precision {plain_p:.3f} recall {plain_r:.3f}; "
        f"ours: precision {our_p:.3f} recall {our_r:.3f}"
    )
    assert our_p >= plain_p and our_r >= plain_r
    assert our_r > plain_r + 0.1


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@pytest.mark.slow
def test_recidivist_bar(marketplace: Callable[..., Path]) -> None:
    right = blocked = comebacks = 0
    for seed in BAR_SEEDS:
        simulated = _load(marketplace(BAR_LISTINGS, seed))
        mine = _blocked(_screen(simulated))
        truth = simulated["comeback_of"], simulated["person_of"]
        precision, recall = recidivist_precision_recall(mine, *truth)
        print(f"seed {seed}: {len(truth[0])} comebacks, precision {precision:.3f} recall {recall:.3f}")
        right += recidivist_hits(mine, *truth)
        blocked, comebacks = blocked + len(mine), comebacks + len(truth[0])
    precision, recall = right / blocked, right / comebacks
    print(
        f"{len(BAR_SEEDS)} marketplaces, {comebacks} comebacks, at the block threshold: "
        f"precision {precision:.3f} recall {recall:.3f} F1 {_f1(precision, recall):.3f}"
    )
    assert comebacks >= 1_500, "too few comebacks to judge the bar"
    assert precision >= 0.95 and recall >= 0.9
