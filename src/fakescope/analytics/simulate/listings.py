"""Listings: which seller and shop, which product and category they claim, whether they are fake, their price
against the reference, their dispatch place, photo hash, life span and status, and how they will sell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fakescope.analytics.simulate import places, textops, vocab
from fakescope.analytics.simulate.catalog import Catalog
from fakescope.analytics.simulate.identity import Identities
from fakescope.analytics.simulate.population import (
    BRUSHER,
    CHEAP,
    DAY,
    DISCOUNTER,
    MIXED,
    PARALLEL,
    PREMIUM,
    REPLICA,
    START,
    Population,
    Shops,
)

ORGANIC_ORDERS = 5.2


@dataclass
class Listings:
    """Per-listing arrays the later stages need, plus the listing table's columns."""

    seller: np.ndarray
    shop: np.ndarray
    fake: np.ndarray
    category: np.ndarray
    product: np.ndarray  # -1 none
    brand: np.ndarray  # -1 none
    price: np.ndarray
    ratio: np.ndarray  # price / reference price (nan without a product)
    listed: np.ndarray
    end: np.ndarray
    city: np.ndarray
    hub: np.ndarray  # where its away orders go, -1 none
    p_away: np.ndarray
    lam: np.ndarray
    p_know: np.ndarray
    burst: np.ndarray
    accuse: np.ndarray  # share of a genuine listing's disputes that wrongly say counterfeit
    p_dispute: np.ndarray  # dispute chance per order of a genuine listing
    columns: dict[str, object]

    @property
    def n(self) -> int:
        return len(self.seller)


def _between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + (rng.random(len(lo)) * np.maximum(hi - lo, 0)).astype(np.int64)


def build_listings(
    rng: np.random.Generator, n: int, pop: Population, shops: Shops, ids: Identities, catalog: Catalog
) -> Listings:
    """`n` listings over the sellers' shops."""
    seller = rng.choice(pop.n, size=n, p=pop.weight / pop.weight.sum())
    shop = shops.first_of_seller[seller] + (rng.random(n) * shops.count_of_seller[seller]).astype(np.int64)
    cf = pop.counterfeit[seller]
    style, kind = pop.style[seller], pop.kind[seller]

    cats = vocab.CATEGORIES
    honest_p = np.array([c.honest_share for c in cats])
    cf_p = np.array([c.counterfeit_share for c in cats])
    category = np.where(
        cf,
        rng.choice(len(cats), n, p=cf_p / cf_p.sum()),
        rng.choice(len(cats), n, p=honest_p / honest_p.sum()),
    )
    product = np.full(n, -1, dtype=np.int64)
    for c in range(len(cats)):
        rows = np.flatnonzero(category == c)
        pool = catalog.products_by_category[c]
        product[rows] = pool[(rng.random(len(rows)) ** 1.6 * len(pool)).astype(np.int64)]
    has_product = rng.random(n) < 0.93
    brand = np.where(has_product, catalog.product_brand[product], -1)
    no_product = ~has_product
    brand_pick = np.array([pool[0] for pool in catalog.brands_by_category])[category]
    brand = np.where(no_product & (rng.random(n) < 0.5), brand_pick, brand)
    product = np.where(has_product, product, -1)

    mult = np.array([c.fake_multiplier for c in cats])[category]
    p_fake = np.where(cf, pop.fake_rate[seller] * mult, 0.0015 * mult)
    fake = rng.random(n) < p_fake

    # Price against the reference: fakes mostly cheap, some at full price; honest discounters cheap too.
    u = rng.random(n)
    normal = np.where(
        rng.random(n) < 0.9, np.exp(rng.normal(np.log(0.97), 0.07, n)), rng.uniform(0.6, 0.9, n)
    )
    # Shops differ in price level: some buy cheaper from distributors and pass it on.
    level = np.where(rng.random(pop.n) < 0.5, rng.uniform(0.7, 1.0, pop.n), 1.0)
    ratio = normal * level[seller]
    ratio = np.where(~cf & (kind == DISCOUNTER), rng.uniform(0.3, 0.8, n), ratio)
    ratio = np.where(~cf & (kind == PARALLEL), rng.uniform(0.5, 0.9, n), ratio)
    ratio = np.where(cf & ~fake, rng.uniform(0.55, 1.0, n), ratio)
    fake_ratio = np.select(
        [style == CHEAP, style == REPLICA, style == PREMIUM, style == MIXED],
        [0.18 + 0.5 * u, 0.25 + 0.5 * u, 0.82 + 0.23 * u, 0.4 + 0.6 * u],
        default=ratio,
    )
    ratio = np.where(fake & cf, fake_ratio, ratio)
    reference = np.where(has_product, catalog.reference_price[np.maximum(product, 0)], np.nan)
    medians = np.array([c.median_price for c in cats])[category]
    base = np.where(has_product, reference, medians * np.exp(rng.normal(0, 0.5, n)))
    price = np.round(base * ratio, 1)
    price = np.where(rng.random(n) < 0.4, np.floor(price) + 0.9, price)
    price = np.maximum(price, 0.9)
    ratio = np.where(has_product, price / reference, np.nan)

    # Life span: listed within the shop's open time, ended by the shop's closing, removal or delisting.
    lo = np.maximum(shops.opened[shop], START)
    hi = shops.end[shop]
    listed = _between(rng, lo, hi - DAY)
    end = hi.copy()
    status = np.zeros(n, dtype=np.int64)  # 0 active, 1 delisted, 2 removed
    closed = shops.closed[shop] >= 0
    by_ban = closed & (pop.banned[seller] >= 0)
    status[closed] = 1
    status[by_ban] = 2
    removed = ~closed & (rng.random(n) < np.where(fake, 0.03, 0.01))
    delisted = ~closed & ~removed & (rng.random(n) < 0.06)
    stop = listed + ((end - listed) * rng.uniform(0.05, 1.0, n)).astype(np.int64)
    end = np.where(removed | delisted, stop, end)
    status[removed], status[delisted] = 2, 1

    # Dispatch: the seller's city, a comeback's new place, a ring's hub for fakes.
    ring_hub = places.COUNTERFEIT_HUBS[rng.integers(0, len(places.COUNTERFEIT_HUBS), max(pop.n_rings, 1))]
    seller_city = ids.city.copy()
    moved = (pop.comeback_of >= 0) & (rng.random(pop.n) < 0.7)
    seller_city[moved] = rng.integers(0, places.N_CITIES, int(moved.sum()))
    city = np.where(rng.random(n) < 0.88, seller_city[seller], rng.integers(0, places.N_CITIES, n))
    ring = pop.ring[seller]
    lone_hub = places.COUNTERFEIT_HUBS[rng.integers(0, len(places.COUNTERFEIT_HUBS), n)]
    honest_hub = places.FULFILMENT_HUBS[rng.integers(0, len(places.FULFILMENT_HUBS), n)]
    hub = np.where(ring >= 0, ring_hub[np.maximum(ring, 0)], np.where(cf, lone_hub, honest_hub))
    # Not every counterfeiter ships from a hub, and many honest sellers use fulfilment warehouses.
    seller_hub = rng.random(pop.n) < np.where(pop.counterfeit, 0.6, 0.22)
    uses_hub = seller_hub[seller]
    p_away = np.where(
        fake,
        np.where(uses_hub, np.where(ring >= 0, 0.55, 0.4), 0.05),
        np.where(uses_hub, np.where(cf, 0.2, 0.3), np.where(kind == PARALLEL, 0.3, 0.04)),
    )

    # Photos: ring fakes reuse the ring's photos a few bits apart; everything else has its own.
    image = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64) ^ (
        rng.integers(0, 2, n).astype(np.uint64) << np.uint64(63)
    )
    ring_photos = rng.integers(0, 2**63, (max(pop.n_rings, 1), 8), dtype=np.int64).astype(np.uint64)
    reuse = (ring >= 0) & fake & (rng.random(n) < 0.7)
    rows = np.flatnonzero(reuse)
    flips = np.zeros(len(rows), dtype=np.uint64)
    for _ in range(3):
        bit = rng.integers(0, 64, len(rows)).astype(np.uint64)
        flips ^= np.where(rng.random(len(rows)) < 0.6, np.uint64(1) << bit, np.uint64(0))
    image[rows] = ring_photos[ring[rows], rng.integers(0, 8, len(rows))] ^ flips
    has_image = rng.random(n) < 0.95

    # Sales: popularity, brushing bursts, and how many buyers of a fake know what they buy.
    duration = (end - listed) / DAY
    lam = np.exp(rng.normal(0, 0.8, n)) * np.clip(duration / 300, 0.1, 2.0)
    lam *= np.where(fake & (style == CHEAP), 1.4, 1.0)
    lam *= ORGANIC_ORDERS / lam.mean()
    p_burst = np.where(
        fake,
        np.select(
            [style == PREMIUM, style == CHEAP, style == REPLICA, style == MIXED],
            [0.35, 0.15, 0.08, 0.25],
            0.02,
        ),
        np.where(~cf & (kind == BRUSHER), 0.6, 0.025),
    )
    burst = np.where(rng.random(n) < p_burst, rng.integers(6, 26, n), 0)
    p_know = np.where(
        fake & cf,
        np.select([style == REPLICA, style == CHEAP, style == PREMIUM], [0.85, 0.3, 0.1], 0.45),
        0.0,
    )

    # False accusations: cheap genuine goods get called fake, and some honest shops face a campaign.
    targeted = (~pop.counterfeit & (rng.random(pop.n) < 0.015))[seller]
    accuse = np.where(targeted, 0.6, np.where(~cf & ((kind == DISCOUNTER) | (kind == PARALLEL)), 0.16, 0.05))
    p_dispute = np.where(targeted, 0.2, 0.1)

    columns = _columns(
        rng,
        n,
        catalog,
        shop,
        category,
        product,
        brand,
        price,
        listed,
        city,
        image,
        has_image,
        status,
        fake,
        cf,
    )
    return Listings(
        seller=seller,
        shop=shop,
        fake=fake,
        category=category,
        product=product,
        brand=brand,
        price=price,
        ratio=ratio,
        listed=listed,
        end=end,
        city=city,
        hub=hub,
        p_away=p_away,
        lam=lam,
        p_know=p_know,
        burst=burst,
        accuse=accuse,
        p_dispute=p_dispute,
        columns=columns,
    )


def _columns(
    rng: np.random.Generator,
    n: int,
    catalog: Catalog,
    shop: np.ndarray,
    category: np.ndarray,
    product: np.ndarray,
    brand: np.ndarray,
    price: np.ndarray,
    listed: np.ndarray,
    city: np.ndarray,
    image: np.ndarray,
    has_image: np.ndarray,
    status: np.ndarray,
    fake: np.ndarray,
    cf: np.ndarray,
) -> dict[str, object]:
    from fakescope.analytics.simulate.sink import times

    cats = vocab.CATEGORIES
    generic = [f"{c.zh} {item}" for c in cats for item in c.en_items[:2]]
    generic_index = category * 2 + rng.integers(0, 2, n)
    product_names = pa.array(catalog.product_names, type=pa.string())
    has_product = product >= 0
    named = product_names.take(pa.array(np.maximum(product, 0)))
    base = textops.where(has_product, named, textops.pick(generic, generic_index))
    extras = vocab.TITLE_EXTRAS + vocab.REPLICA_EXTRAS
    p_replica = np.where(fake & cf, 0.05, 0.008)
    replica = rng.random(n) < p_replica
    extra_index = np.where(
        replica,
        len(vocab.TITLE_EXTRAS) + rng.integers(0, len(vocab.REPLICA_EXTRAS), n),
        rng.integers(0, len(vocab.TITLE_EXTRAS), n),
    )
    extra = textops.pick(extras, extra_index, replica | (rng.random(n) < 0.6))
    title = textops.join(base, extra, sep=" ")
    province, city_col = places.spell(rng, city, rng.random(n) < 0.97)
    cat_names = [c.name for c in cats]
    # A few listings claim another category than their product's (a slimming pill as "food").
    listed_cat = np.where(rng.random(n) < np.where(fake, 0.12, 0.04), rng.integers(0, len(cats), n), category)
    return {
        "listing_id": textops.ids("L", np.arange(1, n + 1), 7),
        "shop_id": textops.ids("S", shop + 1, 6),
        "title": title,
        "category": textops.pick(cat_names, listed_cat),
        "price": price,
        "listed_at": times(listed),
        "brand_id": textops.pick(catalog.brand_ids.to_pylist(), np.maximum(brand, 0), brand >= 0),
        "product_id": textops.pick(catalog.product_ids.to_pylist(), np.maximum(product, 0), has_product),
        "currency": textops.pick(["CNY"], np.zeros(n, dtype=np.int64), rng.random(n) < 0.9),
        "ship_from_province": province,
        "ship_from_city": city_col,
        "image_hash": textops.where(has_image, textops.hex16(image)),
        "status": textops.pick(
            ["active", "delisted", "removed"], status, (status > 0) | (rng.random(n) < 0.8)
        ),
    }
