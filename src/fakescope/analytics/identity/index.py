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
import pyarrow.compute as pc

from fakescope.analytics.identity.activity import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    FOREVER,
    NEVER,
    SHARED_COLUMNS,
    co_column,
    count_co_active,
    to_micros,
    with_activity,
)
from fakescope.analytics.identity.fields import agreeing, carried_over, corroborating, supported
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

    def __init__(
        self,
        sellers: pa.Table,
        scorecard: Scorecard,
        fingerprint: str,
        bans: Mapping[str, datetime | None] | None = None,
        *,
        normalised: pa.Table | None = None,
    ) -> None:
        if normalised is None:
            normalised = with_activity(normalise_sellers(sellers), bans or {})
        self.fingerprint = fingerprint
        self.scorecard = scorecard
        self.records: dict[str, dict[str, Any]] = {r["seller_id"]: r for r in normalised.to_pylist()}
        self.columns = [c for c in scorecard.blocking_columns]
        self._postings: dict[str, dict[Any, set[str]]] = {c: defaultdict(set) for c in self.columns}
        self._indexed: set[str] = set()
        self._lock = threading.Lock()
        # Who holds each shareable value held by two or more sellers: a registration's co-active holders.
        self._sharers: dict[str, dict[Any, list[str]]] = {}
        for column in SHARED_COLUMNS:
            if column not in normalised.column_names:
                continue
            values = normalised.column(column)
            counts = pc.value_counts(values.drop_null())
            multi = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
            mask = pc.fill_null(pc.is_in(values, value_set=multi), False)
            held = normalised.filter(mask).select(["seller_id", column])
            sharers: dict[Any, list[str]] = defaultdict(list)
            for seller, value in zip(held["seller_id"].to_pylist(), held[column].to_pylist(), strict=True):
                sharers[value].append(seller)
            self._sharers[column] = sharers

    @classmethod
    def build(
        cls,
        sellers: pa.Table,
        fingerprint: str,
        saved: Mapping[str, Any] | None,
        bans: Mapping[str, datetime | None] | None = None,
    ) -> ScreeningIndex:
        """From the snapshot's sellers and bans, with the saved scorecard when it is of this snapshot, else
        trained."""
        normalised = with_activity(normalise_sellers(sellers), bans or {})
        if saved and saved.get("snapshot_fingerprint") == fingerprint:
            scorecard = Scorecard.from_dict(saved, normalised)
        else:
            scorecard = fit(normalised).scorecard
        return cls(sellers, scorecard, fingerprint, normalised=normalised)

    def _with_activity(self, record: dict[str, Any], bans: Mapping[str, datetime | None]) -> dict[str, Any]:
        # The registration's activity and, per shareable value, its co-active holders among the indexed
        # sellers, counted as the batch screen counts them (see `activity.with_activity`).
        own = record["seller_id"]
        start = to_micros(record.get("registered_at"))
        record[ACTIVE_FROM] = NEVER if start is None else start
        end = to_micros(bans.get(own))
        record[ACTIVE_UNTIL] = FOREVER if end is None else end
        for column in SHARED_COLUMNS:
            value = record.get(column)
            if value is None:
                record[co_column(column)] = 0
                continue
            holders = self._sharers.get(column, {}).get(value)
            if holders is None:  # one holder at most: a banned one, if any agrees
                holders = list(self._postings[column].get(value, ())) if column in self._postings else []
            others = (self.records[h] for h in holders if h != own and h in self.records)
            record[co_column(column)] = count_co_active(record, others)
        return record

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
               block_threshold: float, review_threshold: float,
               block_corroborating: int = 0, block_carried_over: int = 0) -> Match:  # fmt: skip
        """Best banned match of one registration (sellers columns), never the registration itself."""
        self._sync(bans)
        record = normalise_sellers(pa.Table.from_pylist([dict(registration)])).to_pylist()[0]
        record = self._with_activity(record, bans)
        own = record["seller_id"]
        candidates: set[str] = set()
        for column in self.columns:
            value = record.get(column)
            if value is not None:
                candidates |= self._postings[column].get(value, set())
        extra = 0 if own in self.records else 1
        fields = self.scorecard.fields
        best: tuple[bool, float, str, list[int]] | None = None
        for banned in candidates:
            if banned == own or banned not in bans:
                continue
            levels = self.scorecard.levels(record, self.records[banned])
            probability = self.scorecard.probability(levels, record, extra=extra)
            # As the batch screen ranks: a blockable match first, then the most probable.
            blockable = decide(
                probability, block_threshold=block_threshold, review_threshold=review_threshold,
                predates_ban=self._predates(record, bans.get(banned)),
                corroborating=corroborating(fields, levels), block_corroborating=block_corroborating,
                supported=supported(fields, levels), carried=carried_over(fields, levels),
                block_carried_over=block_carried_over,
            ) == "block"  # fmt: skip
            key = (blockable, probability)
            if best is None or key > (best[0], best[1]) or (key == (best[0], best[1]) and banned < best[2]):
                best = (blockable, probability, banned, levels)
        if best is None:
            return Match(None, 0.0, "allow", [])
        _blockable, probability, banned, levels = best
        return Match(
            banned, probability,
            decide(probability, block_threshold=block_threshold, review_threshold=review_threshold,
                   predates_ban=self._predates(record, bans.get(banned)),
                   corroborating=corroborating(fields, levels), block_corroborating=block_corroborating,
                   supported=supported(fields, levels), carried=carried_over(fields, levels),
                   block_carried_over=block_carried_over),
            agreeing(fields, levels),
        )  # fmt: skip

    @staticmethod
    def _predates(record: Mapping[str, Any], banned_at: datetime | None) -> bool:
        registered = to_micros(record.get("registered_at"))
        ban = to_micros(banned_at)
        # As the batch screen: a ban of unknown time (enforcement's, made after the snapshot) may postdate
        # the registration, so it cannot prove a comeback; so does a registration of unknown time.
        return ban is None or registered is None or registered < ban


def load_saved(path: Any) -> dict[str, Any] | None:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None
