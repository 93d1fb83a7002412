"""`create_app(settings)`: the FastAPI app with every router of `api/routes/`, error handlers, pages, worker.

Its lifespan migrates the database, runs the enforcement delivery worker (when that capability exists) and,
when asked, warms the screening index before the process takes its first request.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

import fakescope
import fakescope.api.routes as routes_package
from fakescope.api.errors import install_error_handlers
from fakescope.operations.db.migrate import ready_url
from fakescope.settings import Settings, get_settings

log = logging.getLogger(__name__)


def discover_routers() -> list[APIRouter]:
    """The `router` of every module in `fakescope.api.routes`, in name order."""
    found: list[APIRouter] = []
    for info in sorted(pkgutil.iter_modules(routes_package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{routes_package.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def _delivery_worker(settings: Settings) -> Any | None:
    name = "fakescope.operations.enforcement.worker"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name != name:
            raise
        return None
    worker_class = getattr(module, "DeliveryWorker", None)
    return worker_class(settings) if worker_class is not None else None


def _warm_screening(settings: Settings) -> None:
    from fakescope.analytics.identity.live import warm_index
    from fakescope.workspace import Workspace

    if not Workspace(settings.workspace).snapshot_db.exists():
        return  # nothing ingested yet: the first screen after an ingest builds it
    try:
        warm_index(settings)
    except Exception:  # a snapshot the index cannot read must not stop the service; requests say why
        log.warning("screening index not warmed at start", exc_info=True)


def create_app(
    settings: Settings | None = None, *, run_worker: bool = True, warm_screening: bool = False
) -> FastAPI:
    """The whole HTTP service over one workspace's settings. `warm_screening` builds the screening index
    before the first request (uvicorn accepts connections only after the lifespan has started)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(ready_url, settings)
        if warm_screening:
            await run_in_threadpool(_warm_screening, settings)
        worker = _delivery_worker(settings) if run_worker else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)

    app = FastAPI(
        title="fakescope",
        version=getattr(fakescope, "__version__", "0"),
        summary="Test-buy cases, evidence, storehouse, appraisal and enforcement.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in discover_routers():
        app.include_router(router)
    return app
