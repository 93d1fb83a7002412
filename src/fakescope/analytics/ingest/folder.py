"""Finds the contract tables in a marketplace folder: one `NAME.parquet` or `NAME.csv` per table.

Everything else is skipped and listed; a folder or a zero-byte file named for a table, or two files for one
table, is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fakescope.contract import Contract
from fakescope.errors import Problem

FORMATS = {".parquet": "parquet", ".csv": "csv"}


@dataclass(frozen=True)
class TableFile:
    """The one file a table comes from."""

    table: str
    path: Path
    format: str


@dataclass
class FolderScan:
    """What a folder holds: a file per table found, what was skipped, and problems with the files."""

    files: dict[str, TableFile] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def scan_folder(source: Path, contract: Contract) -> FolderScan:
    """Match the folder's entries to contract tables; report missing required tables too."""
    scan = FolderScan()
    candidates: dict[str, list[Path]] = {}
    for entry in sorted(source.iterdir(), key=lambda p: p.name):
        stem, suffix = _split(entry.name)
        if stem in contract.table_names and suffix in FORMATS:
            candidates.setdefault(stem, []).append(entry)
        else:
            scan.skipped.append(entry.name + ("/" if entry.is_dir() else ""))
    for table in contract.tables:
        found = candidates.get(table.name, [])
        if not found:
            if not table.optional:
                near = [name for name in scan.skipped if name.startswith(f"{table.name}.")]
                hint = f" (found {', '.join(near)}: only Parquet and CSV are read)" if near else ""
                scan.problems.append(
                    Problem(
                        table=table.name,
                        column=None,
                        message=f"required table is missing: no {table.name}.parquet or {table.name}.csv "
                        f"in {source}{hint}",
                        rule="missing_table",
                    )
                )
            continue
        if len(found) > 1:
            names = " and ".join(p.name for p in found)
            scan.problems.append(
                Problem(
                    table=table.name,
                    column=None,
                    message=f"two files for one table: {names}; keep one",
                    rule="file",
                )
            )
            continue
        path = found[0]
        problem = _file_problem(table.name, path)
        if problem is not None:
            scan.problems.append(problem)
            continue
        scan.files[table.name] = TableFile(table.name, path, FORMATS[_split(path.name)[1]])
    return scan


def _split(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return name, ""
    return stem, "." + suffix.lower()


def _file_problem(table: str, path: Path) -> Problem | None:
    if path.is_dir():
        return Problem(table, None, f"{path.name} is a folder; the contract wants one file", rule="file")
    if not path.is_file():
        return Problem(table, None, f"{path.name} is not a regular file", rule="file")
    if path.stat().st_size == 0:
        return Problem(table, None, f"{path.name} is a zero-byte file", rule="file")
    return None
