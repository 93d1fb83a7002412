"""Who appraises a case, as a pure rule: the brand's rights holder, else an inspection agency; by category.

The service loads the candidates; this picks one, the least loaded agency among equals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RIGHTS_HOLDER = "rights_holder"
AGENCY = "agency"


@dataclass(frozen=True)
class Candidate:
    """An organisation that could appraise, with how many appraisals it has open."""

    org_id: str
    name: str
    kind: str
    open_appraisals: int = 0


@dataclass(frozen=True)
class Route:
    """The chosen organisation and which rule chose it."""

    org_id: str
    route: str


def choose_appraiser(
    *,
    category: str | None,
    brand_owner: Candidate | None,
    agencies: Sequence[Candidate],
    route_by_category: Mapping[str, str],
) -> Route | None:
    """The rights holder of the brand first (unless the category says agency first), else the other one.

    None when no organisation can take the case.
    """
    rules = {key.strip().lower(): value for key, value in route_by_category.items()}
    preferred = rules.get((category or "").strip().lower(), RIGHTS_HOLDER)
    agency = min(agencies, key=lambda a: (a.open_appraisals, a.name, a.org_id)) if agencies else None
    order = (brand_owner, agency) if preferred == RIGHTS_HOLDER else (agency, brand_owner)
    for choice in order:
        if choice is not None:
            return Route(org_id=choice.org_id, route=choice.kind)
    return None
