"""A verdict's enforcement: the policy's actions written to the outbox in the verdict's own transaction."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from act_world import make_world
from sqlalchemy import func, select

from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.cases import service as cases
from fakescope.operations.enforcement import service as enforcement
from fakescope.operations.enforcement.models import EnforcementAction, ShopPenalty
from fakescope.operations.ledger.models import LedgerEntry
from fakescope.operations.storehouse import service as storehouse
from fakescope.settings import Settings
from fakescope.workspace import Workspace

REQUIRED = {"action_id", "type", "case_id", "listing_id", "shop_id", "seller_id", "created_at"}


def _actions(world: object, **where: str) -> list[EnforcementAction]:
    with world.tx() as session:  # type: ignore[attr-defined]
        return enforcement.list_actions(session, actor=LOCAL_OPERATOR, **where)


def test_counterfeit_queues_takedown_closure_and_ban(settings: Settings, tmp_path: Path) -> None:
    world = make_world(settings)
    world.org("Brand owner", brands=["brand-a"])
    (case_id,) = world.appraised("counterfeit", brand_id="brand-a")
    actions = _actions(world)
    assert sorted(a.type for a in actions) == ["ban_seller", "close_shop", "takedown_listing"]
    for action in actions:
        assert set(action.message) >= REQUIRED
        assert action.message["action_id"] == action.action_id
        assert (action.message["case_id"], action.message["listing_id"]) == (case_id, "listing-1")
        assert (action.shop_id, action.seller_id, action.state) == ("shop-1", "seller-1", "pending")
    with world.tx() as session:
        assert enforcement.banned_seller_ids(session) == {"seller-1"}
        (entry,) = session.scalars(select(LedgerEntry).where(LedgerEntry.event_type == "enforcement.applied"))
    assert (entry.subject_id, entry.payload["seller_banned"], entry.payload["shop_closed"]) == (
        case_id,
        True,
        True,
    )
    assert sorted(a for a, _ in entry.payload["actions"]) == sorted(a.action_id for a in actions)


def test_actions_roll_back_with_the_verdict(settings: Settings, tmp_path: Path) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    (case_id,) = world.cases()
    world.to_appraisal(case_id)
    with pytest.raises(RuntimeError), world.tx() as session:
        cases.record_verdict(
            session,
            case_id=case_id,
            verdict="counterfeit",
            reason="x",
            actor=LOCAL_OPERATOR,
            settings=world.settings,
        )
        assert session.scalar(select(func.count()).select_from(EnforcementAction)) == 3
        raise RuntimeError("the edge failed before commit")
    assert _actions(world) == []
    with world.tx() as session:
        assert enforcement.banned_seller_ids(session) == set()
        assert cases.get_case(session, case_id=case_id, user=LOCAL_OPERATOR).state == "in_appraisal"


def test_shop_points_add_up_and_the_shop_closes_past_the_threshold(
    settings: Settings, tmp_path: Path
) -> None:
    world = make_world(settings, enforcement={"shop_penalty_points": 5, "shop_close_threshold": 12})
    world.org("Agency", kind="agency")
    ids = world.appraised("counterfeit", count=3, shop_id="shop-x", seller_id="seller-x")
    closures = _actions(world, state="pending")
    assert [a.case_id for a in closures if a.type == "close_shop"] == [ids[2]]
    assert [a.case_id for a in closures if a.type == "ban_seller"] == [ids[0]]  # banned once, for good
    assert len([a for a in closures if a.type == "takedown_listing"]) == 3
    with world.tx() as session:
        penalty = session.get(ShopPenalty, "shop-x")
        assert penalty is not None and penalty.points == 15 and penalty.closed_by_case_id == ids[2]


def test_genuine_becomes_an_asset_and_inconclusive_closes(settings: Settings, tmp_path: Path) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    (genuine,) = world.appraised("genuine")
    (unsure,) = world.appraised("inconclusive")
    assert _actions(world) == []
    with world.tx() as session:
        sample = storehouse.sample_for_case(session, case_id=genuine)
        assert sample is not None and sample.is_asset
        assert cases.get_case(session, case_id=unsure, user=LOCAL_OPERATOR).state == "closed"
        assert enforcement.banned_seller_ids(session) == set()
    # The listing of an inconclusive case is free to be planned again.
    assert world.cases(plan_id="plan-2", listing_id="listing-2", shop_id="s", seller_id="u") != []


def test_buyers_of_the_listing_are_told_from_the_snapshot(settings: Settings, tmp_path: Path) -> None:
    workspace = settings.workspace
    with duckdb.connect(str(Workspace(workspace).snapshot_db)) as con:
        con.execute("CREATE TABLE orders (order_id VARCHAR, listing_id VARCHAR, buyer_id VARCHAR)")
        con.execute(
            "INSERT INTO orders VALUES ('o1','listing-1','buyer-b'), ('o2','listing-1','buyer-a'),"
            " ('o3','listing-1','buyer-a'), ('o4','listing-9','buyer-z')"
        )
    world = make_world(settings, workspace, enforcement={"buyer_notice": "Refund available."})
    world.org("Agency", kind="agency")
    world.appraised("counterfeit")
    (notify,) = [a for a in _actions(world) if a.type == "notify_buyers"]
    assert notify.message["buyer_ids"] == ["buyer-a", "buyer-b"]
    assert notify.message["notice"] == "Refund available."


def test_no_snapshot_means_no_buyers_to_tell(settings: Settings, tmp_path: Path) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    world.appraised("counterfeit")
    assert "notify_buyers" not in {a.type for a in _actions(world)}
