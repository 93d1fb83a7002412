"""`fakescope serve [--host H] [--port P] [--workers N]`: the API and web pages (uvicorn), database migrated.

Starts in seconds on an empty workspace; each worker process runs its own enforcement delivery worker.
"""

from __future__ import annotations

import typer

from fakescope.cli.common import err_console, state
from fakescope.operations.db.migrate import ready_url


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
        workers: int | None = typer.Option(
            None, "--workers", min=1, help="Worker processes (default: serve.workers, else one per CPU)."
        ),
        log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Serve the operations API and web pages."""
        from fakescope.api import server
        from fakescope.operations.evidence.service import storage_for

        settings = state(ctx).settings
        ready_url(settings)
        # Swept here, once, before any worker starts: a worker sweeping later could delete a live upload.
        swept = storage_for(settings).sweep_temp()
        if swept:
            err_console.print(
                f"removed {swept} unfinished upload(s) left by a stopped server", highlight=False
            )
        count = workers if workers is not None else server.default_workers(settings)
        err_console.print(
            f"fakescope serving on http://{host}:{port}, {count} worker(s), workspace {settings.workspace}",
            highlight=False,
        )
        server.run(settings, host=host, port=port, workers=count, log_level=log_level)
