"""Brands with their rights holders, and the genuine product catalogue with reference prices.

Each brand belongs to one category; a category's products are priced around its median.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fakescope.analytics.simulate import textops, vocab


@dataclass
class Catalog:
    """Brands and products as arrays, plus their table columns."""

    brand_category: np.ndarray
    brand_reports: np.ndarray  # bool: the rights holder sends reports
    product_brand: np.ndarray
    product_category: np.ndarray
    reference_price: np.ndarray
    products_by_category: list[np.ndarray]
    brands_by_category: list[np.ndarray]
    brand_ids: pa.Array
    product_ids: pa.Array
    brand_columns: dict[str, object]
    product_columns: dict[str, object]
    brand_names: list[str]
    product_names: list[str]


def build_catalog(rng: np.random.Generator, listings: int) -> Catalog:
    """Brands and products for a marketplace of about `listings` listings."""
    n_cat = len(vocab.CATEGORIES)
    n_brands = int(np.clip(listings // 1500, 3 * n_cat, 400))
    n_products = int(np.clip(listings // 40, 200, 25_000))
    share = np.array([c.honest_share + c.counterfeit_share for c in vocab.CATEGORIES])
    brand_category = np.concatenate(
        [np.arange(n_cat), rng.choice(n_cat, n_brands - n_cat, p=share / share.sum())]
    )
    heads, tails = vocab.BRAND_HEADS, vocab.BRAND_TAILS
    names: list[str] = []
    seen: set[str] = set()
    for b in range(n_brands):
        while True:
            name = heads[rng.integers(len(heads))] + tails[rng.integers(len(tails))]
            if len(seen) >= len(heads) * len(tails) * 0.8:
                name = f"{name} {b}"
            if name not in seen:
                seen.add(name)
                names.append(name)
                break
    has_holder = rng.random(n_brands) < 0.85
    holders = [
        f"{n} {vocab.RIGHTS_HOLDER_SUFFIX[rng.integers(len(vocab.RIGHTS_HOLDER_SUFFIX))]}" if h else None
        for n, h in zip(names, has_holder, strict=True)
    ]
    brands_by_category = [np.flatnonzero(brand_category == c) for c in range(n_cat)]
    # Products: every brand gets some, popular brands more.
    product_brand = np.concatenate([np.arange(n_brands), rng.integers(0, n_brands, n_products - n_brands)])
    product_brand.sort()
    product_category = brand_category[product_brand]
    medians = np.array([c.median_price for c in vocab.CATEGORIES])
    raw = medians[product_category] * np.exp(rng.normal(0, 0.55, n_products))
    reference_price = np.maximum(np.round(raw) - np.where(rng.random(n_products) < 0.5, 0.1, 0.0), 9.9)
    product_names = []
    for p in range(n_products):
        cat = vocab.CATEGORIES[product_category[p]]
        item = cat.en_items[rng.integers(len(cat.en_items))]
        if rng.random() < 0.5:
            product_names.append(f"{names[product_brand[p]]} {item} {rng.integers(1, 99)}")
        else:
            product_names.append(f"{names[product_brand[p]]} {cat.zh} {item} No.{rng.integers(1, 99)}")
    brand_ids = textops.ids("B", np.arange(1, n_brands + 1), 4)
    product_ids = textops.ids("P", np.arange(1, n_products + 1), 6)
    cat_names = [c.name for c in vocab.CATEGORIES]
    return Catalog(
        brand_category=brand_category,
        brand_reports=has_holder & (rng.random(n_brands) < 0.8),
        product_brand=product_brand,
        product_category=product_category,
        reference_price=reference_price,
        products_by_category=[np.flatnonzero(product_category == c) for c in range(n_cat)],
        brands_by_category=brands_by_category,
        brand_ids=brand_ids,
        product_ids=product_ids,
        brand_columns={"brand_id": brand_ids, "name": names, "rights_holder": holders},
        product_columns={
            "product_id": product_ids,
            "brand_id": brand_ids.take(pa.array(product_brand)),
            "name": product_names,
            "category": textops.pick(cat_names, product_category),
            "reference_price": reference_price,
        },
        brand_names=names,
        product_names=product_names,
    )
