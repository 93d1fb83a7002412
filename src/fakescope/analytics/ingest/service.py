"""`ingest_folder`: validate a marketplace folder against the contract and replace the workspace's snapshot.

All or nothing: the new snapshot is built outside the workspace and moved in with one rename only when every
check passes, so a failed ingest leaves the workspace exactly as it was.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from fakescope.analytics.ingest.build import build_table, fingerprint, latest_time, write_meta
from fakescope.analytics.ingest.checks import check_columns, check_foreign_keys, check_primary_key
from fakescope.analytics.ingest.folder import FolderScan, scan_folder
from fakescope.analytics.ingest.problems import ProblemLog
from fakescope.analytics.ingest.reading import ReadFailed, StagedTable, stage_file
from fakescope.analytics.ingest.report import IngestReport, ProgressCallback, TableLoad
from fakescope.analytics.ingest.sql import literal
from fakescope.contract import Contract, load_contract
from fakescope.core.clock import as_utc, parse_time, utcnow
from fakescope.errors import FakescopeError, UsageError
from fakescope.settings import Settings
from fakescope.workspace import Workspace


def parse_as_of(value: str | datetime) -> datetime:
    """An as-of time, aware UTC: ISO-8601 with `Z`, an offset, or no zone (taken as UTC)."""
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return parse_time(value)
    except ValueError as error:
        raise UsageError(
            f"--as-of {value!r} is not an ISO-8601 time (like 2026-03-01T08:15:00Z)", field="as_of"
        ) from error


class IngestFailed(FakescopeError):
    """DuckDB failed while building the snapshot (a full disk, say); nothing in the workspace changed."""

    exit_code = 1


def ingest_folder(
    source: Path | str,
    *,
    settings: Settings,
    as_of: str | datetime | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Validate every table of `source` and, when all is well, make it the workspace's snapshot."""
    started = time.perf_counter()
    source = Path(source)
    if not source.is_dir():
        raise UsageError(f"{source} is not a folder: give the folder holding the marketplace's tables")
    chosen_as_of = parse_as_of(as_of) if as_of is not None else None
    workspace = Workspace(settings.workspace)
    if workspace.root.exists() and not workspace.root.is_dir():
        raise UsageError(f"workspace {workspace.root} is a file, not a folder")
    contract = load_contract()
    report = _progress(progress)
    scan = scan_folder(source, contract)

    # Staging and DuckDB's spill files go to the system's temporary folder; the snapshot is built beside the
    # workspace (same filesystem, so publishing is one rename) and never inside it.
    work_dir = Path(tempfile.mkdtemp(prefix="fakescope-ingest-"))
    build_dir = _build_dir(workspace.root)
    built = build_dir / "snapshot.duckdb"
    try:
        with duckdb.connect(str(built)) as con:
            _configure(con, settings, work_dir)
            con.execute(f"ATTACH {literal(work_dir / 'staging.duckdb')} AS stage")
            staged = _validate(con, contract, scan, report)
            loads = _load(con, contract, staged, report)
            report("finishing", 0, 1)
            final_as_of, notes = _as_of(con, contract, chosen_as_of)
            print_ = fingerprint(con, contract, final_as_of)
            loaded_at = utcnow()
            write_meta(
                con,
                loads,
                as_of=final_as_of,
                fingerprint_value=print_,
                loaded_at=loaded_at,
                source=str(source.resolve()),
            )
            con.execute("DETACH stage")
            con.execute("CHECKPOINT")
        target = _publish(built, workspace)
        report("done", 1, 1)
    except duckdb.Error as error:
        raise IngestFailed(
            f"loading {source} failed in DuckDB ({error}); the workspace is unchanged"
        ) from error
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        shutil.rmtree(build_dir, ignore_errors=True)
    return IngestReport(
        source=source,
        snapshot=target,
        tables=tuple(loads),
        skipped=tuple(scan.skipped),
        as_of=final_as_of,
        as_of_from_data=chosen_as_of is None,
        fingerprint=print_,
        loaded_at=loaded_at,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def _validate(
    con: duckdb.DuckDBPyConnection, contract: Contract, scan: FolderScan, report: ProgressCallback
) -> dict[str, StagedTable]:
    """Stage every file and run every check; raises InvalidData with all problems if any rule fails."""
    log = ProblemLog()
    for problem in scan.problems:
        log.add(problem)
    staged: dict[str, StagedTable] = {}
    for done, (name, file) in enumerate(scan.files.items()):
        report("reading", done, len(scan.files))
        try:
            staged[name] = stage_file(con, file)
        except ReadFailed as failed:
            log.add(failed.problem)
    report("reading", len(scan.files), len(scan.files))
    usable: dict[str, set[str]] = {}
    for done, (name, table_staged) in enumerate(staged.items()):
        report("checking", done, len(staged))
        table = contract.table(name)
        usable[name] = check_columns(con, table, table_staged, log)
        check_primary_key(con, table, table_staged, usable[name], log)
    check_foreign_keys(con, contract, staged, usable, log)
    report("checking", len(staged), len(staged))
    if log:
        raise log.error()
    return staged


def _load(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    staged: dict[str, StagedTable],
    report: ProgressCallback,
) -> list[TableLoad]:
    loads: list[TableLoad] = []
    for done, table in enumerate(contract.tables):
        report("loading", done, len(contract.tables))
        loads.append(build_table(con, table, staged.get(table.name)))
    report("loading", len(contract.tables), len(contract.tables))
    return loads


def _as_of(
    con: duckdb.DuckDBPyConnection, contract: Contract, chosen: datetime | None
) -> tuple[datetime, list[str]]:
    """The as-of time (given, else the latest in the data) and any note about it; aware UTC."""
    data_as_of = latest_time(con, contract)
    latest = as_utc(data_as_of) if data_as_of is not None else None
    if chosen is not None:
        if latest is not None and latest > chosen:
            return chosen, [f"the data holds times after the as-of time given (latest {latest.isoformat()})"]
        return chosen, []
    if latest is not None:
        return latest, []
    return utcnow().replace(microsecond=0), ["no times in any table: the as-of time is the load time"]


def _progress(progress: ProgressCallback | None) -> ProgressCallback:
    if progress is not None:
        return progress
    return lambda stage, done, total: None


def _configure(con: duckdb.DuckDBPyConnection, settings: Settings, work_dir: Path) -> None:
    spill = work_dir / "spill"
    spill.mkdir()
    try:
        con.execute(f"SET memory_limit = {literal(settings.analytics.duckdb_memory_limit)}")
        if settings.analytics.duckdb_threads:
            con.execute(f"SET threads = {int(settings.analytics.duckdb_threads)}")
    except duckdb.Error as error:
        raise UsageError(f"analytics settings: DuckDB refused them ({error})") from error
    con.execute(f"SET temp_directory = {literal(spill)}")
    con.execute("SET TimeZone = 'UTC'")
    # Row numbers in messages are positions in the file, so reading must keep file order.
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")


def _build_dir(workspace: Path) -> Path:
    """A fresh folder on the workspace's filesystem but outside the workspace; the system temp if none."""
    anchor = workspace.resolve().parent
    while not anchor.exists() and anchor != anchor.parent:
        anchor = anchor.parent
    try:
        return Path(tempfile.mkdtemp(prefix=".fakescope-ingest-", dir=anchor))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="fakescope-ingest-build-"))


def _publish(built: Path, workspace: Workspace) -> Path:
    """Move the built snapshot into place with one atomic rename (copy then rename across filesystems)."""
    target = workspace.snapshot_db
    created = not workspace.root.exists()
    workspace.root.mkdir(parents=True, exist_ok=True)
    try:
        try:
            os.replace(built, target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            fd, name = tempfile.mkstemp(prefix=".snapshot-", suffix=".tmp", dir=workspace.root)
            os.close(fd)
            try:
                shutil.copyfile(built, name)
                os.replace(name, target)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
    except BaseException:
        if created:
            shutil.rmtree(workspace.root, ignore_errors=True)
        raise
    return target
