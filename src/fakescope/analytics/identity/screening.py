"""Screening: every seller (or those registered since a date) against every other banned seller.

One row per seller with its best banned match, the match probability, the decision and the agreeing fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fakescope.analytics.identity.activity import with_activity
from fakescope.analytics.identity.blocking import with_blocking_keys
from fakescope.analytics.identity.fields import (
    BLOCKING_COLUMNS,
    Field,
    agreeing,
    carried_over,
    carried_over_sql,
    corroborating,
    corroborating_sql,
    supported,
    supported_sql,
)
from fakescope.analytics.identity.model import FittedModel, fit
from fakescope.analytics.identity.normalise import Coverage, coverage, normalise_sellers

SCREEN_SCHEMA = pa.schema(
    [
        ("seller_id", pa.string()),
        ("banned_seller_id", pa.string()),
        ("match_probability", pa.float64()),
        ("decision", pa.string()),
        ("agreeing_fields", pa.list_(pa.string())),
    ]
)

Progress = Callable[[str], None]


@dataclass
class ScreenResult:
    """The screen's rows, the model that scored them, and what the sellers table lacked."""

    table: pa.Table
    model: FittedModel
    coverage: Coverage
    banned: int

    def counts(self) -> dict[str, int]:
        decisions = self.table.column("decision").to_pylist()
        return {d: decisions.count(d) for d in ("block", "review", "allow")}


def decide(
    probability: float,
    *,
    block_threshold: float,
    review_threshold: float,
    predates_ban: bool = False,
    corroborating: int = 0,
    block_corroborating: int = 0,
    supported: bool = True,
    carried: int = 0,
    block_carried_over: int = 0,
) -> str:
    """`block`, `review` or `allow` for a match probability at the configured thresholds. A seller who
    registered before the banned seller's ban cannot be coming back from it: at most `review`. One who shares
    `block_corroborating` personal values with it (see `fields.corroborating`; 0 turns this off) is blocked
    whatever the model says: a ring's dealers share its phones and accounts with other live shops too. With
    that rule on, a probable match that is not `supported` (see `fields.supported`) is at most `review`. One
    who carries over `block_carried_over` of the banned seller's own identifiers (see `fields.carried_over`;
    0 turns this off) is blocked too: nobody else held them while either was active."""
    corroborated = block_corroborating > 0 and corroborating >= block_corroborating
    corroborated = corroborated or (block_carried_over > 0 and carried >= block_carried_over)
    probable = probability >= block_threshold and (supported or block_corroborating <= 0)
    if (probable or corroborated) and not predates_ban:
        return "block"
    if probability >= review_threshold:
        return "review"
    return "allow"


def _best_per_seller_sql(
    fields: tuple[Field, ...],
    bans_table: str,
    block_threshold: float,
    block_corroborating: int,
    block_carried_over: int = 0,
) -> str:
    # Plain SQL over Splink's predictions, so it runs on whichever backend Splink runs on. The best match
    # is a blockable one if any (registered after that ban, probable or corroborated), then the most probable.
    gammas = "".join(f", p.gamma_{f.name}" for f in fields)
    corroborating = corroborating_sql(fields, "p")
    strong = (
        f"p.match_probability >= {float(block_threshold)!r}"
        if block_corroborating <= 0
        else f"((p.match_probability >= {float(block_threshold)!r} and {supported_sql(fields, 'p')}) "
        f"or {corroborating} >= {int(block_corroborating)})"
    )
    if block_carried_over > 0:
        strong = f"({strong} or ({carried_over_sql(fields, 'p')}) >= {int(block_carried_over)})"
    return f"""
    select seller_id_l, seller_id_r, match_probability, predates_ban{gammas.replace("p.", "")} from (
        select p.seller_id_l, p.seller_id_r, p.match_probability, {gammas.lstrip(", ")},
               (b.banned_at is null or p.registered_at_l is null or p.registered_at_l < b.banned_at)
                   as predates_ban,
               row_number() over (
                   partition by p.seller_id_l
                   order by case when {strong}
                                  and b.banned_at is not null and p.registered_at_l >= b.banned_at
                             then 1 else 0 end desc,
                            p.match_probability desc, p.seller_id_r
               ) as fakescope_rank
        from {{this}} p
        left join {bans_table} b on b.seller_id = p.seller_id_r
        where p.seller_id_l <> p.seller_id_r
    ) ranked
    where fakescope_rank = 1
    """


def _levels(best: pa.Table, fields: tuple[Field, ...]) -> list[list[int]]:
    gammas = [best.column(f"gamma_{f.name}").to_pylist() for f in fields]
    out: list[list[int]] = []
    for row in range(best.num_rows):
        levels = []
        for f, column in zip(fields, gammas, strict=True):
            gamma = column[row]
            levels.append(0 if gamma is None or gamma < 0 else len(f.levels) - 1 - gamma)
        out.append(levels)
    return out


def screen_sellers(
    sellers: pa.Table,
    bans: Mapping[str, datetime | None],
    *,
    block_threshold: float,
    review_threshold: float,
    since: datetime | None = None,
    progress: Progress | None = None,
    model: FittedModel | None = None,
    block_corroborating: int = 0,
    block_carried_over: int = 0,
    connection: Any = None,
) -> ScreenResult:
    """Screen the sellers of an Arrow table against the banned ones among them (no I/O).

    `bans` maps each banned seller to when the ban was made (None: just now, as for a ban enforcement made
    after the snapshot). A model is trained when none is given, in `connection` if one is (see `fit`)."""
    say = progress or (lambda _message: None)
    say("normalising identities")
    normalised = with_activity(normalise_sellers(sellers), bans)
    # Holders are counted over every seller, also when only those registered since a date are screened.
    normalised = with_blocking_keys(normalised, BLOCKING_COLUMNS)
    if model is None:
        say("training the identity model (EM)")
        model = fit(normalised, connection=connection)
    banned_set = {str(b) for b in bans}
    is_banned = pc.is_in(normalised["seller_id"], value_set=pa.array(sorted(banned_set), pa.string()))
    right = normalised.filter(is_banned)
    left = normalised
    if since is not None:
        left = normalised.filter(pc.fill_null(pc.greater_equal(normalised["registered_at"], since), False))
    say(f"matching {left.num_rows} sellers against {right.num_rows} banned")
    ban_times = pa.table(
        {
            "seller_id": pa.array(sorted(banned_set), pa.string()),
            "banned_at": pa.array([bans[b] for b in sorted(banned_set)], pa.timestamp("us")),
        }
    )
    best = _match(model, left, right, ban_times, block_threshold, block_corroborating, block_carried_over)
    fields = model.scorecard.fields
    best_by_seller: dict[str, tuple[str, float, bool, list[str], int, bool, int]] = {}
    if best.num_rows:
        for seller, banned, probability, predates, levels in zip(
            best["seller_id_l"].to_pylist(),
            best["seller_id_r"].to_pylist(),
            best["match_probability"].to_pylist(),
            best["predates_ban"].to_pylist(),
            _levels(best, fields),
            strict=True,
        ):
            best_by_seller[seller] = (
                banned, float(probability), bool(predates), agreeing(fields, levels),
                corroborating(fields, levels), supported(fields, levels), carried_over(fields, levels),
            )  # fmt: skip
    rows: dict[str, list[Any]] = {name: [] for name in SCREEN_SCHEMA.names}
    for seller in left["seller_id"].to_pylist():
        banned, probability, predates, agree, corroborated, backed, carried = best_by_seller.get(
            seller, (None, 0.0, False, [], 0, False, 0)
        )
        rows["seller_id"].append(seller)
        rows["banned_seller_id"].append(banned)
        rows["match_probability"].append(probability)
        rows["decision"].append(
            decide(
                probability,
                block_threshold=block_threshold,
                review_threshold=review_threshold,
                predates_ban=predates,
                corroborating=corroborated,
                block_corroborating=block_corroborating,
                supported=backed,
                carried=carried,
                block_carried_over=block_carried_over,
            )
        )
        rows["agreeing_fields"].append(agree)
    table = pa.table(rows, schema=SCREEN_SCHEMA)
    return ScreenResult(table, model, coverage(sellers), right.num_rows)


def _match(
    model: FittedModel,
    left: pa.Table,
    right: pa.Table,
    ban_times: pa.Table,
    block_threshold: float,
    block_corroborating: int,
    block_carried_over: int,
) -> pa.Table:
    if left.num_rows == 0 or right.num_rows == 0:
        return pa.table({"seller_id_l": pa.array([], pa.string())})
    db_api = model.db_api
    left_frame = db_api.register(left)
    right_frame = db_api.register(right)
    bans_frame = db_api.register(ban_times)
    try:
        predictions = model.linker.inference.predict_between(left_frame, right_frame, warning_mode="never")
        sql = _best_per_seller_sql(
            model.scorecard.fields,
            bans_frame.physical_name,
            block_threshold,
            block_corroborating,
            block_carried_over,
        )
        best_frame = predictions.query_sql(sql)
        best = best_frame.as_pyarrow_table()
        for frame in (predictions, best_frame):
            frame.drop_table_from_database_and_remove_from_cache()
    finally:
        for frame in (left_frame, right_frame, bans_frame):
            db_api.delete_table_from_database(frame.physical_name)
    return best
