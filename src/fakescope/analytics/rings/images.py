"""Near-duplicate listing images: 64-bit perceptual hashes within a few bits, found by multi-index hashing.

Split each hash into k+1 bands: two hashes within k bits agree exactly on at least one band (pigeonhole), so
only hashes sharing a band are compared, never all pairs; near hashes are then grouped by union-find.
"""

from __future__ import annotations

import numpy as np


def parse_hashes(hex_hashes: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Valid 16-hex-digit hashes as uint64, with the positions they came from (others are skipped)."""
    values: list[int] = []
    positions: list[int] = []
    for position, text in enumerate(hex_hashes):
        if text is None or len(text) != 16:
            continue
        try:
            values.append(int(text, 16))
        except ValueError:
            continue
        positions.append(position)
    return np.array(values, dtype=np.uint64), np.array(positions, dtype=np.int64)


def _popcount(values: np.ndarray) -> np.ndarray:
    v = values.astype(np.uint64)
    v = v - ((v >> np.uint64(1)) & np.uint64(0x5555555555555555))
    v = (v & np.uint64(0x3333333333333333)) + ((v >> np.uint64(2)) & np.uint64(0x3333333333333333))
    v = (v + (v >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return ((v * np.uint64(0x0101010101010101)) >> np.uint64(56)).astype(np.int64)


def _bands(max_bits: int) -> list[tuple[int, int]]:
    count = max_bits + 1
    widths = [64 // count + (1 if i < 64 % count else 0) for i in range(count)]
    out, start = [], 0
    for width in widths:
        out.append((start, width))
        start += width
    return out


def near_pairs(hashes: np.ndarray, max_bits: int, *, max_bucket: int = 2_000) -> np.ndarray:
    """Index pairs (i < j) of distinct hashes within `max_bits` bits. A band value shared by more than
    `max_bucket` hashes is skipped: so common a pattern (a blank or stock image) identifies nobody."""
    n = len(hashes)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    found: list[np.ndarray] = []
    for start, width in _bands(max_bits):
        mask = np.uint64((1 << width) - 1)
        keys = (hashes >> np.uint64(start)) & mask
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
        starts = np.concatenate(([0], boundaries))
        ends = np.concatenate((boundaries, [n]))
        sizes = ends - starts
        for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_bucket)]):
            # All buckets of one size at once: a (buckets, size) matrix of members, then its upper triangle.
            group_starts = starts[sizes == size]
            members = order[group_starts[:, None] + np.arange(size)[None, :]]
            left, right = np.triu_indices(size, k=1)
            a, b = members[:, left].ravel(), members[:, right].ravel()
            close = _popcount(hashes[a] ^ hashes[b]) <= max_bits
            pairs = np.stack([np.minimum(a, b)[close], np.maximum(a, b)[close]], axis=1)
            found.append(pairs)
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


def image_groups(hashes: np.ndarray, max_bits: int) -> np.ndarray:
    """A group number per hash: hashes linked by near pairs (transitively) share a group."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(hashes)
    pairs = near_pairs(hashes, max_bits)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)
