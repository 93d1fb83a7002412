"""What every command group shares: the per-run State (workspace, settings), consoles and progress bars.

Command modules call `state(ctx).settings` instead of building settings themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from fakescope.settings import Settings, get_settings
from fakescope.workspace import Workspace

console = Console()
err_console = Console(stderr=True)


@dataclass
class State:
    """The global options of one invocation, and the settings built from them on first use."""

    workspace: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = get_settings(self.workspace)
        return self._settings

    @property
    def layout(self) -> Workspace:
        return Workspace(self.settings.workspace)


def state(ctx: typer.Context) -> State:
    """The State of this invocation (made by the app callback)."""
    found = ctx.find_object(State)
    if found is None:
        found = State()
        ctx.obj = found
    return found


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator[tuple[Progress, int]]:
    """A Rich progress bar on standard error (so JSON on standard output stays clean)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield bar, task
