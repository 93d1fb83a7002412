"""The pure part of the ledger: the canonical text of an entry and its hash; no database here.

Changing this changes every hash: the format is versioned by GENESIS.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fakescope.core.hashing import sha256_text

GENESIS = "0" * 64


def canonical_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as it will read back from a JSON column (times as ISO text, tuples as lists)."""
    result: dict[str, Any] = json.loads(json.dumps(payload, default=_plain, sort_keys=True))
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    event_type: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 of the canonical JSON of every field of an entry, the previous hash included."""
    text = json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "event_type": event_type,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "payload": payload,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return sha256_text(text)
