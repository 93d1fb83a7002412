"""Ring finding on tiny hand-made data: near images by band splitting, specificity weights, components."""

from __future__ import annotations

import numpy as np

from fakescope.analytics.rings.images import image_groups, near_pairs


def test_near_pairs_finds_hashes_within_the_bit_budget_only() -> None:
    rng = np.random.default_rng(1)
    hashes = rng.integers(0, 2**63, 5_000, dtype=np.int64).astype(np.uint64)
    hashes[1] = hashes[0] ^ np.uint64(0b1011)  # 3 bits
    hashes[2] = hashes[0] ^ np.uint64((1 << 40) | (1 << 3) | (1 << 60) | (1 << 20))  # 4 bits, spread out
    hashes[3] = hashes[0] ^ np.uint64(0b11111)  # 5 bits from 0, 2 bits from 1
    pairs = {tuple(p) for p in near_pairs(hashes, 4).tolist()}
    assert {(0, 1), (0, 2), (1, 3)} <= pairs
    assert (0, 3) not in pairs
    groups = image_groups(hashes, 4)
    assert groups[0] == groups[1] == groups[2] == groups[3]
    assert len(set(groups.tolist())) == len(hashes) - 3
