"""The API's edges: health without a token, bearer tokens everywhere else, the OpenAPI document.

Errors come as JSON with the status their domain error carries.
"""

from __future__ import annotations

import os
from typing import Any


def test_health_needs_no_token_and_the_rest_does(client: Any, admin_token: str) -> None:
    assert client.get("/health").json() == {"status": "ok", "process": str(os.getpid())}
    answer = client.get("/cases")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert client.get("/cases", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/cases", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/cases", headers={"Authorization": f"Bearer {admin_token}"}).json() == []
    assert (
        client.get("/users/me", headers={"Authorization": f"Bearer {admin_token}"}).json()["role"] == "admin"
    )


def test_openapi_lists_the_endpoints(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/health",
        "/cases",
        "/cases/{case_id}",
        "/cases/{case_id}/moves",
        "/cases/{case_id}/evidence",
    ):
        assert path in paths


def test_admins_manage_orgs_and_users_others_may_not(client: Any, admin_token: str) -> None:
    admin = {"Authorization": f"Bearer {admin_token}"}
    created = client.post(
        "/orgs", json={"name": "Acme", "kind": "rights_holder", "brands": ["b1"]}, headers=admin
    )
    assert created.status_code == 201 and created.json()["brand_ids"] == ["b1"]
    assert client.post("/orgs", json={"name": "Acme", "kind": "agency"}, headers=admin).status_code == 409
    bad = client.post("/orgs", json={"name": "X", "kind": "shop"}, headers=admin)
    assert (bad.status_code, bad.json()["field"]) == (422, "kind")
    missing = client.post("/orgs", json={"kind": "agency"}, headers=admin)
    assert (missing.status_code, missing.json()["field"]) == (422, "name")
    user = client.post(
        "/users", json={"name": "apr", "role": "appraiser", "org": "Acme"}, headers=admin
    ).json()
    appraiser = {"Authorization": f"Bearer {user['token']}"}
    assert client.get("/users/me", headers=appraiser).json()["org_id"] == created.json()["org_id"]
    assert client.post("/orgs", json={"name": "Y", "kind": "agency"}, headers=appraiser).status_code == 403
    assert client.get("/users", headers=appraiser).status_code == 403
    assert [org["name"] for org in client.get("/orgs", headers=appraiser).json()] == ["Acme"]
