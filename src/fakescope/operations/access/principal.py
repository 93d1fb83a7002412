"""Who is acting: anything with a user id, a name, a role and an organisation; a User or the local operator.

The CLI acts as the local operator, an admin with no organisation, needing no token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Principal(Protocol):
    """The acting user as services see it."""

    @property
    def user_id(self) -> str | None: ...

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def org_id(self) -> str | None: ...


@dataclass(frozen=True)
class Operator:
    """A principal that is not a stored user (the local operator at the CLI, a background worker)."""

    name: str = "local-operator"
    role: str = "admin"
    org_id: str | None = None
    user_id: str | None = None


LOCAL_OPERATOR = Operator()
