"""Seller identities: canonical values (name, ID number, phone, bank account, address, device), the sharing
inside rings and the harmless sharing among honest sellers, the altered identities of comebacks, and the
rendering of every value the way people type it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fakescope.analytics.simulate import vocab
from fakescope.analytics.simulate.population import Population

CITIES: tuple[tuple[int, str, str], ...] = tuple(
    (p, city, latin)
    for p, (_prov, _muni, _pl, cities) in enumerate(vocab.PROVINCES)
    for city, latin in cities
)
CITY_INDEX = {city: i for i, (_p, city, _l) in enumerate(CITIES)}
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FIELDS = ("name", "id_number", "bank_account", "device_id", "phone", "address")


@dataclass
class Identities:
    """Canonical identity values per seller (arrays of length n)."""

    company: np.ndarray
    sur: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    trade: np.ndarray
    industry: np.ndarray
    id_code: np.ndarray
    birth: np.ndarray
    phone: np.ndarray
    bank: np.ndarray
    city: np.ndarray
    district: np.ndarray
    street: np.ndarray
    number: np.ndarray
    device: np.ndarray
    email_num: np.ndarray
    has: dict[str, np.ndarray]
    latin_name: np.ndarray
    # Where the ID number was issued (a person's or firm's first registration): it stays when they move.
    id_city: np.ndarray
    id_district: np.ndarray


def _fresh(rng: np.random.Generator, n: int) -> Identities:
    city_weights = np.array(
        [3.0 if c in vocab.COUNTERFEIT_HUBS or c in vocab.FULFILMENT_HUBS else 1.0 for _, c, _ in CITIES]
    )
    return Identities(
        company=rng.random(n) < 0.32,
        sur=rng.integers(0, len(vocab.SURNAMES), n),
        g1=rng.integers(0, len(vocab.GIVEN_CHARS), n),
        g2=np.where(rng.random(n) < 0.7, rng.integers(0, len(vocab.GIVEN_CHARS), n), -1),
        trade=rng.integers(0, len(vocab.TRADE_WORDS), n),
        industry=rng.integers(0, len(vocab.INDUSTRIES), n),
        id_code=rng.integers(0, 10**9, n),
        birth=rng.integers(0, 365 * 45, n),
        phone=rng.choice([13, 15, 17, 18, 19], n) * 10**9 + rng.integers(0, 10**9, n),
        bank=rng.integers(10**14, 10**15, n) + np.int64(62) * 10**15,
        city=rng.choice(len(CITIES), n, p=city_weights / city_weights.sum()),
        district=rng.integers(0, len(vocab.DISTRICTS), n),
        street=rng.integers(0, len(vocab.STREETS), n),
        number=rng.integers(1, 5000, n),
        device=rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64),
        email_num=rng.integers(10**5, 10**10, n),
        has={
            "id_number": rng.random(n) < 0.9,
            "phone": rng.random(n) < 0.96,
            "email": rng.random(n) < 0.65,
            "bank_account": rng.random(n) < 0.9,
            "address": rng.random(n) < 0.95,
            "device_id": rng.random(n) < 0.88,
        },
        latin_name=rng.random(n) < 0.28,
        id_city=np.zeros(n, dtype=np.int64),
        id_district=np.zeros(n, dtype=np.int64),
    )


def _copy(ids: Identities, dst: int, src: int, fields: tuple[str, ...]) -> None:
    groups = {
        "name": ("company", "sur", "g1", "g2", "trade", "industry"),
        "id_number": ("id_code", "birth", "id_city", "id_district"),
        "bank_account": ("bank",),
        "device_id": ("device",),
        "phone": ("phone",),
        "address": ("city", "district", "street", "number"),
    }
    for f in fields:
        for attr in groups[f]:
            getattr(ids, attr)[dst] = getattr(ids, attr)[src]
        if f in ids.has:
            ids.has[f][dst] = ids.has[f][src]


def build_identities(rng: np.random.Generator, pop: Population) -> Identities:
    """Canonical identities with ring sharing, harmless sharing and comebacks applied."""
    n = pop.n
    ids = _fresh(rng, n)
    original = pop.comeback_of < 0
    honest = ~pop.counterfeit & original

    # Harmless sharing: a few warehouses used by thousands of honest sellers, agencies' devices for clients.
    honest_idx = np.flatnonzero(honest)
    warehouse_users = honest_idx[rng.random(len(honest_idx)) < 0.18]
    warehouses = [("广州", 1, 2, 88), ("义乌", 5, 11, 1), ("上海", 6, 6, 500)]
    choice = rng.integers(0, len(warehouses), len(warehouse_users))
    for w, (city, district, street, number) in enumerate(warehouses):
        users = warehouse_users[choice == w]
        ids.city[users], ids.district[users] = CITY_INDEX[city], district
        ids.street[users], ids.number[users] = street, number
        ids.has["address"][users] = True
    lone = original & (pop.ring < 0)
    lone_idx = np.flatnonzero(lone)
    clients = lone_idx[rng.random(len(lone_idx)) < 0.05]
    n_agencies = max(1, len(clients) // 80)
    agency_devices = rng.integers(0, 2**63, n_agencies, dtype=np.int64).astype(np.uint64)
    ids.device[clients] = agency_devices[rng.integers(0, n_agencies, len(clients))]
    ids.has["device_id"][clients] = True

    # Rings: dealers share some of the factory's (or the ring office's) phones, accounts, devices, address.
    shareable = ("phone", "bank_account", "device_id", "address")
    for r in range(pop.n_rings):
        members = np.flatnonzero(original & (pop.ring == r))
        factory = members[0]
        office = members[1] if len(members) > 1 else factory
        for f in shareable:
            ids.has[f][factory] = True
        for dealer in members[1:]:
            shared = rng.random(len(shareable)) < 0.45
            if shared.sum() < 2:
                shared[rng.choice(len(shareable), 2, replace=False)] = True
            for f, on in zip(shareable, shared, strict=True):
                if on:
                    _copy(ids, int(dealer), int(factory if rng.random() < 0.7 else office), (f,))

    # Every ID so far was issued where its holder stands now; a comeback keeping one keeps its region code.
    ids.id_city[:], ids.id_district[:] = ids.city, ids.district
    # Comebacks, in registration order (a comeback's predecessor always comes first).
    for c in np.flatnonzero(~original):
        p = int(pop.comeback_of[c])
        present = [f for f in FIELDS if f == "name" or ids.has[f][p]]
        n_keep = min(len(present), int(rng.choice([0, 1, 2, 3, 4], p=[0.01, 0.04, 0.35, 0.35, 0.25])))
        keep = tuple(rng.choice(present, n_keep, replace=False)) if n_keep else ()
        _copy(ids, int(c), p, keep)
        if "name" in keep:
            variant = rng.random()
            if variant < 0.35 and not ids.company[c]:  # a typo: one given character replaced
                ids.g1[c] = (ids.g1[c] + rng.integers(1, len(vocab.GIVEN_CHARS))) % len(vocab.GIVEN_CHARS)
            elif variant < 0.35:
                ids.industry[c] = (ids.industry[c] + 1) % len(vocab.INDUSTRIES)
            elif variant < 0.7:  # pinyin for characters, or the other way round
                ids.latin_name[c] = not ids.latin_name[p]
        elif rng.random() < 0.5:  # a relative's name: same surname, another given name
            ids.company[c] = False
            ids.sur[c] = ids.sur[p]
        if "address" not in keep and rng.random() < 0.6:
            ids.city[c] = rng.integers(0, len(CITIES))
    return ids


def _id_number(ids: Identities, i: int) -> str:
    if ids.company[i]:
        code = int(ids.id_code[i])
        body = "".join(_USCC[(code >> (5 * k)) % len(_USCC)] for k in range(8))
        return f"91{330100 + int(ids.id_city[i]) * 100:06d}MA{body}"
    region = 110101 + int(ids.id_city[i]) * 1000 + int(ids.id_district[i])
    year, rest = divmod(int(ids.birth[i]), 365)
    month, day = rest // 31 + 1, rest % 28 + 1
    seq = int(ids.id_code[i]) % 1000
    body = f"{region:06d}{1965 + year:04d}{month:02d}{day:02d}{seq:03d}"
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def _name_latin(ids: Identities, i: int, style: float) -> str:
    sur = vocab.SURNAMES[ids.sur[i]][1]
    given = vocab.GIVEN_CHARS[ids.g1[i]][1] + (
        vocab.GIVEN_CHARS[ids.g2[i]][1].lower() if ids.g2[i] >= 0 else ""
    )
    if style < 0.4:
        return f"{sur} {given}"
    if style < 0.7:
        return f"{given} {sur}"
    if style < 0.85:
        return f"{sur.upper()} {given}"
    return f"{sur.lower()}{given.lower()}"


def render(rng: np.random.Generator, ids: Identities) -> dict[str, list[str | None]]:
    """Every identity column as typed: scripts, spacing, separators, full-width digits, suffixes."""
    n = len(ids.sur)
    u = rng.random((n, 8))
    out: dict[str, list[str | None]] = {
        k: []
        for k in (
            "legal_name",
            "id_number",
            "phone",
            "email",
            "bank_account",
            "address",
            "province",
            "city",
            "device_id",
        )
    }
    for i in range(n):
        prov_i, city_zh, city_en = CITIES[ids.city[i]]
        prov_zh, muni, prov_en, _ = vocab.PROVINCES[prov_i]
        # name
        if ids.company[i]:
            trade, industry = vocab.TRADE_WORDS[ids.trade[i]], vocab.INDUSTRIES[ids.industry[i]]
            if ids.latin_name[i]:
                suffix = vocab.COMPANY_SUFFIX_LATIN[int(u[i, 0] * 4)]
                name = f"{city_en} {trade[1]} {industry[1]} {suffix}"
            else:
                name = f"{city_zh}{trade[0]}{industry[0]}{vocab.COMPANY_SUFFIX_ZH[int(u[i, 0] * 2)]}"
        elif ids.latin_name[i]:
            name = _name_latin(ids, i, u[i, 0])
        else:
            name = vocab.SURNAMES[ids.sur[i]][0] + vocab.GIVEN_CHARS[ids.g1[i]][0]
            name += vocab.GIVEN_CHARS[ids.g2[i]][0] if ids.g2[i] >= 0 else ""
        out["legal_name"].append(name)
        # id number
        idn = _id_number(ids, i)
        s = u[i, 1]
        if s < 0.1:
            idn = f"{idn[:6]} {idn[6:14]} {idn[14:]}"
        elif s < 0.15:
            idn = idn.translate(_FULL_WIDTH)
        elif s < 0.2:
            idn = idn.lower()
        out["id_number"].append(idn if ids.has["id_number"][i] else None)
        # phone
        d = str(int(ids.phone[i]))
        s = u[i, 2]
        if s < 0.4:
            ph = d
        elif s < 0.55:
            ph = f"+86 {d[:3]}-{d[3:7]}-{d[7:]}"
        elif s < 0.65:
            ph = f"+86{d}"
        elif s < 0.8:
            ph = f"{d[:3]} {d[3:7]} {d[7:]}"
        elif s < 0.9:
            ph = f"{d[:3]}-{d[3:7]}-{d[7:]}"
        elif s < 0.95:
            ph = d.translate(_FULL_WIDTH)
        else:
            ph = f"0086 {d}"
        out["phone"].append(ph if ids.has["phone"][i] else None)
        # email
        if ids.has["email"][i]:
            if u[i, 3] < 0.4:
                email = f"{int(ids.email_num[i])}@qq.com"
            else:
                local = (vocab.SURNAMES[ids.sur[i]][1] + vocab.GIVEN_CHARS[ids.g1[i]][1]).lower()
                domain = vocab.EMAIL_DOMAINS[int(u[i, 3] * 100) % len(vocab.EMAIL_DOMAINS)]
                email = f"{local}{int(ids.email_num[i]) % 10000}@{domain}"
            out["email"].append(email)
        else:
            out["email"].append(None)
        # bank account
        b = str(int(ids.bank[i]))
        s = u[i, 4]
        if s < 0.5:
            bank = b
        elif s < 0.9:
            bank = " ".join(b[k : k + 4] for k in range(0, len(b), 4))
        else:
            bank = "-".join(b[k : k + 4] for k in range(0, len(b), 4))
        out["bank_account"].append(bank if ids.has["bank_account"][i] else None)
        # address, province, city
        district, street = vocab.DISTRICTS[ids.district[i]], vocab.STREETS[ids.street[i]]
        num = int(ids.number[i])
        s = u[i, 5]
        prov_full = prov_zh + ("市" if muni else "省")
        city_full = city_zh + "市"
        if s < 0.45:
            addr = f"{prov_full}{'' if muni else city_full}{district[0]}{street[0]}{num}号"
        elif s < 0.7:
            addr = f"{prov_zh}{'' if muni else city_zh}{district[0]}{street[0]}{num}号"
        elif s < 0.8:
            addr = f"{city_full}{district[0]}{street[0]}{num}号"
        else:
            addr = f"No. {num} {street[1]}, {district[1]}, {city_en}, {prov_en}"
        has_addr = bool(ids.has["address"][i])
        out["address"].append(addr if has_addr else None)
        s = u[i, 6]
        if not has_addr and s < 0.5:
            out["province"].append(None)
            out["city"].append(None)
        elif s < 0.5:
            out["province"].append(prov_full)
            out["city"].append(city_full)
        elif s < 0.85:
            out["province"].append(prov_zh)
            out["city"].append(city_zh)
        else:
            out["province"].append(prov_en)
            out["city"].append(city_en)
        out["device_id"].append(f"{int(ids.device[i]):016x}" if ids.has["device_id"][i] else None)
    return out
