"""`fakescope ingest DIR [--as-of TIME]` and `fakescope status`: load a marketplace, show the snapshot.

Thin: parse, call `fakescope.analytics.ingest`, render. Invalid data is reported by `cli/main.py` (exit 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer
from rich.progress import TaskID
from rich.table import Table

from fakescope.analytics.ingest import (
    IngestReport,
    ProgressCallback,
    SnapshotInfo,
    ingest_folder,
    snapshot_info,
)
from fakescope.cli.common import console, progress, state
from fakescope.core.clock import as_utc


def register(app: typer.Typer) -> None:
    """Add `ingest` and `status` to the app."""
    app.command("ingest")(ingest)
    app.command("status")(status)


def ingest(
    ctx: typer.Context,
    source: Path = typer.Argument(..., help="Folder with one NAME.parquet or NAME.csv per contract table."),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="The moment the snapshot describes (ISO-8601, no zone: UTC). Default: latest time in the data.",
    ),
) -> None:
    """Validate a marketplace folder against the data contract and make it the workspace's snapshot."""
    settings = state(ctx).settings
    with _bar() as callback:
        report = ingest_folder(source, settings=settings, as_of=as_of, progress=callback)
    _render_report(report)


def status(ctx: typer.Context) -> None:
    """Show the current snapshot: tables and row counts, as-of time, fingerprint, load time."""
    _render_info(snapshot_info(state(ctx).settings))


@contextmanager
def _bar() -> Iterator[ProgressCallback]:
    # total=0: the shared bar formats its total as a number, so None would break it.
    with progress("ingest", total=0) as (bar, task):

        def update(stage: str, done: int, total: int) -> None:
            bar.update(TaskID(task), description=f"ingest: {stage}", completed=done, total=total)

        yield update


def _render_report(report: IngestReport) -> None:
    table = Table(title=f"Loaded {report.source}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("from")
    extras = any(load.extra_columns for load in report.tables)
    if extras:
        table.add_column("extra columns (kept)")
    for load in report.tables:
        cells = [load.name, f"{load.rows:,}", load.source_file or "(absent: empty)"]
        table.add_row(*cells, *([", ".join(load.extra_columns)] if extras else []))
    console.print(table)
    if report.skipped:
        console.print(f"skipped (not named for a table): {', '.join(report.skipped)}", highlight=False)
    source_of_as_of = "latest time in the data" if report.as_of_from_data else "given"
    console.print(f"as-of: {_when(report.as_of)} ({source_of_as_of})", highlight=False)
    console.print(f"fingerprint: {report.fingerprint}", highlight=False)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(
        f"snapshot: {report.snapshot} ({report.total_rows:,} rows in {report.seconds:.1f} s)", highlight=False
    )


def _render_info(info: SnapshotInfo) -> None:
    table = Table(title=f"Snapshot {info.path}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("from")
    for name, rows in info.tables.items():
        table.add_row(name, f"{rows:,}", info.files.get(name) or "(absent: empty)")
    console.print(table)
    console.print(f"as-of: {_when(info.as_of)}", highlight=False)
    console.print(f"fingerprint: {info.fingerprint}", highlight=False)
    console.print(f"loaded: {_when(info.loaded_at)} from {info.source}", highlight=False)


def _when(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M:%S UTC")
