"""API fixtures: settings over SQLite and PostgreSQL, an in-process client, a live `fakescope serve` process.

The live server is a real subprocess on a free port over a temp workspace, so tests can SIGKILL it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import LiveServer

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


@pytest.fixture
def live_server(api_settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    """A running `fakescope serve` on a free port."""
    server = LiveServer(api_settings, tmp_path / "server.log").start()
    try:
        yield server
    finally:
        server.stop()
