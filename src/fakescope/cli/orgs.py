"""`fakescope orgs create|list`: rights holders (owning brands) and inspection agencies.

The CLI acts as the local operator (an admin).
"""

from __future__ import annotations

import json

import typer
from rich.table import Table

from fakescope.cli.common import console, state
from fakescope.operations.access import service as access
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.access.schemas import OrganisationRead
from fakescope.operations.db.migrate import operations_transaction


def register(app: typer.Typer) -> None:
    orgs = typer.Typer(help="Organisations: rights holders and inspection agencies.", no_args_is_help=True)

    @orgs.command("create")
    def create(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="The organisation's name."),
        kind: str = typer.Option(..., "--kind", help="rights_holder or agency."),
        brands: str = typer.Option("", "--brands", help="Comma-separated brand ids a rights holder owns."),
    ) -> None:
        """Create an organisation; prints its id on the last line."""
        with operations_transaction(state(ctx).settings) as session:
            org = access.create_organisation(
                session, name=name, kind=kind, brands=brands.split(","), actor=LOCAL_OPERATOR
            )
            read = OrganisationRead.model_validate(org)
        brands_text = ", ".join(read.brand_ids) or "no brands"
        console.print(f"created {read.kind} {read.name!r} ({brands_text})", highlight=False, soft_wrap=True)
        print(read.org_id)

    @orgs.command("list")
    def list_(
        ctx: typer.Context, fmt: str = typer.Option("table", "--format", help="table or json.")
    ) -> None:
        """Every organisation."""
        with operations_transaction(state(ctx).settings) as session:
            found = [
                OrganisationRead.model_validate(org)
                for org in access.list_organisations(session, actor=LOCAL_OPERATOR)
            ]
        if fmt == "json":
            print(json.dumps([org.model_dump(mode="json") for org in found]))
            return
        table = Table("org_id", "name", "kind", "brands")
        for org in found:
            table.add_row(org.org_id, org.name, org.kind, ", ".join(org.brand_ids))
        console.print(table)

    app.add_typer(orgs, name="orgs")
