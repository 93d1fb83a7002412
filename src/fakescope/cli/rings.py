"""`fakescope rings [--out FILE] [--rings-out FILE]`: find rings of linked sellers and judge them.

Thin: parse, call `fakescope.analytics.rings.build_rings`, render, write the requested files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import typer
from rich.progress import TaskID
from rich.table import Table

from fakescope.analytics.rings import build_rings
from fakescope.cli.common import console, err_console, progress, state
from fakescope.cli.identity import write_rows
from fakescope.errors import UsageError

MEMBER_COLUMNS = ["seller_id", "ring_id", "ring_size", "ring_risk", "flagged"]


def register(app: typer.Typer) -> None:
    """Add `rings` to the app."""
    app.command("rings")(rings)


def write_rings(table: pa.Table, out: Path) -> None:
    """Ring rows with their nested members, links and places: `.json` (a list) or `.parquet`."""
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        pq.write_table(table, out)
    elif suffix == ".json":
        out.write_text(json.dumps(table.to_pylist(), ensure_ascii=False, indent=1, default=str))
    else:
        raise UsageError(f"--rings-out {out}: write .json or .parquet")


def rings(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="One row per seller in a ring (.csv or .parquet)."),
    rings_out: Path | None = typer.Option(
        None, "--rings-out", help="One record per ring (.json or .parquet)."
    ),
) -> None:
    """Link sellers by what they share, find the rings, and judge each ring's risk."""
    settings = state(ctx).settings
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise UsageError(f"--out {out}: write .csv or .parquet")
    if rings_out is not None and rings_out.suffix.lower() not in (".json", ".parquet"):
        raise UsageError(f"--rings-out {rings_out}: write .json or .parquet")
    with progress("rings", total=0) as (bar, task):
        report = build_rings(settings, progress=lambda m: bar.update(TaskID(task), description=f"rings: {m}"))
    if out is not None:
        write_rows(report.members.select(MEMBER_COLUMNS), out)
    if rings_out is not None:
        write_rings(report.rings, rings_out)
    flagged = sum(report.rings["flagged"].to_pylist()) if report.rings.num_rows else 0
    summary = Table(
        title=f"{report.rings.num_rows:,} rings among {report.sellers:,} sellers ({flagged:,} flagged)"
    )
    for column in ("ring", "size", "banned", "verdicts", "GMV", "risk"):
        summary.add_column(column)
    ordered = sorted(report.rings.to_pylist(), key=lambda r: -r["ring_risk"])
    for ring in ordered[:15]:
        summary.add_row(
            ring["ring_id"], str(ring["ring_size"]), str(ring["banned_members"]),
            str(ring["counterfeit_verdicts"]), f"{ring['gmv']:,.0f}", f"{ring['ring_risk']:.2f}",
        )  # fmt: skip
    console.print(summary)
    err_console.print(f"{report.links:,} links; {report.identity_note}", highlight=False)
