"""Test helpers of the act area: a world of organisations, users and cases over a database, a receiver.

Loaded by path from the act areas' conftest files (tests are not a package), so every act test shares them.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from fakescope.operations.access import service as access
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.cases import service as cases
from fakescope.operations.cases.plan import PlanRow
from fakescope.operations.db.migrate import operations_transaction
from fakescope.settings import Settings, get_settings

PLAN_DEFAULTS: dict[str, Any] = {
    "plan_id": "plan-1",
    "brand_id": None,
    "category": "cosmetics",
    "price": 100.0,
    "cost": 130.0,
    "currency": "CNY",
    "risk": 0.6,
    "harm": 50.0,
    "expected_value": 30.0,
    "reason": "risk",
    "inclusion_probability": 0.25,
}


@dataclass
class World:
    """One operations database with helpers to make organisations, users and cases in any state."""

    settings: Settings
    made: int = 0
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.settings.resolved_database_url

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with operations_transaction(self.settings) as session:
            yield session

    def org(self, name: str, kind: str = "rights_holder", brands: list[str] | None = None) -> str:
        with self.tx() as session:
            org = access.create_organisation(
                session, name=name, kind=kind, brands=brands, actor=LOCAL_OPERATOR
            )
            return org.org_id

    def user(self, name: str, role: str, org: str | None = None) -> str:
        with self.tx() as session:
            _, token = access.create_user(
                session, name=name, role=role, org=org, actor=LOCAL_OPERATOR, settings=self.settings
            )
        self.tokens[name] = token
        return token

    def cases(self, count: int = 1, **overrides: Any) -> list[str]:
        """Open `count` planned cases; each gets its own listing, and shop and seller unless given."""
        rows = []
        for _ in range(count):
            self.made += 1
            n = self.made
            values = {
                **PLAN_DEFAULTS,
                "listing_id": f"listing-{n}",
                "shop_id": f"shop-{n}",
                "seller_id": f"seller-{n}",
                **overrides,
            }
            rows.append(PlanRow(line=n + 1, **values))
        with self.tx() as session:
            report = cases.open_cases(session, rows=rows, actor=LOCAL_OPERATOR, source="test")
        return list(report.case_ids)

    def to_appraisal(self, case_id: str) -> None:
        """Buy, receive and send the case for appraisal."""
        with self.tx() as session:
            cases.move(
                session,
                case_id=case_id,
                to_state="purchased",
                actor=LOCAL_OPERATOR,
                settings=self.settings,
                fields={"buyer_account": "covert-7", "order_ref": f"order-{case_id}", "amount_paid": 99.5},
            )
            for step in ("received", "in_appraisal"):
                cases.move(
                    session, case_id=case_id, to_state=step, actor=LOCAL_OPERATOR, settings=self.settings
                )

    def verdict(self, case_id: str, verdict: str, reason: str = "appraised") -> None:
        with self.tx() as session:
            cases.record_verdict(
                session,
                case_id=case_id,
                verdict=verdict,
                reason=reason,
                actor=LOCAL_OPERATOR,
                settings=self.settings,
            )

    def appraised(self, verdict: str, count: int = 1, **overrides: Any) -> list[str]:
        """Cases taken all the way to a verdict."""
        ids = self.cases(count, **overrides)
        for case_id in ids:
            self.to_appraisal(case_id)
            self.verdict(case_id, verdict)
        return ids


def make_world(settings: Settings, workspace: Path | None = None, **overrides: Any) -> World:
    """A World on the database of `settings` (the operations `settings` fixture), with Settings overrides."""
    workspace = workspace or settings.workspace
    workspace.mkdir(parents=True, exist_ok=True)
    return World(settings=get_settings(workspace, database_url=settings.resolved_database_url, **overrides))


@dataclass
class Delivery:
    """One request the receiver got."""

    key: str | None
    message: dict[str, Any]
    answered: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many workers connect at once; the default backlog of 5 would refuse some


class Receiver:
    """A marketplace stand-in: applies each action once per Idempotency-Key; can fail on purpose.

    mode "ok" answers 200; "error" answers 500 without applying; "slow" applies, then answers after `delay`
    (the caller times out first, as when a marketplace is overloaded). The applied store survives restarts.
    """

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 1.0
        self.applied: dict[str, dict[str, Any]] = {}
        self.effects: dict[str, int] = {}
        self.requests: list[Delivery] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/actions"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key")
                message = json.loads(body)
                mode, delay = receiver.mode, receiver.delay
                if mode == "error":
                    receiver._record(key, message, 500)
                    self._answer(500, {"error": "down for maintenance"})
                    return
                receiver._apply(key, message)
                if mode == "slow":
                    time.sleep(delay)
                receiver._record(key, message, 200)
                self._answer(200, {"ok": True})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timed out) already

        return Handler

    def _apply(self, key: str | None, message: dict[str, Any]) -> None:
        assert key is not None and key == message["action_id"], "Idempotency-Key must be the action id"
        with self._lock:
            if key not in self.applied:  # the marketplace applies an action once per key
                self.applied[key] = message
                self.effects[key] = self.effects.get(key, 0) + 1

    def _record(self, key: str | None, message: dict[str, Any], status: int) -> None:
        with self._lock:
            self.requests.append(Delivery(key, message, status))

    def start(self) -> Receiver:
        server = _Server(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def keys_seen(self) -> list[str | None]:
        with self._lock:
            return [r.key for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free local port, stopped after the test."""
    started = Receiver().start()
    yield started
    started.stop()


def wait_for(check: Callable[[], bool], timeout: float = 30.0, every: float = 0.05) -> bool:
    """Poll `check` until it holds or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


@dataclass(frozen=True)
class CliResult:
    """What one `fakescope` invocation did."""

    exit_code: int
    stdout: str
    stderr: str


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings, *args: str | Path
) -> CliResult:
    """Run `fakescope --workspace W ARGS...` through the console entry point, on the `settings` database."""
    from fakescope.cli.main import run

    capsys.readouterr()
    monkeypatch.setenv("FAKESCOPE_DATABASE_URL", settings.resolved_database_url)
    if settings.actions_webhook_url:
        monkeypatch.setenv("FAKESCOPE_ACTIONS_WEBHOOK_URL", settings.actions_webhook_url)
    if settings.actions_export_file:
        monkeypatch.setenv("FAKESCOPE_ACTIONS_EXPORT_FILE", str(settings.actions_export_file))
    monkeypatch.setattr(sys, "argv", ["fakescope", "--workspace", str(settings.workspace), *map(str, args)])
    with pytest.raises(SystemExit) as done:
        run()
    out = capsys.readouterr()
    code = done.value.code
    return CliResult(int(code) if isinstance(code, int) else 1, out.out, out.err)
