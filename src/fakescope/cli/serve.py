"""`fakescope serve [--host H] [--port P]`: the API and web pages (uvicorn), database migrated first.

Starts in seconds on an empty workspace; the enforcement delivery worker runs inside it.
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
        log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Serve the operations API and web pages."""
        import uvicorn

        from fakescope.api.app import create_app
        from fakescope.operations.evidence.service import storage_for

        settings = state(ctx).settings
        ready_url(settings)
        swept = storage_for(settings).sweep_temp()
        if swept:
            err_console.print(
                f"removed {swept} unfinished upload(s) left by a stopped server", highlight=False
            )
        err_console.print(
            f"fakescope serving on http://{host}:{port} (workspace {settings.workspace})", highlight=False
        )
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=False)
