"""`fakescope verify`: re-hash the ledger chain and every evidence file; name each broken entry or file.

Exit 0 when all is intact (an empty workspace included), 1 when anything is wrong.
"""

from __future__ import annotations

import typer

from fakescope.cli.common import console, err_console, state
from fakescope.errors import IntegrityError
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.ledger.audit import verify_all


def register(app: typer.Typer) -> None:
    @app.command("verify")
    def verify(ctx: typer.Context) -> None:
        """Check the tamper-evident ledger and the evidence store."""
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            report = verify_all(session, settings=settings)
        for line in report.lines():
            err_console.print(f"[bold red]TAMPERED[/] {line}", highlight=False, soft_wrap=True)
        summary = f"{report.ledger_entries} ledger entries, {report.evidence_files} evidence files checked"
        if report.ok:
            console.print(f"ok: {summary}", highlight=False, soft_wrap=True)
            return
        raise IntegrityError(f"verify FAILED: {summary}; {len(report.lines())} problem(s) found")
