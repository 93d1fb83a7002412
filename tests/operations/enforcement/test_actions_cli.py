"""`fakescope actions`, `actions deliver` and `actions retry` from the local operator's seat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from act_world import Receiver, make_world, run_cli

from fakescope.settings import Settings


def test_list_deliver_and_list_again(
    settings: Settings,
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = make_world(settings, actions_webhook_url=receiver.url)
    world.org("Agency", kind="agency")
    (case_id,) = world.appraised("counterfeit")
    listed = run_cli(monkeypatch, capsys, world.settings, "actions", "--state", "pending", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    pending = json.loads(listed.stdout)
    assert sorted(a["type"] for a in pending) == ["ban_seller", "close_shop", "takedown_listing"]
    assert {a["case_id"] for a in pending} == {case_id}
    delivered = run_cli(monkeypatch, capsys, world.settings, "actions", "deliver", "--format", "json")
    assert delivered.exit_code == 0, delivered.stderr
    assert json.loads(delivered.stdout)["delivered"] == 3
    after = json.loads(run_cli(monkeypatch, capsys, world.settings, "actions", "--format", "json").stdout)
    assert {a["state"] for a in after} == {"delivered"}
    assert set(receiver.applied) == {a["action_id"] for a in pending}


def test_deliver_without_a_destination_says_what_to_set(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FAKESCOPE_ACTIONS_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("FAKESCOPE_ACTIONS_EXPORT_FILE", raising=False)
    result = run_cli(monkeypatch, capsys, settings, "actions", "deliver")
    assert result.exit_code == 1
    assert "FAKESCOPE_ACTIONS_WEBHOOK_URL" in result.stderr


def test_failed_actions_exit_1_and_retry_queues_them_again(
    settings: Settings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = make_world(settings, actions_webhook_url=receiver.url, enforcement={"max_attempts": 1})
    world.org("Agency", kind="agency")
    world.appraised("counterfeit")
    receiver.mode = "error"
    monkeypatch.setenv("FAKESCOPE_ENFORCEMENT__MAX_ATTEMPTS", "1")
    failed = run_cli(monkeypatch, capsys, world.settings, "actions", "deliver")
    assert failed.exit_code == 1 and "actions retry" in failed.stderr
    listed = json.loads(
        run_cli(
            monkeypatch, capsys, world.settings, "actions", "--state", "failed", "--format", "json"
        ).stdout
    )
    assert len(listed) == 3 and all("HTTP 500" in a["last_error"] for a in listed)
    receiver.mode = "ok"
    assert run_cli(monkeypatch, capsys, world.settings, "actions", "retry").exit_code == 0
    again = run_cli(monkeypatch, capsys, world.settings, "actions", "deliver", "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["delivered"] == 3
