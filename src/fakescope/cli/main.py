"""The `fakescope` command: global options, the command groups, and the one place errors become exit codes.

Exit codes: 0 success, 1 invalid data or a failed check, 2 usage error.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import typer

import fakescope.cli as cli_package
from fakescope.cli.common import State, err_console
from fakescope.errors import FakescopeError, InvalidData

app = typer.Typer(
    name="fakescope",
    help="Find counterfeit listings, plan test buys, prove and act on verdicts, trace rings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        "-w",
        envvar="FAKESCOPE_WORKSPACE",
        help="Workspace folder holding all state (default ./fakescope-workspace).",
    ),
) -> None:
    """fakescope: the anti-counterfeiting task force's tool."""
    ctx.obj = State(workspace=workspace)


_SKIP = {"main", "common"}


def _register_command_modules() -> None:
    for module_info in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        if module_info.name in _SKIP or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"fakescope.cli.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_command_modules()


def report_error(error: FakescopeError) -> int:
    """Print a domain error for a person and return its exit code."""
    err_console.print(f"[bold red]error:[/] {error.message}", highlight=False)
    if isinstance(error, InvalidData):
        for line in error.summary():
            err_console.print(f"  {line}", highlight=False, markup=False)
    return error.exit_code


def _typer_click_exception() -> type[Exception]:
    """Typer 0.29 vendors click; its usage errors are not click's own classes."""
    try:
        from typer._click.exceptions import ClickException
    except ImportError:  # older typer uses click itself
        import click

        return click.ClickException
    return ClickException


def run() -> None:
    """Console-script entry point."""
    try:
        app(standalone_mode=False)
    except FakescopeError as error:
        sys.exit(report_error(error))
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as error:  # click usage errors carry their own exit code (2)
        import click

        if isinstance(error, click.ClickException | _typer_click_exception()):
            error.show()  # type: ignore[attr-defined]
            sys.exit(error.exit_code)  # type: ignore[attr-defined]
        raise
    sys.exit(0)
