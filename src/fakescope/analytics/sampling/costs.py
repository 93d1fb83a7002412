"""What a test buy costs and how much harm a counterfeit listing does: pure functions over arrays.

Cost = price + shipping + appraisal fee (per-category overrides); harm = safety weight x sales volume.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fakescope.settings import SamplingSettings

_SEPARATORS = re.compile(r"[\s\-/]+")


def category_key(category: str | None) -> str:
    """A category as settings name it: case-folded, spaces and hyphens as underscores (`Baby Formula` ->
    `baby_formula`), so a marketplace's spelling never silently misses its weight."""
    if category is None:
        return ""
    return _SEPARATORS.sub("_", str(category).strip().casefold())


def per_category(
    categories: npt.NDArray[np.object_], table: Mapping[str, float], default: float
) -> npt.NDArray[np.float64]:
    """The value `table` gives each listing's category (matched by `category_key`), else `default`."""
    lookup = {category_key(name): float(value) for name, value in table.items()}
    if len(categories) == 0:
        return np.zeros(0, dtype=np.float64)
    # Look up each distinct category once: a million listings have only a few hundred categories. Arrow's
    # hash encoding finds them ~10x faster than sorting a million Python strings.
    encoded = pa.array(np.asarray(categories, dtype=object), type=pa.string()).dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    values = np.array([lookup.get(category_key(c), default) for c in distinct] + [default], dtype=np.float64)
    # A missing category (null index) takes the last slot, the default.
    codes = encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False)
    return values[codes]


def check_costs(
    price: npt.NDArray[np.float64], categories: npt.NDArray[np.object_], settings: SamplingSettings
) -> npt.NDArray[np.float64]:
    """The cost of one test buy per listing: its price plus shipping plus the appraisal fee."""
    shipping = per_category(categories, settings.shipping_cost_by_category, settings.shipping_cost)
    fee = per_category(categories, settings.appraisal_fee_by_category, settings.appraisal_fee)
    return np.asarray(price, dtype=np.float64) + shipping + fee


def harm(
    units: npt.NDArray[np.float64],
    gmv: npt.NDArray[np.float64],
    categories: npt.NDArray[np.object_],
    settings: SamplingSettings,
) -> npt.NDArray[np.float64]:
    """The harm a counterfeit listing does: safety weight x (1 + log(1 + units) + log(1 + GMV / typical GMV)).

    Logs keep a best-seller from drowning out risk; GMV is divided by the median GMV of listings that sold, so
    harm does not depend on the currency. A listing that sold nothing still weighs its category.
    """
    units = np.asarray(units, dtype=np.float64)
    gmv = np.asarray(gmv, dtype=np.float64)
    sold = gmv[gmv > 0]
    typical = float(np.median(sold)) if sold.size else 1.0
    weight = per_category(categories, settings.category_weights, 1.0)
    return weight * (1.0 + np.log1p(np.maximum(units, 0.0)) + np.log1p(np.maximum(gmv, 0.0) / typical))
