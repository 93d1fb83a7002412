"""The live screening index: every seller's normalised identity in memory, postings of banned sellers'
identifiers, and the trained scorecard; one registration is answered in well under a millisecond of scoring.

Bans are re-read on each request (the caller passes them), so a ban made by enforcement counts at once.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from fakescope.analytics.identity.fields import agreeing
from fakescope.analytics.identity.model import Scorecard, fit
from fakescope.analytics.identity.normalise import normalise_sellers
from fakescope.analytics.identity.screening import decide


@dataclass
class Match:
    """The answer for one registration."""

    banned_seller_id: str | None
    match_probability: float
    decision: str
    agreeing_fields: list[str]


class ScreeningIndex:
    """Normalised sellers by id, postings (identifier value -> banned sellers), the scorecard."""

    def __init__(self, sellers: pa.Table, scorecard: Scorecard, fingerprint: str) -> None:
        normalised = normalise_sellers(sellers)
        self.fingerprint = fingerprint
        self.scorecard = scorecard
        self.records: dict[str, dict[str, Any]] = {r["seller_id"]: r for r in normalised.to_pylist()}
        self.columns = [c for c in scorecard.blocking_columns]
        self._postings: dict[str, dict[Any, set[str]]] = {c: defaultdict(set) for c in self.columns}
        self._indexed: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def build(cls, sellers: pa.Table, fingerprint: str, saved: Mapping[str, Any] | None) -> ScreeningIndex:
        """From the snapshot's sellers, with the saved scorecard when it is of this snapshot, else trained."""
        normalised = normalise_sellers(sellers)
        if saved and saved.get("snapshot_fingerprint") == fingerprint:
            scorecard = Scorecard.from_dict(saved, normalised)
        else:
            scorecard = fit(normalised).scorecard
        return cls(sellers, scorecard, fingerprint)

    def _sync(self, banned: Mapping[str, datetime | None]) -> None:
        with self._lock:
            for seller in set(banned) - self._indexed:
                record = self.records.get(seller)
                if record is None:
                    continue
                for column in self.columns:
                    value = record.get(column)
                    if value is not None:
                        self._postings[column][value].add(seller)
                self._indexed.add(seller)

    def screen(self, registration: Mapping[str, Any], bans: Mapping[str, datetime | None], *,
               block_threshold: float, review_threshold: float) -> Match:  # fmt: skip
        """Best banned match of one registration (sellers columns), never the registration itself."""
        self._sync(bans)
        record = normalise_sellers(pa.Table.from_pylist([dict(registration)])).to_pylist()[0]
        own = record["seller_id"]
        candidates: set[str] = set()
        for column in self.columns:
            value = record.get(column)
            if value is not None:
                candidates |= self._postings[column].get(value, set())
        extra = 0 if own in self.records else 1
        best: tuple[float, str, list[int]] | None = None
        for banned in candidates:
            if banned == own or banned not in bans:
                continue
            levels = self.scorecard.levels(record, self.records[banned])
            probability = self.scorecard.probability(levels, record, extra=extra)
            if best is None or (probability, banned) > (best[0], best[1]):
                best = (probability, banned, levels)
        if best is None:
            return Match(None, 0.0, "allow", [])
        probability, banned, levels = best
        banned_at = bans.get(banned)
        registered = record.get("registered_at")
        predates = banned_at is not None and registered is not None and registered < banned_at
        return Match(
            banned, probability,
            decide(probability, block_threshold=block_threshold, review_threshold=review_threshold,
                   predates_ban=predates),
            agreeing(self.scorecard.fields, levels),
        )  # fmt: skip


def load_saved(path: Any) -> dict[str, Any] | None:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None
