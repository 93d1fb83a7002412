"""Routing a case: the brand's rights holder first, else the least loaded agency; a category can flip it."""

from __future__ import annotations

from fakescope.operations.appraisal.routing import Candidate, choose_appraiser

OWNER = Candidate("org-rh", "Brand owner", "rights_holder", open_appraisals=50)
AGENCIES = [
    Candidate("org-a", "Agency A", "agency", open_appraisals=3),
    Candidate("org-b", "Agency B", "agency", open_appraisals=1),
]


def test_rights_holder_of_the_brand_first() -> None:
    route = choose_appraiser(category="shoes", brand_owner=OWNER, agencies=AGENCIES, route_by_category={})
    assert route is not None and (route.org_id, route.route) == ("org-rh", "rights_holder")


def test_no_rights_holder_goes_to_the_least_loaded_agency() -> None:
    route = choose_appraiser(category="shoes", brand_owner=None, agencies=AGENCIES, route_by_category={})
    assert route is not None and (route.org_id, route.route) == ("org-b", "agency")


def test_a_category_can_send_cases_to_agencies_first() -> None:
    rules = {"Medicine": "agency"}
    route = choose_appraiser(
        category=" medicine", brand_owner=OWNER, agencies=AGENCIES, route_by_category=rules
    )
    assert route is not None and route.org_id == "org-b"
    # With no agency at all, the rights holder still takes it.
    route = choose_appraiser(category="medicine", brand_owner=OWNER, agencies=[], route_by_category=rules)
    assert route is not None and route.org_id == "org-rh"


def test_nobody_to_appraise() -> None:
    assert choose_appraiser(category=None, brand_owner=None, agencies=[], route_by_category={}) is None
