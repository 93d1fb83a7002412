"""Act end to end, on a real server: plan -> cases -> purchase -> evidence -> appraisal by the brand's rights
holder (API, appraiser token) -> counterfeit verdict -> takedown, closure, ban and notice delivered to a local
webhook receiver by the server's worker -> the label in the workspace -> a retrained model version.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pyarrow.parquet as pq
import pytest

from fakescope.operations.cases.schemas import PLAN_COLUMNS
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.enforcement.service import banned_seller_ids
from fakescope.operations.labels.service import workspace_verdict_labels
from fakescope.settings import Settings, get_settings
from fakescope.workspace import Workspace


def _load_act_world() -> Any:
    if "act_world" not in sys.modules:
        path = Path(__file__).parents[1] / "operations" / "enforcement" / "act_world.py"
        spec = importlib.util.spec_from_file_location("act_world", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["act_world"] = module
        spec.loader.exec_module(module)
    return sys.modules["act_world"]


act_world = _load_act_world()


def _busiest_branded_listing(snapshot: Path) -> dict[str, Any]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        row = con.execute(
            """
            SELECT l.listing_id, l.shop_id, s.seller_id, l.brand_id, l.category, l.price,
                   count(DISTINCT o.buyer_id) AS buyers
            FROM listings l JOIN shops s USING (shop_id) JOIN orders o USING (listing_id)
            WHERE l.brand_id IS NOT NULL
            GROUP BY ALL ORDER BY buyers DESC, l.listing_id LIMIT 1
            """
        ).fetchone()
    assert row is not None
    keys = ("listing_id", "shop_id", "seller_id", "brand_id", "category", "price", "buyers")
    return dict(zip(keys, row, strict=True))


def _plan(path: Path, listing: dict[str, Any]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(PLAN_COLUMNS))
        writer.writeheader()
        writer.writerow(
            {
                **{
                    k: listing[k]
                    for k in ("listing_id", "shop_id", "seller_id", "brand_id", "category", "price")
                },
                "plan_id": "round-1",
                "cost": 300,
                "currency": "CNY",
                "risk": 0.9,
                "harm": 40,
                "expected_value": 36,
                "reason": "risk",
                "inclusion_probability": 0.4,
            }
        )
    return path


@pytest.mark.slow
def test_act_end_to_end(
    api_settings: Settings,
    snapshot_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    workspace = Workspace(api_settings.workspace)
    shutil.copyfile(Workspace(snapshot_settings().workspace).snapshot_db, workspace.snapshot_db)
    listing = _busiest_branded_listing(workspace.snapshot_db)
    receiver = act_world.Receiver().start()
    request.addfinalizer(receiver.stop)
    monkeypatch.setenv("FAKESCOPE_ACTIONS_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("FAKESCOPE_ENFORCEMENT__POLL_SECONDS", "0.1")
    server = request.getfixturevalue("live_server")

    def cli(*args: str) -> str:
        done = server.cli(*args)
        assert done.returncode == 0, done.stderr
        return str(done.stdout)

    # The plan and its case; the brand's rights holder and the people.
    cli("cases", "import-plan", str(_plan(tmp_path / "plan.csv", listing)))
    cli("orgs", "create", "Brand Owner Ltd", "--kind", "rights_holder", "--brands", str(listing["brand_id"]))
    cli("orgs", "create", "Inspection Agency", "--kind", "agency")
    investigator = {
        "Authorization": "Bearer " + cli("users", "create", "ivy", "--role", "investigator").splitlines()[-1]
    }
    appraiser = {
        "Authorization": "Bearer "
        + cli("users", "create", "abe", "--role", "appraiser", "--org", "Brand Owner Ltd").splitlines()[-1]
    }
    with httpx.Client(base_url=server.url, timeout=30) as http:
        (case,) = http.get("/cases", headers=investigator).json()
        case_id = case["case_id"]

        def move(state: str, **fields: Any) -> dict[str, Any]:
            answer = http.post(
                f"/cases/{case_id}/moves", json={"state": state, "fields": fields}, headers=investigator
            )
            assert answer.status_code == 200, answer.text
            return dict(answer.json())

        move("purchased", buyer_account="covert-3", order_ref="ORD-881", amount_paid=float(listing["price"]))
        video = http.post(
            f"/cases/{case_id}/evidence?kind=video&filename=unboxing.mp4",
            content=b"\x00\x00\x00\x18ftypmp42 unboxing film" * 1000,
            headers=investigator,
        )
        assert video.status_code == 201, video.text
        move("received")
        assert move("in_appraisal")["state"] == "in_appraisal"

        # The rights holder's appraiser sees the case, with its evidence and sample, and decides.
        (work,) = http.get("/appraisals", headers=appraiser).json()
        assert (work["case_id"], work["route"], work["overdue"]) == (case_id, "rights_holder", False)
        view = http.get(f"/appraisals/{case_id}", headers=appraiser).json()
        assert [e["kind"] for e in view["evidence"]] == ["video"]
        assert view["samples"][0]["status"] == "checked_out"
        assert http.get("/appraisals/overdue", headers=appraiser).json() == []
        no_report = http.post(
            f"/appraisals/{case_id}/verdict",
            data={"verdict": "counterfeit", "reasoning": "r"},
            headers=appraiser,
        )
        assert (no_report.status_code, no_report.json()["field"]) == (422, "report")
        no_reason = http.post(
            f"/appraisals/{case_id}/verdict",
            data={"verdict": "counterfeit", "reasoning": "  "},
            files={"report": ("r.pdf", b"%PDF", "application/pdf")},
            headers=appraiser,
        )
        assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reasoning")
        verdict = http.post(
            f"/appraisals/{case_id}/verdict",
            data={"verdict": "counterfeit", "reasoning": "hologram missing; wrong batch code format"},
            files={"report": ("appraisal.pdf", b"%PDF-1.4 appraisal report " * 200, "application/pdf")},
            headers=appraiser,
        )
        assert verdict.status_code == 201, verdict.text
        queued = {a["type"]: a for a in verdict.json()["actions"]}
        assert set(queued) == {"takedown_listing", "close_shop", "ban_seller", "notify_buyers"}

        # The server's worker delivers each action to the marketplace, then the case is acted.
        assert act_world.wait_for(lambda: len(receiver.applied) == 4, timeout=30)
        for action in queued.values():
            message = receiver.applied[action["action_id"]]
            assert (message["listing_id"], message["shop_id"], message["seller_id"]) == (
                listing["listing_id"],
                listing["shop_id"],
                listing["seller_id"],
            )
        assert len(receiver.applied[queued["notify_buyers"]["action_id"]]["buyer_ids"]) == listing["buyers"]
        assert act_world.wait_for(
            lambda: http.get(f"/cases/{case_id}", headers=investigator).json()["state"] == "acted", timeout=20
        )
        delivered = http.get("/actions?state=delivered", headers=appraiser).json()
        assert len(delivered) == 4
    with operations_transaction(api_settings) as session:
        assert listing["seller_id"] in banned_seller_ids(session)

    # The verdict is a label in the workspace, in the contract's format, with the plan's probability.
    labels_file = tmp_path / "labels.parquet"
    cli("labels", "--out", str(labels_file))
    (label,) = pq.read_table(labels_file).to_pylist()
    assert (label["check_id"], label["listing_id"], label["verdict"], label["inclusion_probability"]) == (
        case_id,
        listing["listing_id"],
        "counterfeit",
        0.4,
    )
    labels = workspace_verdict_labels(
        get_settings(workspace.root, database_url=api_settings.resolved_database_url)
    )
    assert labels is not None and labels.column("check_id").to_pylist() == [case_id]

    # And the model learns from it: a new version that used the operations label.
    from fakescope.analytics.risk import train

    trained = train(
        get_settings(workspace.root, database_url=api_settings.resolved_database_url), extra_labels=labels
    )
    assert trained.labels["extra_used"] == 1
    assert trained.model_version and Path(trained.path).exists()
