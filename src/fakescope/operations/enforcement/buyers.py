"""The buyers of a listing, from the analytics snapshot's orders, for the counterfeit notice; none without.

The snapshot is opened read-only through the analytics engine and kept open until ingest replaces the file.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fakescope.analytics.engine import Engine, open_engine
from fakescope.settings import Settings
from fakescope.workspace import Workspace

_lock = threading.Lock()
_open: dict[Path, tuple[tuple[int, int], Engine]] = {}


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    # Ingest replaces the snapshot whole (a new inode), so this changes exactly when the data does.
    return stat.st_ino, stat.st_mtime_ns


def listing_buyers(settings: Settings, *, listing_id: str) -> tuple[str, ...]:
    """Distinct buyer ids of the listing's orders, sorted; empty when the workspace has no snapshot."""
    path = Workspace(settings.workspace).snapshot_db.resolve()
    with _lock:
        identity = _identity(path)
        if identity is None:
            return ()
        cached = _open.get(path)
        if cached is None or cached[0] != identity:
            if cached is not None:
                cached[1].close()
            cached = (identity, open_engine(settings, snapshot=path))
            _open[path] = cached
        engine = cached[1]
        if not engine.has_table("orders"):
            return ()
        orders: Any = engine.table("orders")
        expr = orders.filter(orders.listing_id == listing_id).select("buyer_id").distinct()
        buyers = engine.to_arrow(expr).column("buyer_id").to_pylist()
    return tuple(sorted(str(b) for b in buyers if b is not None))


def close_all() -> None:
    """Close every cached snapshot connection (tests, shutdown)."""
    with _lock:
        for _, engine in _open.values():
            engine.close()
        _open.clear()
