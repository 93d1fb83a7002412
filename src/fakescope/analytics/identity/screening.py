"""Screening: every seller (or those registered since a date) against every other banned seller.

One row per seller with its best banned match, the match probability, the decision and the agreeing fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
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
    named_identifiers,
    named_identifiers_sql,
    personal,
    personal_sql,
    supported,
    supported_sql,
)
from fakescope.analytics.identity.model import FittedModel, Scorecard, fit
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
    named: int = 0,
    block_named_identifiers: int = 0,
    timely: bool = True,
    personal: bool = True,
) -> str:
    """`block`, `review` or `allow` for a match probability at the configured thresholds. A seller who
    registered before the banned seller's ban cannot be coming back from it: at most `review`. One who shares
    `block_corroborating` personal values with it (see `fields.corroborating`; 0 turns this off) is blocked
    whatever the model says: a ring's dealers share its phones and accounts with other live shops too. With
    that rule on, a probable match that is not `supported` (see `fields.supported`) is at most `review`. One
    who carries over `block_carried_over` of the banned seller's own identifiers (see `fields.carried_over`;
    0 turns this off) is blocked too: nobody else held them while either was active; so is one with its name
    and `block_named_identifiers` of its identifiers, shared or not (see `fields.named_identifiers`). These
    rules hold only for a `timely` pair (opened as soon after the ban as the model learned comebacks do): a
    ring's dealer who carries its factory's phone opened whenever it liked. For the same reason a probable
    match that is not timely needs a `personal` agreement (the name or ID number; see `fields.personal`)."""
    corroborated = block_corroborating > 0 and corroborating >= block_corroborating
    corroborated = corroborated or (block_carried_over > 0 and carried >= block_carried_over)
    corroborated = corroborated or (block_named_identifiers > 0 and named >= block_named_identifiers)
    corroborated = corroborated and timely
    probable = probability >= block_threshold and (supported or block_corroborating <= 0)
    probable = probable and (timely or personal)
    if (probable or corroborated) and not predates_ban:
        return "block"
    if probability >= review_threshold:
        return "review"
    return "allow"


@dataclass(frozen=True)
class DecisionRules:
    """The configured thresholds and block rules `decide` applies (see there), in the batch screen's SQL
    and in the live index alike."""

    block_threshold: float
    review_threshold: float
    block_corroborating: int = 0
    block_carried_over: int = 0
    block_named_identifiers: int = 0

    def decide(self, probability: float, *, predates_ban: bool, evidence: Mapping[str, Any]) -> str:
        """`decide` for one pair, from what `pair_evidence` read of it."""
        return decide(probability, predates_ban=predates_ban, **evidence, **vars(self))


def _best_per_seller_sql(scorecard: Scorecard, bans_table: str, rules: DecisionRules) -> str:
    # Plain SQL over Splink's predictions, so it runs on whichever backend Splink runs on. The best match
    # is a blockable one if any (registered after that ban, probable or corroborated), then the most probable.
    fields = scorecard.fields
    gammas = "".join(f", p.gamma_{f.name}" for f in fields)
    probable = f"p.match_probability >= {float(rules.block_threshold)!r}"
    if rules.block_corroborating > 0:
        probable = f"({probable} and {supported_sql(fields, 'p')})"
    probable = f"({probable} and ({scorecard.timely_sql('p')} or {personal_sql(fields, 'p')}))"
    conditions = []
    if rules.block_corroborating > 0:
        conditions.append(f"({corroborating_sql(fields, 'p')}) >= {int(rules.block_corroborating)}")
    if rules.block_carried_over > 0:
        conditions.append(f"({carried_over_sql(fields, 'p')}) >= {int(rules.block_carried_over)}")
    if rules.block_named_identifiers > 0:
        count = named_identifiers_sql(fields, "p")
        conditions.append(f"({count}) >= {int(rules.block_named_identifiers)}")
    strong = probable
    if conditions:
        strong = f"({probable} or (({' or '.join(conditions)}) and {scorecard.timely_sql('p')}))"
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


# What `decide` reads of a pair with no banned seller in common.
NO_EVIDENCE: Mapping[str, Any] = {"supported": False, "timely": False, "personal": False}


def pair_evidence(scorecard: Scorecard, levels: Sequence[int]) -> dict[str, Any]:
    """What `decide` reads of a pair besides its probability and the ban's timing, from its fields' levels."""
    fields = scorecard.fields
    return {
        "corroborating": corroborating(fields, levels),
        "supported": supported(fields, levels),
        "carried": carried_over(fields, levels),
        "named": named_identifiers(fields, levels),
        "timely": scorecard.timely(levels),
        "personal": personal(fields, levels),
    }


def _gamma_matrix(best: pa.Table, fields: tuple[Field, ...]) -> np.ndarray:
    """Splink's gamma per pair and field as one int matrix (null -> -1)."""
    columns = [
        np.asarray(pc.fill_null(best.column(f"gamma_{f.name}"), -1).to_numpy(), dtype=np.int64)
        for f in fields
    ]
    return np.stack(columns, axis=1) if columns else np.zeros((best.num_rows, 0), dtype=np.int64)


def _levels_of(gammas: np.ndarray, fields: tuple[Field, ...]) -> list[int]:
    # Splink numbers levels from the top (the first non-null level has the highest gamma; null is -1).
    return [0 if g < 0 else len(f.levels) - 1 - int(g) for f, g in zip(fields, gammas, strict=True)]


def screen_sellers(
    sellers: pa.Table,
    bans: Mapping[str, datetime | None],
    rules: DecisionRules,
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    model: FittedModel | None = None,
    connection: Any = None,
) -> ScreenResult:
    """Screen the sellers of an Arrow table against the banned ones among them (no I/O).

    `bans` maps each banned seller to when the ban was made (None: just now, as for a ban enforcement made
    after the snapshot); `rules` decide each best match. A model is trained when none is given, in
    `connection` if one is (see `fit`)."""
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
    best = _match(model, left, right, ban_times, rules)
    table = _rows(left.column("seller_id").combine_chunks(), best, model.scorecard, rules)
    return ScreenResult(table, model, coverage(sellers), right.num_rows)


def _rows(
    sellers: pa.Array,
    best: pa.Table,
    scorecard: Scorecard,
    rules: DecisionRules,
) -> pa.Table:
    """One output row per seller from its best match (if any). The fields' verdicts are worked out once per
    distinct gamma vector and `decision` once per distinct (vector, side of each threshold, predates): a
    million sellers fall in a few hundred such groups."""
    fields = scorecard.fields
    unmatched = rules.decide(0.0, predates_ban=False, evidence=NO_EVIDENCE)
    if best.num_rows == 0:
        return pa.table(
            {
                "seller_id": sellers,
                "banned_seller_id": pa.nulls(len(sellers), pa.string()),
                "match_probability": pa.array(np.zeros(len(sellers))),
                "decision": pa.array([unmatched] * len(sellers), pa.string()),
                "agreeing_fields": pa.array([[]] * len(sellers), pa.list_(pa.string())),
            },
            schema=SCREEN_SCHEMA,
        )
    combos, combo_of = np.unique(_gamma_matrix(best, fields), axis=0, return_inverse=True)
    combo_of = np.asarray(combo_of).reshape(-1)
    verdicts = []
    for gammas in combos:
        levels = _levels_of(gammas, fields)
        verdicts.append((agreeing(fields, levels), pair_evidence(scorecard, levels)))
    probability = np.asarray(best.column("match_probability").to_numpy(), dtype=np.float64)
    predates = np.asarray(pc.fill_null(best.column("predates_ban"), False).to_numpy(zero_copy_only=False))
    # `decide` reads the probability only through the two thresholds, so any row of a group stands for it.
    sides = np.stack(
        [combo_of, probability >= rules.block_threshold, probability >= rules.review_threshold, predates],
        axis=1,
    ).astype(np.int64)
    groups, first, group_of = np.unique(sides, axis=0, return_index=True, return_inverse=True)
    group_of = np.asarray(group_of).reshape(-1)
    group_decision = []
    for (combo, _block_side, _review_side, predated), row in zip(groups, first, strict=True):
        evidence = verdicts[int(combo)][1]
        group_decision.append(
            rules.decide(float(probability[row]), predates_ban=bool(predated), evidence=evidence)
        )
    # Each seller's row in `best`, or the row past its end: no banned seller shares anything with it.
    position = pc.index_in(sellers, value_set=best.column("seller_id_l").combine_chunks())
    none = best.num_rows
    at = np.asarray(pc.fill_null(position, none).to_numpy(zero_copy_only=False), dtype=np.int64)
    matched = at < none
    take = pa.array(np.where(matched, at, 0))
    mask = pa.array(~matched)
    decisions = np.array([*group_decision, unmatched], dtype=object)
    agreeing_lists = pa.array([v[0] for v in verdicts] + [[]], pa.list_(pa.string()))
    row = np.where(matched, at, none)
    return pa.table(
        {
            "seller_id": sellers,
            "banned_seller_id": pc.if_else(
                mask, pa.scalar(None, pa.string()), best["seller_id_r"].take(take)
            ),
            "match_probability": pc.if_else(mask, 0.0, best["match_probability"].take(take)),
            "decision": pa.array(decisions[np.append(group_of, len(group_decision))[row]], pa.string()),
            "agreeing_fields": agreeing_lists.take(pa.array(np.append(combo_of, len(verdicts))[row])),
        },
        schema=SCREEN_SCHEMA,
    )


def _match(
    model: FittedModel, left: pa.Table, right: pa.Table, ban_times: pa.Table, rules: DecisionRules
) -> pa.Table:
    if left.num_rows == 0 or right.num_rows == 0:
        return pa.table({"seller_id_l": pa.array([], pa.string())})
    db_api = model.db_api
    left_frame = db_api.register(left)
    right_frame = db_api.register(right)
    bans_frame = db_api.register(ban_times)
    try:
        predictions = model.linker.inference.predict_between(left_frame, right_frame, warning_mode="never")
        sql = _best_per_seller_sql(model.scorecard, bans_frame.physical_name, rules)
        best_frame = predictions.query_sql(sql)
        best = best_frame.as_pyarrow_table()
        for frame in (predictions, best_frame):
            frame.drop_table_from_database_and_remove_from_cache()
    finally:
        for frame in (left_frame, right_frame, bans_frame):
            db_api.delete_table_from_database(frame.physical_name)
    return best
