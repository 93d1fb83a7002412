"""`plan` on a scored simulated marketplace: the file the prove issue imports, its constraints, its errors."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from fakescope.analytics.derived import read_derived, write_derived
from fakescope.analytics.sampling.planner import PLAN_COLUMNS, make_plan
from fakescope.errors import InvalidData, NotReady, UsageError
from fakescope.workspace import Workspace

BUDGET = 30_000.0


def _snapshot(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(Workspace(settings.workspace).snapshot_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_plan_file_has_the_interface_columns_and_honours_every_constraint(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    out = tmp_path / "plan.csv"
    report = make_plan(settings, budget=BUDGET, seed=7, out=out)
    with out.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == PLAN_COLUMNS
        rows = list(reader)
    assert len(rows) == report.table.num_rows > 10
    assert {r["plan_id"] for r in rows} == {report.plan_id}
    assert {r["reason"] for r in rows} <= {"risk", "coverage", "quota", "explore"}
    assert {"risk", "coverage", "explore"} <= {r["reason"] for r in rows}
    assert sum(float(r["cost"]) for r in rows) <= BUDGET
    assert len({r["listing_id"] for r in rows}) == len(rows)
    for row in rows:
        probability = float(row["inclusion_probability"])
        assert 0 < probability <= 1
        if row["reason"] != "explore":
            assert probability == 1.0
        # Defaults: shipping 15 and appraisal fee 300 on top of the price.
        assert float(row["cost"]) == pytest.approx(float(row["price"]) + 315, abs=0.01)
        assert float(row["expected_value"]) == pytest.approx(float(row["risk"]) * float(row["harm"]))
        assert row["currency"] == "CNY"
    targeted = Counter(r["shop_id"] for r in rows if r["reason"] != "explore")
    assert max(targeted.values()) <= 2
    table, meta = read_derived(Workspace(settings.workspace), "plan", command="fakescope plan")
    assert table.column_names == list(PLAN_COLUMNS)
    assert (
        meta["snapshot_fingerprint"]
        == _snapshot(settings, "SELECT fingerprint FROM fakescope_snapshot")[0][0]
    )
    assert report.gap < 0.01


def test_every_planned_listing_can_be_reached_by_a_test_buy(scored_settings) -> None:
    settings = scored_settings()
    report = make_plan(settings, budget=BUDGET, seed=3)
    planned = set(report.table.column("listing_id").to_pylist())
    as_of = _snapshot(settings, "SELECT as_of FROM fakescope_snapshot")[0][0]
    recent = as_of - timedelta(days=settings.sampling.recheck_after_days)
    unreachable = {
        row[0]
        for row in _snapshot(
            settings,
            f"""
            SELECT l.listing_id FROM listings l JOIN shops s USING (shop_id)
            WHERE l.status <> 'active' OR s.status <> 'active'
               OR s.seller_id IN (SELECT seller_id FROM bans)
               OR l.listing_id IN (SELECT listing_id FROM spot_checks
                                   WHERE verdict IN ('counterfeit', 'genuine') AND checked_at > '{recent}')
            """,
        )
    }
    assert unreachable, "the marketplace should hold unreachable listings for this test to mean anything"
    assert not planned & unreachable


def test_same_seed_same_plan_and_a_new_seed_a_new_draw(scored_settings) -> None:
    settings = scored_settings()
    first = make_plan(settings, budget=BUDGET, seed=11)
    again = make_plan(settings, budget=BUDGET, seed=11)
    other = make_plan(settings, budget=BUDGET, seed=12)
    assert first.plan_id == again.plan_id
    assert first.table.equals(again.table)
    assert other.plan_id != first.plan_id


def test_quotas_are_met_and_marked(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    brand = _snapshot(
        settings,
        """SELECT brand_id FROM listings WHERE brand_id IS NOT NULL AND status = 'active'
           GROUP BY 1 ORDER BY count(*) ASC LIMIT 1 OFFSET 5""",
    )[0][0]
    quotas = tmp_path / "quotas.csv"
    quotas.write_text(f"brand_id,min_checks\n{brand},4\n")
    report = make_plan(settings, budget=BUDGET, seed=1, quotas_file=quotas)
    brands = report.table.column("brand_id").to_pylist()
    reasons = report.table.column("reason").to_pylist()
    targeted = [b for b, r in zip(brands, reasons, strict=True) if r != "explore"]
    assert targeted.count(brand) >= 4
    assert all(b == brand for b, r in zip(brands, reasons, strict=True) if r == "quota")


def test_category_overrides_match_case_insensitively(scored_settings) -> None:
    settings = scored_settings(sampling={"appraisal_fee_by_category": {"COSMETICS": 100.0}})
    report = make_plan(settings, budget=BUDGET, seed=1)
    rows = report.table.to_pylist()
    assert any(r["category"] == "cosmetics" for r in rows)
    for row in rows:
        fee = 100.0 if row["category"] == "cosmetics" else 300.0
        assert row["cost"] == pytest.approx(row["price"] + 15 + fee, abs=0.01)


def test_budget_below_the_cheapest_check_is_refused_and_writes_nothing(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    out = tmp_path / "plan.csv"
    with pytest.raises(UsageError, match="below the cheapest check"):
        make_plan(settings, budget=100.0, out=out)
    assert not out.exists()
    assert not Workspace(settings.workspace).derived("plan").exists()


def test_no_scores_or_stale_scores_say_to_run_score(scored_settings) -> None:
    settings = scored_settings()
    layout = Workspace(settings.workspace)
    table, meta = read_derived(layout, "scores_listing", command="fakescope score")
    write_derived(layout, "scores_listing", table, {**meta, "snapshot_fingerprint": "an older snapshot"})
    with pytest.raises(NotReady, match="fakescope score"):
        make_plan(settings, budget=BUDGET)
    layout.derived("scores_listing").unlink()
    with pytest.raises(NotReady, match="fakescope score"):
        make_plan(settings, budget=BUDGET)


def test_currency_the_data_does_not_use_is_refused(scored_settings) -> None:
    with pytest.raises(UsageError, match=r"currency EUR.*only in CNY"):
        make_plan(scored_settings(), budget=BUDGET, currency="eur")


def test_quotas_naming_an_unknown_brand_or_asking_too_much(scored_settings, tmp_path) -> None:
    settings = scored_settings()
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("brand_id,min_checks\nno-such-brand,2\n")
    with pytest.raises(InvalidData) as caught:
        make_plan(settings, budget=BUDGET, quotas_file=quotas)
    assert caught.value.summary() == [
        "quotas.csv, row 2, brand_id: unknown brand 'no-such-brand' (not in brands)"
    ]
    brand = _snapshot(settings, "SELECT brand_id FROM brands ORDER BY brand_id LIMIT 1")[0][0]
    quotas.write_text(f"brand_id,min_checks\n{brand},100000\n")
    with pytest.raises(UsageError, match=f"quota for brand '{brand}' asks 100000"):
        make_plan(settings, budget=BUDGET, quotas_file=quotas)


def test_recent_checks_take_listings_out_of_the_next_plan(scored_settings) -> None:
    settings = scored_settings()
    first = make_plan(settings, budget=BUDGET, seed=5)
    as_of = _snapshot(settings, "SELECT as_of FROM fakescope_snapshot")[0][0]
    listing_ids = first.table.column("listing_id").to_pylist()
    checks = pa.table(
        {
            "check_id": [f"c{i}" for i in range(len(listing_ids))],
            "listing_id": listing_ids,
            "checked_at": pa.array([as_of] * len(listing_ids), pa.timestamp("us")),
            "verdict": ["genuine"] * len(listing_ids),
            "inclusion_probability": first.table.column("inclusion_probability"),
        }
    )
    second = make_plan(settings, budget=BUDGET, seed=5, extra_checks=checks)
    assert not set(second.table.column("listing_id").to_pylist()) & set(listing_ids)
    assert second.candidates == first.candidates - len(listing_ids)


def test_bad_flags_are_usage_errors(scored_settings) -> None:
    settings = scored_settings()
    for flags, message in (
        ({"budget": -5}, "--budget"),
        ({"budget": BUDGET, "explore_share": 1.5}, "--explore"),
        ({"budget": BUDGET, "explore_share": 0.6, "coverage_share": 0.6}, "together"),
        ({"budget": BUDGET, "max_per_shop": 0}, "--max-per-shop"),
    ):
        with pytest.raises(UsageError, match=message):
            make_plan(settings, **flags)


def test_explore_share_zero_draws_nothing_at_random(scored_settings) -> None:
    report = make_plan(scored_settings(), budget=BUDGET, explore_share=0.0, seed=1)
    assert "explore" not in report.table.column("reason").to_pylist()
    assert set(report.table.column("inclusion_probability").to_pylist()) == {1.0}


def test_cli_plan_and_its_exit_codes(scored_settings, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    settings = scored_settings()
    script = Path(sys.executable).with_name("fakescope")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKESCOPE_")} | {"COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [str(script), "--workspace", str(settings.workspace), *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=tmp_path)

    done = run("plan", "--budget", "20000", "--seed", "1", "--out", str(tmp_path / "p.csv"))
    assert done.returncode == 0, done.stderr
    assert "gap" in done.stdout and (tmp_path / "p.csv").exists()
    refused = run("plan", "--budget", "10", "--out", str(tmp_path / "q.csv"))
    assert refused.returncode == 2 and "below the cheapest check" in refused.stderr
    assert not (tmp_path / "q.csv").exists()
