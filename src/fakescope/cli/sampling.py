"""`fakescope plan`, `fakescope prevalence` and `fakescope simulate-loop`: the check capability's commands.

Thin: parse options, call `fakescope.analytics.sampling`, render tables.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.progress import TaskID
from rich.table import Table

from fakescope.analytics.sampling.estimators import Estimate
from fakescope.cli.common import console, err_console, progress, state
from fakescope.core.clock import as_utc
from fakescope.errors import UsageError


def register(app: typer.Typer) -> None:
    """Add `plan`, `prevalence` and `simulate-loop` to the app."""
    app.command("plan")(plan)
    app.command("prevalence")(prevalence)
    app.command("simulate-loop")(simulate_loop)


def plan(
    ctx: typer.Context,
    budget: float = typer.Option(..., "--budget", help="Money for test buys, in --currency."),
    currency: str = typer.Option("CNY", "--currency", help="Currency of the budget (ISO 4217)."),
    max_per_shop: int = typer.Option(2, "--max-per-shop", help="At most this many targeted checks per shop."),
    explore: float = typer.Option(0.1, "--explore", help="Share of the budget drawn at random."),
    coverage: float = typer.Option(0.1, "--coverage", help="Share for the longest-unchecked shops."),
    quotas: Path | None = typer.Option(None, "--quotas", help="CSV brand_id,min_checks (rights holders)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the random draw (default: fresh)."),
    out: Path = typer.Option(Path("plan.csv"), "--out", help="Where to write the plan CSV."),
) -> None:
    """Plan test buys that find the most expected harm for the budget, as a known probability sample."""
    from fakescope.analytics.sampling.planner import make_plan

    settings = state(ctx).settings
    with progress("plan", total=4) as (bar, task):

        def step(message: str) -> None:
            bar.update(TaskID(task), description=f"plan: {message}", advance=1)

        report = make_plan(
            settings,
            budget=budget,
            currency=currency,
            max_per_shop=max_per_shop,
            explore_share=explore,
            coverage_share=coverage,
            quotas_file=quotas,
            seed=seed,
            out=out,
            progress=step,
        )
        bar.update(TaskID(task), description="plan: done", completed=4)
    table = Table(title=f"Plan {report.plan_id}: {report.candidates:,} reachable listings")
    for column in ("reason", "checks", "spend", "expected fakes"):
        table.add_column(column, justify="left" if column == "reason" else "right")
    for reason, row in report.by_reason.items():
        if row["checks"]:
            spend = f"{row['spend']:,.2f} {report.currency}"
            table.add_row(reason, f"{row['checks']:.0f}", spend, f"{row['expected_fakes']:.1f}")
    total = sum(r["checks"] for r in report.by_reason.values())
    table.add_row(
        "total", f"{total:.0f}", f"{report.spend:,.2f} of {report.budget:,.2f} {report.currency}", ""
    )
    console.print(table)
    console.print(
        f"targeted picks: expected harm {report.objective:,.2f}, LP bound {report.bound:,.2f}, "
        f"gap {report.gap:.3%} ({report.solver_status}, shortlist {report.shortlist:,})",
        highlight=False,
    )
    if report.explore_budget > 0:
        console.print(
            f"explore: {report.explore_draws} random checks from {report.explore_budget:,.2f} "
            f"{report.currency}; {report.explore_zero_probability:,} listings outside the random frame "
            "(too dear for it)",
            highlight=False,
        )
    console.print(
        f"coverage: {report.coverage_shops} long-unchecked shops of {report.active_shops:,} open "
        f"(a quarter a year is {report.active_shops / 4:,.0f})",
        highlight=False,
    )
    if report.shops_over_limit:
        console.print(
            f"{report.shops_over_limit} shop(s) get more than {max_per_shop} checks through the random draw "
            "(kept so every listing keeps its known chance)",
            highlight=False,
        )
    if report.unscored:
        console.print(f"{report.unscored} listings had no score and count as risk 0", highlight=False)
    console.print(f"wrote {report.out} (seed {report.seed})", highlight=False)


def _interval(estimate: Estimate) -> str:
    if estimate.share is None:
        return "-"
    return f"{estimate.share:.2%} [{estimate.low:.2%}, {estimate.high:.2%}]"


def prevalence(
    ctx: typer.Context,
    by: str | None = typer.Option(None, "--by", help="Also per category or brand."),
    since: str | None = typer.Option(None, "--since", help="Only checks at or after this time (ISO-8601)."),
    checks: Path | None = typer.Option(
        None, "--checks", help="More checks in spot_checks columns (CSV or Parquet), e.g. from `labels`."
    ),
    output: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """The share of listings and of GMV that is counterfeit, with 95% intervals, from weighted checks."""
    from fakescope.analytics.sampling.prevalence import estimate_prevalence

    if by is not None and by not in ("category", "brand"):
        raise UsageError(f"--by must be category or brand, got {by!r}")
    if output not in ("table", "json"):
        raise UsageError(f"--format must be table or json, got {output!r}")
    start = None
    if since is not None:
        try:
            start = as_utc(datetime.fromisoformat(since.replace("Z", "+00:00")))
        except ValueError as error:
            raise UsageError(f"--since {since!r} is not an ISO-8601 time") from error
    result = estimate_prevalence(state(ctx).settings, by=by, since=start, checks_file=checks)  # type: ignore[arg-type]
    if output == "json":
        console.print_json(json.dumps(result.as_dict(), default=str))
        return
    table = Table(title="Counterfeit prevalence (95% intervals)")
    for column in (by or "scope", "share of listings", "share of GMV", "checks", "random"):
        table.add_column(column, justify="left" if column in (by, "scope") else "right")
    table.add_row(
        "all", _interval(result.listings), _interval(result.gmv), str(result.listings.checks),
        str(result.listings.random_checks),
    )  # fmt: skip
    for key, (count, money) in result.groups.items():
        table.add_row(key, _interval(count), _interval(money), str(count.checks), str(count.random_checks))
    console.print(table)
    console.print(
        f"{result.used} checks used ({result.first_check} to {result.last_check}); left out: "
        f"{result.unknown_probability} with unknown inclusion probability, "
        f"{result.inconclusive} inconclusive",
        highlight=False,
    )


def simulate_loop(
    ctx: typer.Context,
    rounds: int = typer.Option(3, "--rounds", help="Plan, test-buy, retrain: this many times."),
    budget: float = typer.Option(..., "--budget", help="Budget of each round."),
    currency: str = typer.Option("CNY", "--currency"),
    truth: Path | None = typer.Option(
        None, "--truth", help="The simulator's folder (default: the snapshot's source)."
    ),
    inconclusive: float = typer.Option(0.03, "--inconclusive", help="Share of test buys that stay open."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """On a simulated marketplace: plan, resolve test buys from the truth, retrain, repeat; then a chart."""
    from fakescope.analytics.sampling.loop import run_loop

    settings = state(ctx).settings
    table = Table(title=f"Closed loop: {rounds} rounds of {budget:,.0f} {currency.upper()}")
    for column in (
        "round", "checks", "spend", "fakes", "hit rate", "at random", "prevalence [95% CI]", "true",
    ):  # fmt: skip
        table.add_column(column, justify="right")

    with progress("simulate-loop", total=rounds) as (bar, task):

        def show(row: dict[str, float]) -> None:
            bar.update(TaskID(task), advance=1)
            err_console.print(
                f"round {row['round']:.0f}: {row['checks']:.0f} checks, {row['fakes']:.0f} fakes",
                highlight=False,
            )

        def step(message: str) -> None:
            bar.update(TaskID(task), description=f"simulate-loop: {message}")

        report = run_loop(
            settings,
            rounds=rounds,
            budget=budget,
            currency=currency,
            truth=truth,
            inconclusive_share=inconclusive,
            seed=seed,
            on_round=show,
            progress=step,
        )
    for row in report.rounds:
        table.add_row(
            str(row.round),
            str(row.checks),
            f"{row.spend:,.0f}",
            str(row.fakes),
            f"{row.hit_rate:.1%}",
            f"{row.random_hit_rate:.1%}",
            f"{row.estimate:.2%} [{row.low:.2%}, {row.high:.2%}]" if row.estimate is not None else "-",
            f"{row.true_prevalence:.2%}",
        )
    console.print(table)
    console.print(f"chart: {report.chart}", highlight=False)
