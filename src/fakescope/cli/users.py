"""`fakescope users create|list|token`: users with roles; the new API token is the last line of stdout.

Never prompts: a password for the web pages comes on standard input with `--password-stdin`.
"""

from __future__ import annotations

import json
import sys

import typer
from rich.table import Table

from fakescope.cli.common import console, err_console, state
from fakescope.operations.access import service as access
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.access.schemas import UserRead
from fakescope.operations.db.migrate import operations_transaction


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)

    @users.command("create")
    def create(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="The user's unique name."),
        role: str = typer.Option(..., "--role", help="admin, analyst, investigator, appraiser or liaison."),
        org: str | None = typer.Option(
            None, "--org", help="The organisation (name or id); appraisers need one."
        ),
        password_stdin: bool = typer.Option(
            False, "--password-stdin", help="Read a web password from stdin."
        ),
    ) -> None:
        """Create a user; prints the new API token alone on the last line."""
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            user, token = access.create_user(
                session,
                name=name,
                role=role,
                org=org,
                password=password,
                actor=LOCAL_OPERATOR,
                settings=settings,
            )
            read = UserRead.model_validate(user)
        err_console.print(
            f"created {read.role} {read.name!r} ({read.user_id}); API token:", highlight=False, soft_wrap=True
        )
        print(token)

    @users.command("token")
    def token(ctx: typer.Context, name: str = typer.Argument(..., help="The user's name.")) -> None:
        """Issue another API token for a user (last line of stdout)."""
        settings = state(ctx).settings
        with operations_transaction(settings) as session:
            user = access.find_user(session, ref=name)
            issued = access.issue_token(session, user=user, settings=settings)
        print(issued)

    @users.command("list")
    def list_(
        ctx: typer.Context, fmt: str = typer.Option("table", "--format", help="table or json.")
    ) -> None:
        """Every user."""
        with operations_transaction(state(ctx).settings) as session:
            found = [
                UserRead.model_validate(user) for user in access.list_users(session, actor=LOCAL_OPERATOR)
            ]
        if fmt == "json":
            print(json.dumps([user.model_dump(mode="json") for user in found]))
            return
        table = Table("user_id", "name", "role", "org_id")
        for user in found:
            table.add_row(user.user_id, user.name, user.role, user.org_id or "")
        console.print(table)

    app.add_typer(users, name="users")
