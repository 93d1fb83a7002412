"""Delivering the outbox: at least once, never lost, each action taking effect once at the marketplace.

A real HTTP receiver on a local port plays the marketplace; it fails on purpose in some tests.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from act_world import Receiver, World, make_world, wait_for
from sqlalchemy import select

from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.cases import service as cases
from fakescope.operations.enforcement import service as enforcement
from fakescope.operations.enforcement.worker import DeliveryWorker, claim, deliver_pending
from fakescope.operations.ledger.models import LedgerEntry
from fakescope.settings import Settings

FAST = {
    "backoff_seconds": 0.05,
    "backoff_max_seconds": 0.2,
    "request_timeout_seconds": 0.5,
    "max_attempts": 50,
}


def _world(settings: Settings, receiver: Receiver, **enforcement_settings: Any) -> World:
    world = make_world(
        settings,
        actions_webhook_url=receiver.url,
        enforcement={**FAST, **enforcement_settings},
    )
    world.org("Agency", kind="agency")
    return world


def _states(world: World) -> dict[str, int]:
    with world.tx() as session:
        return enforcement.counts_by_state(session, actor=LOCAL_OPERATOR)


def _case_state(world: World, case_id: str) -> str:
    with world.tx() as session:
        return cases.get_case(session, case_id=case_id, user=LOCAL_OPERATOR).state


def test_webhook_gets_each_action_once_with_its_idempotency_key(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    world = _world(settings, receiver)
    ids = world.appraised("counterfeit", count=3)
    report = deliver_pending(world.settings)
    assert (report.claimed, report.delivered, report.failed, report.cases_acted) == (9, 9, 0, 3)
    with world.tx() as session:
        actions = enforcement.list_actions(session, actor=LOCAL_OPERATOR)
    assert sorted(receiver.keys_seen()) == sorted(a.action_id for a in actions)
    assert all(receiver.applied[a.action_id] == a.message for a in actions)
    assert all(a.state == "delivered" and a.delivered_at is not None for a in actions)
    assert [_case_state(world, c) for c in ids] == ["acted"] * 3
    with world.tx() as session:
        entries = session.scalars(
            select(LedgerEntry).where(LedgerEntry.event_type == "enforcement.delivered")
        )
        logged = [row[0] for entry in entries for row in entry.payload["actions"]]
    assert sorted(logged) == sorted(a.action_id for a in actions)  # every delivery is in the ledger, once
    assert deliver_pending(world.settings).claimed == 0  # nothing is sent twice


def test_export_file_gets_one_json_line_per_action(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "actions.jsonl"
    world = make_world(settings, actions_export_file=out)
    world.org("Agency", kind="agency")
    world.appraised("counterfeit", count=2)
    assert deliver_pending(world.settings).delivered == 6
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len({line["action_id"] for line in lines}) == len(lines) == 6
    assert {line["type"] for line in lines} == {"takedown_listing", "close_shop", "ban_seller"}


def test_receiver_down_then_slow_then_restarted_loses_nothing_and_applies_once(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    world = _world(settings, receiver)
    world.appraised("counterfeit", count=4)
    receiver.mode = "error"
    report = deliver_pending(world.settings)
    assert (report.delivered, report.retried) == (0, 12)
    time.sleep(0.1)
    receiver.mode, receiver.delay = "slow", 1.0  # applies, but answers after the client's 0.5 s timeout
    report = deliver_pending(world.settings)
    assert report.delivered == 0 and report.retried > 0
    receiver.stop()  # connection refused while it is down
    time.sleep(0.25)
    assert deliver_pending(world.settings).delivered == 0
    receiver.mode = "ok"
    receiver.restart()

    def drained() -> bool:
        deliver_pending(world.settings)
        return _states(world) == {"pending": 0, "delivered": 12, "failed": 0}

    assert wait_for(drained, timeout=30, every=0.1)
    with world.tx() as session:
        action_ids = {a.action_id for a in enforcement.list_actions(session, actor=LOCAL_OPERATOR)}
    assert set(receiver.applied) == action_ids  # none lost
    assert set(receiver.effects.values()) == {1}  # each took effect once
    assert len(receiver.keys_seen()) > 12  # although several were sent more than once


def test_an_action_failing_every_attempt_is_kept_as_failed_and_can_be_retried(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    world = _world(settings, receiver, max_attempts=2)
    (case_id,) = world.appraised("counterfeit")
    receiver.mode = "error"
    deliver_pending(world.settings)
    time.sleep(0.1)
    report = deliver_pending(world.settings)
    assert report.failed == 3 and "HTTP 500" in report.errors[0]
    assert _states(world) == {"pending": 0, "delivered": 0, "failed": 3}
    assert _case_state(world, case_id) == "verdict"
    receiver.mode = "ok"
    with world.tx() as session:
        assert len(enforcement.retry_failed(session, actor=LOCAL_OPERATOR)) == 3
    assert deliver_pending(world.settings).delivered == 3
    assert _case_state(world, case_id) == "acted"


def test_a_crashed_workers_lease_runs_out_and_another_worker_delivers(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    world = _world(settings, receiver)
    world.appraised("counterfeit")
    with world.tx() as session:
        taken = claim(session, size=10, lease_seconds=0.3)
    assert len(taken) == 3
    assert deliver_pending(world.settings).claimed == 0  # leased: nobody else takes them
    time.sleep(0.4)  # the first worker never comes back
    assert deliver_pending(world.settings).delivered == 3
    assert sorted(receiver.keys_seen()) == sorted(t.action_id for t in taken)


def test_several_workers_at_once_never_send_an_action_twice(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    world = _world(settings, receiver, batch_size=5, delivery_concurrency=2)
    world.appraised("counterfeit", count=15)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            deliver_pending(world.settings)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    # A retry waiting for its backoff ends a pass early; a last pass picks it up.
    assert wait_for(lambda: deliver_pending(world.settings) is not None and _states(world)["delivered"] == 45)
    keys = receiver.keys_seen()
    assert len(keys) == len(set(keys)) == 45


def test_the_worker_thread_delivers_while_the_server_runs(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    world = _world(settings, receiver, poll_seconds=0.05)
    worker = DeliveryWorker(world.settings)
    worker.start()
    try:
        (case_id,) = world.appraised("counterfeit")
        assert wait_for(lambda: _case_state(world, case_id) == "acted", timeout=20)
    finally:
        worker.stop()
    assert not worker.running
    assert len(receiver.applied) == 3


def test_no_destination_keeps_actions_in_the_outbox(settings: Settings, tmp_path: Path) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    world.appraised("counterfeit")
    worker = DeliveryWorker(world.settings)
    worker.start()
    assert not worker.running
    worker.stop()
    assert _states(world)["pending"] == 3


def test_a_repeat_offence_with_nothing_left_to_do_still_ends_acted(
    settings: Settings, receiver: Receiver
) -> None:
    world = _world(settings, receiver)
    (first,) = world.appraised("counterfeit", listing_id="listing-x", shop_id="shop-x", seller_id="seller-x")
    deliver_pending(world.settings)
    with world.tx() as session:  # a listing is planned again once its case is closed
        cases.move(session, case_id=first, to_state="closed", actor=LOCAL_OPERATOR, settings=world.settings)
    (again,) = world.appraised(
        "counterfeit", plan_id="plan-2", listing_id="listing-x", shop_id="shop-x", seller_id="seller-x"
    )
    with world.tx() as session:
        assert enforcement.list_actions(session, actor=LOCAL_OPERATOR, case_id=again) == []
    report = deliver_pending(world.settings)
    assert (report.claimed, report.cases_acted) == (0, 1)
    assert [_case_state(world, c) for c in (first, again)] == ["closed", "acted"]
