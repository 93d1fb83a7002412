"""When each seller was active (registration to ban) and, per shareable identifier, how many others held
the same value meanwhile: a value used alongside live shops is a ring's or an agency's, not one person's own,
which a comeback (who registers after its ban) carries over alone.

Vectorised over all sellers (numpy sorts and binary searches per value group), and the same count for one live
registration against the indexed sellers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Identifiers a ring's dealers share with its factory or office (and agencies with their clients).
SHARED_COLUMNS = ("phone_n", "bank_account_n", "device_n", "address_key")
ACTIVE_FROM = "active_from"
ACTIVE_UNTIL = "active_until"
# Microseconds; an unknown registration is active since forever, a seller never banned (or banned after the
# snapshot) until forever.
NEVER = -(2**62)
FOREVER = 2**62


def co_column(column: str) -> str:
    """The name of the column counting co-active holders of `column`'s value."""
    return f"{column}_co"


def to_micros(value: Any) -> int | None:
    """A timestamp as microseconds since the epoch (naive means UTC); None for no timestamp."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp() * 1_000_000)
    return int(value)


def _micros(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_timestamp(values.type):
        values = values.cast(pa.timestamp("us", tz=values.type.tz)).cast(pa.int64())
    return np.asarray(pc.fill_null(values, NEVER).to_numpy(zero_copy_only=False), dtype=np.int64)


def co_active_counts(values: pa.Array, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per row, how many other rows hold the same (non-null) value and overlap its [start, end) interval."""
    n = len(values)
    out = np.zeros(n, dtype=np.int64)
    valid = np.flatnonzero(np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool))
    if len(valid) < 2:
        return out
    codes = pc.dictionary_encode(values.take(pa.array(valid)))
    group = np.asarray(codes.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    sizes = np.bincount(group)
    shared = sizes[group] > 1
    rows, group = valid[shared], group[shared]
    if len(rows) == 0:
        return out
    s, e = start[rows], end[rows]
    # Rank times so one (group, time) key fits an int64 whatever the groups' count.
    times = np.unique(np.concatenate([s, e]))
    rank_s, rank_e = np.searchsorted(times, s), np.searchsorted(times, e)
    width = len(times) + 1
    key_s, key_e = group * width + rank_s, group * width + rank_e
    sorted_s, sorted_e = np.sort(key_s), np.sort(key_e)
    group_lo, group_hi = group * width, group * width + width
    size = np.searchsorted(sorted_s, group_hi) - np.searchsorted(sorted_s, group_lo)
    # Others that start once this one has ended, or end before this one starts, never overlap it.
    after = np.searchsorted(sorted_s, group_hi) - np.searchsorted(sorted_s, key_e)
    before = np.searchsorted(sorted_e, key_s, side="right") - np.searchsorted(sorted_e, group_lo)
    out[rows] = size - 1 - after - before
    return out


def with_activity(normalised: pa.Table, bans: Mapping[str, datetime | None]) -> pa.Table:
    """The normalised sellers with their activity interval and, per shareable identifier, the count of other
    sellers holding its value while it was active."""
    start = _micros(normalised.column("registered_at"))
    ids = normalised.column("seller_id").combine_chunks()
    timed = {str(k): to_micros(v) for k, v in bans.items() if v is not None}
    ban_ids = pa.array(list(timed), pa.string())
    position = pc.fill_null(pc.index_in(ids, value_set=ban_ids), len(timed)).to_numpy(zero_copy_only=False)
    end = np.array([*timed.values(), FOREVER], dtype=np.int64)[np.asarray(position, dtype=np.int64)]
    table = normalised
    for name, values in ((ACTIVE_FROM, start), (ACTIVE_UNTIL, end)):
        table = _set(table, name, pa.array(values, pa.int64()))
    for column in SHARED_COLUMNS:
        if column in table.column_names:
            counts = co_active_counts(table.column(column).combine_chunks(), start, end)
            table = _set(table, co_column(column), pa.array(counts, pa.int64()))
    return table


def _set(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


def overlaps(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two sellers' activity intervals overlap."""
    return bool(a[ACTIVE_FROM] < b[ACTIVE_UNTIL] and b[ACTIVE_FROM] < a[ACTIVE_UNTIL])


def count_co_active(record: Mapping[str, Any], holders: Iterable[Mapping[str, Any]]) -> int:
    """How many of `holders` (other sellers holding one of the record's values) were active with it."""
    return sum(1 for other in holders if overlaps(record, other))
