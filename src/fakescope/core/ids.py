"""Identifiers that must not be guessed (random) and keyed hashes of secrets (tokens) that cost microseconds.

Pure functions over bytes and strings.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_id(prefix: str = "") -> str:
    """A random, unguessable identifier (128 bits, URL-safe), optionally prefixed for readability."""
    token = secrets.token_hex(16)
    return f"{prefix}_{token}" if prefix else token


def new_token(nbytes: int = 32) -> str:
    """A random API token for a user to hold; only its keyed hash is stored."""
    return secrets.token_urlsafe(nbytes)


def keyed_hash(secret: bytes, value: str) -> str:
    """HMAC-SHA-256 of a value under the workspace secret, hex: stored instead of the token itself."""
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


def stable_id(namespace: str, *parts: str) -> str:
    """A deterministic id from its parts, for rows that must dedupe on re-import (e.g. plan rows)."""
    digest = hashlib.sha256("\x1f".join((namespace, *parts)).encode("utf-8")).hexdigest()
    return digest[:32]
