"""`fakescope labels --out FILE`: every verdict as a spot check in the contract's format (Parquet or CSV).

`fakescope train` reads the same labels from the operations database by itself.
"""

from __future__ import annotations

from pathlib import Path

import typer

from fakescope.cli.common import console, state
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.labels.service import verdict_labels, write_labels


def register(app: typer.Typer) -> None:
    @app.command("labels")
    def labels(
        ctx: typer.Context,
        out: Path = typer.Option(..., "--out", help="The file to write: .parquet or .csv."),
    ) -> None:
        """Write every verdict as a spot check in the contract's spot_checks format."""
        with operations_transaction(state(ctx).settings) as session:
            table = verdict_labels(session)
        write_labels(table, out=out)
        console.print(f"{table.num_rows} label(s) written to {out}", highlight=False)
