"""Who sells: honest sellers of several kinds, counterfeit sellers in rings (factory and dealers) or alone,
bans, and banned sellers who come back under a new registration; and the shops they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

DAY = 86_400
AS_OF = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp())
START = AS_OF - 730 * DAY

# Roles in the truth.
HONEST, FACTORY, DEALER = 0, 1, 2
ROLE_NAMES = ("honest", "factory", "dealer")
# Counterfeit sellers' styles: each shows itself through different signals.
CHEAP, REPLICA, PREMIUM, MIXED = 0, 1, 2, 3
STYLE_SHARES = (0.3, 0.22, 0.34, 0.14)
# Honest sellers' kinds: the ones that look suspicious are the point.
NORMAL, DISCOUNTER, PARALLEL, BRUSHER = 0, 1, 2, 3
HONEST_SHARES = (0.58, 0.22, 0.11, 0.09)

COUNTERFEIT_SELLER_SHARE = 0.05
COUNTERFEIT_LISTING_SHARE = 0.075
RING_SHARE = 0.6


@dataclass
class Population:
    """One row per seller (originals first, then comebacks in order of registration)."""

    role: np.ndarray  # HONEST / FACTORY / DEALER
    counterfeit: np.ndarray  # bool: sells mostly fakes
    style: np.ndarray  # counterfeit style, -1 for honest
    kind: np.ndarray  # honest kind, -1 for counterfeit sellers
    ring: np.ndarray  # ring number, -1 none
    person: np.ndarray  # the person behind the seller
    comeback_of: np.ndarray  # index of the banned seller re-registering, -1 none
    registered: np.ndarray  # epoch seconds
    banned: np.ndarray  # epoch seconds, -1 not banned
    weight: np.ndarray  # relative number of listings
    fake_rate: np.ndarray  # share of a seller's listings that are fake (before category)
    n_rings: int

    @property
    def n(self) -> int:
        return len(self.role)


def _comebacks(
    rng: np.random.Generator, banned_idx: np.ndarray, banned_at: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Which banned sellers come back, and when; returns (origin index, registered, banned again at)."""
    back = rng.random(len(banned_idx)) < 0.62
    origin = banned_idx[back]
    registered = banned_at[back] + rng.integers(5 * DAY, 90 * DAY, size=back.sum())
    keep = registered < AS_OF - 25 * DAY
    origin, registered = origin[keep], registered[keep]
    again = rng.random(len(origin)) < 0.45
    when = registered + rng.integers(30 * DAY, 200 * DAY, size=len(origin))
    banned_again = np.where(again & (when < AS_OF - 10 * DAY), when, -1)
    return origin, registered, banned_again


def build_population(rng: np.random.Generator, listings: int) -> Population:
    """Sellers for a marketplace of about `listings` listings."""
    n0 = max(80, listings // 8)
    n_cf = max(12, round(COUNTERFEIT_SELLER_SHARE * n0))
    counterfeit = np.zeros(n0, dtype=bool)
    counterfeit[rng.choice(n0, size=n_cf, replace=False)] = True
    cf_idx = np.flatnonzero(counterfeit)
    rng.shuffle(cf_idx)

    role = np.full(n0, HONEST, dtype=np.int8)
    ring = np.full(n0, -1, dtype=np.int32)
    n_ring_members = round(RING_SHARE * n_cf)
    pos, r = 0, 0
    while pos < n_ring_members:
        size = int(rng.integers(3, 11))
        members = cf_idx[pos : min(pos + size, n_ring_members)]
        if len(members) < 2:
            break
        ring[members] = r
        role[members] = DEALER
        role[members[0]] = FACTORY
        pos += len(members)
        r += 1
    role[counterfeit & (ring < 0)] = DEALER  # lone counterfeiters: dealers of their own

    # Styles in their shares exactly (not by chance), so small marketplaces keep the mix.
    style = np.full(n0, -1, dtype=np.int8)
    quota = np.repeat(np.arange(4), np.ceil(np.array(STYLE_SHARES) * n_cf).astype(int))[:n_cf]
    style[cf_idx] = rng.permutation(quota)
    kind = np.where(counterfeit, -1, rng.choice(4, size=n0, p=HONEST_SHARES)).astype(np.int8)

    registered = np.where(
        counterfeit,
        rng.integers(START - 90 * DAY, AS_OF - 150 * DAY, size=n0),
        rng.integers(START - 200 * DAY, AS_OF - 30 * DAY, size=n0),
    )
    # Counterfeit sellers are caught and banned; a few honest sellers are banned by mistake.
    p_ban = np.where(counterfeit, np.where(role == FACTORY, 0.2, 0.38), 0.002)
    ban_time = registered + rng.integers(60 * DAY, 400 * DAY, size=n0)
    banned = np.where((rng.random(n0) < p_ban) & (ban_time < AS_OF - 15 * DAY), ban_time, -1)

    origin_all: list[np.ndarray] = [np.arange(n0)]
    reg_all, ban_all = [registered], [banned]
    source_of = [np.full(n0, -1)]
    # Comebacks, up to three generations: a banned comeback may come back again.
    frontier = np.flatnonzero(banned >= 0)
    frontier = frontier[counterfeit[frontier]]
    frontier_ban = banned[frontier]
    base = n0
    for _generation in range(3):
        if len(frontier) == 0:
            break
        origin, reg, ban2 = _comebacks(rng, frontier, frontier_ban)
        new_idx = np.arange(base, base + len(origin))
        origin_all.append(origin)
        reg_all.append(reg)
        ban_all.append(ban2)
        source_of.append(origin)
        base += len(origin)
        again = ban2 >= 0
        frontier, frontier_ban = new_idx[again], ban2[again]

    source = np.concatenate(source_of)  # direct predecessor (banned seller re-registered), -1 for originals
    # Follow predecessors back to the original seller for the traits a person keeps.
    root = np.arange(len(source))
    for _ in range(4):
        has = source[root] >= 0
        root = np.where(has, source[root], root)
    n = len(source)
    weight = np.exp(rng.normal(0.0, 1.0, size=n))
    # Counterfeit sellers vary less in size, so a few big ones never carry all the fakes.
    cf_all = counterfeit[root]
    weight[cf_all] = np.exp(rng.normal(0.0, 0.6, size=int(cf_all.sum())))
    weight[~cf_all] *= 1.0
    share = weight[cf_all].sum() / weight.sum()
    target = COUNTERFEIT_LISTING_SHARE
    weight[cf_all] *= target * (1 - share) / (share * (1 - target))
    fake_rate = np.where(cf_all, np.clip(rng.beta(7, 2, size=n), 0.35, 0.97), 0.0)

    return Population(
        role=role[root],
        counterfeit=cf_all,
        style=style[root],
        kind=kind[root],
        ring=ring[root],
        person=root.astype(np.int64),
        comeback_of=source.astype(np.int64),
        registered=np.concatenate(reg_all).astype(np.int64),
        banned=np.concatenate(ban_all).astype(np.int64),
        weight=weight,
        fake_rate=fake_rate,
        n_rings=r,
    )


@dataclass
class Shops:
    """One row per shop."""

    seller: np.ndarray
    opened: np.ndarray
    closed: np.ndarray  # epoch seconds, -1 open
    first_of_seller: np.ndarray  # index of the seller's first shop (per seller)
    count_of_seller: np.ndarray  # number of shops (per seller)

    @property
    def n(self) -> int:
        return len(self.seller)

    @property
    def end(self) -> np.ndarray:
        return np.where(self.closed >= 0, self.closed, AS_OF)


def build_shops(rng: np.random.Generator, pop: Population) -> Shops:
    """Shops per seller; banned sellers' shops close on the ban, a few honest shops close on their own."""
    count = np.where(
        pop.counterfeit,
        rng.choice([1, 2, 3, 4], size=pop.n, p=[0.5, 0.3, 0.13, 0.07]),
        rng.choice([1, 2, 3, 4], size=pop.n, p=[0.74, 0.17, 0.06, 0.03]),
    )
    seller = np.repeat(np.arange(pop.n), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    life_end = np.where(pop.banned >= 0, pop.banned, AS_OF)
    reg = pop.registered[seller]
    span = np.maximum(life_end[seller] - reg, 2 * DAY)
    opened = reg + (rng.random(len(seller)) * np.minimum(span * 0.5, 120 * DAY)).astype(np.int64)
    closed = np.where(pop.banned[seller] >= 0, pop.banned[seller], -1)
    voluntary = (closed < 0) & (rng.random(len(seller)) < 0.04)
    close_at = opened + ((AS_OF - opened) * rng.uniform(0.3, 0.95, size=len(seller))).astype(np.int64)
    closed = np.where(voluntary, close_at, closed)
    return Shops(seller=seller, opened=opened, closed=closed, first_of_seller=first, count_of_seller=count)
