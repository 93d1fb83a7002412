"""`fakescope db upgrade`: create or migrate the operations database explicitly (every command also does it).

`fakescope db current` shows the revision the database is at.
"""

from __future__ import annotations

import typer

from fakescope.cli.common import console, state
from fakescope.operations.db import migrate


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="The operations database.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade(ctx: typer.Context) -> None:
        """Create or migrate the operations database to the newest revision."""
        url = migrate.upgrade(state(ctx).settings)
        console.print(
            f"database at revision {migrate.current_revision(url)}", highlight=False, soft_wrap=True
        )

    @db.command("current")
    def current(ctx: typer.Context) -> None:
        """The revision the database is at, and the newest one."""
        url = state(ctx).settings.resolved_database_url
        console.print(
            f"current {migrate.current_revision(url) or 'none'}, newest {migrate.head_revision()}",
            highlight=False,
            soft_wrap=True,
        )

    app.add_typer(db, name="db")
