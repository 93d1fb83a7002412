"""`fakescope screen` right after `fakescope ingest`: the installed script, its rows file, its derived table,
its refusal of bad flags, and the enforcement plane's bans counting too."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

from fakescope.settings import Settings

LISTINGS, SEED = 3_000, 5


def fakescope(*args: str | Path, workspace: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("fakescope")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKESCOPE_")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [str(script), "--workspace", str(workspace), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_screen_after_ingest_writes_rows(snapshot_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = snapshot_settings(LISTINGS, SEED)
    out = tmp_path / "screen.csv"
    done = fakescope("screen", "--out", out, workspace=settings.workspace)
    assert done.returncode == 0, done.stderr
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    sellers = pq.read_table(settings.workspace / "derived" / "screen.parquet")
    assert len(rows) == sellers.num_rows > 0
    assert list(rows[0]) == [
        "seller_id",
        "banned_seller_id",
        "match_probability",
        "decision",
        "agreeing_fields",
    ]
    assert {r["decision"] for r in rows} <= {"block", "review", "allow"}
    assert all(r["seller_id"] != r["banned_seller_id"] for r in rows)
    assert "Screened" in done.stdout
    assert (settings.workspace / "derived" / "identity_model.json").exists()


def test_screen_since_and_parquet(snapshot_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = snapshot_settings(LISTINGS, SEED)
    out = tmp_path / "recent.parquet"
    done = fakescope("screen", "--since", "2026-06-01", "--out", out, workspace=settings.workspace)
    assert done.returncode == 0, done.stderr
    recent = pq.read_table(out)
    everyone = pq.read_table(settings.workspace / "derived" / "screen.parquet")
    assert 0 < recent.num_rows <= everyone.num_rows


def test_screen_refuses_bad_flags(snapshot_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = snapshot_settings(LISTINGS, SEED)
    bad_date = fakescope("screen", "--since", "last tuesday", workspace=settings.workspace)
    assert bad_date.returncode == 2 and "--since" in bad_date.stderr
    bad_out = fakescope("screen", "--out", tmp_path / "x.xlsx", workspace=settings.workspace)
    assert bad_out.returncode == 2 and ".csv or .parquet" in bad_out.stderr


def test_screen_without_snapshot_says_what_to_run(tmp_path: Path) -> None:
    done = fakescope("screen", workspace=tmp_path / "empty")
    assert done.returncode == 1 and "fakescope ingest" in done.stderr
