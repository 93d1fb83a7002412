"""Screening a hand-made market: comebacks found (twice when twice), nobody matched to themselves, the batch
Splink scores and the live scorecard agree, a table with only names still screens, and how soon after a
ban a shop opened is weighed as EM learned it."""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from identity_factories import Market, ban_times

from fakescope.analytics.identity.activity import ACTIVE_FROM, ACTIVE_UNTIL, FOREVER, with_activity
from fakescope.analytics.identity.fields import (
    FIELDS,
    SUCCESSION,
    carried_over,
    carried_over_sql,
    corroborating,
    corroborating_sql,
    level_index,
    named_identifiers,
    named_identifiers_sql,
    personal,
    personal_sql,
    supported,
    supported_sql,
)
from fakescope.analytics.identity.index import ScreeningIndex, saved_is_current
from fakescope.analytics.identity.normalise import normalise_sellers
from fakescope.analytics.identity.screening import DecisionRules, ScreenResult, decide, screen_sellers

# Every block rule on, as the settings' defaults turn them on.
ALL_RULES = DecisionRules(0.9, 0.5, block_corroborating=2, block_carried_over=1, block_named_identifiers=1)


def _rows(result: ScreenResult) -> dict[str, dict]:  # type: ignore[type-arg]
    return {row["seller_id"]: row for row in result.table.to_pylist()}


def test_one_row_per_seller_banned_ones_included(small_market: Market, small_screen: ScreenResult) -> None:
    assert small_screen.table.num_rows == small_market.sellers.num_rows
    assert small_screen.table.column_names == [
        "seller_id", "banned_seller_id", "match_probability", "decision", "agreeing_fields"
    ]  # fmt: skip
    banned = set(small_market.bans["seller_id"].to_pylist())
    for seller, row in _rows(small_screen).items():
        assert row["banned_seller_id"] != seller
        if row["banned_seller_id"] is not None:
            assert row["banned_seller_id"] in banned


def test_comebacks_are_blocked_with_their_banned_self(
    small_market: Market, small_screen: ScreenResult
) -> None:
    rows = _rows(small_screen)
    person = small_market.person_of
    found = [s for s in small_market.comeback_of if rows[s]["decision"] == "block"
             and person[rows[s]["banned_seller_id"]] == person[s]]  # fmt: skip
    blocked = [s for s, r in rows.items() if r["decision"] == "block"]
    wrong = [s for s in blocked if person[rows[s]["banned_seller_id"]] != person[s]]
    assert len(found) >= 0.9 * len(small_market.comeback_of)
    assert len(wrong) <= 0.05 * len(blocked)
    assert "legal_name" in rows[found[0]]["agreeing_fields"] or rows[found[0]]["agreeing_fields"]


def test_a_seller_who_comes_back_twice_is_found_both_times(
    small_market: Market, small_screen: ScreenResult
) -> None:
    rows = _rows(small_screen)
    by_original: dict[str, list[str]] = {}
    for comeback, original in small_market.comeback_of.items():
        by_original.setdefault(original, []).append(comeback)
    twice = [c for c in by_original.values() if len(c) == 2]
    assert twice, "the factory makes people who come back twice"
    both = [c for c in twice if all(rows[s]["decision"] == "block" for s in c)]
    assert len(both) >= 0.9 * len(twice)


def test_batch_scores_equal_the_live_scorecard(small_market: Market, small_screen: ScreenResult) -> None:
    table = with_activity(normalise_sellers(small_market.sellers), ban_times(small_market))
    normalised = {r["seller_id"]: r for r in table.to_pylist()}
    scorecard = small_screen.model.scorecard
    compared = 0
    for row in small_screen.table.to_pylist():
        if row["banned_seller_id"] is None:
            continue
        left, right = normalised[row["seller_id"]], normalised[row["banned_seller_id"]]
        levels = scorecard.levels(left, right)
        assert scorecard.probability(levels, left) == pytest.approx(row["match_probability"], abs=1e-6)
        compared += 1
    assert compared > 50


def test_registered_before_the_ban_is_at_most_review() -> None:
    assert decide(0.99, block_threshold=0.9, review_threshold=0.5) == "block"
    assert decide(0.99, block_threshold=0.9, review_threshold=0.5, predates_ban=True) == "review"
    assert decide(0.6, block_threshold=0.9, review_threshold=0.5) == "review"
    assert decide(0.1, block_threshold=0.9, review_threshold=0.5) == "allow"


def test_since_screens_only_recent_registrations(small_market: Market, small_screen: ScreenResult) -> None:
    since = datetime(2025, 6, 1)
    recent = screen_sellers(
        small_market.sellers, ban_times(small_market), DecisionRules(0.9, 0.5), since=since,
        model=small_screen.model,
    )  # fmt: skip
    registered = {r["seller_id"]: r["registered_at"] for r in small_market.sellers.to_pylist()}
    assert 0 < recent.table.num_rows < small_market.sellers.num_rows
    assert all(registered[s] >= since for s in recent.table["seller_id"].to_pylist())
    before = _rows(small_screen)
    for row in recent.table.to_pylist():
        assert row["decision"] == before[row["seller_id"]]["decision"]


def test_names_only_still_screens_and_says_what_it_lacked(small_market: Market) -> None:
    names_only = small_market.sellers.select(["seller_id", "registered_at", "legal_name"])
    result = screen_sellers(names_only, ban_times(small_market), DecisionRules(0.9, 0.5))
    assert result.table.num_rows == names_only.num_rows
    assert set(result.coverage.lacking) == {
        "id_number", "phone", "email", "bank_account", "address", "province", "city", "device_id"
    }  # fmt: skip
    assert "without" in result.coverage.describe()
    matched = pc.sum(pc.is_valid(result.table["banned_seller_id"])).as_py()
    assert matched > 0
    # The name is the only identifier compared; when each shop opened after a ban is known from the rest.
    assert [f.name for f in result.model.scorecard.fields] == ["name", "succession"]


def test_no_bans_allows_everyone(small_market: Market) -> None:
    result = screen_sellers(small_market.sellers.slice(0, 60), {}, DecisionRules(0.9, 0.5))
    assert set(result.table["decision"].to_pylist()) == {"allow"}
    assert result.table["banned_seller_id"].null_count == 60
    assert isinstance(result.table, pa.Table)


def _live_agrees_with_batch(market: Market, bans: dict[str, datetime | None], batch: ScreenResult) -> int:
    index = ScreeningIndex(market.sellers, batch.model.scorecard, "test", bans)
    compared = 0
    for registration, row in zip(market.sellers.to_pylist(), batch.table.to_pylist(), strict=True):
        live = index.screen(registration, bans, ALL_RULES)
        assert (live.decision, live.banned_seller_id) == (row["decision"], row["banned_seller_id"])
        assert live.match_probability == pytest.approx(row["match_probability"], abs=1e-6)
        compared += row["decision"] != "allow"
    return compared


def test_live_index_decides_as_the_batch_screen(small_market: Market) -> None:
    bans: dict[str, datetime | None] = dict(ban_times(small_market))
    batch = screen_sellers(small_market.sellers, bans, ALL_RULES)
    assert _live_agrees_with_batch(small_market, bans, batch) > 20
    assert batch.counts()["block"] > 0


def test_a_ban_of_unknown_time_is_at_most_review_in_batch_and_live(small_market: Market) -> None:
    # Enforcement's bans come without a time: nobody can be shown to have registered after them.
    bans: dict[str, datetime | None] = {seller: None for seller in ban_times(small_market)}
    batch = screen_sellers(small_market.sellers, bans, ALL_RULES)
    assert batch.counts()["block"] == 0 and batch.counts()["review"] > 0
    assert _live_agrees_with_batch(small_market, bans, batch) > 0


def test_one_carried_over_identifier_blocks_only_after_the_ban() -> None:
    rules = {"block_threshold": 0.9, "review_threshold": 0.5, "block_carried_over": 1}
    assert decide(0.1, carried=1, **rules) == "block"  # type: ignore[arg-type]
    assert decide(0.1, carried=1, predates_ban=True, **rules) == "allow"  # type: ignore[arg-type]
    assert decide(0.1, carried=0, **rules) == "allow"  # type: ignore[arg-type]
    assert decide(0.1, carried=1, block_threshold=0.9, review_threshold=0.5) == "allow"


def test_the_rules_block_only_a_pair_as_timely_as_comebacks() -> None:
    rules = {"block_threshold": 0.9, "review_threshold": 0.5}
    rules.update(block_carried_over=1, block_corroborating=2)
    # A dealer opening whenever it liked with its banned factory's phone is not blocked on that phone alone.
    assert decide(0.1, carried=1, timely=False, **rules) == "allow"  # type: ignore[arg-type]
    assert decide(0.1, corroborating=2, timely=False, **rules) == "allow"  # type: ignore[arg-type]
    assert decide(0.1, carried=1, timely=True, **rules) == "block"  # type: ignore[arg-type]
    # A probable match that opened long after the ban is blocked on the name or ID number it kept, not on
    # the phones and accounts its ring shares.
    assert decide(0.97, corroborating=1, timely=False, **rules) == "block"  # type: ignore[arg-type]
    assert decide(0.97, corroborating=1, timely=False, personal=False, **rules) == "review"  # type: ignore[arg-type]
    assert decide(0.97, corroborating=1, timely=True, personal=False, **rules) == "block"  # type: ignore[arg-type]


def test_the_same_name_with_a_shared_identifier_blocks_a_timely_comeback() -> None:
    rules = {"block_threshold": 0.9, "review_threshold": 0.5, "block_named_identifiers": 1}
    assert decide(0.2, named=1, **rules) == "block"  # type: ignore[arg-type]
    assert decide(0.2, named=1, timely=False, **rules) == "allow"  # type: ignore[arg-type]
    assert decide(0.2, named=1, predates_ban=True, **rules) == "allow"  # type: ignore[arg-type]
    assert decide(0.2, named=0, **rules) == "allow"  # type: ignore[arg-type]
    assert decide(0.2, named=1, block_threshold=0.9, review_threshold=0.5) == "allow"


def _succession_level(registered_days_after_ban: int | None, *, banned: bool = True) -> str:
    day = 86_400 * 1_000_000
    banned_seller = {ACTIVE_FROM: 0, ACTIVE_UNTIL: 400 * day if banned else FOREVER}
    start = 0 if registered_days_after_ban is None else 400 * day + registered_days_after_ban * day
    newcomer = {ACTIVE_FROM: start, ACTIVE_UNTIL: FOREVER}
    field = next(f for f in FIELDS if f.name == SUCCESSION)
    level = field.levels[level_index(field, newcomer, banned_seller)]
    assert level_index(field, banned_seller, newcomer) == field.levels.index(level), "either order"
    return level.kind if level.kind != "succession" else f"within {level.param}"


def test_succession_says_how_soon_after_a_ban_a_shop_opened() -> None:
    assert _succession_level(10) == "within 30"
    assert _succession_level(31) == "within 60"
    assert _succession_level(100) == "within 120"
    assert _succession_level(150) == "within 180"
    assert _succession_level(200) == "within 365"
    assert _succession_level(800) == "else"
    assert _succession_level(-5) == "else"  # opened before the ban
    assert _succession_level(10, banned=False) == "unended"


def test_the_model_learns_how_soon_comebacks_open(small_screen: ScreenResult) -> None:
    # The hand-made comebacks open 20 to 110 days after their bans: EM weighs those levels for a match
    # and a shop that opened long after (or before) against.
    scorecard = small_screen.model.scorecard
    field = next(f for f in scorecard.fields if f.name == SUCCESSION)
    timely = scorecard.timely_levels()
    assert timely is not None
    within = {f"within {field.levels[p].param}" for p in timely}
    assert "within 120" in within
    weights = scorecard.level_weights[scorecard.fields.index(field)]
    assert weights[-1] < 0


def _levels(**named: str) -> list[int]:
    """Levels of FIELDS by kind name (the first level of that kind; `else` for fields not named)."""
    out = []
    for f in FIELDS:
        kinds = [lv.kind for lv in f.levels]
        out.append(kinds.index(named[f.name]) if f.name in named else len(f.levels) - 1)  # type: ignore[arg-type]
    return out


def test_same_name_counts_the_identifiers_beside_it() -> None:
    shared_phone = _levels(name="exact", phone="exact")
    assert named_identifiers(FIELDS, shared_phone) == 1 and personal(FIELDS, shared_phone)
    # Shared street words are no identifier; without the name nothing counts.
    assert named_identifiers(FIELDS, _levels(name="levenshtein", address="intersect")) == 0
    assert named_identifiers(FIELDS, _levels(phone="private", device="exact")) == 0
    assert not personal(FIELDS, _levels(phone="private", device="exact"))
    assert personal(FIELDS, _levels(id_number="levenshtein"))


def test_rule_sql_counts_as_the_python_rules() -> None:
    # The batch screen ranks by the SQL forms, the live index by the Python ones: they must agree.
    rng = np.random.default_rng(5)
    combos = [[int(rng.integers(0, len(f.levels))) for f in FIELDS] for _ in range(400)]
    table = pa.table(
        {f"gamma_{f.name}": [len(f.levels) - 1 - c[i] for c in combos] for i, f in enumerate(FIELDS)}
    )
    con = duckdb.connect()
    con.register("p", table)
    checks = [
        (corroborating_sql(FIELDS, "p"), corroborating),
        (carried_over_sql(FIELDS, "p"), carried_over),
        (named_identifiers_sql(FIELDS, "p"), named_identifiers),
        (f"cast({supported_sql(FIELDS, 'p')} as int)", supported),
        (f"cast({personal_sql(FIELDS, 'p')} as int)", personal),
    ]
    for sql, python in checks:
        got = [row[0] for row in con.execute(f"select {sql} from p").fetchall()]
        assert got == [int(python(FIELDS, c)) for c in combos], sql


def test_a_scorecard_saved_for_other_field_levels_is_trained_again(
    small_market: Market, small_screen: ScreenResult
) -> None:
    # Weights saved by a version that declared other levels would be read against the wrong ones.
    saved = {"snapshot_fingerprint": "snap", **small_screen.model.scorecard.to_dict()}
    assert saved_is_current(saved, "snap") and not saved_is_current(saved, "another snapshot")
    field = saved["fields"].index(SUCCESSION)
    stale = {**saved, "levels": {**saved["levels"], SUCCESSION: saved["levels"][SUCCESSION][:-2]}}
    stale["level_weights"] = [*saved["level_weights"]]
    stale["level_weights"][field] = saved["level_weights"][field][:-2]
    assert not saved_is_current(stale, "snap")
    bans: dict[str, datetime | None] = dict(ban_times(small_market))
    index = ScreeningIndex.build(small_market.sellers, "snap", stale, bans)
    for f, weights in zip(index.scorecard.fields, index.scorecard.level_weights, strict=True):
        assert len(weights) == len(f.levels), f.name
    registration = small_market.sellers.slice(0, 1).to_pylist()[0]
    assert index.screen(registration, bans, DecisionRules(0.9, 0.5)).decision in {
        "block", "review", "allow"
    }  # fmt: skip
