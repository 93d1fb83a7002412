"""Organisation endpoints: admins create rights holders and agencies; others see their own organisation.

The act capability adds appraisal endpoints on top of these organisations.
"""

from __future__ import annotations

from fastapi import APIRouter

from fakescope.api.deps import CurrentUser, SessionDep
from fakescope.operations.access import service as access
from fakescope.operations.access.schemas import OrganisationCreate, OrganisationRead

router = APIRouter(tags=["organisations"])


@router.post("/orgs", status_code=201)
def create_org(body: OrganisationCreate, session: SessionDep, user: CurrentUser) -> OrganisationRead:
    """A new organisation (admins only)."""
    org = access.create_organisation(session, name=body.name, kind=body.kind, brands=body.brands, actor=user)
    session.commit()
    return OrganisationRead.model_validate(org)


@router.get("/orgs")
def list_orgs(session: SessionDep, user: CurrentUser) -> list[OrganisationRead]:
    """Every organisation for an admin; the caller's own for others."""
    return [OrganisationRead.model_validate(org) for org in access.list_organisations(session, actor=user)]
