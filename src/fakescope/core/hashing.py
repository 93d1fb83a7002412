"""Streaming SHA-256 over chunks, for evidence files and the hash-chained ledger.

Takes iterables of bytes, so the callers decide where the bytes come from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

CHUNK_SIZE = 1024 * 1024


def sha256_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Hex SHA-256 and total length of a stream of byte chunks."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_text(text: str) -> str:
    """Hex SHA-256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
