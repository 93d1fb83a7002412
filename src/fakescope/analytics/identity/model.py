"""The Fellegi-Sunter identity model: Splink settings built from the declared fields, trained by EM on the
marketplace's own sellers, and its match weights kept as a scorecard the live index can apply without SQL.

Settings use only Splink's comparison and blocking creators, so the same model compiles for Spark later.
"""

from __future__ import annotations

import copy
import functools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from fakescope.analytics.identity.activity import ACTIVE_FROM, co_column, with_activity
from fakescope.analytics.identity.blocking import blocking_key, with_blocking_keys
from fakescope.analytics.identity.fields import (
    BLOCKING_COLUMNS,
    FIELDS,
    NULL_KINDS,
    SUCCESSION,
    Field,
    Level,
    fields_with_data,
    level_index,
    level_signature,
    private_sql,
    succession_sql,
    tf_columns,
    unended_sql,
)

if TYPE_CHECKING:
    from splink import Linker

log = logging.getLogger(__name__)

# No level's m probability goes below this after EM: with few comebacks in the data EM can drive a level's m
# to ~0, and one disagreeing field (a new phone) would then veto every other agreement.
M_FLOOR = 0.01
# An EM session needs this many pairs agreeing on its blocking column.
MIN_EM_PAIRS = 10


def _level_creator(level: Level) -> Any:
    import splink.comparison_level_library as cll

    if level.kind == "else" or level.column is None:
        return cll.ElseLevel()
    if level.kind == "null":
        return cll.NullLevel(level.column)
    if level.kind == "unended":
        return cll.CustomLevel(unended_sql(), label_for_charts="neither banned").configure(is_null_level=True)
    if level.kind == "succession":
        label = f"within {level.param} days of a ban"
        return cll.CustomLevel(succession_sql(level.param), label_for_charts=label)
    if level.kind == "exact":
        return cll.ExactMatchLevel(level.column, term_frequency_adjustments=level.tf)
    if level.kind == "private":
        custom = cll.CustomLevel(private_sql(level.column), label_for_charts=f"{level.column} private")
        if not level.tf:
            return custom
        # The value's frequency stands in for this level's own u (as the scorecard applies it), not for the
        # plain exact level's u that Splink would look up otherwise.
        return custom.configure(tf_adjustment_column=level.column, disable_tf_exact_match_detection=True)
    if level.kind == "levenshtein":
        return cll.LevenshteinLevel(level.column, level.param)
    if level.kind == "intersect":
        return cll.ArrayIntersectLevel(level.column, min_intersection=level.param)
    return cll.ElseLevel()


def splink_settings(fields: Sequence[Field], blocking_columns: Sequence[str]) -> Any:
    """A dedupe model over normalised sellers: one comparison per field, one blocking rule per identifier
    (on its blocking key, see `blocking`)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="seller_id",
        comparisons=[
            cl.CustomComparison(
                comparison_levels=[_level_creator(level) for level in f.levels], output_column_name=f.name
            )
            for f in fields
        ],
        blocking_rules_to_generate_predictions=[block_on(blocking_key(c)) for c in blocking_columns],
        # gamma_* columns (which level each field fell in) are only kept with the matching columns.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["registered_at"],
    )


@dataclass
class Scorecard:
    """The trained model as numbers: prior log2 odds and, per field, the log2 Bayes factor of each level."""

    fields: tuple[Field, ...]
    prior_log2_odds: float
    level_weights: list[list[float]]
    blocking_columns: tuple[str, ...]
    trained_fields: list[str] = field(default_factory=list)
    # Term frequencies: log2 u of each tf level, and per column the counts of values held by 2+ sellers.
    tf_log2_u: list[list[float | None]] = field(default_factory=list)
    tf_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    tf_totals: dict[str, int] = field(default_factory=dict)

    def levels(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> list[int]:
        return [level_index(f, left, right) for f in self.fields]

    def timely_levels(self) -> set[int] | None:
        """The succession levels (positions) the model weighs for a match: how soon after a ban comebacks
        open on this marketplace, as EM learned it. None when there is no succession field."""
        found = self._succession
        return None if found is None else set(found[1])

    @functools.cached_property
    def _succession(self) -> tuple[int, frozenset[int]] | None:
        # Read once: the live index asks for every candidate of every registration.
        for i, (f, weights) in enumerate(zip(self.fields, self.level_weights, strict=True)):
            if f.name == SUCCESSION:
                timely = {p for p, (lv, w) in enumerate(zip(f.levels, weights, strict=True))
                          if lv.kind == "succession" and w > 0}  # fmt: skip
                return i, frozenset(timely)
        return None

    def timely(self, levels: Sequence[int]) -> bool:
        """Whether a pair opened as soon after the other's ban as comebacks do (see `timely_levels`)."""
        found = self._succession
        return found is None or levels[found[0]] in found[1]

    def timely_sql(self, alias: str) -> str:
        """`timely` over Splink's gamma columns."""
        found = self._succession
        if found is None:
            return "true"
        f = self.fields[found[0]]
        gammas = sorted(len(f.levels) - 1 - p for p in found[1])
        return f"{alias}.gamma_{f.name} in ({', '.join(map(str, gammas))})" if gammas else "false"

    def term_frequency(self, column: str, value: Any, *, extra: int = 0) -> float:
        """Share of sellers holding `value` (`extra` counts a registration not among them)."""
        total = self.tf_totals.get(column, 0) + extra
        return (self.tf_counts.get(column, {}).get(value, 1) + extra) / max(total, 1)

    def weight(
        self, levels: Sequence[int], record: Mapping[str, Any] | None = None, *, extra: int = 0
    ) -> float:
        """The match weight (log2 odds) of a pair in these levels; `record` holds the values for tf levels."""
        total = self.prior_log2_odds
        for i, (f, lv) in enumerate(zip(self.fields, levels, strict=True)):
            total += self.level_weights[i][lv]
            log2_u = self.tf_log2_u[i][lv] if self.tf_log2_u else None
            column = f.levels[lv].column
            if log2_u is not None and record is not None and column is not None:
                value = record.get(column)
                if value is not None:
                    total += log2_u - math.log2(self.term_frequency(column, value, extra=extra))
        return total

    def probability(
        self, levels: Sequence[int], record: Mapping[str, Any] | None = None, *, extra: int = 0
    ) -> float:
        weight = self.weight(levels, record, extra=extra)
        if weight > 60:
            return 1.0
        if weight < -60:
            return 0.0
        odds = 2.0**weight
        return odds / (1.0 + odds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prior_log2_odds": self.prior_log2_odds,
            "fields": [f.name for f in self.fields],
            "levels": {f.name: level_signature(f) for f in self.fields},
            "level_weights": self.level_weights,
            "blocking_columns": list(self.blocking_columns),
            "trained_fields": self.trained_fields,
            "tf_log2_u": self.tf_log2_u,
        }

    @staticmethod
    def is_current(data: Mapping[str, Any]) -> bool:
        """Whether a saved scorecard was trained on the fields as declared now: weights learned for another
        version's levels would be read against the wrong levels."""
        by_name = {f.name: f for f in FIELDS}
        saved = data.get("levels")
        if not isinstance(saved, Mapping) or list(saved) != list(data.get("fields", [])):
            return False
        return all(
            name in by_name and level_signature(by_name[name]) == levels for name, levels in saved.items()
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], normalised: pa.Table) -> Scorecard:
        """A saved scorecard back, its term frequencies recounted from the normalised sellers."""
        from fakescope.analytics.identity.fields import FIELDS

        by_name = {f.name: f for f in FIELDS}
        fields = tuple(by_name[name] for name in data["fields"])
        counts, totals = _term_counts(normalised, tf_columns(fields))
        return cls(
            fields, float(data["prior_log2_odds"]), [list(map(float, w)) for w in data["level_weights"]],
            tuple(data["blocking_columns"]), list(data.get("trained_fields", [])),
            [list(row) for row in data.get("tf_log2_u", [])], counts, totals,
        )  # fmt: skip


@dataclass
class FittedModel:
    """A trained Splink linker over the normalised sellers, and its scorecard."""

    linker: Linker
    db_api: Any
    scorecard: Scorecard
    model_json: dict[str, Any]


def present_columns(normalised: pa.Table) -> set[str]:
    return {name for name in normalised.column_names if normalised.column(name).null_count < len(normalised)}


def _splink_levels(linker: Linker, fields: tuple[Field, ...]) -> list[list[Any]]:
    # Splink numbers levels from the top: the first non-null level has the highest comparison vector value.
    out = []
    for f, comparison in zip(fields, linker._settings_obj.comparisons, strict=True):
        by_value = {cl.comparison_vector_value: cl for cl in comparison.comparison_levels}
        top = len(f.levels) - 2
        gammas = [-1 if lv.kind in NULL_KINDS else top - (p - 1) for p, lv in enumerate(f.levels)]
        out.append([by_value[g] for g in gammas])
    return out


def _floor_m(linker: Linker, fields: tuple[Field, ...]) -> None:
    for row in _splink_levels(linker, fields):
        for splink_level in row:
            if splink_level.is_null_level:
                continue
            m = splink_level.m_probability
            if m is not None and m < M_FLOOR:
                splink_level.m_probability = M_FLOOR


def _log2(value: float | None) -> float:
    if value is None or value <= 0 or not math.isfinite(value):
        return 40.0 if value == math.inf else -40.0
    return math.log2(value)


def _term_counts(
    normalised: pa.Table, columns: Sequence[str]
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    import pyarrow.compute as pc

    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for column in columns:
        values = normalised.column(column)
        totals[column] = len(values) - values.null_count
        frequent = pc.value_counts(values.drop_null())
        shared = frequent.filter(pc.greater(frequent.field("counts"), 1))
        counts[column] = dict(
            zip(shared.field("values").to_pylist(), shared.field("counts").to_pylist(), strict=True)
        )
    return counts, totals


def _scorecard(
    linker: Linker, fields: tuple[Field, ...], blocking: tuple[str, ...], normalised: pa.Table
) -> Scorecard:
    weights: list[list[float]] = []
    tf_log2_u: list[list[float | None]] = []
    trained: list[str] = []
    for f, row in zip(fields, _splink_levels(linker, fields), strict=True):
        weights.append([0.0 if sl.is_null_level else _log2(sl._bayes_factor) for sl in row])
        tf_log2_u.append(
            [
                _log2(sl.u_probability) if lv.tf and not sl.is_null_level else None
                for lv, sl in zip(f.levels, row, strict=True)
            ]
        )
        if any(sl._has_estimated_m_values for sl in row if not sl.is_null_level):
            trained.append(f.name)
    p = linker._settings_obj._probability_two_random_records_match
    counts, totals = _term_counts(normalised, tf_columns(fields))
    return Scorecard(fields, math.log2(p / (1 - p)), weights, blocking, trained, tf_log2_u, counts, totals)


def _pairs_sharing(normalised: pa.Table, column: str) -> int:
    import pyarrow.compute as pc

    counts = pc.value_counts(normalised.column(column).drop_null()).field("counts").to_numpy()
    return int((counts * (counts - 1) // 2).sum())


def fit(
    normalised: pa.Table,
    *,
    seed: int = 1,
    u_max_pairs: float | None = None,
    em_max_pairs: float = 1e6,
    connection: Any = None,
) -> FittedModel:
    """Train the model on every seller: u by random sampling, m by EM over pairs that share a name and over
    pairs that share a strong identifier, the prior from deterministic rules. Splink works in `connection`
    (a DuckDB connection, its memory limit and spill folder set by the caller), else in its own."""
    from splink import DuckDBAPI, Linker, block_on
    from splink.blocking_rule_library import CustomRule
    from splink.internals.exceptions import SplinkException

    logging.getLogger("splink").setLevel(logging.ERROR)
    if ACTIVE_FROM not in normalised.column_names:
        normalised = with_activity(normalised, {})  # no bans known: everyone active until now
    present = present_columns(normalised)
    fields = fields_with_data(present)
    blocking = tuple(c for c in BLOCKING_COLUMNS if c in present)
    if any(blocking_key(c) not in normalised.column_names for c in blocking):
        normalised = with_blocking_keys(normalised, blocking)
    db_api = DuckDBAPI() if connection is None else DuckDBAPI(connection)
    frame = db_api.register(normalised, table_name="fakescope_sellers")
    linker = Linker(frame, splink_settings(fields, blocking), log_level=None)
    for column in tf_columns(fields):
        linker.table_management.compute_tf_table(column)
    n = normalised.num_rows
    strong = [c for c in ("id_number_n", "bank_account_n", "phone_n", "device_n") if c in present]
    rules: list[Any] = [block_on(c) for c in strong[:2]]
    if "name_key" in present and "email_n" in present:
        rules.append(block_on("name_key", "email_n"))
    if not rules:
        rules = [block_on("name_key")]
    try:
        linker.training.estimate_probability_two_random_records_match(rules, recall=0.8)
    except (SplinkException, ValueError) as exc:
        log.info("prior left at Splink's default: %s", exc)
    p = linker._settings_obj._probability_two_random_records_match
    floor = 1.0 / max(n * (n - 1) / 2, 1.0)
    if not p or p < floor:
        linker._settings_obj._probability_two_random_records_match = floor
    # Random pairs are non-matches; 50 per seller (at most a million, Splink's own default) estimate u well
    # enough here.
    u_pairs = u_max_pairs or float(min(1_000_000, max(50_000, 50 * n)))
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    # EM over pairs agreeing on a person's own attributes (name, ID number) learns what the same person
    # looks like; pairs sharing a phone or an account also hold ring associates, who are different people.
    sessions: list[str] = [c for c in ("name_key", "id_number_n") if c in present]
    sessions += [c for c in strong if c not in sessions][: max(0, 2 - len(sessions))]
    rules_by_session: list[tuple[str, Any]] = [(c, block_on(c)) for c in sessions]
    # Pairs sharing a phone or an account that nobody else used while either was active are mostly one
    # person under two names: EM learns there how much a comeback changes its name, ID and the rest.
    rules_by_session += [
        (c, CustomRule(private_sql(c, blocking=True)))
        for c in ("phone_n", "bank_account_n")
        if c in present and co_column(c) in normalised.column_names
    ]
    for column, rule in rules_by_session:
        if all(column in f.columns for f in fields):
            continue  # blocking on the only compared field leaves nothing for EM to estimate
        if _pairs_sharing(normalised, column) < MIN_EM_PAIRS:
            continue  # too few pairs agree on it to learn anything
        saved = copy.deepcopy(linker._settings_obj)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=em_max_pairs
            )
        except (SplinkException, ValueError, ZeroDivisionError) as exc:
            linker._settings_obj = saved  # a failed session may leave the model half-changed
            log.info("EM blocked on %s skipped: %s", column, exc)
    _floor_m(linker, fields)
    scorecard = _scorecard(linker, fields, blocking, normalised)
    return FittedModel(linker, db_api, scorecard, linker.misc.save_model_to_json())
