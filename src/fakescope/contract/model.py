"""Typed objects for the data contract, loaded once from `contract.toml`.

Pure: reading the packaged spec is the only I/O, and it happens once per process.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class Kind(StrEnum):
    """The value kinds of the contract."""

    IDENTIFIER = "identifier"
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    PROBABILITY = "probability"
    TIME = "time"


@dataclass(frozen=True)
class Column:
    """One column: its kind, whether it is required, and the rules on its values."""

    name: str
    kind: Kind
    required: bool = False
    enum: tuple[str, ...] | None = None
    null_means: str | None = None
    min: float | None = None
    max: float | None = None
    exclusive_min: float | None = None
    pattern: str | None = None
    references: str | None = None


@dataclass(frozen=True)
class Table:
    """One table: its primary key, its columns in contract order, and whether it may be absent."""

    name: str
    primary_key: str
    columns: tuple[Column, ...]
    optional: bool = False
    description: str = ""

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def foreign_keys(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.references)


@dataclass(frozen=True)
class Contract:
    """All tables of the contract, in dependency order (a table comes after those it references)."""

    tables: tuple[Table, ...]
    default_currency: str

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"the contract has no table {name!r}")

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables)


def _column(raw: dict[str, object]) -> Column:
    enum = raw.get("enum")
    return Column(
        name=str(raw["name"]),
        kind=Kind(str(raw["kind"])),
        required=bool(raw.get("required", False)),
        enum=tuple(str(v) for v in enum) if isinstance(enum, list) else None,
        null_means=str(raw["null_means"]) if "null_means" in raw else None,
        min=float(raw["min"]) if "min" in raw else None,  # type: ignore[arg-type]
        max=float(raw["max"]) if "max" in raw else None,  # type: ignore[arg-type]
        exclusive_min=float(raw["exclusive_min"]) if "exclusive_min" in raw else None,  # type: ignore[arg-type]
        pattern=str(raw["pattern"]) if "pattern" in raw else None,
        references=str(raw["references"]) if "references" in raw else None,
    )


@cache
def load_contract() -> Contract:
    """The contract, parsed from the packaged `contract.toml`."""
    text = resources.files("fakescope.contract").joinpath("contract.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    tables = tuple(
        Table(
            name=t["name"],
            primary_key=t["primary_key"],
            columns=tuple(_column(c) for c in t["columns"]),
            optional=bool(t.get("optional", False)),
            description=t.get("description", ""),
        )
        for t in raw["tables"]
    )
    return Contract(tables=tables, default_currency=raw["defaults"]["currency"])
