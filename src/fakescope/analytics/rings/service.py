"""`find_rings(settings)`: build the seller graph from the snapshot, find rings, judge them, keep them as
derived tables `ring_members` and `rings`; `ring_detail(settings, ring_id)` reads one back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fakescope.analytics.derived import read_derived, read_derived_meta, write_derived
from fakescope.analytics.engine import open_engine
from fakescope.analytics.identity.bans import enforcement_bans, snapshot_bans
from fakescope.analytics.identity.service import SCREEN_TABLE, snapshot_fingerprint
from fakescope.analytics.rings.graph import GraphParams, find_rings
from fakescope.analytics.rings.links import gather_facts
from fakescope.analytics.rings.report import ring_rows
from fakescope.errors import NotFound, NotReady
from fakescope.settings import Settings
from fakescope.workspace import Workspace

MEMBERS_TABLE = "ring_members"
RINGS_TABLE = "rings"
Progress = Callable[[str], None]


@dataclass
class RingsReport:
    """What `rings` found: member rows, ring rows, and how the graph looked."""

    members: pa.Table
    rings: pa.Table
    sellers: int
    links: int
    identity_links: int
    identity_note: str
    facts: int = 0  # seller-value links (shared identifiers, image groups, dispatch places) before weighing


def graph_params(settings: Settings) -> GraphParams:
    rings = settings.rings
    return GraphParams(
        max_value_sharers=rings.max_value_sharers,
        min_link_weight=rings.min_link_weight,
        max_ring_size=rings.max_ring_size,
        leiden_resolution=rings.leiden_resolution,
    )


def identity_edges(settings: Settings, fingerprint: str) -> tuple[pa.Table | None, str]:
    """Links from the latest screen of this snapshot: each seller to the banned seller it matches."""
    workspace = Workspace(settings.workspace)
    try:
        meta = read_derived_meta(workspace, SCREEN_TABLE, command="fakescope screen")
    except NotReady:
        return None, "no identity matches (run `fakescope screen` first to add them)"
    if meta.get("snapshot_fingerprint") != fingerprint:
        return None, "no identity matches (the screen is of another snapshot: run `fakescope screen`)"
    table, _ = read_derived(workspace, SCREEN_TABLE, command="fakescope screen")
    matched = table.filter(
        pc.and_(
            pc.is_valid(table["banned_seller_id"]),
            pc.greater_equal(table["match_probability"], settings.identity.review_threshold),
        )
    )
    a, b = matched["seller_id"], matched["banned_seller_id"]
    lower = pc.if_else(pc.less(a, b), a, b)
    upper = pc.if_else(pc.less(a, b), b, a)
    edges = pa.table({"seller_a": lower, "seller_b": upper, "weight": matched["match_probability"]})
    return edges, f"{edges.num_rows} identity matches from the screen"


def _model_scores(workspace: Workspace, fingerprint: str) -> dict[str, float]:
    try:
        table, meta = read_derived(workspace, "scores_seller", command="fakescope score")
    except NotReady:
        return {}
    if meta.get("snapshot_fingerprint") != fingerprint or "risk" not in table.column_names:
        return {}
    return dict(zip(table["seller_id"].to_pylist(), table["risk"].to_pylist(), strict=True))


def build_rings(settings: Settings, *, progress: Progress | None = None) -> RingsReport:
    """Find and judge the rings of the workspace's snapshot and keep them as derived tables."""
    say = progress or (lambda _message: None)
    workspace = Workspace(settings.workspace)
    with open_engine(settings) as engine:
        fingerprint = snapshot_fingerprint(engine)
        say("gathering shared identifiers, images and dispatch places")
        facts = gather_facts(engine, image_hash_max_bits=settings.rings.image_hash_max_bits)
        edges, note = None, "identity matches off"
        if settings.rings.identity_links:
            edges, note = identity_edges(settings, fingerprint)
        say("linking sellers and finding rings")
        sellers = facts.sellers.column("seller_id").combine_chunks()
        rings = find_rings(engine, facts.facts, sellers, graph_params(settings), edges)
        banned = set(snapshot_bans(engine)) | enforcement_bans(settings)
        say("judging rings")
        members, ring_table = ring_rows(
            engine,
            rings,
            banned=banned,
            model_scores=_model_scores(workspace, fingerprint),
            flag_threshold=settings.rings.flag_threshold,
        )
    meta = {
        "snapshot_fingerprint": fingerprint,
        "rings": ring_table.num_rows,
        "sellers_in_rings": members.num_rows,
        "links": rings.edges.num_rows,
        "identity": note,
        "settings": settings.rings.model_dump(),
        "built_at": datetime.now(UTC).isoformat(),
    }
    write_derived(workspace, MEMBERS_TABLE, members, meta)
    write_derived(workspace, RINGS_TABLE, ring_table, meta)
    return RingsReport(
        members,
        ring_table,
        len(sellers),
        rings.edges.num_rows,
        0 if edges is None else edges.num_rows,
        note,
        facts.facts.num_rows,
    )


def ring_detail(settings: Settings, ring_id: str) -> dict[str, Any]:
    """One ring as a dict (members, links, listings, GMV, verdicts, bans, dispatch, risk); else NotFound."""
    table, _ = read_derived(Workspace(settings.workspace), RINGS_TABLE, command="fakescope rings")
    found = table.filter(pc.equal(table["ring_id"], ring_id))
    if found.num_rows == 0:
        raise NotFound(f"no ring {ring_id!r}", ring_id=ring_id)
    return dict(found.to_pylist()[0])
