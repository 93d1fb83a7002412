"""`simulate_marketplace`: build a whole marketplace stage by stage and write it in the contract format,
with its ground truth in `_truth/`. Deterministic per seed; activity is generated and written in blocks.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fakescope.analytics.simulate import textops, vocab
from fakescope.analytics.simulate.activity import Counters, simulate_block
from fakescope.analytics.simulate.catalog import build_catalog
from fakescope.analytics.simulate.identity import build_identities, render
from fakescope.analytics.simulate.listings import build_listings
from fakescope.analytics.simulate.oversight import bans, rights_holder_reports, spot_checks
from fakescope.analytics.simulate.population import AS_OF, ROLE_NAMES, build_population, build_shops
from fakescope.analytics.simulate.sink import TableSink, times, write_table
from fakescope.contract import load_contract
from fakescope.errors import UsageError

Progress = Callable[[str, int, int], None]
BLOCK = 100_000
FORMATS = ("parquet", "csv")
TRUTH_DIR = "_truth"
AS_OF_TIME = datetime.fromtimestamp(AS_OF, UTC)


@dataclass(frozen=True)
class SimulationSummary:
    """What was written: where, row counts per table, the true prevalence, the as-of time, seconds taken."""

    out: Path
    listings: int
    seed: int
    fmt: str
    rows: dict[str, int] = field(default_factory=dict)
    counterfeit_listings: int = 0
    prevalence: float = 0.0
    as_of: datetime = AS_OF_TIME
    seconds: float = 0.0


def _stage(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def simulate_marketplace(
    out: Path | str, *, listings: int, seed: int, fmt: str = "parquet", progress: Progress | None = None
) -> SimulationSummary:
    """Write a simulated marketplace of `listings` listings into `out` (contract tables) and `out/_truth/`."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if listings < 100:
        raise UsageError(f"--listings must be at least 100 (got {listings})")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    truth_dir = out / TRUTH_DIR
    if truth_dir.exists():
        shutil.rmtree(truth_dir)
    truth_dir.mkdir()
    for old in out.glob("*"):
        if old.is_file() and old.suffix in (".parquet", ".csv"):
            old.unlink()
    contract = load_contract()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    rows: dict[str, int] = {}
    _stage(progress, "sellers", 0, 1)
    catalog = build_catalog(streams[0], listings)
    pop = build_population(streams[1], listings)
    shops = build_shops(streams[1], pop)
    ids = build_identities(streams[2], pop)
    seller_ids = textops.ids("M", np.arange(1, pop.n + 1), 7)
    identity_columns = render(streams[3], ids)
    rows["brands"] = write_table(out, contract.table("brands"), fmt, catalog.brand_columns)
    rows["products"] = write_table(out, contract.table("products"), fmt, catalog.product_columns)
    rows["sellers"] = write_table(
        out,
        contract.table("sellers"),
        fmt,
        {"seller_id": seller_ids, "registered_at": times(pop.registered), **identity_columns},
    )
    rng = streams[4]
    shop_names = textops.join(
        textops.pick(
            [w[0] for w in vocab.TRADE_WORDS] + [w[1] for w in vocab.TRADE_WORDS],
            rng.integers(0, 2 * len(vocab.TRADE_WORDS), shops.n),
        ),
        textops.pick(vocab.SHOP_SUFFIX, rng.integers(0, len(vocab.SHOP_SUFFIX), shops.n)),
    )
    closed = shops.closed >= 0
    shop_status = np.where(closed, 1, 0)
    rows["shops"] = write_table(
        out,
        contract.table("shops"),
        fmt,
        {
            "shop_id": textops.ids("S", np.arange(1, shops.n + 1), 7),
            "seller_id": seller_ids.take(pa.array(shops.seller)),
            "name": shop_names,
            "opened_at": times(shops.opened),
            "status": textops.pick(("active", "closed"), shop_status, closed | (rng.random(shops.n) < 0.7)),
            "closed_at": times(shops.closed, closed),
        },
    )
    _stage(progress, "sellers", 1, 1)
    _stage(progress, "listings", 0, 1)
    lst = build_listings(rng, listings, pop, shops, ids, catalog)
    lst.columns["shop_id"] = textops.ids("S", lst.shop + 1, 7)
    rows["listings"] = write_table(out, contract.table("listings"), fmt, lst.columns)

    _stage(progress, "listings", 1, 1)
    sinks = {name: TableSink(out, contract.table(name), fmt) for name in ("orders", "reviews", "disputes")}
    cf_disputes = np.zeros(listings, dtype=np.int64)
    counters = Counters()
    n_buyers = max(2_000, int(listings * 1.2))
    blocks = list(range(0, listings, BLOCK))
    block_streams = np.random.SeedSequence([seed, 7]).spawn(len(blocks))
    _stage(progress, "orders, reviews, disputes", 0, len(blocks))
    try:
        for b, lo in enumerate(blocks):
            hi = min(lo + BLOCK, listings)
            parts = simulate_block(
                np.random.default_rng(block_streams[b]), lst, lo, hi, counters, n_buyers, cf_disputes
            )
            for name, columns in zip(("orders", "reviews", "disputes"), parts, strict=True):
                sinks[name].write(columns)
            _stage(progress, "orders, reviews, disputes", b + 1, len(blocks))
    finally:
        for sink in sinks.values():
            sink.close()
    rows.update({name: sink.rows for name, sink in sinks.items()})

    _stage(progress, "reports, checks, bans", 0, 1)
    oversight_rng = streams[5]
    reports, reported = rights_holder_reports(oversight_rng, lst, pop, catalog)
    rows["rights_holder_reports"] = write_table(out, contract.table("rights_holder_reports"), fmt, reports)
    rows["spot_checks"] = write_table(
        out, contract.table("spot_checks"), fmt, spot_checks(oversight_rng, lst, cf_disputes, reported)
    )
    rows["bans"] = write_table(out, contract.table("bans"), fmt, bans(oversight_rng, pop, seller_ids))

    _stage(progress, "reports, checks, bans", 1, 1)
    _stage(progress, "truth", 0, 1)
    pq.write_table(
        pa.table({"listing_id": lst.columns["listing_id"], "counterfeit": pa.array(lst.fake)}),
        truth_dir / "listings.parquet",
    )
    comeback = pop.comeback_of >= 0
    pq.write_table(
        pa.table(
            {
                "seller_id": seller_ids,
                "person_id": textops.ids("H", pop.person + 1, 7),
                "ring_id": textops.where(pop.ring >= 0, textops.ids("G", pop.ring + 1, 5)),
                "role": textops.pick(ROLE_NAMES, pop.role),
                "comeback_of": textops.where(
                    comeback, seller_ids.take(pa.array(np.maximum(pop.comeback_of, 0)))
                ),
            }
        ),
        truth_dir / "sellers.parquet",
    )
    _stage(progress, "truth", 1, 1)
    n_fake = int(lst.fake.sum())
    return SimulationSummary(
        out=out,
        listings=listings,
        seed=seed,
        fmt=fmt,
        rows=rows,
        counterfeit_listings=n_fake,
        prevalence=n_fake / listings,
        seconds=time.perf_counter() - started,
    )
