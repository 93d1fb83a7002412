"""`prevalence` and `simulate-loop` at the edges: weighted checks, what is left out, bad files, no truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from fakescope.analytics.sampling.prevalence import estimate_prevalence, from_checks
from fakescope.errors import InvalidData, NotReady, UsageError
from fakescope.workspace import Workspace


def _fakescope(workspace: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("fakescope")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKESCOPE_")} | {"COLUMNS": "200"}
    command = [str(script), "--workspace", str(workspace), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=cwd)


def test_unknown_probabilities_and_inconclusive_checks_are_left_out_and_counted() -> None:
    verdict = np.array(["counterfeit", "genuine", "genuine", "inconclusive", "counterfeit"], dtype=object)
    inclusion = np.array([1.0, 0.5, 0.25, 0.5, np.nan])
    gmv = np.array([100.0, 0.0, 50.0, 10.0, 999.0])
    result = from_checks(verdict, inclusion, gmv)
    assert result.used == 3 and result.inconclusive == 1 and result.unknown_probability == 1
    assert result.listings.share == pytest.approx(1 / (1 + 2 + 4))
    assert result.gmv.share == pytest.approx(100 / (100 + 0 + 200))


def test_snapshot_checks_give_an_estimate_by_category(scored_settings) -> None:
    settings = scored_settings()
    result = estimate_prevalence(settings, by="category")
    with duckdb.connect(str(Workspace(settings.workspace).snapshot_db), read_only=True) as con:
        total, unknown, inconclusive = con.execute(
            """SELECT count(*), count(*) FILTER (WHERE inclusion_probability IS NULL),
                      count(*) FILTER (WHERE verdict = 'inconclusive' AND inclusion_probability IS NOT NULL)
               FROM spot_checks"""
        ).fetchone()
    assert result.used + result.unknown_probability + result.inconclusive == total
    assert result.unknown_probability == unknown and result.inconclusive == inconclusive
    assert 0 <= result.listings.low <= result.listings.share <= result.listings.high <= 1
    assert sum(count.checks for count, _ in result.groups.values()) == result.used
    assert result.gmv.share is not None


def test_checks_file_adds_checks_and_bad_probabilities_are_named(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    with duckdb.connect(str(Workspace(settings.workspace).snapshot_db), read_only=True) as con:
        listings = [
            r[0] for r in con.execute("SELECT listing_id FROM listings ORDER BY 1 LIMIT 3").fetchall()
        ]
    good = tmp_path / "labels.csv"
    good.write_text(
        "check_id,listing_id,checked_at,verdict,inclusion_probability\n"
        f"x1,{listings[0]},2026-11-01T00:00:00Z,counterfeit,0.5\n"
        f"x2,{listings[1]},2026-11-01T00:00:00Z,genuine,\n"
        f"x3,{listings[2]},2026-11-01T00:00:00Z,genuine,1\n"
    )
    base = estimate_prevalence(settings)
    more = estimate_prevalence(settings, checks_file=good)
    assert more.used == base.used + 2
    assert more.unknown_probability == base.unknown_probability + 1
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "check_id,listing_id,checked_at,verdict,inclusion_probability\n"
        f"x1,{listings[0]},2026-11-01T00:00:00Z,genuine,1.5\n"
    )
    with pytest.raises(InvalidData) as caught:
        estimate_prevalence(settings, checks_file=bad)
    assert caught.value.summary() == ["bad.csv, row 2, inclusion_probability: 1.5 is not in (0, 1]"]
    with pytest.raises(UsageError, match="does not exist"):
        estimate_prevalence(settings, checks_file=tmp_path / "absent.csv")


def test_cli_prevalence_json_and_bad_grouping(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    done = _fakescope(settings.workspace, "prevalence", "--by", "brand", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert {"listings", "gmv", "groups", "left_out"} <= set(payload)
    assert payload["by"] == "brand" and payload["groups"]
    wrong = _fakescope(settings.workspace, "prevalence", "--by", "colour", cwd=tmp_path)
    assert wrong.returncode == 2 and "--by must be category or brand" in wrong.stderr


def test_simulate_loop_without_truth_says_so(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    from fakescope.analytics.sampling.loop import run_loop

    with pytest.raises(NotReady, match="no simulator truth"):
        run_loop(settings, rounds=1, budget=20_000, truth=tmp_path)
    with pytest.raises(UsageError, match="--rounds"):
        run_loop(settings, rounds=0, budget=20_000)


def test_cli_simulate_loop_one_round(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    done = _fakescope(settings.workspace, "simulate-loop", "--rounds", "1", "--budget", "20000", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "hit rate" in done.stdout and "at random" in done.stdout
    assert (Workspace(settings.workspace).reports_dir / "loop.png").exists()
