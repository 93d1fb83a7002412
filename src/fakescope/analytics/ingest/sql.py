"""Quoting for the SQL the ingest builds: identifiers and literals from the marketplace's own names.

Column names come from the files, so every one is quoted; nothing from a file is pasted in raw.
"""

from __future__ import annotations

from pathlib import Path


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str | Path) -> str:
    """A quoted SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def raw_table(table: str) -> str:
    """The staging table holding a file's values as read, before any cast."""
    return f"stage.{ident('raw_' + table)}"
