"""Rings as people read them: members, binding links (which value, shared by whom), listings and GMV,
verdicts, bans, dispatch places and ring risk; and the per-member rows the risk model reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from fakescope.analytics.rings.evidence import seller_dispatch, seller_evidence, seller_gmv
from fakescope.analytics.rings.graph import Rings
from fakescope.analytics.rings.risk import ring_evidence, ring_risk

if TYPE_CHECKING:
    from fakescope.analytics.rings.source import Source

MEMBER_SCHEMA = pa.schema(
    [
        ("seller_id", pa.string()),
        ("ring_id", pa.string()),
        ("ring_size", pa.int64()),
        ("ring_risk", pa.float64()),
        ("flagged", pa.bool_()),
        ("banned_members", pa.int64()),
    ]
)
LINK = pa.struct([("kind", pa.string()), ("value", pa.string()), ("sharers", pa.list_(pa.string()))])
MONEY = pa.struct([("currency", pa.string()), ("gmv", pa.float64())])
PLACE = pa.struct([("province", pa.string()), ("city", pa.string()), ("orders", pa.int64())])
RING_SCHEMA = pa.schema(
    [
        ("ring_id", pa.string()),
        ("ring_size", pa.int64()),
        ("members", pa.list_(pa.string())),
        ("links", pa.list_(LINK)),
        ("listings", pa.int64()),
        ("orders", pa.int64()),
        ("gmv", pa.float64()),
        ("gmv_by_currency", pa.list_(MONEY)),
        ("counterfeit_verdicts", pa.int64()),
        ("genuine_verdicts", pa.int64()),
        ("counterfeit_disputes", pa.int64()),
        ("rights_holder_reports", pa.int64()),
        ("banned_members", pa.int64()),
        ("bans", pa.list_(pa.string())),
        ("dispatch", pa.list_(PLACE)),
        ("ring_risk", pa.float64()),
        ("flagged", pa.bool_()),
    ]
)
# The dispatch places listed per ring (most orders first).
TOP_PLACES = 10


def _binding_links(rings: Rings, ring_of: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Per ring, each specific value shared by two or more of its members, with those members."""
    sharers: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    values = rings.values
    for seller, kind, value in zip(
        values["seller_id"].to_pylist(), values["kind"].to_pylist(), values["value"].to_pylist(), strict=True
    ):
        ring = ring_of.get(seller)
        if ring is not None:
            sharers[(ring, kind, value)].append(seller)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (ring, kind, value), members in sharers.items():
        if len(members) >= 2:
            out[ring].append({"kind": kind, "value": value, "sharers": sorted(members)})
    return out


def ring_rows(
    engine: Source,
    rings: Rings,
    *,
    banned: set[str],
    model_scores: Mapping[str, float],
    flag_threshold: float,
) -> tuple[pa.Table, pa.Table]:
    """The `ring_members` and `rings` tables."""
    members = rings.members
    member_ids = members["seller_id"].combine_chunks() if members.num_rows else pa.array([], pa.string())
    ring_of = dict(zip(members["seller_id"].to_pylist(), members["ring_id"].to_pylist(), strict=True))
    by_ring: dict[str, list[str]] = defaultdict(list)
    for seller, ring in ring_of.items():
        by_ring[ring].append(seller)
    evidence = {r["seller_id"]: r for r in seller_evidence(engine, member_ids).to_pylist()}
    gmv: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    orders: dict[str, int] = defaultdict(int)
    for row in seller_gmv(engine, member_ids).to_pylist():
        ring = ring_of[row["seller_id"]]
        gmv[ring][row["currency"] or "CNY"] += float(row["gmv"] or 0.0)
        orders[ring] += int(row["orders"] or 0)
    places: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for row in seller_dispatch(engine, member_ids).to_pylist():
        places[ring_of[row["seller_id"]]][(row["province"], row["city"])] += int(row["orders"])
    links = _binding_links(rings, ring_of)
    ring_records: list[dict[str, Any]] = []
    risk_of: dict[str, tuple[float, bool, int]] = {}
    for ring, sellers in sorted(by_ring.items()):
        found = ring_evidence(sellers, evidence, banned, model_scores)
        risk = ring_risk(found)
        flagged = risk >= flag_threshold
        bans = sorted(s for s in sellers if s in banned)
        risk_of[ring] = (risk, flagged, len(bans))
        top = sorted(places[ring].items(), key=lambda item: (-item[1], str(item[0])))[:TOP_PLACES]
        ring_records.append(
            {
                "ring_id": ring,
                "ring_size": len(sellers),
                "members": sorted(sellers),
                "links": sorted(links[ring], key=lambda link: (link["kind"], link["value"])),
                "listings": sum(int(evidence.get(s, {}).get("listings") or 0) for s in sellers),
                "orders": orders[ring],
                "gmv": sum(gmv[ring].values()),
                "gmv_by_currency": [{"currency": c, "gmv": v} for c, v in sorted(gmv[ring].items())],
                "counterfeit_verdicts": found.counterfeit_verdicts,
                "genuine_verdicts": found.genuine_verdicts,
                "counterfeit_disputes": found.counterfeit_disputes,
                "rights_holder_reports": found.rights_holder_reports,
                "banned_members": len(bans),
                "bans": bans,
                "dispatch": [{"province": p, "city": c, "orders": n} for (p, c), n in top],
                "ring_risk": risk,
                "flagged": flagged,
            }
        )
    member_rows = {
        "seller_id": members["seller_id"].to_pylist(),
        "ring_id": members["ring_id"].to_pylist(),
        "ring_size": members["ring_size"].to_pylist(),
    }
    member_rows["ring_risk"] = [risk_of[r][0] for r in member_rows["ring_id"]]
    member_rows["flagged"] = [risk_of[r][1] for r in member_rows["ring_id"]]
    member_rows["banned_members"] = [risk_of[r][2] for r in member_rows["ring_id"]]
    return (
        pa.table(member_rows, schema=MEMBER_SCHEMA),
        pa.Table.from_pylist(ring_records, schema=RING_SCHEMA),
    )
