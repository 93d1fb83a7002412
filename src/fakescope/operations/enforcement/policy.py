"""The enforcement policy as a pure function: what a counterfeit verdict does to the listing, shop and seller.

No I/O: the service gathers the current facts (points, bans, buyers) and writes what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fakescope.settings import EnforcementSettings


class ActionType(StrEnum):
    """The kinds of action the marketplace receives, one per message."""

    TAKEDOWN_LISTING = "takedown_listing"
    CLOSE_SHOP = "close_shop"
    BAN_SELLER = "ban_seller"
    NOTIFY_BUYERS = "notify_buyers"


class ActionState(StrEnum):
    """Where an action stands in delivery: failed ones stay in the outbox until retried, never dropped."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class EnforcementFacts:
    """What is already true when the verdict lands, so a repeated verdict does not repeat an action."""

    listing_taken_down: bool
    shop_points: int
    shop_closed: bool
    seller_banned: bool
    buyer_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedAction:
    """One action to queue, with the fields specific to its type."""

    type: ActionType
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The policy's answer: actions in delivery order, and the shop's points afterwards."""

    actions: tuple[PlannedAction, ...]
    shop_points: int
    close_shop: bool
    ban_seller: bool


def counterfeit_decision(*, policy: EnforcementSettings, facts: EnforcementFacts, reason: str) -> Decision:
    """Take the listing down, add penalty points (closing the shop past the threshold), ban, tell buyers."""
    actions: list[PlannedAction] = []
    if not facts.listing_taken_down:
        actions.append(PlannedAction(ActionType.TAKEDOWN_LISTING, {"reason": reason}))
    points = facts.shop_points + policy.shop_penalty_points
    close = not facts.shop_closed and points >= policy.shop_close_threshold
    if close:
        actions.append(
            PlannedAction(
                ActionType.CLOSE_SHOP,
                {"reason": reason, "penalty_points": points, "threshold": policy.shop_close_threshold},
            )
        )
    ban = policy.ban_seller and not facts.seller_banned
    if ban:
        # A ban is for good: the action carries no end date.
        actions.append(PlannedAction(ActionType.BAN_SELLER, {"reason": reason, "permanent": True}))
    if policy.notify_buyers and facts.buyer_ids:
        actions.append(
            PlannedAction(
                ActionType.NOTIFY_BUYERS,
                {"buyer_ids": list(facts.buyer_ids), "notice": policy.buyer_notice},
            )
        )
    return Decision(actions=tuple(actions), shop_points=points, close_shop=close, ban_seller=ban)


def backoff_seconds(*, policy: EnforcementSettings, attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt: doubling from the base, capped."""
    exponent = max(attempts - 1, 0)
    return float(min(policy.backoff_seconds * (2.0**exponent), policy.backoff_max_seconds))
