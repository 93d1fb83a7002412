"""`fakescope appraisals list|overdue`: who appraises which case, by when, and which are late.

`--format json` prints a plain JSON array on standard output.
"""

from __future__ import annotations

import json

import typer
from rich.table import Table

from fakescope.cli.common import console, state
from fakescope.core.clock import utcnow
from fakescope.errors import UsageError
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.appraisal import service as appraisal
from fakescope.operations.appraisal.schemas import AppraisalSummary, summarise
from fakescope.operations.db.migrate import operations_transaction


def _render(found: list[AppraisalSummary], fmt: str, title: str) -> None:
    if fmt == "json":
        print(json.dumps([item.model_dump(mode="json") for item in found]))
        return
    if fmt != "table":
        raise UsageError(f"--format must be table or json, not {fmt!r}")
    table = Table("case_id", "org_id", "route", "state", "brand", "due_at", "verdict", title=title)
    for item in found:
        due = item.due_at.isoformat(timespec="minutes")
        table.add_row(
            item.case_id,
            item.org_id,
            item.route,
            item.state,
            item.brand_id or "",
            f"[red]{due}[/]" if item.overdue else due,
            item.verdict or "",
        )
    console.print(table)
    console.print(f"{len(found)} appraisal(s)", highlight=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Appraisals by rights holders and inspection agencies.", no_args_is_help=True)

    @group.command("list")
    def list_(
        ctx: typer.Context,
        open_only: bool = typer.Option(False, "--open", help="Only those still waiting for a verdict."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """Every appraisal, soonest deadline first."""
        now = utcnow()
        with operations_transaction(state(ctx).settings) as session:
            found = [
                summarise(item, case, now=now)
                for item, case in appraisal.list_appraisals(
                    session, actor=LOCAL_OPERATOR, open_only=open_only
                )
            ]
        _render(found, fmt, "appraisals")

    @group.command("overdue")
    def overdue(
        ctx: typer.Context, fmt: str = typer.Option("table", "--format", help="table or json.")
    ) -> None:
        """Open appraisals past their deadline, most overdue first."""
        now = utcnow()
        with operations_transaction(state(ctx).settings) as session:
            found = [
                summarise(item, case, now=now)
                for item, case in appraisal.overdue(session, actor=LOCAL_OPERATOR, now=now)
            ]
        _render(found, fmt, "overdue appraisals")

    app.add_typer(group, name="appraisals")
