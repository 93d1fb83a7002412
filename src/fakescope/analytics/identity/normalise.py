"""The sellers table as comparable identity columns (the input of the model, the index and the rings).

Which identity fields a marketplace sent is reported, so a screen can say what it had to go without.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fakescope.analytics.identity import identifiers
from fakescope.analytics.identity.names import name_syllables, tokens_without_places
from fakescope.analytics.identity.places import address_tokens, place_key
from fakescope.machine import usable_cpus

# Contract columns of `sellers` that identify a person, beyond the required legal name.
IDENTITY_FIELDS = ("id_number", "phone", "email", "bank_account", "address", "province", "city", "device_id")

# The normalised columns, and which contract field each comes from.
NORMALISED_FROM = {
    "name_key": "legal_name",
    "name_tokens": "legal_name",
    "id_number_n": "id_number",
    "phone_n": "phone",
    "bank_account_n": "bank_account",
    "email_n": "email",
    "email_user": "email",
    "device_n": "device_id",
    "province_n": "province",
    "city_n": "city",
    "address_key": "address",
    "address_tokens": "address",
}


@dataclass(frozen=True)
class Coverage:
    """How many sellers gave each identity field; `lacking` are the fields nobody gave."""

    counts: dict[str, int]
    rows: int

    @property
    def lacking(self) -> list[str]:
        return [name for name in IDENTITY_FIELDS if self.counts.get(name, 0) == 0]

    def describe(self) -> str:
        if not self.lacking:
            return "all identity fields present"
        return "screened without " + ", ".join(self.lacking) + " (no seller gave them)"


def coverage(sellers: pa.Table) -> Coverage:
    """Non-null counts of the identity fields in a sellers table (absent columns count 0)."""
    counts = {}
    for name in IDENTITY_FIELDS:
        if name in sellers.column_names:
            column = sellers.column(name)
            counts[name] = len(column) - column.null_count
        else:
            counts[name] = 0
    return Coverage(counts=counts, rows=sellers.num_rows)


def _column(sellers: pa.Table, name: str) -> pa.Array:
    if name in sellers.column_names:
        return sellers.column(name).combine_chunks()
    return pa.nulls(sellers.num_rows, pa.string())


def _mapped(values: list[str | None], fn: Callable[[str], object]) -> list[object]:
    # Each distinct value once: provinces, cities and shared addresses repeat a lot.
    cache: dict[str, object] = {}
    out: list[object] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        found = cache.get(value)
        if found is None:
            found = fn(value)
            cache[value] = found
        out.append(found)
    return out


# Below this many sellers a process of its own costs more (start-up, imports, copying) than it saves.
ROWS_PER_PROCESS = 150_000


def normalise_sellers(sellers: pa.Table, *, processes: int | None = None) -> pa.Table:
    """One row per seller: `seller_id`, `registered_at` and the normalised identity columns (null where the
    seller gave nothing usable).

    Large tables are split over `processes` (default: one per CPU, at least ROWS_PER_PROCESS rows each):
    every row is normalised on its own, so the result is the same however it is split."""
    if processes is None:
        processes = min(usable_cpus(), sellers.num_rows // ROWS_PER_PROCESS)
    if processes <= 1 or sellers.num_rows < 2 or multiprocessing.current_process().daemon:
        return _normalise_part(sellers)
    size = -(-sellers.num_rows // processes)
    parts = [sellers.slice(start, size) for start in range(0, sellers.num_rows, size)]
    # Spawned, not forked: callers may hold DuckDB or web-server threads, whose locks a fork would copy.
    with ProcessPoolExecutor(len(parts) - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
        rest = [pool.submit(_normalise_part, part) for part in parts[1:]]
        first = _normalise_part(parts[0])  # this process takes a share too
        return pa.concat_tables([first, *(future.result() for future in rest)])


def _normalise_part(sellers: pa.Table) -> pa.Table:
    n = sellers.num_rows
    provinces = _mapped(_column(sellers, "province").to_pylist(), place_key)
    cities = _mapped(_column(sellers, "city").to_pylist(), place_key)
    # Many sellers share a name: its syllables are worked out once, the places peeled per seller.
    syllable_cache: dict[str, tuple[str, ...]] = {}
    tokens: list[tuple[str, ...]] = []
    names = _column(sellers, "legal_name").to_pylist()
    for name, province, city in zip(names, provinces, cities, strict=True):
        found_name = syllable_cache.get(name or "")
        if found_name is None:
            found_name = syllable_cache[name or ""] = name_syllables(name)
        tokens.append(tokens_without_places(found_name, (province, city)))  # type: ignore[arg-type]
    name_keys = [" ".join(t) if t else None for t in tokens]
    raw_addresses = _column(sellers, "address").to_pylist()
    addr_cache: dict[tuple[str, object, object], tuple[str, ...]] = {}
    addr_tokens: list[tuple[str, ...] | None] = []
    for address, province, city in zip(raw_addresses, provinces, cities, strict=True):
        if address is None:
            addr_tokens.append(None)
            continue
        key = (address, province, city)
        found = addr_cache.get(key)
        if found is None:
            found = address_tokens(address, drop=(province, city))  # type: ignore[arg-type]
            addr_cache[key] = found
        addr_tokens.append(found or None)
    emails = identifiers.emails(_column(sellers, "email"))
    registered = (
        sellers.column("registered_at").combine_chunks()
        if "registered_at" in sellers.column_names
        else pa.nulls(n, pa.timestamp("us"))
    )
    return pa.table(
        {
            "seller_id": pc_string(sellers.column("seller_id").combine_chunks()),
            "registered_at": registered,
            "name_key": pa.array(name_keys, pa.string()),
            "name_tokens": _string_lists(tokens),
            "id_number_n": identifiers.id_numbers(_column(sellers, "id_number")),
            "phone_n": identifiers.phones(_column(sellers, "phone")),
            "bank_account_n": identifiers.bank_accounts(_column(sellers, "bank_account")),
            "email_n": emails,
            "email_user": identifiers.email_users(emails),
            "device_n": identifiers.devices(_column(sellers, "device_id")),
            "province_n": pa.array(provinces, pa.string()),
            "city_n": pa.array(cities, pa.string()),
            # The same street and number in another city is another place: the key carries the city.
            "address_key": pa.array(
                [f"{c or ''}|{' '.join(t)}" if t else None for t, c in zip(addr_tokens, cities, strict=True)],
                pa.string(),
            ),
            "address_tokens": _string_lists(addr_tokens),
        }
    )


def _string_lists(rows: list[tuple[str, ...]] | list[tuple[str, ...] | None]) -> pa.Array:
    """Tuples of strings as a list array, null for None or empty; built from one flat array and offsets,
    several times faster than converting a million Python lists."""
    lengths = np.fromiter((len(t) if t else 0 for t in rows), dtype=np.int32, count=len(rows))
    offsets = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    flat = pa.array(list(itertools.chain.from_iterable(t for t in rows if t)), pa.string())
    mask = pa.array(lengths == 0)
    return pa.ListArray.from_arrays(pa.array(offsets), flat, mask=mask)


def pc_string(values: pa.Array) -> pa.Array:
    """Identifiers as strings whatever type the table carried them in."""
    return values if pa.types.is_string(values.type) else values.cast(pa.string())
