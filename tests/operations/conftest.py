"""Operations fixtures: `settings` over each database backend (SQLite, PostgreSQL), and small case builders.

PostgreSQL gets one fresh database per session, emptied before each test; SQLite a fresh copy per test.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.cases.schemas import PLAN_COLUMNS
from fakescope.settings import Settings, get_settings


def _load_databases() -> Any:
    name = "fakescope_test_databases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("databases.py"))
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


databases = _load_databases()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped at the end)."""
    from fakescope.operations.db.migrate import upgrade

    with databases.postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Each operations test runs on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings for an empty workspace whose operations database is fresh and migrated."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
        databases.reset_postgres(url)
    else:
        url = databases.sqlite_copy(request.getfixturevalue("sqlite_template"), workspace)
    yield get_settings(workspace, database_url=url)
    if backend == "sqlite":
        from fakescope.operations.db.session import dispose_engines

        dispose_engines()


@pytest.fixture
def operator() -> Any:
    """The local operator (an admin), as the CLI acts."""
    return LOCAL_OPERATOR


def write_plan(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A plan CSV with the plan columns; missing cells get plausible defaults."""
    import csv

    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(PLAN_COLUMNS))
        writer.writeheader()
        for index, row in enumerate(rows):
            full = {
                "plan_id": "plan-1",
                "listing_id": f"listing-{index}",
                "shop_id": f"shop-{index % 3}",
                "seller_id": f"seller-{index % 3}",
                "brand_id": f"brand-{index % 2}",
                "category": "cosmetics",
                "price": 99.5,
                "cost": 414.5,
                "currency": "CNY",
                "risk": 0.8,
                "harm": 3.0,
                "expected_value": 2.4,
                "reason": "risk",
                "inclusion_probability": 1.0,
                **row,
            }
            writer.writerow(full)
    return path


@pytest.fixture
def plan_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a plan CSV of `n` rows (or the given rows)."""

    def build(n: int = 3, rows: list[dict[str, Any]] | None = None, name: str = "plan.csv") -> Path:
        return write_plan(tmp_path / name, rows if rows is not None else [{} for _ in range(n)])

    return build


@pytest.fixture
def open_cases(settings: Settings, plan_file: Callable[..., Path], operator: Any) -> Callable[..., list[str]]:
    """Import a plan of `n` rows and return the new case ids."""
    from fakescope.operations.cases import service as cases
    from fakescope.operations.db.migrate import operations_transaction

    def build(n: int = 3, **kwargs: Any) -> list[str]:
        with operations_transaction(settings) as session:
            report = cases.import_plan(
                session, path=plan_file(n, **kwargs), actor=operator, settings=settings
            )
        return report.case_ids

    return build


PURCHASE = {"buyer_account": "buyer-7", "order_ref": "order-42", "amount_paid": "99.5"}


@pytest.fixture
def advance(settings: Settings, operator: Any) -> Callable[[str, str], None]:
    """Move a case along the happy path up to `state` (purchase fields filled in)."""
    from fakescope.operations.cases import service as cases
    from fakescope.operations.db.migrate import operations_transaction

    path = ["purchased", "received", "in_appraisal"]

    def build(case_id: str, state: str) -> None:
        for step in path[: path.index(state) + 1]:
            with operations_transaction(settings) as session:
                fields = PURCHASE if step == "purchased" else None
                cases.move(
                    session, case_id=case_id, to_state=step, actor=operator, settings=settings, fields=fields
                )

    return build
