"""The case state machine as data: which moves are legal and which fields each move needs; pure, no I/O.

Anything not in MOVES is refused with IllegalTransition naming the current state and the allowed moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakescope.errors import FieldInvalid, IllegalTransition

STATES = ("planned", "purchased", "received", "in_appraisal", "verdict", "acted", "closed")
VERDICTS = ("counterfeit", "genuine", "inconclusive")
OPEN_STATES = frozenset(STATES) - {"closed"}
# Evidence may be attached from the purchase until the case closes.
EVIDENCE_STATES = frozenset({"purchased", "received", "in_appraisal", "verdict", "acted"})

MOVES: dict[str, frozenset[str]] = {
    "planned": frozenset({"purchased"}),
    "purchased": frozenset({"received"}),
    "received": frozenset({"in_appraisal"}),
    "in_appraisal": frozenset({"verdict"}),
    "verdict": frozenset({"acted", "closed"}),
    "acted": frozenset({"closed"}),
    "closed": frozenset(),
}


@dataclass(frozen=True)
class FieldRule:
    """One field a move takes: its kind and whether it must be given."""

    kind: type
    required: bool = True


FIELDS: dict[str, dict[str, FieldRule]] = {
    "purchased": {
        "buyer_account": FieldRule(str),
        "order_ref": FieldRule(str),
        "amount_paid": FieldRule(float),
    },
    "verdict": {"verdict": FieldRule(str)},
}


def check_move(current: str, target: str) -> None:
    """Refuse a move the state machine does not allow."""
    if target not in STATES:
        raise FieldInvalid("state", f"unknown state {target!r}; states are {', '.join(STATES)}")
    if target not in MOVES[current]:
        allowed = ", ".join(sorted(MOVES[current])) or "none (the case is closed)"
        raise IllegalTransition(
            f"cannot move a case from {current} to {target}; allowed from {current}: {allowed}",
            state=current,
            target=target,
        )


def check_fields(target: str, given: dict[str, Any]) -> dict[str, Any]:
    """The fields for a move, converted to their kinds; unknown, missing or malformed ones are refused."""
    rules = FIELDS.get(target, {})
    clean: dict[str, Any] = {}
    for name in given:
        if name not in rules:
            allowed = ", ".join(rules) or "none"
            raise FieldInvalid(name, f"not a field of the move to {target} (fields: {allowed})")
    for name, rule in rules.items():
        value = given.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if rule.required:
                raise FieldInvalid(name, f"required for the move to {target}")
            continue
        clean[name] = _convert(name, value, rule.kind)
    if target == "verdict" and clean["verdict"] not in VERDICTS:
        raise FieldInvalid("verdict", f"must be one of {', '.join(VERDICTS)}, not {clean['verdict']!r}")
    if target == "purchased" and clean["amount_paid"] < 0:
        raise FieldInvalid("amount_paid", "must not be negative")
    return clean


def _convert(name: str, value: Any, kind: type) -> Any:
    if kind is float:
        if isinstance(value, bool):
            raise FieldInvalid(name, "must be a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise FieldInvalid(name, f"must be a number, not {value!r}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldInvalid(name, "must be a finite number")
        return number
    if not isinstance(value, str):
        raise FieldInvalid(name, "must be text")
    return value.strip()
