"""Reading a plan file (the check issue's CSV) into typed rows, gathering every problem before raising once.

Rows are named by their line in the file (the header is line 1), as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fakescope.errors import InvalidData, Problem
from fakescope.operations.cases.schemas import PLAN_COLUMNS

REQUIRED_TEXT = ("plan_id", "listing_id", "shop_id", "seller_id")
NUMBERS = ("price", "cost", "risk", "harm", "expected_value")
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class PlanRow:
    """One planned check."""

    line: int
    plan_id: str
    listing_id: str
    shop_id: str
    seller_id: str
    brand_id: str | None
    category: str | None
    price: float | None
    cost: float | None
    currency: str | None
    risk: float | None
    harm: float | None
    expected_value: float | None
    reason: str | None
    inclusion_probability: float | None


def parse_plan(lines: Iterable[str], *, source: str) -> list[PlanRow]:
    """Typed plan rows; InvalidData naming file, line and column for every bad cell or missing column."""
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    missing = [column for column in PLAN_COLUMNS if column not in header]
    if missing:
        raise InvalidData(
            [
                Problem(source, column, "column is missing from the header", row=1, rule="missing")
                for column in missing
            ]
        )
    problems: list[Problem] = []
    counts: dict[tuple[str, str | None, str], int] = {}
    rows: list[PlanRow] = []
    seen: dict[tuple[str, str], int] = {}

    def bad(line: int, column: str, message: str, rule: str) -> None:
        key = (source, column, rule)
        counts[key] = counts.get(key, 0) + 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(source, column, message, row=line, rule=rule))

    for index, record in enumerate(reader):
        line = index + 2
        if None in record:
            bad(line, "(extra)", "more cells than header columns", "extra_cells")
            continue
        cells = {name: (record.get(name) or "").strip() for name in PLAN_COLUMNS}
        for name in REQUIRED_TEXT:
            if not cells[name]:
                bad(line, name, "must not be empty", "required")
        numbers: dict[str, float | None] = {}
        for name in (*NUMBERS, "inclusion_probability"):
            numbers[name] = _number(cells[name], line, name, bad)
        probability = numbers["inclusion_probability"]
        if probability is not None and not 0 < probability <= 1:
            bad(
                line,
                "inclusion_probability",
                f"must be in (0, 1], not {cells['inclusion_probability']}",
                "range",
            )
        pair = (cells["plan_id"], cells["listing_id"])
        if all(pair) and pair in seen:
            bad(
                line,
                "listing_id",
                f"listing {pair[1]} is planned twice (also line {seen[pair]})",
                "duplicate",
            )
        seen.setdefault(pair, line)
        rows.append(
            PlanRow(
                line=line,
                plan_id=cells["plan_id"],
                listing_id=cells["listing_id"],
                shop_id=cells["shop_id"],
                seller_id=cells["seller_id"],
                brand_id=cells["brand_id"] or None,
                category=cells["category"] or None,
                currency=cells["currency"] or None,
                reason=cells["reason"] or None,
                price=numbers["price"],
                cost=numbers["cost"],
                risk=numbers["risk"],
                harm=numbers["harm"],
                expected_value=numbers["expected_value"],
                inclusion_probability=probability,
            )
        )
    if counts:
        raise InvalidData(problems, counts)
    return rows


def _number(text: str, line: int, column: str, bad: Callable[[int, str, str, str], None]) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        bad(line, column, f"must be a finite number, not {text!r}", "number")
        return None
    return value
