"""Case endpoints: scoped reads (hidden answers like missing), moves with versions, errors mapped once.

409 carries the current state; 422 names the field; 403 for a role that may not act.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api_helpers import PURCHASE, bearer, open_cases
from sqlalchemy import update

from fakescope.operations.cases.models import Case
from fakescope.operations.db.migrate import operations_transaction
from fakescope.settings import Settings


def test_list_and_read_cases(client: Any, api_settings: Settings, admin_token: str) -> None:
    ids = open_cases(api_settings, 3)
    listed = client.get("/cases", headers=bearer(admin_token)).json()
    assert sorted(c["case_id"] for c in listed) == sorted(ids)
    assert {"case_id", "listing_id", "shop_id", "seller_id", "brand_id", "state", "version"} <= set(listed[0])
    one = client.get(f"/cases/{ids[0]}", headers=bearer(admin_token)).json()
    assert (one["state"], one["version"], one["listing_id"]) == ("planned", 1, "listing-0")
    assert client.get("/cases?state=purchased", headers=bearer(admin_token)).json() == []
    bad_state = client.get("/cases?state=lost", headers=bearer(admin_token))
    assert (bad_state.status_code, bad_state.json()["field"]) == (422, "state")


def test_hidden_cases_answer_like_missing_ones(
    client: Any, api_settings: Settings, admin_token: str, make_user: Callable[..., str]
) -> None:
    mine, theirs = open_cases(api_settings, 2)
    org = client.post("/orgs", json={"name": "Acme", "kind": "agency"}, headers=bearer(admin_token)).json()
    with operations_transaction(api_settings) as session:
        session.execute(update(Case).where(Case.case_id == mine).values(appraiser_org_id=org["org_id"]))
    appraiser = bearer(make_user("apr", "appraiser", org="Acme"))
    liaison = bearer(make_user("lia", "liaison"))
    assert [c["case_id"] for c in client.get("/cases", headers=appraiser).json()] == [mine]
    assert client.get(f"/cases/{mine}", headers=appraiser).status_code == 200
    hidden = client.get(f"/cases/{theirs}", headers=appraiser)
    missing = client.get("/cases/case_nope", headers=appraiser)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["message"].replace(theirs, "?") == missing.json()["message"].replace(
        "case_nope", "?"
    )
    assert client.get("/cases", headers=liaison).json() == []
    assert client.get(f"/cases/{mine}", headers=liaison).status_code == 404
    moved = client.post(
        f"/cases/{theirs}/moves", json={"state": "purchased", "fields": PURCHASE}, headers=appraiser
    )
    assert moved.status_code == 404


def test_moves_with_versions_and_their_errors(client: Any, api_settings: Settings, admin_token: str) -> None:
    [case_id] = open_cases(api_settings, 1)
    url, admin = f"/cases/{case_id}/moves", bearer(admin_token)
    ok = client.post(
        url,
        json={"state": "purchased", "expected_version": 1, "fields": PURCHASE, "reason": "bought"},
        headers=admin,
    )
    assert ok.status_code == 200 and (ok.json()["state"], ok.json()["version"]) == ("purchased", 2)
    stale = client.post(url, json={"state": "received", "expected_version": 1}, headers=admin)
    assert stale.status_code == 409
    assert (stale.json()["state"], stale.json()["version"]) == ("purchased", 2)
    illegal = client.post(url, json={"state": "closed", "expected_version": 2}, headers=admin)
    assert illegal.status_code == 409 and illegal.json()["error"] == "IllegalTransition"
    assert illegal.json()["state"] == "purchased"
    no_state = client.post(url, json={"expected_version": 2}, headers=admin)
    assert (no_state.status_code, no_state.json()["field"]) == (422, "state")
    bad_version = client.post(url, json={"state": "received", "expected_version": "two"}, headers=admin)
    assert (bad_version.status_code, bad_version.json()["field"]) == (422, "expected_version")
    [other] = [c for c in open_cases(api_settings, 2) if c != case_id][:1]
    bad_field = client.post(
        f"/cases/{other}/moves", json={"state": "purchased", "fields": {"order_ref": "x"}}, headers=admin
    )
    assert (bad_field.status_code, bad_field.json()["field"]) == (422, "buyer_account")
    history = client.get(f"/cases/{case_id}/history", headers=admin).json()
    assert [(h["to_state"], h["actor"], h["reason"]) for h in history][-1] == ("purchased", "root", "bought")
    assert client.get("/cases/case_nope/history", headers=admin).status_code == 404


def test_roles_that_may_not_move(client: Any, api_settings: Settings, make_user: Callable[..., str]) -> None:
    [case_id] = open_cases(api_settings, 1)
    liaison = bearer(make_user("lia", "liaison"))
    analyst = bearer(make_user("ana", "analyst"))
    refused = client.post(
        f"/cases/{case_id}/moves", json={"state": "purchased", "fields": PURCHASE}, headers=analyst
    )
    assert refused.status_code == 200
    assert (
        client.post(f"/cases/{case_id}/moves", json={"state": "received"}, headers=liaison).status_code == 404
    )
