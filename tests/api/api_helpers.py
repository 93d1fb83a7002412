"""Small builders for API tests: open cases from a plan through the service, headers for a token.

Kept tiny; the behaviour under test goes through HTTP.
"""

from __future__ import annotations

import csv
from pathlib import Path

from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.cases import service as cases
from fakescope.operations.cases.schemas import PLAN_COLUMNS
from fakescope.operations.db.migrate import operations_transaction
from fakescope.settings import Settings

PURCHASE = {"buyer_account": "buyer-7", "order_ref": "order-42", "amount_paid": 99.5}


def write_plan(path: Path, n: int, plan_id: str = "plan-1") -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(PLAN_COLUMNS))
        writer.writeheader()
        for i in range(n):
            writer.writerow(
                {
                    "plan_id": plan_id,
                    "listing_id": f"listing-{i}",
                    "shop_id": f"shop-{i}",
                    "seller_id": f"seller-{i}",
                    "brand_id": "brand-a",
                    "category": "cosmetics",
                    "price": 10 + i,
                    "cost": 325 + i,
                    "currency": "CNY",
                    "risk": 0.5,
                    "harm": 2.0,
                    "expected_value": 1.0,
                    "reason": "risk",
                    "inclusion_probability": 1.0,
                }
            )
    return path


def open_cases(settings: Settings, n: int = 1) -> list[str]:
    path = write_plan(settings.workspace / f"plan-{n}.csv", n)
    with operations_transaction(settings) as session:
        return cases.import_plan(session, path=path, actor=LOCAL_OPERATOR, settings=settings).case_ids


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
