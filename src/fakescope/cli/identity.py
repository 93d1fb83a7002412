"""`fakescope screen [--since DATE] [--out FILE]`: screen sellers against banned sellers.

Thin: parse, call `fakescope.analytics.identity.screen`, render the counts and write the rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import typer
from rich.progress import TaskID
from rich.table import Table

from fakescope.analytics.identity.service import screen as run_screen
from fakescope.cli.common import console, err_console, progress, state
from fakescope.errors import UsageError


def register(app: typer.Typer) -> None:
    """Add `screen` to the app."""
    app.command("screen")(screen)


def write_rows(table: pa.Table, out: Path) -> None:
    """Rows to a `.csv` (lists joined by ";") or `.parquet` file, by its suffix."""
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        pq.write_table(table, out)
        return
    if suffix != ".csv":
        raise UsageError(f"--out {out}: write .csv or .parquet")
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = pa.array([";".join(map(str, v)) if v else "" for v in column.to_pylist()], pa.string())
        columns[name] = column
    pacsv.write_csv(pa.table(columns), out)


def parse_since(since: str | None) -> datetime | None:
    if since is None:
        return None
    try:
        return datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--since {since!r}: expected an ISO-8601 date or time (2026-03-01)") from exc


def screen(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", help="Only sellers registered since (ISO-8601, UTC)."),
    out: Path | None = typer.Option(None, "--out", help="Write the rows (.csv or .parquet)."),
) -> None:
    """Match every seller (or those registered since DATE) against every other banned seller."""
    settings = state(ctx).settings
    when = parse_since(since)
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise UsageError(f"--out {out}: write .csv or .parquet")
    with progress("screen", total=0) as (bar, task):
        report = run_screen(
            settings, since=when, progress=lambda m: bar.update(TaskID(task), description=f"screen: {m}")
        )
    if out is not None:
        write_rows(report.table, out)
    summary = Table(title=f"Screened {report.table.num_rows:,} sellers against {report.banned:,} banned")
    for column in ("decision", "sellers"):
        summary.add_column(column)
    for decision, count in report.counts.items():
        summary.add_row(decision, f"{count:,}")
    console.print(summary)
    if report.coverage.lacking:
        err_console.print(f"note: {report.coverage.describe()}", highlight=False)
    blocked = report.table.filter(pc.equal(report.table["decision"], "block"))
    for row in blocked.slice(0, 10).to_pylist():
        console.print(
            f"block {row['seller_id']} ~ banned {row['banned_seller_id']} "
            f"p={row['match_probability']:.3f} on {', '.join(row['agreeing_fields'])}",
            highlight=False,
            markup=False,
        )
    console.print(f"kept as {report.path}" + (f"; rows written to {out}" if out else ""), highlight=False)
