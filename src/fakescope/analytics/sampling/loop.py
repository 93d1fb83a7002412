"""`fakescope simulate-loop`: plan, resolve the test buys from the simulator's truth, learn, plan again.

Each round: checks, spend, fakes, hit rate beside random buying, and the prevalence estimate beside the truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from fakescope.analytics.derived import read_derived_meta
from fakescope.analytics.ingest import snapshot_info
from fakescope.analytics.sampling.candidates import CHECK_COLUMNS, Candidates
from fakescope.analytics.sampling.design import PlanDraw
from fakescope.analytics.sampling.planner import (
    SCORE_COMMAND,
    PlanReport,
    plan_with_frame,
    write_csv_atomically,
)
from fakescope.analytics.sampling.prevalence import COUNTERFEIT, INCONCLUSIVE, from_checks
from fakescope.errors import NotReady, UsageError
from fakescope.settings import Settings
from fakescope.workspace import Workspace

GENUINE = "genuine"
TRUTH_FILE = Path("_truth") / "listings.parquet"


@dataclass(frozen=True)
class Round:
    """One round of the loop, as printed and charted."""

    round: int
    plan_id: str
    model_version: str
    checks: int
    spend: float
    fakes: int
    inconclusive: int
    hit_rate: float
    random_hit_rate: float
    estimate: float | None
    low: float | None
    high: float | None
    true_prevalence: float
    reachable_prevalence: float
    frame_listings: int


@dataclass(frozen=True)
class LoopReport:
    """Every round, the chart, and the checks made (spot_checks columns, also kept as CSV in reports)."""

    rounds: list[Round]
    chart: Path
    checks: pa.Table
    checks_file: Path


def find_truth(settings: Settings, truth: Path | None) -> dict[str, bool]:
    """The simulator's truth per listing: from `truth` (the simulator's folder or its `_truth`), else from the
    folder the snapshot was loaded from; NotReady when there is none."""
    info = snapshot_info(settings)
    folder = truth if truth is not None else Path(info.source)
    for path in (folder / TRUTH_FILE, folder / TRUTH_FILE.name):
        if path.is_file():
            table = pq.read_table(path, columns=["listing_id", "counterfeit"])
            ids = table.column("listing_id").to_pylist()
            flags = table.column("counterfeit").to_pylist()
            return {str(i): bool(f) for i, f in zip(ids, flags, strict=True)}
    raise NotReady(
        f"no simulator truth at {folder / TRUTH_FILE}: simulate-loop runs on a simulated marketplace "
        "(`fakescope simulate DIR`, then `fakescope ingest DIR`), or pass --truth DIR"
    )


def random_hit_rate(
    counterfeit: npt.NDArray[np.bool_],
    cost: npt.NDArray[np.float64],
    budget: float,
    rng: np.random.Generator,
    repeats: int = 50,
) -> float:
    """The share of fakes among test buys made in random order until the budget runs out (mean of repeats)."""
    found = bought = 0
    for _ in range(repeats):
        order = rng.permutation(cost.size)
        # Buy in random order until the next buy would overspend.
        spent = np.cumsum(cost[order])
        take = order[spent <= budget]
        found += int(counterfeit[take].sum())
        bought += take.size
    return found / bought if bought else 0.0


def resolve(
    listing_ids: list[str], truth: dict[str, bool], inconclusive_share: float, rng: np.random.Generator
) -> list[str]:
    """Verdicts of test buys: the truth, except a random share that appraisal cannot decide."""
    verdicts = [COUNTERFEIT if truth.get(i, False) else GENUINE for i in listing_ids]
    undecided = rng.random(len(verdicts)) < inconclusive_share
    return [INCONCLUSIVE if u else v for v, u in zip(verdicts, undecided, strict=True)]


def _ensure_scores(settings: Settings, fingerprint: str, progress: Callable[[str], None]) -> None:
    from fakescope.analytics.risk import score, train

    try:
        meta = read_derived_meta(Workspace(settings.workspace), "scores_listing", command=SCORE_COMMAND)
        fresh = meta.get("snapshot_fingerprint") == fingerprint
    except NotReady:
        fresh = False
    if not fresh:
        progress("training the first model")
        train(settings)
        score(settings)


def run_loop(
    settings: Settings,
    *,
    rounds: int,
    budget: float,
    currency: str = "CNY",
    truth: Path | None = None,
    inconclusive_share: float = 0.03,
    seed: int = 0,
    max_per_shop: int = 2,
    explore_share: float = 0.1,
    coverage_share: float = 0.1,
    on_round: Callable[[dict[str, float]], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoopReport:
    """Run `rounds` rounds of plan -> test buys (from truth) -> labels -> retrain; chart them in reports."""
    from fakescope.analytics.risk import score, train

    if rounds < 1:
        raise UsageError(f"--rounds must be at least 1, got {rounds}")
    if not 0 <= inconclusive_share < 1:
        raise UsageError(f"--inconclusive must be a share in [0, 1), got {inconclusive_share}")
    say = progress or (lambda _m: None)
    truth_map = find_truth(settings, truth)
    info = snapshot_info(settings)
    _ensure_scores(settings, info.fingerprint, say)
    rng = np.random.default_rng(seed)
    checks = pa.Table.from_pylist([], schema=_check_schema())
    results: list[Round] = []
    as_of = info.as_of.astimezone(UTC).replace(tzinfo=None)
    for number in range(1, rounds + 1):
        say(f"round {number}: planning")
        outcome = plan_with_frame(
            settings,
            budget=budget,
            currency=currency,
            max_per_shop=max_per_shop,
            explore_share=explore_share,
            coverage_share=coverage_share,
            seed=seed * 1_000 + number,
            extra_checks=checks,
        )
        report, frame, draw = outcome.report, outcome.candidates, outcome.draw
        listing_ids = [str(i) for i in frame.listing_id[draw.rows]]
        verdicts = resolve(listing_ids, truth_map, inconclusive_share, rng)
        # Rounds are moments apart before the as-of time, so labels keep their order for training.
        checked_at = as_of - timedelta(minutes=rounds - number)
        made = pa.table(
            {
                "check_id": [f"{report.plan_id}-{k:05d}" for k in range(len(listing_ids))],
                "listing_id": listing_ids,
                "checked_at": pa.array([checked_at] * len(listing_ids), pa.timestamp("us")),
                "verdict": verdicts,
                "inclusion_probability": pa.array(draw.inclusion, pa.float64()),
            },
            schema=_check_schema(),
        )
        checks = pa.concat_tables([checks, made])
        results.append(_round(number, report, frame, draw, verdicts, truth_map, budget, rng))
        if on_round is not None:
            on_round(asdict(results[-1]))
        if number < rounds:
            say(f"round {number}: retraining on {checks.num_rows} new verdicts")
            train(settings, extra_labels=checks)
            score(settings)
    layout = Workspace(settings.workspace)
    layout.reports_dir.mkdir(parents=True, exist_ok=True)
    chart = layout.reports_dir / "loop.png"
    draw_chart(results, chart)
    checks_file = layout.reports_dir / "loop-checks.csv"
    write_csv_atomically(checks, checks_file)
    return LoopReport(results, chart, checks, checks_file)


def _check_schema() -> pa.Schema:
    types = {
        "check_id": pa.string(),
        "listing_id": pa.string(),
        "checked_at": pa.timestamp("us"),
        "verdict": pa.string(),
        "inclusion_probability": pa.float64(),
    }
    return pa.schema([(name, types[name]) for name in CHECK_COLUMNS])


def _round(
    number: int,
    report: PlanReport,
    frame: Candidates,
    draw: PlanDraw,
    verdicts: list[str],
    truth: dict[str, bool],
    budget: float,
    rng: np.random.Generator,
) -> Round:
    fake = np.array([truth.get(str(i), False) for i in frame.listing_id], dtype=bool)
    covered = draw.frame_inclusion > 0
    verdict = np.array(verdicts, dtype=object)
    decided = verdict != INCONCLUSIVE
    fakes = int((verdict == COUNTERFEIT).sum())
    # Horvitz-Thompson over this round's frame: its size is known, certain picks are a census of themselves.
    estimate = from_checks(
        verdict, draw.inclusion, frame.gmv[draw.rows], known_listings=float(covered.sum())
    ).listings
    return Round(
        round=number,
        plan_id=report.plan_id,
        model_version=str(report.meta.get("model_version")),
        checks=int(draw.rows.size),
        spend=draw.spend,
        fakes=fakes,
        inconclusive=int((~decided).sum()),
        hit_rate=fakes / max(1, int(decided.sum())),
        random_hit_rate=random_hit_rate(fake, draw.cost, budget, rng),
        estimate=estimate.share,
        low=estimate.low,
        high=estimate.high,
        true_prevalence=float(fake[covered].mean()) if covered.any() else 0.0,
        reachable_prevalence=float(fake.mean()) if fake.size else 0.0,
        frame_listings=int(covered.sum()),
    )


def draw_chart(rounds: list[Round], path: Path) -> None:
    """Hit rate (plan and random) and prevalence (estimate with its interval, and the truth) by round, PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r.round for r in rounds]
    figure, (hits, prevalence) = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    hits.plot(x, [r.hit_rate for r in rounds], marker="o", label="plan")
    hits.plot(
        x, [r.random_hit_rate for r in rounds], marker="s", linestyle="--", label="same budget at random"
    )
    hits.set(title="Hit rate by round", xlabel="round", ylabel="share of decided checks counterfeit")
    hits.set_ylim(0, 1)
    hits.legend()
    shown = [r for r in rounds if r.estimate is not None]
    centre = np.array([r.estimate for r in shown], dtype=float)
    low = np.array([r.low for r in shown], dtype=float)
    high = np.array([r.high for r in shown], dtype=float)
    prevalence.errorbar(
        [r.round for r in shown], centre, yerr=[centre - low, high - centre], fmt="o", capsize=4,
        label="estimate (95% CI)",
    )  # fmt: skip
    prevalence.plot(x, [r.true_prevalence for r in rounds], marker="x", linestyle=":", label="true")
    prevalence.set(title="Prevalence among reachable listings", xlabel="round", ylabel="counterfeit share")
    prevalence.set_ylim(bottom=0)
    prevalence.legend()
    for axis in (hits, prevalence):
        axis.set_xticks(x)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
