"""`fakescope simulate`: write a simulated marketplace in the contract format, with its truth in `_truth/`.

Thin edge: parse flags, call `simulate_marketplace`, show progress and a summary table.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from fakescope.cli.common import console, progress


def simulate(
    listings: int = typer.Option(50_000, "--listings", "-n", help="Number of listings to simulate."),
    seed: int = typer.Option(
        1, "--seed", "-s", help="Random seed; the same seed gives the same marketplace."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the tables (and _truth/) into."),
    fmt: str = typer.Option("parquet", "--format", "-f", help="parquet or csv."),
) -> None:
    """Simulate a marketplace (listings, orders, reviews, disputes, checks, bans) with its ground truth."""
    from fakescope.analytics.simulate import simulate_marketplace

    with progress("simulating", total=1) as (bar, task):

        def report(stage: str, done: int, total: int) -> None:
            bar.update(
                task,  # type: ignore[arg-type]
                description=stage,
                completed=done,
                total=total,
            )

        summary = simulate_marketplace(out, listings=listings, seed=seed, fmt=fmt.lower(), progress=report)
    table = Table(title=f"simulated marketplace in {summary.out} ({summary.fmt})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("per listing", justify="right")
    for name, count in summary.rows.items():
        table.add_row(name, f"{count:,}", f"{count / summary.listings:.3f}")
    console.print(table)
    console.print(
        f"counterfeit listings: {summary.counterfeit_listings:,} ({summary.prevalence:.2%}); "
        f"as of {summary.as_of.isoformat()}; {summary.seconds:.1f} s; seed {summary.seed}"
    )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
