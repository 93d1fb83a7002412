"""Evidence uploads stream the raw body into the content-addressed store; limits answer 413, leaving nothing.

Downloads are checked against the hash before a byte goes out.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

from api_helpers import PURCHASE, bearer, open_cases

from fakescope.operations.evidence.service import storage_for
from fakescope.settings import Settings, get_settings


def _purchased(client: Any, settings: Settings, token: str) -> str:
    [case_id] = open_cases(settings, 1)
    answer = client.post(
        f"/cases/{case_id}/moves", json={"state": "purchased", "fields": PURCHASE}, headers=bearer(token)
    )
    assert answer.status_code == 200
    return case_id


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        yield (b"%08d" % sent) * (piece // 8) + b"z" * (piece % 8)
        sent += piece


def test_streamed_upload_is_stored_under_its_hash(
    client: Any, api_settings: Settings, admin_token: str
) -> None:
    case_id = _purchased(client, api_settings, admin_token)
    body = b"".join(_chunks(2_000_000))
    url = f"/cases/{case_id}/evidence?kind=video&filename=unboxing.mp4"
    first = client.post(url, content=_chunks(2_000_000), headers=bearer(admin_token))
    assert first.status_code == 201, first.text
    item = first.json()
    assert (item["sha256"], item["size"], item["kind"], item["created"]) == (
        hashlib.sha256(body).hexdigest(),
        len(body),
        "video",
        True,
    )
    again = client.post(url, content=body, headers=bearer(admin_token))
    assert again.status_code == 201 and again.json()["evidence_id"] == item["evidence_id"]
    assert again.json()["created"] is False
    assert storage_for(api_settings).path_for(item["sha256"]).read_bytes() == body
    listed = client.get(f"/cases/{case_id}/evidence", headers=bearer(admin_token)).json()
    assert [e["evidence_id"] for e in listed] == [item["evidence_id"]]
    download = client.get(f"/evidence/{item['evidence_id']}/content", headers=bearer(admin_token))
    assert download.status_code == 200 and download.content == body
    assert download.headers["x-content-sha256"] == item["sha256"]
    custody = client.get(f"/evidence/{item['evidence_id']}/custody", headers=bearer(admin_token)).json()
    assert [(c["action"], c["actor"]) for c in custody] == [("collected", "root"), ("viewed", "root")]
    assert custody[0]["place"].startswith("api ")


def test_a_tampered_file_is_not_served(client: Any, api_settings: Settings, admin_token: str) -> None:
    case_id = _purchased(client, api_settings, admin_token)
    item = client.post(
        f"/cases/{case_id}/evidence?kind=photo", content=b"photo bytes" * 1000, headers=bearer(admin_token)
    ).json()
    path = storage_for(api_settings).path_for(item["sha256"])
    os.chmod(path, 0o644)
    path.write_bytes(b"Photo bytes" + b"photo bytes" * 999)
    answer = client.get(f"/evidence/{item['evidence_id']}/content", headers=bearer(admin_token))
    assert answer.status_code == 500 and answer.json()["error"] == "IntegrityError"


def test_uploads_over_the_limit_answer_413_and_leave_nothing(
    api_settings: Settings, admin_token: str
) -> None:
    from fastapi.testclient import TestClient

    from fakescope.api.app import create_app

    small = get_settings(
        api_settings.workspace,
        database_url=api_settings.database_url,
        operations={"max_upload_bytes": 100_000},
    )
    with TestClient(create_app(small, run_worker=False), raise_server_exceptions=False) as client:
        case_id = _purchased(client, small, admin_token)
        declared = client.post(
            f"/cases/{case_id}/evidence", content=b"x" * 100_001, headers=bearer(admin_token)
        )
        assert declared.status_code == 413 and declared.json()["limit"] == 100_000
        chunked = client.post(
            f"/cases/{case_id}/evidence", content=_chunks(300_000), headers=bearer(admin_token)
        )
        assert chunked.status_code == 413
        assert client.get(f"/cases/{case_id}/evidence", headers=bearer(admin_token)).json() == []
        fits = client.post(f"/cases/{case_id}/evidence", content=b"y" * 100_000, headers=bearer(admin_token))
        assert fits.status_code == 201
    files = [p for p in (small.workspace / "evidence").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [fits.json()["sha256"]]


def test_upload_errors(client: Any, api_settings: Settings, admin_token: str) -> None:
    [planned] = open_cases(api_settings, 1)
    early = client.post(f"/cases/{planned}/evidence", content=b"abc", headers=bearer(admin_token))
    assert early.status_code == 409 and early.json()["state"] == "planned"
    assert (
        client.post("/cases/case_nope/evidence", content=b"abc", headers=bearer(admin_token)).status_code
        == 404
    )
    bad_kind = client.post(
        f"/cases/{planned}/evidence?kind=selfie", content=b"abc", headers=bearer(admin_token)
    )
    assert (bad_kind.status_code, bad_kind.json()["field"]) == (422, "kind")
    assert client.post(f"/cases/{planned}/evidence", content=b"abc").status_code == 401
