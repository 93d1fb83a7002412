"""The rights holders' quota file (`brand_id,min_checks`), read and checked against the snapshot's brands.

Every problem is gathered and reported once with its file, row and column.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

from fakescope.errors import InvalidData, Problem, UsageError

COLUMNS = ("brand_id", "min_checks")


def read_quotas(path: Path, *, known_brands: Collection[str]) -> dict[str, int]:
    """Minimum checks per brand; InvalidData naming row and column for a bad value or an unknown brand."""
    if not path.is_file():
        raise UsageError(f"quotas file {path} does not exist")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"quotas file {path}: not readable as UTF-8 CSV ({error})") from error
    table = path.name
    if not rows or [c.strip() for c in rows[0]][:2] != list(COLUMNS):
        found = ",".join(rows[0]) if rows else "nothing"
        raise InvalidData(
            [Problem(table, None, f"header must be `brand_id,min_checks`, found `{found}`", row=1)]
        )
    problems: list[Problem] = []
    quotas: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        brand = row[0].strip() if row else ""
        raw = row[1].strip() if len(row) > 1 else ""
        if not brand:
            problems.append(Problem(table, "brand_id", "missing brand_id", row=number))
            continue
        if brand not in known_brands:
            problems.append(
                Problem(table, "brand_id", f"unknown brand {brand!r} (not in brands)", row=number)
            )
        try:
            minimum = int(raw)
        except ValueError:
            problems.append(Problem(table, "min_checks", f"{raw!r} is not a whole number", row=number))
            continue
        if minimum < 0:
            problems.append(Problem(table, "min_checks", f"{minimum} is below 0", row=number))
            continue
        if brand in quotas:
            problems.append(Problem(table, "brand_id", f"brand {brand!r} appears twice", row=number))
            continue
        quotas[brand] = minimum
    if problems:
        raise InvalidData(problems)
    return {brand: minimum for brand, minimum in quotas.items() if minimum > 0}
