"""`GET /health`: answers without a token, so load balancers and `serve` checks can poll it.

Says whether the database answers and which worker process answered (each warms its own indexes before
it takes requests, so a caller counting processes knows when all are ready); nothing secret.
"""

from __future__ import annotations

import os

from fastapi import APIRouter
from sqlalchemy import text

from fakescope.api.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> dict[str, str]:
    """`{"status": "ok", "process": PID}` when the service and its database answer."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "process": str(os.getpid())}
