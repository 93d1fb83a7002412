"""`fakescope actions [--state S] [--format json]`, `actions deliver`, `actions retry`: the outbox.

`deliver` sends every due action to the webhook or export file once; the server's worker does it continuously.
"""

from __future__ import annotations

import json

import typer
from rich.progress import TaskID
from rich.table import Table

from fakescope.cli.common import console, err_console, progress, state
from fakescope.errors import FakescopeError, UsageError
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.enforcement import service as enforcement
from fakescope.operations.enforcement.destinations import require_destination
from fakescope.operations.enforcement.schemas import ActionRead, DeliveryReportRead
from fakescope.operations.enforcement.worker import deliver_pending


class DeliveryIncomplete(FakescopeError):
    """Some actions failed for good in this pass (they stay in the outbox for `actions retry`)."""


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Enforcement actions and their delivery to the marketplace.")

    @group.callback(invoke_without_command=True)
    def list_(
        ctx: typer.Context,
        state_: str | None = typer.Option(None, "--state", help="pending, failed or delivered."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """List the enforcement actions (all, or in one delivery state)."""
        if ctx.invoked_subcommand is not None:
            return
        if fmt not in ("table", "json"):
            raise UsageError(f"--format must be table or json, not {fmt!r}")
        with operations_transaction(state(ctx).settings) as session:
            found = [
                ActionRead.model_validate(a)
                for a in enforcement.list_actions(session, actor=LOCAL_OPERATOR, state=state_)
            ]
        if fmt == "json":
            print(json.dumps([action.model_dump(mode="json") for action in found]))
            return
        table = Table(
            "action_id", "type", "case_id", "listing", "shop", "seller", "state", "tries", "last error"
        )
        for action in found:
            table.add_row(
                action.action_id,
                action.type,
                action.case_id,
                action.listing_id,
                action.shop_id,
                action.seller_id,
                action.state,
                str(action.attempts),
                (action.last_error or "")[:60],
            )
        console.print(table)
        console.print(f"{len(found)} action(s)", highlight=False)

    @group.command("deliver")
    def deliver(
        ctx: typer.Context,
        limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many actions."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """Deliver every due action now (webhook with Idempotency-Key, or JSON lines to the export file)."""
        settings = state(ctx).settings
        require_destination(settings)
        with operations_transaction(settings) as session:
            due = enforcement.counts_by_state(session, actor=LOCAL_OPERATOR)["pending"]
        with progress("delivering actions", total=due if limit is None else min(due, limit)) as (bar, task):
            report = deliver_pending(
                settings, limit=limit, progress=lambda n: bar.update(TaskID(task), advance=n)
            )
        read = DeliveryReportRead.model_validate(report)
        if fmt == "json":
            print(json.dumps(read.model_dump(mode="json")))
        else:
            console.print(
                f"{read.destination}: {read.delivered} delivered, {read.retried} to retry later, "
                f"{read.failed} failed for good; {read.cases_acted} case(s) now acted",
                highlight=False,
            )
            for line in read.errors[:10]:
                err_console.print(f"  {line}", highlight=False, markup=False)
        if read.failed:
            raise DeliveryIncomplete(
                f"{read.failed} action(s) failed after {settings.enforcement.max_attempts} attempts: "
                "see `fakescope actions --state failed`, then `fakescope actions retry`"
            )

    @group.command("retry")
    def retry(
        ctx: typer.Context,
        action_ids: list[str] | None = typer.Argument(
            None, help="Actions to retry (default: every failed one)."
        ),
    ) -> None:
        """Put failed actions back in the queue with a fresh attempt count."""
        with operations_transaction(state(ctx).settings) as session:
            retried = enforcement.retry_failed(session, actor=LOCAL_OPERATOR, action_ids=action_ids or None)
        console.print(f"{len(retried)} action(s) queued again", highlight=False)

    app.add_typer(group, name="actions")
