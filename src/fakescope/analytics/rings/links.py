"""What sellers share: (seller, kind, value) facts from identities, listing images and dispatch places.

Every kind of shared value becomes the same kind of fact, so one rule weighs each by how specific it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from fakescope.analytics.identity.normalise import normalise_sellers
from fakescope.analytics.identity.places import place_key
from fakescope.analytics.rings.images import image_groups, parse_hashes

if TYPE_CHECKING:
    from fakescope.analytics.rings.source import Source

# Normalised identity column -> link kind.
IDENTITY_KINDS = {
    "phone_n": "phone",
    "email_n": "email",
    "bank_account_n": "bank_account",
    "id_number_n": "id_number",
    "device_n": "device",
    "address_key": "address",
}

FACT_SCHEMA = pa.schema([("seller_id", pa.string()), ("kind", pa.string()), ("value", pa.string())])


@dataclass
class Facts:
    """The shared-value facts and the normalised sellers they came from."""

    facts: pa.Table
    sellers: pa.Table


def _before(table: ibis.Table, column: str, as_of: datetime | None) -> ibis.Table:
    return table if as_of is None else table.filter(table[column] < as_of)


def identity_facts(normalised: pa.Table) -> pa.Table:
    """One fact per seller and non-null normalised identifier."""
    parts = []
    for column, kind in IDENTITY_KINDS.items():
        values = normalised.column(column)
        keep = pc.is_valid(values)
        parts.append(
            pa.table(
                {
                    "seller_id": normalised.column("seller_id").filter(keep),
                    "kind": pa.repeat(pa.scalar(kind, pa.string()), pc.sum(keep).as_py() or 0),
                    "value": values.filter(keep),
                },
                schema=FACT_SCHEMA,
            )
        )
    return pa.concat_tables(parts)


def image_facts(listing_images: pa.Table, max_bits: int) -> pa.Table:
    """One fact per seller and group of near-identical images (`listing_images`: seller_id, image_hash)."""
    unique = pc.unique(listing_images.column("image_hash").drop_null())
    hashes, positions = parse_hashes(unique.to_pylist())
    if len(hashes) == 0:
        return FACT_SCHEMA.empty_table()
    groups = image_groups(hashes, max_bits)
    group_of = pa.table({"image_hash": unique.take(pa.array(positions)), "group": pa.array(groups)})
    joined = listing_images.join(group_of, "image_hash", join_type="inner")
    return pa.table(
        {
            "seller_id": joined.column("seller_id"),
            "kind": pa.repeat(pa.scalar("image", pa.string()), joined.num_rows),
            "value": pc.cast(joined.column("group"), pa.string()),
        },
        schema=FACT_SCHEMA,
    )


def _place_keys(places: pa.ChunkedArray | pa.Array) -> pa.Array:
    # Each distinct spelling once: a marketplace has few provinces and cities but many dispatch rows.
    whole = places.combine_chunks() if isinstance(places, pa.ChunkedArray) else places
    encoded = pc.dictionary_encode(whole)
    keys = pa.array([place_key(p) for p in encoded.dictionary.to_pylist()], pa.string())
    return keys.take(encoded.indices)


def place_facts(dispatch: pa.Table) -> pa.Table:
    """One fact per seller and normalised dispatch place (`dispatch`: seller_id, province, city)."""
    provinces = pc.fill_null(_place_keys(dispatch.column("province")), "")
    cities = _place_keys(dispatch.column("city"))
    # A place without a city is too coarse to link anyone; the join is null where the city is.
    values = pc.binary_join_element_wise(provinces, cities, "/")
    table = pa.table(
        {
            "seller_id": dispatch.column("seller_id"),
            "kind": pa.repeat(pa.scalar("dispatch", pa.string()), dispatch.num_rows),
            "value": values,
        },
        schema=FACT_SCHEMA,
    )
    return table.filter(pc.is_valid(table.column("value")))


def listing_images(engine: Source, as_of: datetime | None = None) -> pa.Table:
    listings = _before(engine.table("listings"), "listed_at", as_of)
    shops = engine.table("shops")
    joined = listings.join(shops, listings.shop_id == shops.shop_id)
    expr = joined.filter(joined.image_hash.notnull()).select("seller_id", "image_hash").distinct()
    return engine.to_arrow(expr)


def dispatch_places(engine: Source, as_of: datetime | None = None) -> pa.Table:
    """Distinct (seller, province, city) the seller's orders and listings ship from."""
    listings = _before(engine.table("listings"), "listed_at", as_of)
    shops = engine.table("shops")
    orders = _before(engine.table("orders"), "ordered_at", as_of)
    owned = listings.join(shops, listings.shop_id == shops.shop_id).select(
        "listing_id", "seller_id", "ship_from_province", "ship_from_city"
    )
    from_orders = orders.join(owned.select("listing_id", "seller_id"), "listing_id").select(
        "seller_id", province=orders.ship_from_province, city=orders.ship_from_city
    )
    from_listings = owned.select("seller_id", province=owned.ship_from_province, city=owned.ship_from_city)
    both = from_orders.union(from_listings).filter(lambda t: t.city.notnull()).distinct()
    return engine.to_arrow(both)


def gather_facts(engine: Source, *, image_hash_max_bits: int, as_of: datetime | None = None) -> Facts:
    """Every shared-value fact of the snapshot (only what existed before `as_of`, when given)."""
    sellers = _before(engine.table("sellers"), "registered_at", as_of)
    normalised = normalise_sellers(engine.to_arrow(sellers))
    parts = [identity_facts(normalised)]
    parts.append(image_facts(listing_images(engine, as_of), image_hash_max_bits))
    parts.append(place_facts(dispatch_places(engine, as_of)))
    known = normalised.column("seller_id").combine_chunks()
    facts = pa.concat_tables(parts)
    facts = facts.filter(pc.is_in(facts.column("seller_id"), value_set=known))
    return Facts(facts, normalised)
