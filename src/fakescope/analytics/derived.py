"""Derived tables of the analytics plane (scores, plans, screens, rings) kept in the workspace.

Each is a Parquet file with a JSON sidecar saying which snapshot it came from; writes are atomic.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fakescope.errors import ArtifactError, NotReady
from fakescope.workspace import Workspace


def write_derived(workspace: Workspace, name: str, table: pa.Table, meta: dict[str, Any]) -> Path:
    """Write a derived table and its metadata, replacing any earlier one atomically."""
    workspace.derived_dir.mkdir(parents=True, exist_ok=True)
    target = workspace.derived(name)
    sidecar = workspace.derived(name, ".json")
    for path, writer in (
        (target, lambda p: pq.write_table(table, p)),
        (sidecar, lambda p: Path(p).write_text(json.dumps(meta, default=str, indent=2))),
    ):
        fd, tmp = tempfile.mkstemp(dir=workspace.derived_dir, prefix=f".{name}.", suffix=".tmp")
        os.close(fd)
        try:
            writer(tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def read_derived_meta(workspace: Workspace, name: str, *, command: str) -> dict[str, Any]:
    """The sidecar of a derived table; NotReady naming the command that makes it when there is none."""
    sidecar = workspace.derived(name, ".json")
    if not sidecar.exists() or not workspace.derived(name).exists():
        raise NotReady(f"no {name} in workspace {workspace.root}: run `{command}` first")
    try:
        return dict(json.loads(sidecar.read_text()))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{sidecar}: unreadable metadata ({exc}); run `{command}` again") from exc


def read_derived(workspace: Workspace, name: str, *, command: str) -> tuple[pa.Table, dict[str, Any]]:
    """A derived table and its metadata."""
    meta = read_derived_meta(workspace, name, command=command)
    try:
        return pq.read_table(workspace.derived(name)), meta
    except (OSError, pa.ArrowException) as exc:
        raise ArtifactError(f"{workspace.derived(name)}: unreadable ({exc}); run `{command}` again") from exc
