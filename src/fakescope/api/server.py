"""Running the app under uvicorn: one process, or several worker processes sharing the listening socket.

Each worker rebuilds the settings from the environment and keeps its own pool, token cache and warm indexes.
"""

from __future__ import annotations

import os
import sys

from fastapi import FastAPI

from fakescope.machine import usable_cpus
from fakescope.settings import Settings, get_settings

APP_FACTORY = "fakescope.api.server:app_from_environment"


def default_workers(settings: Settings) -> int:
    """`serve.workers` from the settings, else one per CPU this process may run on."""
    if settings.serve.workers is not None:
        return settings.serve.workers
    return usable_cpus()


def tune_process(settings: Settings) -> None:
    """Process-wide knobs of a serving process (the GIL hand-over interval)."""
    sys.setswitchinterval(settings.serve.switch_interval_ms / 1000)


def app_from_environment() -> FastAPI:
    """The app of one worker process: the settings rebuilt from FAKESCOPE_* (set by `serve`)."""
    from fakescope.api.app import create_app

    settings = get_settings()
    tune_process(settings)
    return create_app(settings, warm_screening=settings.serve.warm_screening)


def run(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str = "warning",
    factory: str = APP_FACTORY,
) -> None:
    """Serve until stopped; with more than one worker, uvicorn supervises processes that import `factory`."""
    import uvicorn

    if workers <= 1 and factory == APP_FACTORY:
        from fakescope.api.app import create_app

        tune_process(settings)
        app = create_app(settings, warm_screening=settings.serve.warm_screening)
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
        return
    # Spawned workers read their settings from the environment: pin the workspace this process resolved
    # (a --workspace option included); FAKESCOPE_DATABASE_URL and the rest are inherited as they are.
    os.environ["FAKESCOPE_WORKSPACE"] = str(settings.workspace.resolve())
    if settings.database_url:
        os.environ["FAKESCOPE_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=max(1, workers),
        log_level=log_level,
        access_log=False,
    )
