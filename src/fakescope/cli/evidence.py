"""`fakescope evidence add|list|export`: attach files to cases (streamed, content-addressed), take them out.

Every read and export re-checks the file against its SHA-256 and is recorded in the chain of custody.
"""

from __future__ import annotations

import getpass
import json
import socket
from pathlib import Path

import typer

from fakescope.cli.common import console, state
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.evidence import service as evidence
from fakescope.operations.evidence.schemas import EvidenceRead


def _place() -> str:
    return f"cli {getpass.getuser()}@{socket.gethostname()}"


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Evidence files attached to cases.", no_args_is_help=True)

    @group.command("add")
    def add(
        ctx: typer.Context,
        case_id: str = typer.Argument(...),
        file: Path = typer.Argument(..., help="The file (streamed, never read whole)."),
        kind: str | None = typer.Option(None, "--kind", help="video, photo, receipt or report."),
    ) -> None:
        """Attach a file to a case; prints the evidence id on the last line."""
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            item, created = evidence.add_file(
                session,
                case_id=case_id,
                path=file,
                kind=kind,
                actor=LOCAL_OPERATOR,
                settings=settings,
                place=_place(),
            )
            read = EvidenceRead.model_validate(item)
        what = "attached" if created else "already attached"
        console.print(
            f"{what}: {read.kind} {read.size} bytes sha256 {read.sha256}", highlight=False, soft_wrap=True
        )
        print(read.evidence_id)

    @group.command("list")
    def list_(ctx: typer.Context, case_id: str = typer.Argument(...)) -> None:
        """The evidence of a case, as JSON."""
        with operations_transaction(state(ctx).settings) as session:
            items = [
                EvidenceRead.model_validate(e)
                for e in evidence.list_evidence(session, case_id=case_id, user=LOCAL_OPERATOR)
            ]
        print(json.dumps([item.model_dump(mode="json") for item in items]))

    @group.command("export")
    def export(
        ctx: typer.Context,
        evidence_id: str = typer.Argument(...),
        out: Path = typer.Option(..., "--out", help="Where to write the file."),
    ) -> None:
        """Copy an evidence file out, verified against its hash; recorded as exported."""
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            item = evidence.export(
                session,
                evidence_id=evidence_id,
                dest=out,
                user=LOCAL_OPERATOR,
                settings=settings,
                place=_place(),
            )
            sha256 = item.sha256
        console.print(
            f"exported {evidence_id} to {out} (sha256 {sha256} checked)", highlight=False, soft_wrap=True
        )

    app.add_typer(group, name="evidence")
