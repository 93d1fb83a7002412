"""`fakescope simulate` writes the folder and prints rows per table and prevalence; bad flags exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _fakescope(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from fakescope.cli.main import run; run()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_simulate_command_writes_and_summarises(tmp_path: Path) -> None:
    done = _fakescope(
        "simulate", "--listings", "400", "--seed", "3", "--out", str(tmp_path), "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "listings.csv").exists() and (tmp_path / "_truth" / "sellers.parquet").exists()
    assert "orders" in done.stdout and "counterfeit listings" in done.stdout


def test_simulate_command_refuses_an_unknown_format(tmp_path: Path) -> None:
    done = _fakescope("simulate", "--listings", "400", "--out", str(tmp_path), "--format", "xml")
    assert done.returncode == 2
    assert "xml" in done.stderr
