"""The FakescopeError tree: every domain error knows its HTTP status and its CLI exit code.

The API maps errors to answers in one handler (`api/errors.py`) and the CLI in one place (`cli/main.py`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar


class FakescopeError(Exception):
    """Base of every error the domain raises on purpose."""

    http_status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message, **self.details}


class UsageError(FakescopeError):
    """The command or request itself is wrong (a bad flag value, a file that is not there)."""

    http_status = 400
    exit_code = 2


class NotReady(FakescopeError):
    """A step needs an earlier step first; the message says which command to run."""

    http_status = 409
    exit_code = 1


class NotFound(FakescopeError):
    """Missing, or not visible to this user: both answer the same, so existence does not leak."""

    http_status = 404
    exit_code = 1


class Unauthorized(FakescopeError):
    """No credentials, or credentials that do not check out."""

    http_status = 401
    exit_code = 2


class Forbidden(FakescopeError):
    """Known user, but the role may not do this."""

    http_status = 403
    exit_code = 2


class Conflict(FakescopeError):
    """A stale version or a duplicate: the caller should reload and retry."""

    http_status = 409
    exit_code = 1


class IllegalTransition(Conflict):
    """A state machine refused a move."""


class PayloadTooLarge(FakescopeError):
    """An upload over the configured limit."""

    http_status = 413
    exit_code = 1


class FieldInvalid(FakescopeError):
    """One input field is missing or malformed; `field` names it."""

    http_status = 422
    exit_code = 2

    def __init__(self, field_name: str, message: str, **details: Any) -> None:
        super().__init__(f"{field_name}: {message}", field=field_name, **details)
        self.field = field_name


class ArtifactError(FakescopeError):
    """A saved model or derived table is corrupted or does not fit the current data."""

    exit_code = 1


class IntegrityError(FakescopeError):
    """Tampering or corruption found in evidence or in the ledger."""

    http_status = 500
    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is (table, row or key, column) and what is wrong."""

    table: str
    column: str | None
    message: str
    row: int | None = None
    key: str | None = None
    rule: str = ""

    def place(self) -> str:
        where = [self.table]
        if self.key is not None:
            where.append(f"key {self.key}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(self.column)
        return ", ".join(where)

    def __str__(self) -> str:
        return f"{self.place()}: {self.message}"


@dataclass
class InvalidData(FakescopeError):
    """The input breaks the data contract; carries every problem found, gathered before raising once."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[tuple[str, str | None, str], int] = field(default_factory=dict)

    http_status: ClassVar[int] = 422
    exit_code: ClassVar[int] = 1

    def __post_init__(self) -> None:
        total = sum(self.counts.values()) or len(self.problems)
        FakescopeError.__init__(self, f"invalid data: {total} problem(s)")

    def summary(self, first: int = 5) -> list[str]:
        """Lines grouped by (table, column, rule): the first few places of each, with the total count."""
        grouped: dict[tuple[str, str | None, str], list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault((problem.table, problem.column, problem.rule), []).append(problem)
        counted = Counter(self.counts) if self.counts else Counter({k: len(v) for k, v in grouped.items()})
        lines: list[str] = []
        for group, problems in grouped.items():
            for problem in problems[:first]:
                lines.append(str(problem))
            more = counted[group] - min(first, len(problems))
            if more > 0:
                lines.append(f"  ... and {more} more like this ({counted[group]} in all)")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"error": "InvalidData", "message": self.message, "problems": self.summary()}
