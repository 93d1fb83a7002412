"""`POST /screen/seller` over a real app and database: a banned seller coming back is blocked, fast; a ban
made by enforcement counts from the next request; a bad registration gets a 422 naming the field; only
screening roles may ask."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
from api_helpers import open_cases
from live_server import LiveServer

from fakescope.analytics.identity.service import SCORECARD_FILE
from fakescope.analytics.ingest import ingest_folder
from fakescope.core.clock import utcnow
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.enforcement.models import SellerBan
from fakescope.settings import Settings
from fakescope.workspace import Workspace

LISTINGS, SEED = 3_000, 5


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_screen_registration(
    api_settings: Settings, client: Any, make_user: Callable[..., str], marketplace: Callable[..., Path]
) -> None:
    folder = marketplace(LISTINGS, SEED)
    ingest_folder(folder, settings=api_settings)
    token = make_user("ana", "analyst")
    banned_id = pq.read_table(folder / "bans.parquet")["seller_id"].to_pylist()[0]
    sellers = {r["seller_id"]: r for r in pq.read_table(folder / "sellers.parquet").to_pylist()}
    comeback = {k: v for k, v in sellers[banned_id].items() if v is not None}
    comeback.update(seller_id="brand-new-seller", registered_at="2030-01-01T00:00:00Z")
    first = client.post("/screen/seller", json=comeback, headers=_bearer(token))  # warms the index
    assert first.status_code == 200, first.text
    started = time.perf_counter()
    answer = client.post("/screen/seller", json=comeback, headers=_bearer(token))
    elapsed = time.perf_counter() - started
    body = answer.json()
    assert body["banned_seller_id"] == banned_id and body["decision"] == "block"
    assert "legal_name" in body["agreeing_fields"] and body["match_probability"] >= 0.9
    assert elapsed < 0.5
    itself = client.post("/screen/seller", json={**comeback, "seller_id": banned_id}, headers=_bearer(token))
    assert itself.json()["banned_seller_id"] != banned_id


def test_bad_registration_names_the_field(
    api_settings: Settings, client: Any, make_user: Callable[..., str]
) -> None:
    token = make_user("ana", "analyst")
    missing = client.post("/screen/seller", json={"seller_id": "x"}, headers=_bearer(token))
    assert missing.status_code == 422 and "legal_name" in missing.text
    malformed = client.post(
        "/screen/seller",
        json={"seller_id": "x", "legal_name": "a", "registered_at": "soon"},
        headers=_bearer(token),
    )
    assert malformed.status_code == 422 and "registered_at" in malformed.text


def test_only_screening_roles(api_settings: Settings, client: Any, make_user: Callable[..., str]) -> None:
    token = make_user("li", "liaison")
    denied = client.post("/screen/seller", json={"seller_id": "x", "legal_name": "a"}, headers=_bearer(token))
    assert denied.status_code == 403
    assert client.post("/screen/seller", json={"seller_id": "x", "legal_name": "a"}).status_code == 401


def _comeback_of_first_ban(folder: Path) -> tuple[str, dict[str, Any]]:
    banned_id = pq.read_table(folder / "bans.parquet")["seller_id"].to_pylist()[0]
    sellers = {r["seller_id"]: r for r in pq.read_table(folder / "sellers.parquet").to_pylist()}
    comeback = {k: v for k, v in sellers[banned_id].items() if v is not None}
    comeback.update(seller_id="brand-new-seller", registered_at="2030-01-01T00:00:00Z")
    return banned_id, comeback


def test_a_new_ingest_rebuilds_the_warm_index(
    api_settings: Settings, client: Any, make_user: Callable[..., str], marketplace: Callable[..., Path]
) -> None:
    token = make_user("ana", "analyst")
    first, second = marketplace(LISTINGS, SEED), marketplace(LISTINGS, SEED + 1)
    ingest_folder(first, settings=api_settings)
    banned_first, comeback_first = _comeback_of_first_ban(first)
    assert (
        client.post("/screen/seller", json=comeback_first, headers=_bearer(token)).json()["banned_seller_id"]
        == banned_first
    )
    ingest_folder(second, settings=api_settings)
    banned_second, comeback_second = _comeback_of_first_ban(second)
    answer = client.post("/screen/seller", json=comeback_second, headers=_bearer(token)).json()
    assert answer["banned_seller_id"] == banned_second and answer["decision"] == "block"
    assert comeback_second["legal_name"] != comeback_first["legal_name"]


def test_a_ban_by_enforcement_counts_from_the_next_request(
    api_settings: Settings, client: Any, make_user: Callable[..., str], marketplace: Callable[..., Path]
) -> None:
    folder = marketplace(LISTINGS, SEED)
    ingest_folder(folder, settings=api_settings)
    token = make_user("ana", "analyst")
    snapshot_banned = set(pq.read_table(folder / "bans.parquet")["seller_id"].to_pylist())
    sellers = pq.read_table(folder / "sellers.parquet").to_pylist()
    seller = next(r for r in sellers if r["seller_id"] not in snapshot_banned and r.get("id_number"))
    comeback = {k: v for k, v in seller.items() if v is not None}
    comeback.update(seller_id="brand-new-seller", registered_at="2030-01-01T00:00:00Z")
    before = client.post("/screen/seller", json=comeback, headers=_bearer(token)).json()
    assert before["banned_seller_id"] != seller["seller_id"]
    (case_id,) = open_cases(api_settings)
    with operations_transaction(api_settings) as session:
        session.add(
            SellerBan(seller_id=seller["seller_id"], banned_at=utcnow(), case_id=case_id, reason="test")
        )
    after = client.post("/screen/seller", json=comeback, headers=_bearer(token)).json()
    # Enforcement's bans postdate the snapshot: the live index cannot tell the registration came after them.
    assert after["banned_seller_id"] == seller["seller_id"] and after["decision"] == "review"


def test_screening_does_not_wait_on_a_write_in_progress(
    api_settings: Settings, client: Any, make_user: Callable[..., str], marketplace: Callable[..., Path]
) -> None:
    # Screening only reads: a registration is answered while enforcement holds a write open (on SQLite a
    # write session would queue behind that lock for 30 s, then fail; so would every other worker's screens).
    folder = marketplace(LISTINGS, SEED)
    ingest_folder(folder, settings=api_settings)
    token = make_user("ana", "analyst")
    banned_id, comeback = _comeback_of_first_ban(folder)
    (case_id,) = open_cases(api_settings)
    with operations_transaction(api_settings) as session:
        session.add(SellerBan(seller_id="pending-ban", banned_at=utcnow(), case_id=case_id, reason="test"))
        session.flush()
        started = time.perf_counter()
        answer = client.post("/screen/seller", json=comeback, headers=_bearer(token))
        elapsed = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    assert answer.json()["banned_seller_id"] == banned_id
    assert elapsed < 10


def test_every_serve_worker_warms_its_index_before_its_first_request(
    api_settings: Settings, marketplace: Callable[..., Path], tmp_path: Path
) -> None:
    # Built on a worker's first request instead, that request (and those queued behind it) would wait the
    # whole build: ~20 s at 1M sellers.
    folder = marketplace(LISTINGS, SEED)
    ingest_folder(folder, settings=api_settings)
    model_file = Workspace(api_settings.workspace).derived(SCORECARD_FILE.removesuffix(".json"), ".json")
    server = LiveServer(api_settings, tmp_path / "serve.log", workers=2).start(timeout=180)
    try:
        answered: set[str] = set()
        deadline = time.monotonic() + 180
        while len(answered) < 2 and time.monotonic() < deadline:
            answered.add(httpx.get(f"{server.url}/health", timeout=30).json()["process"])
        assert answered == {str(pid) for pid in server.worker_pids()}
        # No registration has been screened yet, and the model the index scores with is already trained.
        assert model_file.exists()
        made = server.cli("users", "create", "ana", "--role", "analyst")
        token = made.stdout.strip().splitlines()[-1]
        banned_id, comeback = _comeback_of_first_ban(folder)
        for _ in range(4):
            answer = httpx.post(
                f"{server.url}/screen/seller", json=comeback, headers=_bearer(token), timeout=30
            )
            assert answer.status_code == 200 and answer.json()["banned_seller_id"] == banned_id
    finally:
        server.stop()
