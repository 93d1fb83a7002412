"""The seller graph: shared values become weighted links, weak links drop, rings are what stays connected.

A value shared by more sellers says less about each pair (weight falls as sqrt(2/n)); one shared by more than
`max_value_sharers` (a warehouse, an agency's computer, a big city) links nobody. Components too big to be one
ring are split into communities by Leiden with the constant Potts model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fakescope.core.ids import stable_id

if TYPE_CHECKING:
    from fakescope.analytics.rings.source import Source

# How much one shared value of each kind says, before its specificity: an account or an ID number is a
# person's own; an address alone stays below the link threshold (unrelated sellers share buildings), as do
# one shared image or one dispatch city; together with anything else they bind.
KIND_WEIGHTS: dict[str, float] = {
    "id_number": 1.0,
    "bank_account": 1.0,
    "phone": 1.0,
    "email": 1.0,
    "device": 0.9,
    "address": 0.45,
    "image": 0.6,
    "dispatch": 0.3,
    "identity": 1.0,
}


@dataclass(frozen=True)
class GraphParams:
    """The knobs of ring finding (from RingSettings)."""

    max_value_sharers: int
    min_link_weight: float
    max_ring_size: int
    leiden_resolution: float


@dataclass
class Rings:
    """Ring membership of sellers, the kept edges and the facts that made them."""

    members: pa.Table  # seller_id, ring_id, ring_size
    edges: pa.Table  # seller_a, seller_b, weight
    values: pa.Table  # seller_id, kind, value, sharers: the specific values behind the links


def specific_values(facts: ibis.Table, max_value_sharers: int) -> ibis.Table:
    """Facts whose value is shared by 2..max_value_sharers sellers, with the sharer count."""
    distinct = facts.select("seller_id", "kind", "value").distinct()
    counts = distinct.group_by(["kind", "value"]).aggregate(sharers=distinct.seller_id.nunique())
    kept = counts.filter((counts.sharers >= 2) & (counts.sharers <= max_value_sharers))
    return distinct.join(kept, ["kind", "value"]).select("seller_id", "kind", "value", "sharers")


def weighted_links(values: ibis.Table, kinds: ibis.Table) -> ibis.Table:
    """Seller pairs (a < b) and the summed weight of the values they share."""
    weighted = values.join(kinds, "kind").mutate(
        weight=ibis._.kind_weight * (2.0 / ibis._.sharers.cast("float64")).sqrt()
    )
    left = weighted.view()
    right = weighted.view()
    pairs = left.join(
        right,
        [left.kind == right.kind, left.value == right.value, left.seller_id < right.seller_id],
    ).select(seller_a=left.seller_id, seller_b=right.seller_id, weight=left.weight)
    return pairs.group_by(["seller_a", "seller_b"]).aggregate(weight=pairs.weight.sum())


def _kinds_table(weights: Mapping[str, float]) -> pa.Table:
    return pa.table({"kind": list(weights), "kind_weight": [float(w) for w in weights.values()]})


def link_sellers(
    engine: Source, facts: pa.Table, extra_edges: pa.Table | None, params: GraphParams
) -> tuple[pa.Table, pa.Table]:
    """Edges at or above the minimum weight, and the specific values (run on the analytics engine)."""
    facts_expr = engine.register("fakescope_ring_facts", facts)
    kinds = engine.register("fakescope_ring_kinds", _kinds_table(KIND_WEIGHTS))
    values = specific_values(facts_expr, params.max_value_sharers)
    links = weighted_links(values, kinds)
    if extra_edges is not None and extra_edges.num_rows:
        extra = engine.register(
            "fakescope_ring_extra", extra_edges.select(["seller_a", "seller_b", "weight"])
        )
        both = links.union(extra)
        links = both.group_by(["seller_a", "seller_b"]).aggregate(weight=both.weight.sum())
    kept = links.filter(links.weight >= params.min_link_weight)
    return engine.to_arrow(kept), engine.to_arrow(values)


def _ring_id(member_ids: list[str]) -> str:
    return "ring_" + stable_id("ring", *sorted(member_ids))[:16]


def communities(sellers: pa.Array, edges: pa.Table, params: GraphParams) -> pa.Table:
    """Ring membership: connected components, big ones split by Leiden (CPM); singletons are no ring."""
    import igraph as ig

    if edges.num_rows == 0:
        return pa.table({"seller_id": pa.array([], pa.string()), "ring_id": pa.array([], pa.string()),
                         "ring_size": pa.array([], pa.int64())})  # fmt: skip
    a = pc.index_in(edges.column("seller_a"), value_set=sellers).to_numpy()
    b = pc.index_in(edges.column("seller_b"), value_set=sellers).to_numpy()
    weights = edges.column("weight").to_numpy()
    touched = np.unique(np.concatenate([a, b]))
    local = np.full(len(sellers), -1, dtype=np.int64)
    local[touched] = np.arange(len(touched))
    graph = ig.Graph(n=len(touched), edges=np.stack([local[a], local[b]], axis=1).tolist())
    graph.es["weight"] = weights.tolist()
    membership = np.array(graph.connected_components().membership, dtype=np.int64)
    sizes = np.bincount(membership)
    next_label = int(membership.max()) + 1
    for component in np.flatnonzero(sizes > params.max_ring_size):
        nodes = np.flatnonzero(membership == component)
        sub = graph.induced_subgraph(nodes.tolist())
        parts = sub.community_leiden(
            objective_function="CPM", weights="weight", resolution=params.leiden_resolution, n_iterations=-1
        )
        labels = np.array(parts.membership, dtype=np.int64)
        membership[nodes] = labels + next_label
        next_label += int(labels.max()) + 1
    sizes = np.bincount(membership)
    in_ring = sizes[membership] >= 2
    seller_ids = sellers.take(pa.array(touched)).to_pylist()
    by_label: dict[int, list[str]] = {}
    for seller, label, keep in zip(seller_ids, membership.tolist(), in_ring.tolist(), strict=True):
        if keep:
            by_label.setdefault(label, []).append(seller)
    rows: dict[str, list[object]] = {"seller_id": [], "ring_id": [], "ring_size": []}
    for members in by_label.values():
        ring_id = _ring_id(members)
        for seller in members:
            rows["seller_id"].append(seller)
            rows["ring_id"].append(ring_id)
            rows["ring_size"].append(len(members))
    return pa.table(rows, schema=pa.schema([("seller_id", pa.string()), ("ring_id", pa.string()),
                                            ("ring_size", pa.int64())]))  # fmt: skip


def find_rings(
    engine: Source,
    facts: pa.Table,
    sellers: pa.Array,
    params: GraphParams,
    extra_edges: pa.Table | None = None,
) -> Rings:
    """Shared values -> weighted edges -> rings."""
    edges, values = link_sellers(engine, facts, extra_edges, params)
    members = communities(sellers, edges, params)
    return Rings(members, edges, values)
