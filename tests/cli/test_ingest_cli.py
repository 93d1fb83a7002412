"""`fakescope ingest` and `fakescope status` as a person runs them: the installed console script, its output
and its exit codes (0 loaded, 1 invalid data or no snapshot, 2 a usage error)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _factory() -> ModuleType:
    """The ingest tests' tiny-marketplace factory (tests/analytics/ingest/ingest_market.py)."""
    path = Path(__file__).parents[1] / "analytics" / "ingest" / "ingest_market.py"
    spec = importlib.util.spec_from_file_location("ingest_market", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("ingest_market", module)
    spec.loader.exec_module(module)
    return module


ingest_market = _factory()


def fakescope(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `fakescope` script in a clean environment (no workspace set from outside)."""
    script = Path(sys.executable).with_name("fakescope")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKESCOPE_")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [str(script), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_ingest_then_status(tmp_path: Path) -> None:
    folder = ingest_market.write_market(tmp_path / "market")
    (folder / "_truth").mkdir()

    loaded = fakescope("ingest", folder, cwd=tmp_path)

    assert loaded.returncode == 0, loaded.stderr
    out = _flat(loaded.stdout)
    assert "listings" in out and "as-of: 2026-03-10 00:00:00 UTC (latest time in the data)" in out
    assert "skipped (not named for a table): _truth/" in out
    # The default workspace is ./fakescope-workspace.
    assert (tmp_path / "fakescope-workspace" / "snapshot.duckdb").is_file()

    shown = fakescope("status", cwd=tmp_path)

    assert shown.returncode == 0, shown.stderr
    status = _flat(shown.stdout)
    fingerprint = re.search(r"fingerprint: ([0-9a-f]{64})", out)
    assert fingerprint is not None and f"fingerprint: {fingerprint.group(1)}" in status
    assert re.search(r"│ orders │ 2 │ orders.csv │", status)
    assert re.search(r"│ bans │ 1 │ bans.csv │", status)
    assert "as-of: 2026-03-10 00:00:00 UTC" in status and f"from {folder.resolve()}" in status


def test_invalid_data_exits_1_and_names_the_place(tmp_path: Path) -> None:
    data = ingest_market.contract_market()
    data["reviews"][1]["rating"] = 6
    folder = ingest_market.write_market(tmp_path / "market", data)

    refused = fakescope("--workspace", tmp_path / "ws", "ingest", folder, cwd=tmp_path)

    assert refused.returncode == 1
    assert "reviews, key R2, rating: out of range: 6 is above the maximum 5" in _flat(refused.stderr)
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("ingest", "nowhere"), "nowhere is not a folder"),
        (("ingest", "market", "--as-of", "yesterday"), "--as-of 'yesterday' is not an ISO-8601 time"),
        (("ingest",), "Missing"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    ingest_market.write_market(tmp_path / "market")

    result = fakescope("--workspace", tmp_path / "ws", *args, cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    assert said in _flat(result.stderr)
    assert not (tmp_path / "ws").exists()


def test_status_without_a_snapshot_exits_1(tmp_path: Path) -> None:
    result = fakescope("--workspace", tmp_path / "ws", "status", cwd=tmp_path)

    assert result.returncode == 1
    assert "no snapshot in workspace" in _flat(result.stderr) and "fakescope ingest DIR" in _flat(
        result.stderr
    )
