"""Plain Splink, set up the way its own tutorial deduplicates people: raw columns, library comparisons,
the tutorial's training steps; the yardstick our screening must meet on the same sellers and bans."""

from __future__ import annotations

import logging
from datetime import datetime

import pyarrow as pa

COLUMNS = [
    "seller_id",
    "legal_name",
    "id_number",
    "phone",
    "email",
    "bank_account",
    "address",
    "city",
    "device_id",
]


def plain_splink_best_matches(
    sellers: pa.Table, bans: dict[str, datetime | None]
) -> dict[str, tuple[str | None, float]]:
    """Every seller's best banned match (never itself) and its probability, by the tutorial's recipe."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    raw = sellers.select([c for c in COLUMNS if c in sellers.column_names])
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="seller_id",
        comparisons=[
            cl.NameComparison("legal_name"),
            cl.ExactMatch("id_number"),
            cl.ExactMatch("phone"),
            cl.EmailComparison("email"),
            cl.ExactMatch("bank_account"),
            cl.LevenshteinAtThresholds("address", 3),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("device_id"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("legal_name"),
            block_on("id_number"),
            block_on("phone"),
            block_on("email"),
            block_on("bank_account"),
            block_on("device_id"),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(raw), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), block_on("legal_name", "phone")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("legal_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    predictions = linker.inference.predict().as_pyarrow_table()
    best: dict[str, tuple[str | None, float]] = {}
    for left, right, probability in zip(
        predictions["seller_id_l"].to_pylist(),
        predictions["seller_id_r"].to_pylist(),
        predictions["match_probability"].to_pylist(),
        strict=True,
    ):
        for seller, other in ((left, right), (right, left)):
            if other in bans and other != seller and probability > best.get(seller, (None, -1.0))[1]:
                best[seller] = (other, probability)
    return best
