"""Which pairs of sellers are worth comparing: those sharing an exact normalised identifier that few hold.

A value held by hundreds (a fulfilment warehouse, an agency's phone) would pair each holder with every banned
holder and says little about any one of them, so it proposes no pairs; the comparisons still weigh it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# A value held by more sellers than this proposes no candidate pairs, in the batch screen and the live
# index alike. At 1M sellers this cuts the pairs against 50k banned from ~51M (45M through address hubs) to
# ~1.5M; a comeback almost always keeps something fewer people hold (its name, ID number, own phone).
BLOCKING_MAX_HOLDERS = 50


def blocking_key(column: str) -> str:
    """The name of `column`'s blocking key: its value, or null where more than the cap hold it."""
    return f"{column}_bk"


def is_hub(holders: int) -> bool:
    """Whether a value held by this many sellers is too common to propose pairs."""
    return holders > BLOCKING_MAX_HOLDERS


def with_blocking_keys(normalised: pa.Table, columns: Sequence[str]) -> pa.Table:
    """The normalised sellers with a blocking key for each of `columns` they have."""
    table = normalised
    for column in columns:
        if column not in table.column_names:
            continue
        values = table.column(column).combine_chunks()
        encoded = pc.dictionary_encode(values)
        codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
        sizes = np.bincount(codes[codes >= 0], minlength=len(encoded.dictionary))
        hub = np.zeros(len(codes), dtype=bool)
        valid = codes >= 0
        hub[valid] = sizes[codes[valid]] > BLOCKING_MAX_HOLDERS
        keys = pc.if_else(pa.array(hub), pa.scalar(None, values.type), values)
        name = blocking_key(column)
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, keys)
        else:
            table = table.append_column(name, keys)
    return table
