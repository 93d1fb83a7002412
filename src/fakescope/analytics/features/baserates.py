"""Brand, category and dispatch-city base rates: smoothed shares of counterfeit verdicts before as_of.

Learnt from the data, never from a list of names: a new brand starts at the overall rate and moves with
evidence.
"""

from __future__ import annotations

import ibis.expr.types as ir

from fakescope.analytics.features.activity import COUNTERFEIT, GENUINE, keyed_place, place_keys
from fakescope.analytics.features.tables import SnapshotTables

# Pseudo-verdicts at the overall rate added to each group, so a brand with two checks is not 0% or 100%.
PRIOR_WEIGHT = 10.0


def listing_groups(tables: SnapshotTables, places: ir.Table | None = None) -> ir.Table:
    """listing_id with the groups base rates are kept for: brand, category and listed dispatch city."""
    places = place_keys(tables) if places is None else places
    listings = tables["listings"]
    grouped = listings.select(
        "listing_id", "ship_from_city", brand=listings.brand_id, category=listings.category
    )
    return keyed_place(grouped, "ship_from_city", places, "city").drop("ship_from_city")


def _decided_checks(tables: SnapshotTables) -> ir.Table:
    checks = tables["spot_checks"]
    decided = checks.filter(checks.verdict.isin([COUNTERFEIT, GENUINE]))
    return decided.select(
        "listing_id", "checked_at", counterfeit=(decided.verdict == COUNTERFEIT).cast("int64")
    )


def overall_rate(tables: SnapshotTables, moments: ir.Table) -> ir.Table:
    """as_of, prior_rate: the share of counterfeit verdicts among all decided checks before each moment."""
    checks = _decided_checks(tables)
    joined = moments.join(checks, checks.checked_at < moments.as_of)
    return joined.group_by(moments.as_of).aggregate(prior_rate=joined.counterfeit.mean())


def base_rates(tables: SnapshotTables, anchors: ir.Table, places: ir.Table | None = None) -> ir.Table:
    """Per (listing_id, as_of): brand_rate, category_rate, city_rate, smoothed towards the overall rate."""
    groups = listing_groups(tables, places)
    checks = _decided_checks(tables).join(groups, "listing_id")
    anchored = anchors.select("listing_id", "as_of").join(groups, "listing_id")
    prior = overall_rate(tables, anchors.select("as_of").distinct())
    out = anchored.left_join(prior, "as_of").select(anchored, prior.prior_rate)
    for group in ("brand", "category", "city"):
        wanted = anchored.select(group, "as_of").distinct()
        wanted = wanted.filter(wanted[group].notnull())
        joined = wanted.join(checks, [wanted[group] == checks[group], checks.checked_at < wanted.as_of])
        counts = joined.group_by([wanted[group], wanted.as_of]).aggregate(
            n=joined.count(), cf=joined.counterfeit.sum()
        )
        out = out.left_join(counts, [group, "as_of"]).select(out, counts.n, counts.cf)
        rate = (out.cf.fill_null(0) + PRIOR_WEIGHT * out.prior_rate) / (out.n.fill_null(0) + PRIOR_WEIGHT)
        out = out.select(*[c for c in out.columns if c not in ("n", "cf")], **{f"{group}_rate": rate})
    return out.select("listing_id", "as_of", "brand_rate", "category_rate", "city_rate")
