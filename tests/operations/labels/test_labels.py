"""Verdicts back as labels: spot checks in the contract's format, from the service database to a file."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from act_world import make_world, run_cli

from fakescope.contract.model import load_contract
from fakescope.core.clock import parse_time
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.cases import service as cases
from fakescope.operations.labels.service import verdict_labels, workspace_verdict_labels
from fakescope.settings import Settings, get_settings
from fakescope.workspace import Workspace


def test_each_verdict_is_a_spot_check_with_its_inclusion_probability(settings: Settings) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    fake = world.appraised("counterfeit", inclusion_probability=0.2)
    real = world.appraised("genuine", inclusion_probability=1.0)
    unsure = world.appraised("inconclusive", inclusion_probability=None)
    world.cases(1)  # no verdict yet: no label
    with world.tx() as session:
        labels = verdict_labels(session)
        verdict_times = {
            c: cases.get_case(session, case_id=c, user=LOCAL_OPERATOR).verdict_at
            for c in fake + real + unsure
        }
    assert labels.column_names == list(load_contract().table("spot_checks").column_names)
    rows = {row["check_id"]: row for row in labels.to_pylist()}
    assert set(rows) == set(fake + real + unsure)
    assert (rows[fake[0]]["verdict"], rows[fake[0]]["inclusion_probability"]) == ("counterfeit", 0.2)
    assert (rows[real[0]]["verdict"], rows[real[0]]["inclusion_probability"]) == ("genuine", 1.0)
    assert (rows[unsure[0]]["verdict"], rows[unsure[0]]["inclusion_probability"]) == ("inconclusive", None)
    assert rows[fake[0]]["listing_id"] == "listing-1"
    # checked_at is the verdict's time, UTC, without a zone (the snapshot's convention).
    moment = verdict_times[fake[0]]
    assert moment is not None and rows[fake[0]]["checked_at"] == moment.replace(tzinfo=None)


def test_workspace_labels_come_from_the_operations_database(settings: Settings) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    world.appraised("counterfeit", count=2)
    labels = workspace_verdict_labels(world.settings)
    assert labels is not None and labels.num_rows == 2


def test_a_workspace_without_an_operations_database_has_no_labels(tmp_path: Path) -> None:
    workspace = tmp_path / "empty"
    workspace.mkdir()
    assert workspace_verdict_labels(get_settings(workspace)) is None
    assert not Workspace(workspace).operations_db.exists()  # asking did not create one


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_labels_command_writes_the_contract_format(
    settings: Settings,
    tmp_path: Path,
    suffix: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    ids = world.appraised("counterfeit", count=2, inclusion_probability=0.5)
    out = tmp_path / "out" / f"spot_checks{suffix}"
    result = run_cli(monkeypatch, capsys, world.settings, "labels", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "2 label(s)" in result.stdout
    table = pq.read_table(out) if suffix == ".parquet" else pacsv.read_csv(out)
    assert table.column_names == list(load_contract().table("spot_checks").column_names)
    assert sorted(table.column("check_id").to_pylist()) == sorted(ids)
    assert table.column("inclusion_probability").to_pylist() == [0.5, 0.5]
    if suffix == ".csv":
        with out.open(newline="") as handle:
            times = [row["checked_at"] for row in csv.DictReader(handle)]
        assert all(t.endswith("Z") and parse_time(t).tzinfo is not None for t in times)


def test_labels_command_refuses_an_unknown_format(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(monkeypatch, capsys, settings, "labels", "--out", tmp_path / "labels.xlsx")
    assert result.exit_code == 2
    assert "labels.xlsx" in result.stderr and ".parquet or .csv" in result.stderr
    assert not (tmp_path / "labels.xlsx").exists()
