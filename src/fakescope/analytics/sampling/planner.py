"""`fakescope plan`: read fresh scores and the snapshot, make the plan, write the CSV and the `plan` table.

The edge of the check capability; the arithmetic lives in `design`, `optimiser`, `explore` and `costs`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from fakescope.analytics.derived import read_derived, write_derived
from fakescope.analytics.engine import Engine, open_engine
from fakescope.analytics.ingest import snapshot_info
from fakescope.analytics.sampling import costs
from fakescope.analytics.sampling.candidates import Candidates, currencies, load_candidates
from fakescope.analytics.sampling.design import PlanDraw, PlanOptions, make_draw
from fakescope.analytics.sampling.quotas import read_quotas
from fakescope.errors import FakescopeError, NotReady, UsageError
from fakescope.settings import Settings
from fakescope.workspace import Workspace

PLAN_COLUMNS = (
    "plan_id", "listing_id", "shop_id", "seller_id", "brand_id", "category", "price", "cost", "currency",
    "risk", "harm", "expected_value", "reason", "inclusion_probability",
)  # fmt: skip
SCORE_COMMAND = "fakescope score"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanReport:
    """What a plan holds and how good it is, for the CLI to show and tests to check."""

    plan_id: str
    table: pa.Table
    currency: str
    budget: float
    spend: float
    candidates: int
    by_reason: dict[str, dict[str, float]]
    bound: float
    objective: float
    gap: float
    solver_status: str
    shortlist: int
    explore_draws: int
    explore_budget: float
    explore_zero_probability: int
    shops_over_limit: int
    coverage_shops: int
    active_shops: int
    unscored: int
    seed: int
    out: Path | None
    meta: dict[str, Any] = field(default_factory=dict)
    shortlist_fixed: int = 0  # of the shortlist, the LP's clear picks fixed in before the solver
    optimiser_seconds: float = 0.0  # LP bound and MILP


def fresh_scores(settings: Settings, fingerprint: str) -> tuple[pa.Table, dict[str, Any]]:
    """The listing scores, refused with NotReady when missing or made from another snapshot."""
    table, meta = read_derived(Workspace(settings.workspace), "scores_listing", command=SCORE_COMMAND)
    if meta.get("snapshot_fingerprint") != fingerprint:
        raise NotReady(
            "the risk scores were made from an older snapshot than the current one: run "
            f"`{SCORE_COMMAND}` first",
            scores_fingerprint=meta.get("snapshot_fingerprint"),
            snapshot_fingerprint=fingerprint,
        )
    for column in ("listing_id", "risk"):
        if column not in table.column_names:
            raise NotReady(f"the scores have no {column} column: run `{SCORE_COMMAND}` again")
    return table, meta


def known_brands(engine: Engine) -> set[str]:
    """Every brand_id in the snapshot's brands table."""
    return {str(b) for b in engine.to_arrow(engine.table("brands").select("brand_id")).column(0).to_pylist()}


def gather_candidates(
    settings: Settings,
    engine: Engine,
    *,
    scores: pa.Table,
    currency: str,
    as_of: datetime,
    extra_checks: pa.Table | None = None,
) -> Candidates:
    """The reachable listings in `currency`; UsageError for a currency the data does not use."""
    used = currencies(engine)
    if currency.upper() not in used:
        raise UsageError(
            f"currency {currency.upper()}: the listings are priced only in {', '.join(used) or 'nothing'}"
        )
    return load_candidates(
        engine,
        scores=scores,
        currency=currency.upper(),
        as_of=as_of.astimezone(UTC).replace(tzinfo=None),
        recheck_after_days=settings.sampling.recheck_after_days,
        recent_days=settings.risk.recent_days,
        extra_checks=extra_checks,
    )


def plan_identifier(parts: dict[str, Any]) -> str:
    """A plan id fixed by its inputs: the same plan asked twice gets the same id (imports stay idempotent)."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"plan-{digest[:16]}"


def plan_table(plan_id: str, candidates: Candidates, draw: PlanDraw, currency: str) -> pa.Table:
    """The plan rows in the interface's columns and order."""
    rows = draw.rows
    return pa.table(
        {
            "plan_id": pa.array([plan_id] * rows.size, pa.string()),
            "listing_id": pa.array(candidates.listing_id[rows].tolist(), pa.string()),
            "shop_id": pa.array(candidates.shop_id[rows].tolist(), pa.string()),
            "seller_id": pa.array(candidates.seller_id[rows].tolist(), pa.string()),
            "brand_id": pa.array(candidates.brand_id[rows].tolist(), pa.string()),
            "category": pa.array(candidates.category[rows].tolist(), pa.string()),
            "price": pa.array(np.round(candidates.price[rows], 2), pa.float64()),
            "cost": pa.array(np.round(draw.cost[rows], 2), pa.float64()),
            "currency": pa.array([currency] * rows.size, pa.string()),
            "risk": pa.array(candidates.risk[rows], pa.float64()),
            "harm": pa.array(draw.harm[rows], pa.float64()),
            "expected_value": pa.array(draw.value[rows], pa.float64()),
            "reason": pa.array(draw.reason.tolist(), pa.string()),
            "inclusion_probability": pa.array(draw.inclusion, pa.float64()),
        }
    ).select(list(PLAN_COLUMNS))


def write_csv_atomically(table: pa.Table, out: Path) -> None:
    """Write the CSV next to its target and rename it into place, so a failure leaves nothing half-written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="needed"))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class PlanOutcome:
    """A plan with the frame it was drawn from (what the loop needs to estimate and to compare with truth)."""

    report: PlanReport
    candidates: Candidates
    draw: PlanDraw


def make_plan(
    settings: Settings,
    *,
    budget: float,
    currency: str = "CNY",
    max_per_shop: int = 2,
    explore_share: float = 0.1,
    coverage_share: float = 0.1,
    quotas_file: Path | None = None,
    seed: int | None = None,
    out: Path | None = None,
    extra_checks: pa.Table | None = None,
    progress: Progress | None = None,
) -> PlanReport:
    """Plan test buys for `budget` (in `currency`) from current scores; write `plan` (and `out`, a CSV).

    `extra_checks` (spot_checks columns) are checks made since the snapshot: their listings are not planned.
    """
    return plan_with_frame(
        settings,
        budget=budget,
        currency=currency,
        max_per_shop=max_per_shop,
        explore_share=explore_share,
        coverage_share=coverage_share,
        quotas_file=quotas_file,
        seed=seed,
        out=out,
        extra_checks=extra_checks,
        progress=progress,
    ).report


def plan_with_frame(
    settings: Settings,
    *,
    budget: float,
    currency: str = "CNY",
    max_per_shop: int = 2,
    explore_share: float = 0.1,
    coverage_share: float = 0.1,
    quotas_file: Path | None = None,
    seed: int | None = None,
    out: Path | None = None,
    extra_checks: pa.Table | None = None,
    progress: Progress | None = None,
) -> PlanOutcome:
    """The plan, its candidate frame and its draw; writes the `plan` table and, with `out`, the CSV."""
    say = progress or (lambda _message: None)
    sampling = settings.sampling
    options = PlanOptions(
        budget=float(budget),
        max_per_shop=max_per_shop,
        explore_share=explore_share,
        coverage_share=coverage_share,
        explore_floor=sampling.explore_floor,
        shortlist_size=sampling.shortlist_size,
    )
    options.check()
    info = snapshot_info(settings)
    scores, score_meta = fresh_scores(settings, info.fingerprint)
    currency = currency.strip().upper()
    say("finding the listings a test buy can reach")
    with open_engine(settings) as engine:
        candidates = gather_candidates(
            settings, engine, scores=scores, currency=currency, as_of=info.as_of, extra_checks=extra_checks
        )
        quotas = read_quotas(quotas_file, known_brands=known_brands(engine)) if quotas_file else {}
        shops = engine.table("shops")
        counted = engine.to_arrow(shops.filter(shops.status == "active").aggregate(n=shops.shop_id.count()))
        active_shops = int(counted.column("n")[0].as_py())
    if len(candidates) == 0:
        raise FakescopeError(f"no listing in {currency} can be reached by a test buy; nothing to plan")
    cost = costs.check_costs(candidates.price, candidates.category, sampling)
    harm = costs.harm(candidates.units, candidates.gmv, candidates.category, sampling)
    cheapest = float(cost.min())
    if budget < cheapest:
        raise UsageError(
            f"--budget {budget:,.2f} {currency} is below the cheapest check ({cheapest:,.2f} {currency}: "
            "price + shipping + appraisal fee)"
        )
    seed = secrets.randbits(63) if seed is None else int(seed)
    options = PlanOptions(**{**options.__dict__, "quotas": quotas})
    say(f"optimising over {len(candidates):,} candidates")
    draw = make_draw(candidates, cost=cost, harm=harm, options=options, rng=np.random.default_rng(seed))
    parts = {
        "snapshot": info.fingerprint,
        "scores": score_meta.get("model_version"),
        "scored_at": score_meta.get("scored_at"),
        "budget": float(budget),
        "currency": currency,
        "max_per_shop": max_per_shop,
        "explore": explore_share,
        "coverage": coverage_share,
        "quotas": quotas,
        "seed": seed,
        "extra_checks": 0 if extra_checks is None else extra_checks.num_rows,
    }
    plan_id = plan_identifier(parts)
    table = plan_table(plan_id, candidates, draw, currency)
    report = _report(plan_id, table, candidates, draw, options, currency, seed, active_shops, out)
    meta = {
        "snapshot_fingerprint": info.fingerprint,
        "plan_id": plan_id,
        "created_at": datetime.now(UTC).isoformat(),
        "parameters": parts,
        "frame_listings": len(candidates),
        "frame_gmv": float(candidates.gmv.sum()),
        "spend": report.spend,
        "bound": report.bound,
        "gap": report.gap,
        "explore_draws": report.explore_draws,
        "explore_zero_probability": report.explore_zero_probability,
        "model_version": score_meta.get("model_version"),
        "fallback": score_meta.get("fallback"),
    }
    say("writing the plan")
    if out is not None:
        write_csv_atomically(table, out)
    write_derived(Workspace(settings.workspace), "plan", table, meta)
    return PlanOutcome(PlanReport(**{**report.__dict__, "meta": meta}), candidates, draw)


def _report(
    plan_id: str,
    table: pa.Table,
    candidates: Candidates,
    draw: PlanDraw,
    options: PlanOptions,
    currency: str,
    seed: int,
    active_shops: int,
    out: Path | None,
) -> PlanReport:
    by_reason: dict[str, dict[str, float]] = {}
    for reason in ("risk", "quota", "coverage", "explore"):
        mask = draw.reason == reason
        by_reason[reason] = {
            "checks": int(mask.sum()),
            "spend": float(draw.cost[draw.rows[mask]].sum()),
            "expected_fakes": float(candidates.risk[draw.rows[mask]].sum()),
        }
    shops = candidates.shop_id[draw.rows].astype(str)
    _, per_shop = np.unique(shops, return_counts=True)
    frame = draw.frame_inclusion
    return PlanReport(
        plan_id=plan_id,
        table=table,
        currency=currency,
        budget=options.budget,
        spend=draw.spend,
        candidates=len(candidates),
        by_reason=by_reason,
        bound=draw.selection.bound,
        objective=draw.selection.objective,
        gap=draw.selection.gap,
        solver_status=draw.selection.solver_status,
        shortlist=draw.selection.shortlist,
        shortlist_fixed=draw.selection.fixed,
        optimiser_seconds=draw.selection.seconds,
        explore_draws=int((draw.reason == "explore").sum()),
        explore_budget=draw.explore_budget if options.explore_share > 0 else 0.0,
        explore_zero_probability=int((frame == 0).sum()) if options.explore_share > 0 else 0,
        shops_over_limit=int((per_shop > options.max_per_shop).sum()),
        coverage_shops=int((draw.reason == "coverage").sum()),
        active_shops=active_shops,
        unscored=candidates.unscored,
        seed=seed,
        out=out,
    )
