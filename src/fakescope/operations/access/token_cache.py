"""A short-lived, in-process memory of API tokens already checked in the database, keyed by their keyed hash.

Saves a database round trip per request; `serve.token_cache_seconds` bounds how stale an answer may be.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class CheckedToken:
    """What the database said about a token: its user's columns, and when the token expires."""

    user: tuple[str, str, str, str | None, datetime]  # user_id, name, role, org_id, created_at
    expires_at: datetime | None
    checked_at: float


class TokenCache:
    """Token hash -> CheckedToken, trusted for `ttl` seconds after the database check."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[tuple[str, str], CheckedToken] = {}
        self._lock = threading.Lock()

    def get(self, database: str, token_hash: str, ttl: float) -> CheckedToken | None:
        """The remembered answer if it is younger than `ttl` seconds."""
        found = self._entries.get((database, token_hash))
        if found is None or self.clock() - found.checked_at >= ttl:
            return None
        return found

    def put(
        self,
        database: str,
        token_hash: str,
        user: tuple[str, str, str, str | None, datetime],
        expires_at: datetime | None,
    ) -> None:
        """Remember an active user's token as checked now."""
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()  # rare (that many live tokens in seconds): start again, still correct
            self._entries[(database, token_hash)] = CheckedToken(user, expires_at, self.clock())

    def forget(self, database: str, token_hash: str) -> None:
        """Drop a token (revoked in this process): the next check goes to the database."""
        with self._lock:
            self._entries.pop((database, token_hash), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


TOKENS = TokenCache()
