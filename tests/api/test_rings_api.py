"""`GET /rings/{ring_id}`: a ring found by `rings` read back whole; 404 for no such ring; liaison may read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fakescope.analytics.ingest import ingest_folder
from fakescope.analytics.rings import build_rings
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.access.service import create_organisation
from fakescope.operations.db.migrate import operations_transaction
from fakescope.settings import Settings


def test_get_ring(
    api_settings: Settings, client: Any, make_user: Callable[..., str], marketplace: Callable[..., Path]
) -> None:
    ingest_folder(marketplace(3_000, 5), settings=api_settings)
    report = build_rings(api_settings)
    ring = report.rings.to_pylist()[0]
    token = make_user("li", "liaison")
    answer = client.get(f"/rings/{ring['ring_id']}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["members"] == ring["members"] and body["links"] and "dispatch" in body and "gmv" in body
    missing = client.get("/rings/ring_nope", headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404
    with operations_transaction(api_settings) as session:
        create_organisation(session, name="brand-a", kind="rights_holder", actor=LOCAL_OPERATOR)
    appraiser = make_user("ap", "appraiser", org="brand-a")
    assert (
        client.get(f"/rings/{ring['ring_id']}", headers={"Authorization": f"Bearer {appraiser}"}).status_code
        == 403
    )
