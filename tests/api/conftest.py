"""API fixtures: settings over SQLite and PostgreSQL, an in-process client, a live `fakescope serve` process.

The live server is a real subprocess on a free port over a temp workspace, so tests can SIGKILL it.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakescope.operations.access import service as access
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.db.migrate import operations_transaction
from fakescope.settings import Settings, get_settings


def _load_databases() -> Any:
    name = "fakescope_test_databases"
    if name not in sys.modules:
        path = Path(__file__).parent.parent / "operations" / "databases.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


databases = _load_databases()


@pytest.fixture(scope="session")
def api_postgres_url() -> Iterator[str]:
    from fakescope.operations.db.migrate import upgrade

    with databases.postgres_database(prefix="fakescope_test_api_") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def api_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.migrated_sqlite_template(tmp_path_factory.mktemp("api-sqlite-template"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api_settings(api_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings for an empty workspace with a fresh, migrated database of the backend."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    if api_backend == "postgresql":
        url = request.getfixturevalue("api_postgres_url")
        databases.reset_postgres(url)
    else:
        url = databases.sqlite_copy(request.getfixturevalue("api_sqlite_template"), workspace)
    yield get_settings(workspace, database_url=url)
    if api_backend == "sqlite":
        from fakescope.operations.db.session import dispose_engines

        dispose_engines()


@pytest.fixture
def make_user(api_settings: Settings) -> Callable[..., str]:
    """Create a user (role, optional organisation and password); returns their API token."""

    def build(name: str, role: str, org: str | None = None, password: str | None = None) -> str:
        with operations_transaction(api_settings) as session:
            _, token = access.create_user(
                session,
                name=name,
                role=role,
                org=org,
                password=password,
                actor=LOCAL_OPERATOR,
                settings=api_settings,
            )
        return token

    return build


@pytest.fixture
def admin_token(make_user: Callable[..., str]) -> str:
    return make_user("root", "admin")


@pytest.fixture
def client(api_settings: Settings) -> Iterator[Any]:
    """An in-process client of the app (no delivery worker)."""
    from fastapi.testclient import TestClient

    from fakescope.api.app import create_app

    with TestClient(create_app(api_settings, run_worker=False), raise_server_exceptions=False) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A `fakescope serve` subprocess over one workspace and database."""

    settings: Settings
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LiveServer:
        self.port = free_port()
        self.env = {
            **os.environ,
            "FAKESCOPE_WORKSPACE": str(self.settings.workspace),
            "FAKESCOPE_DATABASE_URL": self.settings.resolved_database_url,
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "fakescope", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}: {self.log.read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer /health in {timeout}s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no cleanup runs, as in a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a `fakescope` command on the same workspace and database."""
        return subprocess.run(
            [sys.executable, "-m", "fakescope", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def live_server(api_settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    """A running `fakescope serve` on a free port."""
    server = LiveServer(api_settings, tmp_path / "server.log").start()
    try:
        yield server
    finally:
        server.stop()
