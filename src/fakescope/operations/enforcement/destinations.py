"""Where actions go: a webhook POST (with an Idempotency-Key header) or JSON lines appended to an export file.

A destination raises DeliveryFailed for anything short of a confirmed write, so the worker retries it.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import httpx

from fakescope.errors import FakescopeError, NotReady
from fakescope.settings import Settings


class DeliveryFailed(FakescopeError):
    """The destination did not confirm an action; it stays pending and is tried again later."""


class Destination(Protocol):
    """Delivers one action message; returns only once the receiver confirmed it."""

    name: str

    def deliver(self, message: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class WebhookDestination:
    """POST each action as JSON; a 2xx answer is the only confirmation."""

    def __init__(self, url: str, *, timeout_seconds: float, pool_size: int) -> None:
        self.name = f"webhook {url}"
        self.url = url
        limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
        self._client = httpx.Client(timeout=timeout_seconds, limits=limits)

    def deliver(self, message: dict[str, Any]) -> None:
        headers = {"Idempotency-Key": str(message["action_id"]), "Content-Type": "application/json"}
        body = json.dumps(message, sort_keys=True).encode("utf-8")
        try:
            answer = self._client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as error:
            raise DeliveryFailed(f"timed out after {self._client.timeout.read}s: {error}") from error
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
        if not 200 <= answer.status_code < 300:
            raise DeliveryFailed(f"HTTP {answer.status_code}: {answer.text[:200]}")

    def close(self) -> None:
        self._client.close()


class ExportFileDestination:
    """Append one JSON line per action and fsync; a lock keeps lines whole across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.name = f"file {path}"
        self.path = path
        self._lock = threading.Lock()

    def deliver(self, message: dict[str, Any]) -> None:
        line = (json.dumps(message, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, open(self.path, "ab") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        except OSError as error:
            raise DeliveryFailed(f"cannot append to {self.path}: {error}") from error

    def close(self) -> None:
        return None


class _Opened:
    """Context manager closing a destination."""

    def __init__(self, destination: Destination) -> None:
        self.destination = destination

    def __enter__(self) -> Destination:
        return self.destination

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.destination.close()


def has_destination(settings: Settings) -> bool:
    """Whether a webhook URL or an export file is configured."""
    return bool(settings.actions_webhook_url) or settings.actions_export_file is not None


def require_destination(settings: Settings) -> None:
    """Refuse (NotReady, naming the settings) when no destination is configured."""
    if not has_destination(settings):
        raise NotReady(
            "no destination for enforcement actions: set FAKESCOPE_ACTIONS_WEBHOOK_URL "
            "or FAKESCOPE_ACTIONS_EXPORT_FILE"
        )


def open_destination(settings: Settings) -> _Opened:
    """The configured destination: the webhook when a URL is set, else the export file."""
    require_destination(settings)
    if settings.actions_webhook_url:
        return _Opened(
            WebhookDestination(
                settings.actions_webhook_url,
                timeout_seconds=settings.enforcement.request_timeout_seconds,
                pool_size=max(settings.enforcement.delivery_concurrency, 1),
            )
        )
    if settings.actions_export_file is not None:
        return _Opened(ExportFileDestination(Path(settings.actions_export_file)))
    raise AssertionError("unreachable: require_destination passed")
