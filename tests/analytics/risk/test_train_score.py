"""Train on spot checks, score every listing, shop and seller; the outputs plan and the service rely on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from fakescope.analytics.derived import read_derived
from fakescope.analytics.risk import score, train
from fakescope.cli.main import app
from fakescope.errors import ArtifactError, NotReady
from fakescope.settings import get_settings
from fakescope.workspace import Workspace

LISTING_COLUMNS = ["listing_id", "shop_id", "seller_id", "risk", "reasons", "explanation", "model_version"]


def test_scores_carry_risk_reasons_and_explanation_kind(snapshot_settings) -> None:
    settings = snapshot_settings(2_000, 1, risk={"explain_top_n": 50})
    report = train(settings)
    assert not report.fallback and report.labels["decided"] > 0
    done = score(settings)
    workspace = Workspace(settings.workspace)
    listings, meta = read_derived(workspace, "scores_listing", command="fakescope score")
    assert listings.column_names == LISTING_COLUMNS
    assert listings.num_rows == 2_000 == done.listings
    assert meta["model_version"] == report.model_version and meta["fallback"] is False
    assert {"snapshot_fingerprint", "scored_at"} <= set(meta)
    rows = listings.to_pylist()
    assert [r["explanation"] for r in rows[:50]] == ["exact"] * 50
    assert {r["explanation"] for r in rows[50:]} == {"approximate"}
    assert all(0.0 <= r["risk"] <= 1.0 for r in rows)
    assert rows[0]["risk"] >= rows[-1]["risk"]
    assert all(len(r["reasons"].split("; ")) <= 3 for r in rows)
    for level in ("shop", "seller"):
        table, level_meta = read_derived(workspace, f"scores_{level}", command="fakescope score")
        assert table.column_names[:1] == [f"{level}_id"]
        assert {"risk", "reasons", "explanation", "model_version"} <= set(table.column_names)
        assert level_meta["model_version"] == report.model_version
    shops = read_derived(workspace, "scores_shop", command="fakescope score")[0].to_pylist()
    top_by_shop: dict[str, float] = {}
    for r in rows:
        top_by_shop[r["shop_id"]] = max(top_by_shop.get(r["shop_id"], 0.0), r["risk"])
    assert all(abs(s["risk"] - top_by_shop[s["shop_id"]]) < 1e-12 for s in shops)
    manifest = json.loads((Path(report.path) / "manifest.json").read_text())
    assert (
        manifest["features"] == report.features and manifest["data_fingerprint"] == done.snapshot_fingerprint
    )
    assert "first_check" in manifest["training_window"] and "model" in manifest["metrics"]


def test_cli_train_score_out_csv(snapshot_settings, tmp_path: Path) -> None:
    settings = snapshot_settings(2_000, 1)
    runner = CliRunner()
    ws = str(settings.workspace)
    assert runner.invoke(app, ["-w", ws, "train"]).exit_code == 0
    out = tmp_path / "shops.csv"
    result = runner.invoke(app, ["-w", ws, "score", "--out", str(out), "--level", "shop"])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0].startswith('"shop_id","seller_id","risk","reasons"')
    evaluated = runner.invoke(app, ["-w", ws, "evaluate"])
    assert evaluated.exit_code == 0, evaluated.output
    assert (Workspace(settings.workspace).reports_dir / "risk_reliability.png").stat().st_size > 1000


def test_no_labels_falls_back_to_rule_score_and_says_so(snapshot_settings) -> None:
    settings = snapshot_settings(2_000, 1)
    con = duckdb.connect(str(Workspace(settings.workspace).snapshot_db))
    con.execute("DELETE FROM spot_checks")
    con.close()
    report = train(settings)
    assert report.fallback and "rule" in report.note
    score(settings)
    listings, meta = read_derived(Workspace(settings.workspace), "scores_listing", command="fakescope score")
    assert meta["fallback"] is True
    assert set(listings.column("explanation").to_pylist()) == {"rule"}


def test_extra_labels_from_operations_are_used(snapshot_settings) -> None:
    settings = snapshot_settings(2_000, 1)
    con = duckdb.connect(str(Workspace(settings.workspace).snapshot_db), read_only=True)
    ids = [
        r[0] for r in con.execute("SELECT listing_id FROM listings ORDER BY listing_id LIMIT 12").fetchall()
    ]
    as_of = con.execute("SELECT as_of FROM fakescope_snapshot").fetchone()[0]
    con.close()
    extra = pa.table(
        {
            "check_id": [f"case-{i}" for i in range(13)],
            "listing_id": [*ids, "no-such-listing"],
            "checked_at": pa.array([as_of] * 13, pa.timestamp("us")),
            "verdict": ["counterfeit", "genuine"] * 6 + ["counterfeit"],
            "inclusion_probability": [None] * 13,
        }
    )
    report = train(settings, extra_labels=extra)
    assert report.labels["extra_used"] == 12
    assert report.labels["extra_dropped_unknown_listing"] == 1


def test_no_snapshot_is_a_clear_error(tmp_workspace: Path) -> None:
    settings = get_settings(tmp_workspace)
    with pytest.raises(NotReady, match="fakescope ingest"):
        train(settings)
    with pytest.raises(NotReady, match="fakescope train"):
        score(settings)


def test_corrupted_artifact_is_refused(snapshot_settings) -> None:
    settings = snapshot_settings(2_000, 1)
    report = train(settings)
    model = Path(report.path) / "model.json"
    model.write_text(model.read_text()[:-100])
    with pytest.raises(ArtifactError, match="corrupted"):
        score(settings)
    (Path(report.path) / "manifest.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="unreadable"):
        score(settings)


def test_artifact_from_other_data_is_refused(snapshot_settings, tmp_path: Path) -> None:
    trained = snapshot_settings(2_000, 1)
    report = train(trained)
    other = snapshot_settings(2_000, 2)
    con = duckdb.connect(str(Workspace(other.workspace).snapshot_db))
    con.execute("DELETE FROM rights_holder_reports")
    con.close()
    shutil.copytree(Path(report.path), Workspace(other.workspace).models_dir / "v1")
    with pytest.raises(ArtifactError, match="rights_holder_reports"):
        score(other)
    assert not Workspace(other.workspace).derived("scores_listing").exists()
