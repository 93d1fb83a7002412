"""Rings of linked sellers: shared identifiers, images and dispatch places as weighted links, communities of
that graph, and ring risk from bans, verdicts, disputes and reports.
"""

from fakescope.analytics.rings.service import RingsReport, build_rings, ring_detail

__all__ = ["RingsReport", "build_rings", "ring_detail"]
