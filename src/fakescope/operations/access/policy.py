"""The one place that decides what a role may see and do; every service query passes through it.

Not visible answers exactly like missing (NotFound), so existence does not leak across organisations.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false

from fakescope.errors import Forbidden
from fakescope.operations.access.principal import Principal
from fakescope.operations.cases.models import Case

SEE_ALL_CASES = frozenset({"admin", "analyst", "investigator"})
IMPORT_PLANS = frozenset({"admin", "analyst"})
MOVE_CASES = frozenset({"admin", "analyst", "investigator"})
RECORD_VERDICTS = frozenset({"admin", "analyst", "appraiser"})
ADD_EVIDENCE = frozenset({"admin", "analyst", "investigator", "appraiser"})
MANAGE_ACCESS = frozenset({"admin"})

S = TypeVar("S", bound=Select[Any])


def visible_cases(stmt: S, user: Principal) -> S:
    """Restrict a query over cases to those the user may see (appraisers: their organisation's)."""
    if user.role in SEE_ALL_CASES:
        return stmt
    if user.role == "appraiser" and user.org_id is not None:
        return stmt.where(Case.appraiser_org_id == user.org_id)
    return stmt.where(false())


def can_see_case(case: Case, user: Principal) -> bool:
    """The same rule as `visible_cases`, for one loaded case."""
    if user.role in SEE_ALL_CASES:
        return True
    return user.role == "appraiser" and user.org_id is not None and case.appraiser_org_id == user.org_id


def require(user: Principal, allowed: frozenset[str], action: str) -> None:
    """Refuse (403) a role that may not do `action`."""
    if user.role not in allowed:
        raise Forbidden(f"role {user.role!r} may not {action}", role=user.role)
