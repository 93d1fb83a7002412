"""Verdicts as spot checks: one row per case with a verdict, in the contract's `spot_checks` columns.

`fakescope train` reads them from the workspace's operations database; `fakescope labels` writes a file.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from fakescope.contract.model import Kind, load_contract
from fakescope.errors import UsageError
from fakescope.operations.cases.models import Case
from fakescope.settings import Settings

_ARROW_TYPES = {
    Kind.IDENTIFIER: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.INTEGER: pa.int64(),
    Kind.MONEY: pa.float64(),
    Kind.PROBABILITY: pa.float64(),
    # The snapshot's convention: UTC held in a timestamp without a zone.
    Kind.TIME: pa.timestamp("us"),
}
# Where each spot-check column comes from on a case; every contract column must be named here.
_FROM_CASE = {
    "check_id": "case_id",
    "listing_id": "listing_id",
    "checked_at": "verdict_at",
    "verdict": "verdict",
    "inclusion_probability": "inclusion_probability",
}


def spot_checks_schema() -> pa.Schema:
    """The Arrow schema of the contract's spot_checks table, in contract order."""
    table = load_contract().table("spot_checks")
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.kind], nullable=not c.required) for c in table.columns])


def _probability(value: float | None) -> float | None:
    # The contract allows (0, 1]; anything else means unknown.
    if value is None or not 0 < value <= 1:
        return None
    return float(value)


def verdict_labels(session: Session) -> pa.Table:
    """Every recorded verdict as a spot check (check_id is the case id), oldest first."""
    schema = spot_checks_schema()
    missing = [name for name in schema.names if name not in _FROM_CASE]
    if missing:
        raise RuntimeError(f"spot_checks columns with no source on a case: {', '.join(missing)}")
    stmt = (
        select(Case)
        .where(Case.verdict.is_not(None), Case.verdict_at.is_not(None))
        .order_by(Case.verdict_at, Case.case_id)
    )
    columns: dict[str, list[object]] = {name: [] for name in schema.names}
    for case in session.scalars(stmt):
        for name in schema.names:
            value = getattr(case, _FROM_CASE[name])
            if name == "checked_at":
                value = value.astimezone(UTC).replace(tzinfo=None)
            elif name == "inclusion_probability":
                value = _probability(value)
            columns[name].append(value)
    return pa.table({name: pa.array(columns[name], type=schema.field(name).type) for name in schema.names})


def has_operations_database(settings: Settings) -> bool:
    """Whether the workspace has an operations database (a configured URL, or the embedded SQLite file)."""
    if settings.database_url:
        return True
    from fakescope.workspace import Workspace

    return Workspace(settings.workspace).operations_db.exists()


def workspace_verdict_labels(settings: Settings) -> pa.Table | None:
    """The verdict labels of the workspace's operations database; None when it has none."""
    if not has_operations_database(settings):
        return None
    from fakescope.operations.db.migrate import ready_url
    from fakescope.operations.db.session import session_factory

    url = ready_url(settings)
    with session_factory(url, write=False)() as session:
        return verdict_labels(session)


def write_labels(table: pa.Table, *, out: Path) -> Path:
    """Write labels as Parquet or CSV (chosen by the file's extension), atomically."""
    suffix = out.suffix.lower()
    if suffix not in {".parquet", ".csv"}:
        raise UsageError(f"cannot tell the format of {out}: use a .parquet or .csv file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, partial)
    else:
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv

        # ISO-8601 with an explicit Z, as the contract reads times.
        checked = pc.strftime(table.column("checked_at"), format="%Y-%m-%dT%H:%M:%SZ")
        index = table.schema.get_field_index("checked_at")
        pacsv.write_csv(table.set_column(index, "checked_at", checked), partial)
    partial.replace(out)
    return out
