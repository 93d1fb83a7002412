"""Tiny deterministic marketplaces of sellers for identity tests: people, bans and comebacks, typed variously.

Independent of the simulator: its own ids and quirks, so tests show the logic works on any contract data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
]
PINYIN = {
    "王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen", "杨": "Yang", "黄": "Huang",
    "赵": "Zhao", "吴": "Wu", "周": "Zhou", "徐": "Xu", "孙": "Sun", "马": "Ma", "朱": "Zhu", "胡": "Hu",
    "郭": "Guo", "伟": "Wei", "芳": "Fang", "娜": "Na", "敏": "Min", "静": "Jing", "丽": "Li", "强": "Qiang",
    "磊": "Lei", "军": "Jun", "洋": "Yang", "勇": "Yong", "艳": "Yan", "杰": "Jie", "娟": "Juan", "涛": "Tao",
    "明": "Ming", "超": "Chao", "霞": "Xia",
}  # fmt: skip
PLACES = [("浙江省", "杭州市", "Zhejiang", "Hangzhou"), ("广东省", "深圳市", "Guangdong", "Shenzhen"),
          ("福建省", "莆田市", "Fujian", "Putian"), ("江苏省", "苏州市", "Jiangsu", "Suzhou")]  # fmt: skip
STREETS = [
    ("文三", "Wensan"),
    ("中山", "Zhongshan"),
    ("人民", "Renmin"),
    ("解放", "Jiefang"),
    ("建设", "Jianshe"),
]
WAREHOUSE = ("浙江省", "杭州市", "萧山区", "Xiaoshan", "物流园", "Wuliuyuan", "888")


@dataclass
class Person:
    name: tuple[str, ...]
    id_number: str
    phone: str
    email_user: str
    bank: str
    device: str
    place: int
    street: int
    number: int


def _person(rng: random.Random, i: int) -> Person:
    name = (rng.choice(SURNAMES), *(rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))))
    id_number = f"{rng.randrange(110000, 659999)}{rng.randrange(1960, 2000)}{rng.randrange(101, 1228):04d}"
    id_number += f"{rng.randrange(100, 999)}{rng.choice('0123456789X')}"
    return Person(
        name=name,
        id_number=id_number,
        phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
        email_user=f"{''.join(PINYIN[c].lower() for c in name)}{rng.randrange(10, 9999)}",
        bank=f"62{rng.randrange(10**15, 10**16)}",
        device=f"{rng.getrandbits(48):012x}",
        place=rng.randrange(len(PLACES)),
        street=rng.randrange(len(STREETS)),
        number=rng.randrange(1, 400),
    )


def _typed(rng: random.Random, p: Person, *, latin: bool, changed: set[str]) -> dict[str, object]:
    """One registration of a person, typed one way or another; `changed` fields get fresh values."""
    province, city, province_en, city_en = PLACES[p.place]
    street, street_en = STREETS[p.street]
    if latin:
        parts = [PINYIN[c] for c in p.name]
        name = f"{''.join(parts[1:])} {parts[0]}" if rng.random() < 0.5 else " ".join(parts).upper()
        address = f"No. {p.number} {street_en} Road, {city_en}, {province_en} Province"
        prov, cty = province_en, city_en
    else:
        name = "".join(p.name) + rng.choice(["", "贸易有限公司", "商行"])
        address = f"{province}{city}{street}路{p.number}号"
        prov, cty = rng.choice([province, province[:-1]]), city
    phone = p.phone if "phone" not in changed else f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}"
    phone = rng.choice([phone, f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}", f"0086{phone}"])
    bank = p.bank if "bank" not in changed else f"62{rng.randrange(10**15, 10**16)}"
    bank = rng.choice([bank, " ".join(bank[i : i + 4] for i in range(0, len(bank), 4))])
    domain = rng.choice(["qq.com", "163.com", "example.cn"])
    email_user = p.email_user if "email" not in changed else f"shop{rng.randrange(10**6)}"
    return {
        "legal_name": name,
        "id_number": p.id_number.lower() if "id_number" not in changed else None,
        "phone": phone,
        "email": f"{email_user}@{domain}".upper() if rng.random() < 0.3 else f"{email_user}@{domain}",
        "bank_account": bank,
        "address": address,
        "province": prov,
        "city": cty,
        "device_id": p.device if "device" not in changed else f"{rng.getrandbits(48):012x}",
    }


@dataclass
class Market:
    sellers: pa.Table
    bans: pa.Table
    comeback_of: dict[str, str]  # seller_id -> the banned seller_id it re-registers
    person_of: dict[str, int]


def make_market(persons: int = 300, *, seed: int = 7, banned_share: float = 0.2) -> Market:
    """Honest people, banned people, and banned people coming back once or twice under changed details.

    Honest sellers share a warehouse address and an agency's device in groups, as real marketplaces see."""
    rng = random.Random(seed)
    base = datetime(2025, 1, 1)
    people = [_person(rng, i) for i in range(persons)]
    rows: list[dict[str, object]] = []
    bans: list[dict[str, object]] = []
    comeback_of: dict[str, str] = {}
    person_of: dict[str, int] = {}
    agency_device = f"{rng.getrandbits(48):012x}"

    def add(person_index: int, record: dict[str, object], day: int) -> str:
        seller_id = f"S{len(rows):05d}-{rng.randrange(1000)}"
        rows.append({"seller_id": seller_id, "registered_at": base + timedelta(days=day), **record})
        person_of[seller_id] = person_index
        return seller_id

    for i, person in enumerate(people):
        first = add(i, _typed(rng, person, latin=False, changed=set()), rng.randrange(0, 100))
        if i % 7 == 3:  # honest sellers using the same fulfilment warehouse and the same agency's computer
            rows[-1]["address"] = f"{WAREHOUSE[0]}{WAREHOUSE[1]}{WAREHOUSE[2]}{WAREHOUSE[4]}{WAREHOUSE[6]}号"
            rows[-1]["device_id"] = agency_device
        if rng.random() >= banned_share:
            continue
        bans.append({"seller_id": first, "banned_at": base + timedelta(days=150), "reason": "counterfeit"})
        previous = first
        for attempt in range(rng.choice([1, 1, 2])):
            changed = set(rng.sample(["phone", "bank", "email", "device", "id_number"], k=2))
            record = _typed(rng, person, latin=rng.random() < 0.5, changed=changed)
            comeback = add(i, record, 200 + 60 * attempt)
            comeback_of[comeback] = first
            if attempt == 0 and rng.random() < 0.5:  # caught again, and comes back again
                bans.append({"seller_id": comeback, "banned_at": base + timedelta(days=240), "reason": "x"})
            previous = comeback
        del previous
    sellers = pa.Table.from_pylist(rows)
    return Market(sellers, pa.Table.from_pylist(bans), comeback_of, person_of)


def ban_times(market: Market) -> dict[str, datetime]:
    """Each banned seller and when the ban was made."""
    return {row["seller_id"]: row["banned_at"] for row in market.bans.to_pylist()}


def recidivist_hits(blocked: dict[str, str], comeback_of: dict[str, str], person_of: dict[str, str]) -> int:
    """How many blocks in `blocked` (seller -> the banned seller it matched) are right: the seller is a
    comeback and its match is the same person."""
    return sum(1 for s, banned in blocked.items() if s in comeback_of and person_of[banned] == person_of[s])


def recidivist_precision_recall(
    blocked: dict[str, str], comeback_of: dict[str, str], person_of: dict[str, str]
) -> tuple[float, float]:
    """Precision and recall of `blocked` against the truth (see `recidivist_hits`)."""
    right = recidivist_hits(blocked, comeback_of, person_of)
    precision = right / len(blocked) if blocked else 1.0
    recall = right / len(comeback_of) if comeback_of else 1.0
    return precision, recall
