"""Vectorised string building for the simulator: ids, hex hashes, picks from phrase lists, joins.

Arrow compute does the work, so millions of values cost a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEX = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded numbers (e.g. `L0000042`)."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def hex16(values: np.ndarray) -> pa.Array:
    """64-bit unsigned values as 16 lower-case hex digits."""
    raw = np.ascontiguousarray(np.asarray(values, dtype=np.uint64).astype(">u8")).view(np.uint8)
    pairs = np.ascontiguousarray(_HEX[raw.reshape(-1, 8)])
    return pa.array(pairs.view("S16").ravel()).cast(pa.string())


def pick(phrases: Sequence[str | None], index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """phrases[index] as an Arrow string array; `valid` false gives a null."""
    taken = pa.array(list(phrases), type=pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))
    if valid is None:
        return taken
    return pc.if_else(pa.array(np.asarray(valid, dtype=bool)), taken, pa.nulls(len(taken), pa.string()))


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays and scalars; a null part is left out."""
    args = [pa.scalar(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, sep, null_handling="skip")


def digits(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers as zero-padded digit strings."""
    return pc.utf8_lpad(pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string()), width, "0")


def where(mask: np.ndarray, yes: pa.Array, no: pa.Array | None = None) -> pa.Array:
    """yes where mask, else no (null when no is None)."""
    other = pa.nulls(len(yes), yes.type) if no is None else no
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), yes, other)
