"""The live screening index: every seller's normalised identity kept columnar (Arrow, numpy), sorted hashes
of each identifier for lookups, the banned sellers' records and the trained scorecard; one registration is
answered in about a millisecond.

The caller passes the bans on each request, so a ban made by enforcement counts at once; bans already known
to the index are not looked at again (see `BanView`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fakescope.analytics.identity.activity import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    FOREVER,
    NEVER,
    SHARED_COLUMNS,
    co_column,
    to_micros,
    with_activity,
)
from fakescope.analytics.identity.blocking import is_hub
from fakescope.analytics.identity.fields import agreeing
from fakescope.analytics.identity.model import Scorecard, fit
from fakescope.analytics.identity.normalise import normalise_sellers
from fakescope.analytics.identity.screening import DecisionRules, pair_evidence


@dataclass
class Match:
    """The answer for one registration."""

    banned_seller_id: str | None
    match_probability: float
    decision: str
    agreeing_fields: list[str]


class BanView(Mapping[str, "datetime | None"]):
    """The snapshot's bans (with their times) and enforcement's (made "just now": None) as one mapping,
    without copying the snapshot's; the snapshot's time wins for a seller in both, as in the batch screen."""

    def __init__(self, snapshot: Mapping[str, datetime | None], enforcement: Set[str]) -> None:
        self.snapshot = snapshot
        self.enforcement = enforcement

    def __getitem__(self, seller: str) -> datetime | None:
        if seller in self.snapshot:
            return self.snapshot[seller]
        if seller in self.enforcement:
            return None
        raise KeyError(seller)

    def __contains__(self, seller: object) -> bool:
        return seller in self.snapshot or seller in self.enforcement

    def __iter__(self) -> Iterator[str]:
        yield from self.snapshot
        yield from (s for s in self.enforcement if s not in self.snapshot)

    def __len__(self) -> int:
        return len(self.snapshot) + sum(1 for s in self.enforcement if s not in self.snapshot)


_EMPTY = np.zeros(0, dtype=np.int64)


class _ValueRows:
    """Which rows hold each value of one column: 64-bit hashes sorted, with their rows (12 bytes a row,
    against ~100 for a dict entry). Built so that no two different values share a hash (else re-salted),
    and a looked-up value is checked against one row holding its hash."""

    def __init__(self, values: pa.Array) -> None:
        self._values = values
        python = values.to_pylist()
        valid = np.flatnonzero(np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool))
        codes = np.asarray(pc.dictionary_encode(values).indices.to_numpy(zero_copy_only=False))[valid]
        for salt in range(8):
            self._salt = salt
            hashes = np.fromiter((hash((salt, python[i])) for i in valid), dtype=np.int64, count=len(valid))
            order = np.argsort(hashes, kind="stable")
            hashes, rows = hashes[order], valid[order]
            same_hash = hashes[1:] == hashes[:-1]
            if not np.any(same_hash & (codes[order][1:] != codes[order][:-1])):
                break
        else:  # pragma: no cover - eight 64-bit collisions in a row
            raise RuntimeError("identifier hashes collide under every salt")
        self._hashes = hashes
        self._rows = rows.astype(np.int32 if len(values) < 2**31 else np.int64)

    def rows(self, value: Any) -> np.ndarray:
        """The rows holding `value` (none for None)."""
        if value is None:
            return _EMPTY
        key = hash((self._salt, value))
        lo = int(np.searchsorted(self._hashes, key, side="left"))
        hi = int(np.searchsorted(self._hashes, key, side="right"))
        if lo == hi or self._values[int(self._rows[lo])].as_py() != value:
            return _EMPTY
        return self._rows[lo:hi]


def _micros(table: pa.Table, name: str, missing: int) -> np.ndarray:
    values = table.column(name).combine_chunks()
    return np.asarray(pc.fill_null(values, missing).to_numpy(zero_copy_only=False), dtype=np.int64)


def normalised_sellers(sellers: pa.Table, bans: Mapping[str, datetime | None] | None) -> pa.Table:
    """The sellers as the index and the model read them: normalised, with their activity."""
    return with_activity(normalise_sellers(sellers), bans or {})


def saved_is_current(saved: Mapping[str, Any] | None, fingerprint: str) -> bool:
    """Whether a saved scorecard is of this snapshot and of the fields as declared now."""
    if not saved or saved.get("snapshot_fingerprint") != fingerprint:
        return False
    return Scorecard.is_current(saved)


def scorecard_for(normalised: pa.Table, fingerprint: str, saved: Mapping[str, Any] | None) -> Scorecard:
    """The saved scorecard when it is current (see `saved_is_current`), else one trained on these sellers."""
    if saved is not None and saved_is_current(saved, fingerprint):
        return Scorecard.from_dict(saved, normalised)
    return fit(normalised).scorecard


class ScreeningIndex:
    """The normalised sellers (Arrow), value -> rows lookups of the blocking and shareable columns, each
    seller's activity interval (numpy), the banned sellers' records, the scorecard."""

    def __init__(
        self,
        sellers: pa.Table,
        scorecard: Scorecard,
        fingerprint: str,
        bans: Mapping[str, datetime | None] | None = None,
        *,
        normalised: pa.Table | None = None,
    ) -> None:
        bans = bans or {}
        if normalised is None:
            normalised = with_activity(normalise_sellers(sellers), bans)
        self.fingerprint = fingerprint
        self.scorecard = scorecard
        self.columns = list(scorecard.blocking_columns)
        self._table = normalised.combine_chunks()
        self._ids = _ValueRows(self._table.column("seller_id").combine_chunks())
        self._lookups = {
            c: _ValueRows(self._table.column(c).combine_chunks())
            for c in dict.fromkeys([*self.columns, *SHARED_COLUMNS])
            if c in self._table.column_names
        }
        self._from = _micros(self._table, ACTIVE_FROM, NEVER)
        self._until = _micros(self._table, ACTIVE_UNTIL, FOREVER)
        # Banned sellers (ever seen in a request's bans) are the only candidates; their records as dicts.
        self._banned = np.zeros(self._table.num_rows, dtype=bool)
        self._records: dict[int, dict[str, Any]] = {}
        self._seen: set[str] = set()
        self._snapshot_bans = bans
        self._lock = threading.Lock()
        self._mark(list(bans))

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
        normalised = normalised_sellers(sellers, bans)
        return cls(
            sellers, scorecard_for(normalised, fingerprint, saved), fingerprint, bans, normalised=normalised
        )

    def _row_of(self, seller: str) -> int | None:
        rows = self._ids.rows(seller)
        return int(rows[0]) if len(rows) else None

    def _mark(self, sellers: list[str]) -> None:
        # Rows of newly banned sellers become candidates; their records are read once, in one take.
        with self._lock:
            found = []
            for seller in sellers:
                if seller in self._seen:
                    continue
                self._seen.add(seller)
                row = self._row_of(seller)
                if row is not None:
                    found.append(row)
            if not found:
                return
            for row, record in zip(found, self._table.take(pa.array(found)).to_pylist(), strict=True):
                self._records[row] = record
            self._banned[found] = True

    def _sync(self, bans: Mapping[str, datetime | None]) -> None:
        if isinstance(bans, BanView) and bans.snapshot is self._snapshot_bans:
            # The snapshot's bans were marked when the index was built: only enforcement's can be new.
            new = [s for s in bans.enforcement if s not in self._seen]
        else:
            new = [s for s in bans if s not in self._seen]
        if new:
            self._mark(new)

    def _with_activity(
        self, record: dict[str, Any], bans: Mapping[str, datetime | None], own_row: int | None
    ) -> dict[str, Any]:
        # The registration's activity and, per shareable value, its co-active holders among the indexed
        # sellers, counted as the batch screen counts them (see `activity.with_activity`).
        own = record["seller_id"]
        start = to_micros(record.get("registered_at"))
        record[ACTIVE_FROM] = begin = NEVER if start is None else start
        end = to_micros(bans.get(own))
        record[ACTIVE_UNTIL] = until = FOREVER if end is None else end
        for column in SHARED_COLUMNS:
            lookup = self._lookups.get(column)
            rows = lookup.rows(record.get(column)) if lookup is not None else _EMPTY
            if own_row is not None and len(rows):
                rows = rows[rows != own_row]
            overlapping = (self._from[rows] < until) & (begin < self._until[rows])
            record[co_column(column)] = int(np.count_nonzero(overlapping))
        return record

    def screen(
        self, registration: Mapping[str, Any], bans: Mapping[str, datetime | None], rules: DecisionRules
    ) -> Match:
        """Best banned match of one registration (sellers columns), never the registration itself."""
        self._sync(bans)
        record = normalise_sellers(pa.Table.from_pylist([dict(registration)])).to_pylist()[0]
        own = record["seller_id"]
        own_row = self._row_of(own)
        record = self._with_activity(record, bans, own_row)
        extra = 0 if own_row is not None else 1
        found = [self._lookups[c].rows(record.get(c)) for c in self.columns if c in self._lookups]
        # As the batch screen blocks: a value held by too many (the registration among them) proposes none.
        found = [rows for rows in found if not is_hub(len(rows) + extra)]
        rows = np.unique(np.concatenate(found)) if found else _EMPTY
        rows = rows[self._banned[rows]]
        best: tuple[bool, float, str, list[int], str] | None = None
        for row in rows.tolist():
            other = self._records[row]
            banned = other["seller_id"]
            if banned == own or banned not in bans:
                continue
            levels = self.scorecard.levels(record, other)
            probability = self.scorecard.probability(levels, record, extra=extra)
            predates = self._predates(record, bans.get(banned))
            evidence = pair_evidence(self.scorecard, levels)
            decision = rules.decide(probability, predates_ban=predates, evidence=evidence)
            # As the batch screen ranks: a blockable match first, then the most probable.
            key = (decision == "block", probability)
            if best is None or key > (best[0], best[1]) or (key == (best[0], best[1]) and banned < best[2]):
                best = (key[0], probability, banned, levels, decision)
        if best is None:
            return Match(None, 0.0, "allow", [])
        _blockable, probability, banned, levels, decision = best
        return Match(banned, probability, decision, agreeing(self.scorecard.fields, levels))

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
