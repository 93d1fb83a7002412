"""Identities: banned sellers who come back keep enough of themselves to be found, rings share specific
identifiers that link-based clustering recovers, and honest sellers share only generic values.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from simdb import connect
from simidentity import address, digits, id_number, names_agree, phone

from fakescope.analytics.simulate import SimulationSummary

FIELDS = ("id_number", "bank_account", "device_id", "phone", "address")
CAP = 30  # a value shared by more sellers than this is generic (a warehouse, an agency)


@pytest.fixture(scope="module")
def sellers(sim_medium: tuple[Path, SimulationSummary]) -> pd.DataFrame:
    frame = (
        connect(sim_medium[0])
        .execute("SELECT * FROM sellers JOIN truth_sellers USING (seller_id) ORDER BY seller_id")
        .df()
    )
    frame = frame.astype(object).where(frame.notna(), None)
    normalise = {
        "id_number": id_number,
        "bank_account": digits,
        "device_id": str,
        "phone": phone,
        "address": address,
    }
    for field, fn in normalise.items():
        frame[f"n_{field}"] = [fn(v) if v is not None else None for v in frame[field]]
    return frame


def test_comebacks_keep_at_least_two_identifiers(sellers: pd.DataFrame) -> None:
    row_of = {sid: i for i, sid in enumerate(sellers.seller_id)}
    kept = []
    for i in np.flatnonzero(sellers.comeback_of.notna().to_numpy()):
        j = row_of[sellers.comeback_of.iloc[i]]
        same = sum(
            1
            for f in FIELDS
            if sellers[f"n_{f}"].iloc[i] is not None
            and sellers[f"n_{f}"].iloc[i] == sellers[f"n_{f}"].iloc[j]
        )
        same += names_agree(sellers.legal_name.iloc[i], sellers.legal_name.iloc[j])
        kept.append(same)
    kept_arr = np.array(kept)
    assert len(kept_arr) >= 10
    assert (kept_arr >= 2).mean() >= 0.8
    assert (kept_arr >= 1).mean() >= 0.95
    assert (kept_arr < 6).mean() >= 0.95  # but they do change their identity


def _components(sellers: pd.DataFrame) -> np.ndarray:
    parent = list(range(len(sellers)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for field in FIELDS:
        groups: dict[object, list[int]] = defaultdict(list)
        for i, value in enumerate(sellers[f"n_{field}"]):
            if value is not None:
                groups[value].append(i)
        for members in groups.values():
            if 1 < len(members) <= CAP:
                for m in members[1:]:
                    parent[find(m)] = find(members[0])
    return np.array([find(i) for i in range(len(sellers))])


def _pairs(labels: list[object]) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


def test_rings_are_recovered_by_shared_specific_identifiers(sellers: pd.DataFrame) -> None:
    comp = _components(sellers)
    # The truth groups: a ring, or else the person (a seller and their comebacks).
    truth = [r if r is not None else p for r, p in zip(sellers.ring_id, sellers.person_id, strict=True)]
    both = _pairs(list(zip(comp, truth, strict=True)))
    precision, recall = both / _pairs(list(comp)), both / _pairs(truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    assert sellers.ring_id.nunique() >= 5


def test_honest_sellers_share_only_generic_values(sellers: pd.DataFrame) -> None:
    honest = sellers[sellers.role == "honest"]
    for field in ("address", "device_id"):
        counts = Counter(v for v in honest[f"n_{field}"] if v is not None)
        generic = [v for v, n in counts.items() if n > CAP]
        assert generic, f"no warehouse or agency value in {field}"
        specific_pairs = sum(n * (n - 1) // 2 for n in counts.values() if 1 < n <= CAP)
        assert specific_pairs <= 0.002 * len(honest), field


def test_ring_photos_are_reused_a_few_bits_apart(sim_medium: tuple[Path, SimulationSummary]) -> None:
    con = connect(sim_medium[0])
    rows = con.execute(
        "SELECT ts.ring_id, l.image_hash FROM listings l JOIN shops USING (shop_id)"
        " JOIN truth_sellers ts USING (seller_id) JOIN truth_listings t USING (listing_id)"
        " WHERE ts.ring_id IS NOT NULL AND t.counterfeit AND l.image_hash IS NOT NULL"
    ).fetchall()
    by_ring: dict[str, list[int]] = defaultdict(list)
    for ring, image in rows:
        by_ring[ring].append(int(image, 16))
    close = total = 0
    for hashes in by_ring.values():
        values = np.array(hashes, dtype=np.uint64)
        for k, h in enumerate(values):
            others = np.delete(values, k)
            if len(others) == 0:
                continue
            bits = [bin(int(h ^ o)).count("1") for o in others]
            total += 1
            close += min(bits) <= 4
    assert total > 0 and close / total >= 0.5
