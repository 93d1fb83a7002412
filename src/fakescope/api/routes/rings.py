"""`GET /rings/{ring_id}`: one ring's members, binding links, listings, GMV, verdicts, bans, places, risk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from fakescope.analytics.rings import ring_detail
from fakescope.api.deps import SettingsDep, require_roles
from fakescope.operations.access.models import User

router = APIRouter(tags=["rings"])
Reader = Annotated[User, Depends(require_roles("admin", "analyst", "investigator", "liaison"))]


@router.get("/rings/{ring_id}")
def get_ring(ring_id: str, settings: SettingsDep, _user: Reader) -> dict[str, Any]:
    """The ring as `fakescope rings --rings-out` writes it; 404 when there is no such ring."""
    return ring_detail(settings, ring_id)
