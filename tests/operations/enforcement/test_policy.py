"""The enforcement policy: what a counterfeit verdict does, given what is already true; and the backoff."""

from __future__ import annotations

from fakescope.operations.enforcement.policy import (
    ActionType,
    EnforcementFacts,
    backoff_seconds,
    counterfeit_decision,
)
from fakescope.settings import EnforcementSettings

FRESH = EnforcementFacts(listing_taken_down=False, shop_points=0, shop_closed=False, seller_banned=False)


def _types(decision: object) -> list[str]:
    return [a.type.value for a in decision.actions]  # type: ignore[attr-defined]


def test_first_counterfeit_takes_down_closes_bans_and_tells_buyers() -> None:
    facts = EnforcementFacts(
        listing_taken_down=False,
        shop_points=0,
        shop_closed=False,
        seller_banned=False,
        buyer_ids=("b1", "b2"),
    )
    decision = counterfeit_decision(policy=EnforcementSettings(), facts=facts, reason="r")
    assert _types(decision) == ["takedown_listing", "close_shop", "ban_seller", "notify_buyers"]
    notify = decision.actions[-1]
    assert notify.details["buyer_ids"] == ["b1", "b2"]
    assert notify.details["notice"] == EnforcementSettings().buyer_notice
    assert decision.actions[2].details["permanent"] is True


def test_points_accumulate_and_close_only_past_the_threshold() -> None:
    policy = EnforcementSettings(shop_penalty_points=5, shop_close_threshold=12)
    first = counterfeit_decision(policy=policy, facts=FRESH, reason="r")
    assert (first.shop_points, first.close_shop) == (5, False)
    second = counterfeit_decision(
        policy=policy,
        facts=EnforcementFacts(False, first.shop_points, False, True),
        reason="r",
    )
    assert (second.shop_points, second.close_shop) == (10, False)
    third = counterfeit_decision(
        policy=policy, facts=EnforcementFacts(False, second.shop_points, False, True), reason="r"
    )
    assert (third.shop_points, third.close_shop) == (15, True)
    assert ActionType.CLOSE_SHOP in [a.type for a in third.actions]


def test_nothing_is_repeated_for_a_shop_closed_a_seller_banned_a_listing_taken_down() -> None:
    facts = EnforcementFacts(listing_taken_down=True, shop_points=24, shop_closed=True, seller_banned=True)
    decision = counterfeit_decision(policy=EnforcementSettings(), facts=facts, reason="r")
    assert decision.actions == ()
    assert decision.shop_points == 36


def test_policy_switches_turn_off_bans_and_notices() -> None:
    policy = EnforcementSettings(ban_seller=False, notify_buyers=False)
    facts = EnforcementFacts(False, 0, False, False, buyer_ids=("b1",))
    assert _types(counterfeit_decision(policy=policy, facts=facts, reason="r")) == [
        "takedown_listing",
        "close_shop",
    ]


def test_backoff_doubles_and_is_capped() -> None:
    policy = EnforcementSettings(backoff_seconds=2.0, backoff_max_seconds=10.0)
    assert [backoff_seconds(policy=policy, attempts=n) for n in (1, 2, 3, 4, 5)] == [
        2.0,
        4.0,
        8.0,
        10.0,
        10.0,
    ]
