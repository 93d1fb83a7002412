"""Ring features for the risk model, per seller as of a time t, from data before t only: the size of the
seller's ring, how many of its members were banned before t, and its ring risk from evidence before t.

Registered as the feature provider `rings` (key seller_id). Anchor times are snapped down to at most
`CUT_POINTS` cut points, so a training set with many anchor times costs a few ring builds, never a leak.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fakescope.analytics.rings.evidence import seller_evidence
from fakescope.analytics.rings.graph import GraphParams, find_rings
from fakescope.analytics.rings.links import gather_facts
from fakescope.analytics.rings.risk import ring_evidence, ring_risk
from fakescope.analytics.rings.source import SnapshotSource, Source
from fakescope.settings import RingSettings

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from fakescope.analytics.features.tables import SnapshotTables

FEATURES = ("ring_size", "ring_banned_members", "ring_risk")
CUT_POINTS = 8
FEATURE_SCHEMA = pa.schema(
    [("seller_id", pa.string()), ("ring_size", pa.float64()), ("ring_banned_members", pa.float64()),
     ("ring_risk", pa.float64())]
)  # fmt: skip


def _params(settings: RingSettings) -> GraphParams:
    return GraphParams(
        max_value_sharers=settings.max_value_sharers,
        min_link_weight=settings.min_link_weight,
        max_ring_size=settings.max_ring_size,
        leiden_resolution=settings.leiden_resolution,
    )


def ring_features(engine: Source, as_of: datetime, settings: RingSettings | None = None) -> pa.Table:
    """Per seller registered before `as_of`: ring_size (1 alone), ring_banned_members, ring_risk."""
    settings = settings or RingSettings()
    facts = gather_facts(engine, image_hash_max_bits=settings.image_hash_max_bits, as_of=as_of)
    sellers = facts.sellers.column("seller_id").combine_chunks()
    if len(sellers) == 0:
        return FEATURE_SCHEMA.empty_table()
    rings = find_rings(engine, facts.facts, sellers, _params(settings))
    bans = engine.table("bans")
    banned = set(
        engine.to_arrow(bans.filter(bans.banned_at < as_of).select("seller_id"))["seller_id"].to_pylist()
    )
    evidence = {r["seller_id"]: r for r in seller_evidence(engine, sellers, as_of).to_pylist()}
    ring_of = dict(
        zip(rings.members["seller_id"].to_pylist(), rings.members["ring_id"].to_pylist(), strict=True)
    )
    groups: dict[str, list[str]] = {}
    for seller in sellers.to_pylist():
        groups.setdefault(ring_of.get(seller, f"alone:{seller}"), []).append(seller)
    rows: dict[str, list[object]] = {name: [] for name in FEATURE_SCHEMA.names}
    for members in groups.values():
        found = ring_evidence(members, evidence, banned)
        risk = ring_risk(found)
        for seller in members:
            rows["seller_id"].append(seller)
            rows["ring_size"].append(float(len(members)))
            rows["ring_banned_members"].append(float(found.banned))
            rows["ring_risk"].append(risk)
    return pa.table(rows, schema=FEATURE_SCHEMA)


def cut_points(times: list[datetime], count: int = CUT_POINTS) -> list[datetime]:
    """At most `count` times, the earliest included, each anchor time snapped down to one of them."""
    unique = sorted(set(times))
    if len(unique) <= count:
        return unique
    picks = np.unique(np.linspace(0, len(unique) - 1, count).round().astype(int))
    return [unique[i] for i in picks]


def build_ring_features(tables: SnapshotTables, anchors: ir.Table) -> ir.Table | None:
    """The provider: features for each (seller_id, as_of) anchor, from data before its cut point."""
    source = SnapshotSource(tables)
    wanted = tables.engine.to_arrow(anchors.select("seller_id", "as_of").distinct())
    if wanted.num_rows == 0:
        return None
    times = [t for t in wanted["as_of"].to_pylist() if t is not None]
    cuts = cut_points(times)
    parts = []
    for cut in cuts:
        features = ring_features(source, cut)
        parts.append(
            features.append_column("cut", pa.repeat(pa.scalar(cut, wanted["as_of"].type), len(features)))
        )
    built = pa.concat_tables(parts) if parts else None
    if built is None:
        return None
    cut_array = np.array(cuts, dtype="datetime64[us]")
    as_of = wanted["as_of"].to_numpy(zero_copy_only=False).astype("datetime64[us]")
    index = np.searchsorted(cut_array, as_of, side="right") - 1
    snapped = [cuts[i] if i >= 0 else None for i in index]
    assigned = wanted.append_column("cut", pa.array(snapped, wanted["as_of"].type))
    joined = assigned.join(built, ["seller_id", "cut"], join_type="left outer").drop_columns(["cut"])
    joined = joined.set_column(
        joined.schema.get_field_index("ring_size"), "ring_size", pc.fill_null(joined["ring_size"], 1.0)
    )
    return tables.engine.register("fakescope_ring_features", joined)


def _register() -> None:
    from fakescope.analytics.features.providers import register_provider

    register_provider(
        "rings",
        key="seller_id",
        features=FEATURES,
        build=build_ring_features,
        reasons={
            "ring_size": "in a ring of {value:.0f} linked sellers",
            "ring_banned_members": "{value:.0f} banned sellers in its ring",
            "ring_risk": "its ring's risk is {value:.2f}",
        },
    )


_register()
