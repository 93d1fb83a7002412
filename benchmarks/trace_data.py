"""A scaled marketplace for the trace benchmark: 1M sellers, 50k banned, rings sharing identifiers, hub
values shared by thousands, perturbed comebacks; just enough shops, listings and orders for rings to run.

Vectorised (numpy, pyarrow compute), written as contract Parquet, then ingested by `ingest_folder`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fakescope.analytics.simulate import vocab

# Field groups a comeback keeps or renews as a whole.
FIELDS = ("name", "id_number", "bank_account", "device_id", "phone", "address")
SHAREABLE = ("phone", "bank_account", "device_id", "address")
_CITIES = [(p, zh, en) for p, (_zh, _m, _en, cities) in enumerate(vocab.PROVINCES) for zh, en in cities]
_START = np.datetime64("2019-01-01T00:00:00", "s")
_SPAN_S = int((np.datetime64("2025-06-01", "s") - _START).astype(np.int64))
_DAY = 86_400
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Plan:
    """Who is who: ring of each seller (-1: none), predecessor of comebacks (-1: original), banned."""

    ring: np.ndarray
    comeback_of: np.ndarray
    banned: np.ndarray
    registered: np.ndarray  # seconds since _START
    banned_at: np.ndarray  # seconds since _START, -1 when not banned


def plan_population(rng: np.random.Generator, sellers: int, banned: int) -> Plan:
    """Originals (a quarter in rings of 2..60), bans mostly in rings, and comebacks of banned sellers
    (one in six of them twice), registered after their predecessor's ban."""
    comebacks = int(banned * 0.7)
    originals = sellers - comebacks
    in_rings = int(originals * 0.25)
    sizes = np.clip(rng.geometric(1 / 8, size=in_rings // 2), 2, 60)
    sizes = sizes[np.cumsum(sizes) <= in_rings]
    ring = np.full(sellers, -1, dtype=np.int64)
    ring[: sizes.sum()] = np.repeat(np.arange(len(sizes)), sizes)
    registered = rng.integers(0, _SPAN_S - 400 * _DAY, sellers)
    ring_members = np.flatnonzero(ring[:originals] >= 0)
    lone = np.flatnonzero(ring[:originals] < 0)
    from_rings = int(banned * 0.7)
    chosen = np.concatenate(
        [
            rng.choice(ring_members, from_rings, replace=False),
            rng.choice(lone, banned - from_rings, replace=False),
        ]
    )
    is_banned = np.zeros(sellers, dtype=bool)
    is_banned[chosen] = True
    banned_at = np.full(sellers, -1, dtype=np.int64)
    banned_at[chosen] = registered[chosen] + rng.integers(60, 380, banned) * _DAY
    twice = comebacks // 6
    once = rng.choice(chosen, comebacks - twice, replace=False)
    comeback_of = np.full(sellers, -1, dtype=np.int64)
    comeback_of[originals:] = np.concatenate([once, once[:twice]])
    predecessor = comeback_of[originals:]
    registered[originals:] = banned_at[predecessor] + rng.integers(1, 20, comebacks) * _DAY
    registered[originals + len(once) :] += rng.integers(20, 200, twice) * _DAY
    ring[originals:] = ring[predecessor]
    return Plan(ring, comeback_of, is_banned, registered, banned_at)


def _canonical(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "company": rng.random(n) < 0.3,
        "sur": rng.integers(0, len(vocab.SURNAMES), n),
        "g1": rng.integers(0, len(vocab.GIVEN_CHARS), n),
        "g2": np.where(rng.random(n) < 0.7, rng.integers(0, len(vocab.GIVEN_CHARS), n), -1),
        "trade": rng.integers(0, len(vocab.TRADE_WORDS), n),
        "industry": rng.integers(0, len(vocab.INDUSTRIES), n),
        "latin": rng.random(n) < 0.28,
        "id_code": rng.integers(0, 10**9, n),
        "phone": rng.choice([13, 15, 17, 18, 19], n) * 10**9 + rng.integers(0, 10**9, n),
        "bank": np.int64(62) * 10**14 + rng.integers(10**13, 10**14, n),
        "device": rng.integers(0, 2**62, n, dtype=np.int64),
        "email_num": rng.integers(10**5, 10**10, n),
        "city": rng.integers(0, len(_CITIES), n),
        "district": rng.integers(0, len(vocab.DISTRICTS), n),
        "street": rng.integers(0, len(vocab.STREETS), n),
        "number": rng.integers(1, 9000, n),
    }


# Canonical attributes per field group.
_GROUPS = {
    "name": ("company", "sur", "g1", "g2", "trade", "industry", "latin"),
    "id_number": ("id_code",),
    "bank_account": ("bank",),
    "device_id": ("device",),
    "phone": ("phone",),
    "address": ("city", "district", "street", "number"),
}


def _copy(ids: dict[str, np.ndarray], dst: np.ndarray, src: np.ndarray, field: str) -> None:
    for attr in _GROUPS[field]:
        ids[attr][dst] = ids[attr][src]


def identities(rng: np.random.Generator, plan: Plan) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Canonical values with harmless hubs, ring sharing and comebacks applied; and who gave which field."""
    n = len(plan.ring)
    ids = _canonical(rng, n)
    has = {
        "id_number": rng.random(n) < 0.9,
        "phone": rng.random(n) < 0.96,
        "email": rng.random(n) < 0.7,
        "bank_account": rng.random(n) < 0.9,
        "address": rng.random(n) < 0.95,
        "device_id": rng.random(n) < 0.88,
    }
    original = plan.comeback_of < 0
    lone = np.flatnonzero(original & (plan.ring < 0))
    # Hubs: three fulfilment warehouses (tens of thousands each), agencies' computers (~80 clients each),
    # a customer-service phone line shared by 2,000 shops, and households of two sharing an address.
    users = lone[rng.random(len(lone)) < 0.18]
    for w, (city, number) in enumerate(((0, 88), (1, 1), (4, 500))):
        part = users[rng.integers(0, 3, len(users)) == w]
        ids["city"][part], ids["district"][part], ids["street"][part], ids["number"][part] = (
            city,
            1,
            2,
            number,
        )
        has["address"][part] = True
    clients = lone[rng.random(len(lone)) < 0.05]
    agency = rng.integers(0, 2**62, max(1, len(clients) // 80), dtype=np.int64)
    ids["device"][clients] = agency[rng.integers(0, len(agency), len(clients))]
    has["device_id"][clients] = True
    line = rng.choice(lone, 2_000, replace=False)
    ids["phone"][line] = 4008_123_456
    household = rng.choice(lone, 2 * (len(lone) // 60), replace=False).reshape(-1, 2)
    _copy(ids, household[:, 1], household[:, 0], "address")
    ids["sur"][household[:, 1]] = ids["sur"][household[:, 0]]
    # Rings: each dealer takes two to four of the factory's (or the ring office's) phone, account, device and
    # address; the factory gives all four.
    members = np.flatnonzero(original & (plan.ring >= 0))
    starts = np.searchsorted(plan.ring[members], plan.ring[members], side="left")
    factory = members[starts]
    office = members[np.minimum(starts + 1, len(members) - 1)]
    office = np.where(plan.ring[office] == plan.ring[members], office, factory)
    dealer = members != factory
    draw = rng.random((len(members), len(SHAREABLE)))
    shared = draw < 0.45
    few = shared.sum(axis=1) < 2
    shared[few] |= np.argsort(draw[few], axis=1) < 2
    for k, field in enumerate(SHAREABLE):
        has[field][factory] = True
        take = dealer & shared[:, k]
        source = np.where(rng.random(len(members)) < 0.7, factory, office)
        _copy(ids, members[take], source[take], field)
        has[field][members[take]] = True
    _comebacks(rng, plan, ids, has)
    return ids, has


def _comebacks(
    rng: np.random.Generator, plan: Plan, ids: dict[str, np.ndarray], has: dict[str, np.ndarray]
) -> None:
    """A comeback keeps 0..4 of its predecessor's field groups (most keep 2 or 3) and renews the others;
    a kept name comes back with a typo or in the other script; a renewed one is often a relative's."""
    c = np.flatnonzero(plan.comeback_of >= 0)
    p = plan.comeback_of[c]
    keep_n = rng.choice([0, 1, 2, 3, 4], len(c), p=[0.01, 0.04, 0.35, 0.35, 0.25])
    rank = np.argsort(rng.random((len(c), len(FIELDS))), axis=1).argsort(axis=1)
    for k, field in enumerate(FIELDS):
        keep = rank[:, k] < keep_n
        _copy(ids, c[keep], p[keep], field)
        if field in has:
            has[field][c[keep]] = has[field][p[keep]]
        if field == "name":
            variant = rng.random(len(c))
            typo = keep & (variant < 0.35)
            g = len(vocab.GIVEN_CHARS)
            ids["g1"][c[typo]] = (ids["g1"][c[typo]] + rng.integers(1, g, typo.sum())) % g
            script = keep & (variant >= 0.35) & (variant < 0.7)
            ids["latin"][c[script]] = ~ids["latin"][p[script]]
            relative = ~keep & (rng.random(len(c)) < 0.5)
            ids["company"][c[relative]] = False
            ids["sur"][c[relative]] = ids["sur"][p[relative]]
        if field == "address":
            moved = ~keep & (rng.random(len(c)) < 0.6)
            ids["city"][c[moved]] = rng.integers(0, len(_CITIES), moved.sum())
    # The e-mail's user part often survives a new domain.
    same_user = rng.random(len(c)) < 0.4
    ids["email_num"][c[same_user]] = ids["email_num"][p[same_user]]


def _s(values: np.ndarray | list[str]) -> pa.Array:
    return pa.array(np.asarray(values).astype(str) if isinstance(values, np.ndarray) else values, pa.string())


def _cat(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _cut(values: pa.Array, start: int, stop: int | None = None) -> pa.Array:
    return pc.utf8_slice_codeunits(values, start, stop if stop is not None else 1 << 30)


def _pick(rng: np.random.Generator, *variants: pa.Array, p: list[float]) -> pa.Array:
    which = pa.array(rng.choice(len(variants), len(variants[0]), p=p).astype(np.int8))
    return pc.choose(which, *variants)


def _full_width(values: pa.Array) -> pa.Array:
    return pa.array([v.translate(_FULL_WIDTH) for v in values.to_pylist()], pa.string())


def _mask(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def render(
    rng: np.random.Generator, ids: dict[str, np.ndarray], has: dict[str, np.ndarray]
) -> dict[str, pa.Array]:
    """Every identity column as people type it (each seller's own formats, so a comeback's differ)."""
    n = len(ids["sur"])
    sur_zh, sur_en = (np.array([s[k] for s in vocab.SURNAMES]) for k in (0, 1))
    g_zh, g_en = (np.array([s[k] for s in vocab.GIVEN_CHARS] + [""]) for k in (0, 1))
    city_zh = np.array([zh for _p, zh, _en in _CITIES])
    city_en = np.array([en for _p, _zh, en in _CITIES])
    prov_of = np.array([p for p, _zh, _en in _CITIES])
    prov_zh = np.array([p[0] for p in vocab.PROVINCES])
    prov_en = np.array([p[2] for p in vocab.PROVINCES])
    g2 = np.where(ids["g2"] >= 0, ids["g2"], len(vocab.GIVEN_CHARS))
    given_en = np.char.add(g_en[ids["g1"]], np.char.lower(g_en[g2]))
    person_zh = _s(np.char.add(np.char.add(sur_zh[ids["sur"]], g_zh[ids["g1"]]), g_zh[g2]))
    s_en, gv = _s(sur_en[ids["sur"]]), _s(given_en)
    person_en = _pick(
        rng,
        _cat(s_en, " ", gv),
        _cat(gv, " ", s_en),
        _cat(pc.utf8_upper(s_en), " ", gv),
        pc.utf8_lower(_cat(s_en, gv)),
        p=[0.4, 0.3, 0.15, 0.15],
    )
    trade_zh, trade_en = (np.array([t[k] for t in vocab.TRADE_WORDS]) for k in (0, 1))
    ind_zh, ind_en = (np.array([t[k] for t in vocab.INDUSTRIES]) for k in (0, 1))
    city = ids["city"]
    company_zh = _cat(
        _s(city_zh[city]),
        _s(trade_zh[ids["trade"]]),
        _s(ind_zh[ids["industry"]]),
        _pick(rng, *(pa.repeat(s, n) for s in vocab.COMPANY_SUFFIX_ZH), p=[0.6, 0.4]),
    )
    company_en = _cat(
        _s(city_en[city]),
        " ",
        _s(trade_en[ids["trade"]]),
        " ",
        _s(ind_en[ids["industry"]]),
        " ",
        _pick(rng, *(pa.repeat(s, n) for s in vocab.COMPANY_SUFFIX_LATIN), p=[0.25] * 4),
    )
    latin = pa.array(ids["latin"])
    legal_name = pc.if_else(
        pa.array(ids["company"]),
        pc.if_else(latin, company_en, company_zh),
        pc.if_else(latin, person_en, person_zh),
    )
    # Resident ID: region, birth date, sequence, check character (ISO 7064 MOD 11-2).
    region = 110101 + city * 1000 + ids["district"]
    birth = np.datetime64("1960-01-01") + (ids["id_code"] % 16_000).astype("timedelta64[D]")
    body = np.char.add(np.char.add(region.astype(str), np.datetime_as_string(birth).astype("U10")), "")
    body = np.char.add(
        np.char.replace(body, "-", ""), np.char.zfill((ids["id_code"] // 16_000 % 1000).astype(str), 3)
    )
    body = body.astype("U17")
    digits = body.view("U1").reshape(n, 17).astype(np.int64)
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"))[(digits * weights).sum(axis=1) % 11]
    idn = _s(np.char.add(body, check))
    id_number = _pick(
        rng,
        idn,
        _cat(_cut(idn, 0, 6), " ", _cut(idn, 6, 14), " ", _cut(idn, 14)),
        pc.utf8_lower(idn),
        p=[0.85, 0.1, 0.05],
    )
    d = _s(ids["phone"])
    phone = _pick(
        rng,
        d,
        _cat("+86 ", _cut(d, 0, 3), "-", _cut(d, 3, 7), "-", _cut(d, 7)),
        _cat("+86", d),
        _cat(_cut(d, 0, 3), " ", _cut(d, 3, 7), " ", _cut(d, 7)),
        _cat("0086 ", d),
        p=[0.4, 0.2, 0.15, 0.2, 0.05],
    )
    wide = np.flatnonzero(rng.random(n) < 0.04)
    phone_list = phone.to_pylist()
    for i, text in zip(wide.tolist(), _full_width(phone.take(pa.array(wide))).to_pylist(), strict=True):
        phone_list[i] = text
    phone = pa.array(phone_list, pa.string())
    b = _s(ids["bank"])
    grouped = [_cut(b, k, k + 4) for k in range(0, 16, 4)]
    bank = _pick(
        rng,
        b,
        pc.binary_join_element_wise(*grouped, " "),
        pc.binary_join_element_wise(*grouped, "-"),
        p=[0.5, 0.4, 0.1],
    )
    local = pc.utf8_lower(_cat(_s(sur_en[ids["sur"]]), _s(g_en[ids["g1"]]), _s(ids["email_num"] % 10_000)))
    domains = vocab.EMAIL_DOMAINS
    domain = _s(np.array(domains)[rng.integers(0, len(domains), n)])
    email = _pick(rng, _cat(_s(ids["email_num"]), "@qq.com"), _cat(local, "@", domain), p=[0.4, 0.6])
    # Address in Chinese (with or without province and city markers) or in Latin script, street first.
    p_zh, p_en = _s(prov_zh[prov_of[city]]), _s(prov_en[prov_of[city]])
    c_zh, c_en = _s(city_zh[city]), _s(city_en[city])
    dist_zh, dist_en = (_s(np.array([x[k] for x in vocab.DISTRICTS])[ids["district"]]) for k in (0, 1))
    st_zh, st_en = (_s(np.array([x[k] for x in vocab.STREETS])[ids["street"]]) for k in (0, 1))
    num = _s(ids["number"])
    # A municipality (上海市) is its own province and city: named once, with 市.
    muni = np.array([p[1] for p in vocab.PROVINCES])[prov_of[city]]
    p_full = _cat(p_zh, _s(np.where(muni, "市", "省")))
    c_full, c_bare = (_s(np.where(muni, "", x)) for x in (np.char.add(city_zh[city], "市"), city_zh[city]))
    address = _pick(
        rng,
        _cat(p_full, c_full, dist_zh, st_zh, num, "号"),
        _cat(p_zh, c_bare, dist_zh, st_zh, num, "号"),
        _cat(c_zh, "市", dist_zh, st_zh, num, "号"),
        _cat("No. ", num, " ", st_en, ", ", dist_en, ", ", c_en, ", ", p_en),
        p=[0.45, 0.25, 0.1, 0.2],
    )
    place = rng.choice(3, n, p=[0.5, 0.35, 0.15])
    province = pc.choose(pa.array(place.astype(np.int8)), p_full, p_zh, p_en)
    city_col = pc.choose(pa.array(place.astype(np.int8)), _cat(c_zh, "市"), c_zh, c_en)
    device = _s(np.char.zfill(np.char.mod("%x", ids["device"]), 16))
    no_place = ~has["address"] & (rng.random(n) < 0.5)
    return {
        "legal_name": legal_name,
        "id_number": _mask(id_number, has["id_number"]),
        "phone": _mask(phone, has["phone"]),
        "email": _mask(email, has["email"]),
        "bank_account": _mask(bank, has["bank_account"]),
        "address": _mask(address, has["address"]),
        "province": _mask(province, ~no_place),
        "city": _mask(city_col, ~no_place),
        "device_id": _mask(device, has["device_id"]),
    }


def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array((_START + seconds.astype("timedelta64[s]")).astype("datetime64[us]"), pa.timestamp("us"))


def _ids(prefix: str, count: int, rng: np.random.Generator) -> pa.Array:
    # Shuffled numbers, so an id says nothing about a seller's role.
    return _cat(prefix, _s(rng.permutation(count) + 10 * count))


def _hash_hex(values: np.ndarray) -> pa.Array:
    return _s(np.char.zfill(np.char.mod("%x", values.astype(np.uint64)), 16))


def marketplace(sellers: int, banned: int, seed: int = 13) -> dict[str, pa.Table]:
    """Every contract table of the scaled marketplace, in memory."""
    rng = np.random.default_rng(seed)
    plan = plan_population(rng, sellers, banned)
    ids, has = identities(rng, plan)
    seller_id = _ids("sl", sellers, rng)
    tables: dict[str, pa.Table] = {
        "sellers": pa.table(
            {"seller_id": seller_id, "registered_at": _ts(plan.registered), **render(rng, ids, has)}
        )
    }
    b = np.flatnonzero(plan.banned)
    reasons = pa.array(
        rng.choice(["selling counterfeit goods", "售假", "repeated counterfeit verdicts"], len(b))
    )
    tables["bans"] = pa.table(
        {"seller_id": seller_id.take(pa.array(b)), "banned_at": _ts(plan.banned_at[b]), "reason": reasons}
    )
    # Shops: every ring member and comeback, and one lone seller in ten.
    sells = (plan.ring >= 0) | (plan.comeback_of >= 0) | (rng.random(sellers) < 0.1)
    owner = np.flatnonzero(sells)
    shops = len(owner)
    opened = plan.registered[owner] + rng.integers(0, 30, shops) * _DAY
    closed = plan.banned[owner]
    closed_at = np.where(closed, plan.banned_at[owner], 0)
    shop_id = _ids("sh", shops, rng)
    tables["shops"] = pa.table(
        {
            "shop_id": shop_id,
            "seller_id": seller_id.take(pa.array(owner)),
            "name": _cat(_s(rng.choice(["优品", "Global", "精选", "Trend"], shops)), _s(np.arange(shops))),
            "opened_at": _ts(opened),
            "status": pa.array(np.where(closed, "closed", "active")),
            "closed_at": pc.if_else(pa.array(closed), _ts(closed_at), pa.scalar(None, pa.timestamp("us"))),
        }
    )
    tables.update(_catalogue(rng))
    tables.update(_listings(rng, plan, owner, shop_id, opened))
    return tables


def _catalogue(rng: np.random.Generator) -> dict[str, pa.Table]:
    brands = pa.table(
        {
            "brand_id": [f"br{i:03d}" for i in range(20)],
            "name": [f"Brand {i}" for i in range(20)],
            "rights_holder": [f"Holder {i} Group" for i in range(20)],
        }
    )
    products = pa.table(
        {
            "product_id": [f"pr{i:04d}" for i in range(200)],
            "brand_id": [f"br{i % 20:03d}" for i in range(200)],
            "name": [f"Product {i}" for i in range(200)],
            "category": [("cosmetics", "shoes", "bags")[i % 3] for i in range(200)],
            "reference_price": rng.uniform(50, 2000, 200),
        }
    )
    return {"brands": brands, "products": products}


def _listings(
    rng: np.random.Generator, plan: Plan, owner: np.ndarray, shop_id: pa.Array, opened: np.ndarray
) -> dict[str, pa.Table]:
    """One listing per shop (ring shops reuse the ring's photos, a few bits apart, and ship from the ring's
    factory city), orders for most, and the spot checks, disputes, reports and reviews that judge them."""
    n = len(owner)
    ring = plan.ring[owner]
    in_ring = ring >= 0
    base = rng.integers(0, 2**63, max(1, int(ring.max()) + 1), dtype=np.int64).astype(np.uint64)
    own = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
    flips = np.zeros(n, dtype=np.uint64)
    for _ in range(2):
        flips |= np.uint64(1) << rng.integers(0, 64, n).astype(np.uint64)
    shared_photo = in_ring & (rng.random(n) < 0.6)
    image = np.where(shared_photo, base[np.maximum(ring, 0)] ^ flips, own)
    factory_city = rng.integers(0, len(_CITIES), max(1, int(ring.max()) + 1))
    ship_city = np.where(
        in_ring & (rng.random(n) < 0.8), factory_city[np.maximum(ring, 0)], rng.integers(0, len(_CITIES), n)
    )
    city_zh = np.array([zh for _p, zh, _en in _CITIES])
    prov_zh = np.array([vocab.PROVINCES[p][0] for p, _zh, _en in _CITIES])
    listed = opened + rng.integers(0, 200, n) * _DAY
    listing_id = _ids("li", n, rng)
    product = rng.integers(0, 200, n)
    price = np.round(np.where(in_ring, rng.uniform(20, 200, n), rng.uniform(50, 2000, n)), 2)
    listings = pa.table(
        {
            "listing_id": listing_id,
            "shop_id": shop_id,
            "title": _cat("Product ", _s(product)),
            "category": _s(np.array(["cosmetics", "shoes", "bags"])[product % 3]),
            "price": price,
            "listed_at": _ts(listed),
            "brand_id": _cat("br", _s(np.char.zfill((product % 20).astype(str), 3))),
            "product_id": _cat("pr", _s(np.char.zfill(product.astype(str), 4))),
            "currency": pa.repeat("CNY", n),
            "ship_from_province": _s(prov_zh[ship_city]),
            "ship_from_city": _s(city_zh[ship_city]),
            "image_hash": _hash_hex(image),
            "status": pa.repeat("active", n),
        }
    )
    has_order = np.flatnonzero(rng.random(n) < 0.6)
    m = len(has_order)
    order_id = _ids("or", m, rng)
    orders = pa.table(
        {
            "order_id": order_id,
            "listing_id": listing_id.take(pa.array(has_order)),
            "buyer_id": _cat("bu", _s(rng.integers(0, n, m))),
            "quantity": rng.integers(1, 4, m),
            "unit_price": price[has_order],
            "ordered_at": _ts(listed[has_order] + rng.integers(1, 30, m) * _DAY),
            "ship_from_province": _s(prov_zh[ship_city[has_order]]),
            "ship_from_city": _s(city_zh[ship_city[has_order]]),
        }
    )
    checked = rng.choice(n, min(n, 15_000), replace=False)
    fake = in_ring[checked] & (rng.random(len(checked)) < 0.5)
    spot_checks = pa.table(
        {
            "check_id": _cat("ck", _s(np.arange(len(checked)))),
            "listing_id": listing_id.take(pa.array(checked)),
            "checked_at": _ts(listed[checked] + 40 * _DAY),
            "verdict": pa.array(np.where(fake, "counterfeit", "genuine")),
            "inclusion_probability": pa.repeat(0.05, len(checked)),
        }
    )
    ordered = rng.choice(m, min(m, 10_000), replace=False)
    on_listing = has_order[ordered]
    disputes = pa.table(
        {
            "dispute_id": _cat("dp", _s(np.arange(len(ordered)))),
            "listing_id": listing_id.take(pa.array(on_listing)),
            "opened_at": _ts(listed[on_listing] + 45 * _DAY),
            "order_id": order_id.take(pa.array(ordered)),
            "reason": pa.array(np.where(in_ring[on_listing], "counterfeit", "quality")),
            "outcome": pa.array(rng.choice(["buyer_won", "seller_won", "open"], len(ordered))),
        }
    )
    reviews = pa.table(
        {
            "review_id": _cat("rv", _s(np.arange(len(ordered)))),
            "listing_id": listing_id.take(pa.array(on_listing)),
            "rating": rng.integers(1, 6, len(ordered)),
            "created_at": _ts(listed[on_listing] + 35 * _DAY),
            "order_id": order_id.take(pa.array(ordered)),
        }
    )
    reported = rng.choice(np.flatnonzero(in_ring), min(int(in_ring.sum()), 5_000), replace=False)
    reports = pa.table(
        {
            "report_id": _cat("rp", _s(np.arange(len(reported)))),
            "listing_id": listing_id.take(pa.array(reported)),
            "brand_id": _cat("br", _s(np.char.zfill((product[reported] % 20).astype(str), 3))),
            "reported_at": _ts(listed[reported] + 50 * _DAY),
        }
    )
    return {
        "listings": listings,
        "orders": orders,
        "spot_checks": spot_checks,
        "disputes": disputes,
        "reviews": reviews,
        "rights_holder_reports": reports,
    }


def _generated(sellers: int, banned: int, seed: int) -> tuple[Plan, pa.Array, np.ndarray]:
    """The plan, seller ids and person of each seller (a comeback's is the banned original it re-registers),
    drawn in the order `marketplace` draws them, so the ids are the written ones."""
    rng = np.random.default_rng(seed)
    plan = plan_population(rng, sellers, banned)
    identities(rng, plan)
    seller_id = _ids("sl", sellers, rng)
    return plan, seller_id, np.where(plan.comeback_of >= 0, plan.comeback_of, np.arange(sellers))


def ring_truth(sellers: int, banned: int, seed: int = 13) -> pa.Table:
    """Who belongs together as generated: `seller_id, group` (a ring, or a lone seller with comebacks)."""
    plan, seller_id, person = _generated(sellers, banned, seed)
    return pa.table({"seller_id": seller_id, "group": np.where(plan.ring >= 0, plan.ring, -(person + 1))})


def comeback_truth(sellers: int, banned: int, seed: int = 13) -> pa.Table:
    """Who came back as whom, as generated: `seller_id, person` and `comeback` (whether it is one)."""
    plan, seller_id, person = _generated(sellers, banned, seed)
    return pa.table({"seller_id": seller_id, "person": person, "comeback": plan.comeback_of >= 0})


def write_marketplace(folder: Path, sellers: int, banned: int, seed: int = 13) -> dict[str, int]:
    """Write the marketplace as `<table>.parquet` files; rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, table in marketplace(sellers, banned, seed).items():
        pq.write_table(table, folder / f"{name}.parquet")
        rows[name] = table.num_rows
    return rows


def build_workspace(root: Path, sellers: int, banned: int) -> Path:
    """Generate and ingest once under `root` (market/, ws/); later calls reuse it. Returns the workspace."""
    from fakescope.analytics.ingest.service import ingest_folder
    from fakescope.settings import get_settings

    workspace = root / "ws"
    if (root / "ready").exists():
        return workspace
    started = time.perf_counter()
    rows = write_marketplace(root / "market", sellers, banned)
    generated = time.perf_counter() - started
    ingest_folder(root / "market", settings=get_settings(workspace))
    (root / "ready").write_text(
        f"generated {rows} in {generated:.0f} s; "
        f"ingested in {time.perf_counter() - started - generated:.0f} s "
        f"at {datetime.now().isoformat(timespec='seconds')}\n"
    )
    return workspace


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    out = (
        Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent / "data" / f"trace-sellers-{count}"
    )
    print(build_workspace(out, count, count // 20))
    print((out / "ready").read_text())
