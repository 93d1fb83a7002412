"""Fixtures for the ingest tests: a tiny contract marketplace written per test, and the CLI run in-process.

The CLI goes through `fakescope.cli.main.run`, the console script's own entry point, so exit codes are real.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from ingest_market import Market, write_market


@dataclass(frozen=True)
class CliResult:
    """What one `fakescope` invocation did."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def said(self) -> str:
        """Standard output and error with line wrapping undone, for matching messages."""
        return re.sub(r"\s+", " ", self.stdout + "\n" + self.stderr)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `fakescope ARGS...` through the console script's entry point; its exit code and output."""
    from fakescope.cli.main import run

    def invoke(*args: str | Path) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["fakescope", *map(str, args)])
        with pytest.raises(SystemExit) as done:
            run()
        out = capsys.readouterr()
        code = done.value.code
        return CliResult(int(code) if isinstance(code, int) else 1, out.out, out.err)

    return invoke


@pytest.fixture
def market(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny marketplace folder (`market(data, fmt="csv", formats={...}, name="market")`)."""

    def build(data: Market | None = None, *, name: str = "market", **options: object) -> Path:
        return write_market(tmp_path / name, data, **options)  # type: ignore[arg-type]

    return build
