"""`fakescope cases import-plan|list|show|move|verdict|sample`: test-buy cases from the local operator's seat.

`cases list --format json` prints a plain JSON array of every matching case on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from fakescope.cli.common import console, state
from fakescope.errors import UsageError
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.cases import service as cases
from fakescope.operations.cases.schemas import CaseEventRead, CaseRead
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.evidence import service as evidence
from fakescope.operations.storehouse import service as storehouse
from fakescope.operations.storehouse.schemas import SampleRead


def _pairs(values: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set wants key=value, not {value!r}")
        fields[key.strip()] = text
    return fields


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Test-buy cases.", no_args_is_help=True)

    @group.command("import-plan")
    def import_plan(ctx: typer.Context, plan: Path = typer.Argument(..., help="The plan CSV.")) -> None:
        """Open a case per planned check; importing the same plan again opens nothing new."""
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            report = cases.import_plan(session, path=plan, actor=LOCAL_OPERATOR, settings=settings)
        console.print(
            f"{report.rows} plan rows: opened {report.opened} case(s); "
            f"{report.already_imported} imported before, {report.already_open} listing(s) with an open case",
            highlight=False,
            soft_wrap=True,
        )

    @group.command("list")
    def list_(
        ctx: typer.Context,
        state_: str | None = typer.Option(None, "--state", help="Only cases in this state."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """Every case (optionally in one state)."""
        with operations_transaction(state(ctx).settings) as session:
            found = [
                CaseRead.model_validate(c)
                for c in cases.list_cases(session, user=LOCAL_OPERATOR, state=state_)
            ]
        if fmt == "json":
            print(json.dumps([case.model_dump(mode="json") for case in found]))
            return
        table = Table("case_id", "state", "v", "listing", "shop", "seller", "brand", "verdict")
        for case in found:
            table.add_row(
                case.case_id,
                case.state,
                str(case.version),
                case.listing_id,
                case.shop_id,
                case.seller_id,
                case.brand_id or "",
                case.verdict or "",
            )
        console.print(table)
        console.print(f"{len(found)} case(s)", highlight=False, soft_wrap=True)

    @group.command("show")
    def show(
        ctx: typer.Context,
        case_id: str = typer.Argument(...),
        fmt: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """One case with its history, evidence and sample."""
        with operations_transaction(state(ctx).settings) as session:
            case = CaseRead.model_validate(cases.get_case(session, case_id=case_id, user=LOCAL_OPERATOR))
            history = [
                CaseEventRead.model_validate(e)
                for e in cases.case_history(session, case_id=case_id, user=LOCAL_OPERATOR)
            ]
            items = evidence.list_evidence(session, case_id=case_id, user=LOCAL_OPERATOR)
            files = [
                {
                    "evidence_id": e.evidence_id,
                    "kind": e.kind,
                    "sha256": e.sha256,
                    "size": e.size,
                    "filename": e.filename,
                }
                for e in items
            ]
            found = storehouse.sample_for_case(session, case_id=case_id)
            sample = SampleRead.model_validate(found).model_dump(mode="json") if found else None
        if fmt == "json":
            out = {
                **case.model_dump(mode="json"),
                "history": [h.model_dump(mode="json") for h in history],
                "evidence": files,
                "sample": sample,
            }
            print(json.dumps(out))
            return
        for key, value in case.model_dump().items():
            if value is not None:
                console.print(f"{key:>22}: {value}", highlight=False, soft_wrap=True)
        console.print("history:", highlight=False, soft_wrap=True)
        for event in history:
            console.print(
                f"  {event.at:%Y-%m-%d %H:%M:%S} {event.actor}: {event.from_state or ''} -> "
                f"{event.to_state} {event.reason or ''}",
                highlight=False,
                soft_wrap=True,
            )
        console.print(f"evidence: {len(files)} item(s)", highlight=False, soft_wrap=True)
        for item in files:
            console.print(
                f"  {item['evidence_id']} {item['kind']} {item['size']} B {item['sha256']}", highlight=False
            )
        if sample:
            where = sample["location"] or f"with {sample['holder']}"
            console.print(
                f"sample: {sample['sample_id']} {sample['status']} {where}", highlight=False, soft_wrap=True
            )

    @group.command("move")
    def move(
        ctx: typer.Context,
        case_id: str = typer.Argument(...),
        to_state: str = typer.Argument(..., metavar="STATE"),
        reason: str | None = typer.Option(None, "--reason", help="Why."),
        set_: list[str] = typer.Option([], "--set", help="key=value fields of the move (repeatable)."),
        expected_version: int | None = typer.Option(None, "--expected-version"),
    ) -> None:
        """Move a case to STATE (purchased needs buyer_account, order_ref, amount_paid)."""
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            case = cases.move(
                session,
                case_id=case_id,
                to_state=to_state,
                actor=LOCAL_OPERATOR,
                settings=settings,
                reason=reason,
                fields=_pairs(set_),
                expected_version=expected_version,
            )
            read = CaseRead.model_validate(case)
        console.print(
            f"case {read.case_id} is {read.state} (version {read.version})", highlight=False, soft_wrap=True
        )

    @group.command("verdict")
    def verdict(
        ctx: typer.Context,
        case_id: str = typer.Argument(...),
        verdict_: str = typer.Argument(..., metavar="counterfeit|genuine|inconclusive"),
        reason: str = typer.Option(..., "--reason", help="The appraisal's reasoning."),
    ) -> None:
        """Record an appraisal verdict (enforcement follows a counterfeit one)."""
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            case = cases.record_verdict(
                session,
                case_id=case_id,
                verdict=verdict_,
                reason=reason,
                actor=LOCAL_OPERATOR,
                settings=settings,
            )
            read = CaseRead.model_validate(case)
        console.print(
            f"case {read.case_id}: {read.verdict}; now {read.state} (version {read.version})", highlight=False
        )

    @group.command("sample")
    def sample(
        ctx: typer.Context,
        case_id: str = typer.Argument(...),
        action: str | None = typer.Argument(
            None, help="check_in, check_out, move, hold, release or dispose."
        ),
        location: str | None = typer.Option(None, "--location", help="room/shelf/bin"),
        holder: str | None = typer.Option(None, "--holder"),
        reason: str | None = typer.Option(None, "--reason"),
    ) -> None:
        """Show a case's sample, or act on it in the storehouse."""
        with operations_transaction(state(ctx).settings) as session:
            cases.get_case(session, case_id=case_id, user=LOCAL_OPERATOR)
            found = storehouse.sample_for_case(session, case_id=case_id)
            if found is None:
                raise UsageError(f"case {case_id} has no sample (it is booked in on receipt)")
            if action:
                found = storehouse.perform(
                    session,
                    sample_id=found.sample_id,
                    action=action,
                    actor=LOCAL_OPERATOR,
                    location=location,
                    holder=holder,
                    reason=reason,
                )
            read = SampleRead.model_validate(found)
        print(json.dumps(read.model_dump(mode="json")))

    app.add_typer(group, name="cases")
