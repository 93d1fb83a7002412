"""Dispatch places as written on listings and orders: province and city in one of several spellings.

A place is a city index into `identity.CITIES`; the spelling is drawn per row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fakescope.analytics.simulate import textops, vocab
from fakescope.analytics.simulate.identity import CITIES, CITY_INDEX

_PROVINCE_SPELLINGS: list[str] = []
_CITY_SPELLINGS: list[str] = []
for _p, _city, _latin in CITIES:
    _prov, _muni, _prov_latin, _ = vocab.PROVINCES[_p]
    _PROVINCE_SPELLINGS += [_prov + ("市" if _muni else "省"), _prov, _prov_latin]
    _CITY_SPELLINGS += [_city + "市", _city, _latin]

COUNTERFEIT_HUBS = np.array([CITY_INDEX[c] for c in vocab.COUNTERFEIT_HUBS])
FULFILMENT_HUBS = np.array([CITY_INDEX[c] for c in vocab.FULFILMENT_HUBS])
N_CITIES = len(CITIES)


def spell(
    rng: np.random.Generator, city: np.ndarray, valid: np.ndarray | None = None
) -> tuple[pa.Array, pa.Array]:
    """(province, city) columns for city indices; mostly Chinese with or without 省/市, some Latin."""
    style = rng.choice(3, size=len(city), p=[0.45, 0.5, 0.05])
    index = np.asarray(city, dtype=np.int64) * 3 + style
    return textops.pick(_PROVINCE_SPELLINGS, index, valid), textops.pick(_CITY_SPELLINGS, index, valid)
