"""The identity comparisons, declared once: Splink compiles them to SQL, the live index runs them in Python.

Each field is an ordered list of levels (null, exact, edit distance, shared words, else); the first that holds
wins, as in Splink's CASE expression, so batch and live scores agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz.distance import Levenshtein

from fakescope.analytics.identity.activity import ACTIVE_FROM, ACTIVE_UNTIL, FOREVER, co_column

LevelKind = Literal["null", "unended", "exact", "private", "levenshtein", "intersect", "succession", "else"]
# Levels that say nothing either way (Splink's null levels: weight 0).
NULL_KINDS = ("null", "unended")
_DAY_MICROS = 86_400 * 1_000_000
SUCCESSION = "succession"


@dataclass(frozen=True)
class Level:
    """One comparison level: `kind` on `column` with `param` (edit distance or shared-word count); `tf`
    weighs an exact match by how rare the value is (a warehouse shared by hundreds says little). `private`
    is an exact match on a value nobody else held while either seller was active (see `activity`).
    `succession` holds when one seller registered within `param` days after the other's ban; `unended`
    (a null level) when neither was banned, so succession cannot be judged."""

    kind: LevelKind
    column: str | None = None
    param: int = 0
    tf: bool = False

    @property
    def agrees(self) -> bool:
        return self.kind in ("exact", "private", "levenshtein", "intersect")


@dataclass(frozen=True)
class Field:
    """One compared identity field: its name in outputs, the contract field it comes from, its levels."""

    name: str
    source: str
    levels: tuple[Level, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(level.column for level in self.levels if level.column))


def _standard(
    name: str, source: str, column: str, edits: int | None, *, tf: bool = True, private: bool = False
) -> Field:
    levels = [Level("null", column)]
    if private:
        levels.append(Level("private", column, tf=tf))
    levels.append(Level("exact", column, tf=tf))
    if edits:
        levels.append(Level("levenshtein", column, edits))
    levels.append(Level("else"))
    return Field(name, source, tuple(levels))


FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        "legal_name",
        (
            Level("null", "name_key"),
            Level("exact", "name_key", tf=True),
            Level("levenshtein", "name_key", 2),
            Level("intersect", "name_tokens", 2),
            # One syllable in common: a relative's name (the same surname) or a one-character change.
            Level("intersect", "name_tokens", 1),
            Level("else"),
        ),
    ),
    _standard("id_number", "id_number", "id_number_n", 3, tf=False),
    _standard("phone", "phone", "phone_n", 1, private=True),
    _standard("bank_account", "bank_account", "bank_account_n", 1, private=True),
    Field(
        "email",
        "email",
        (
            Level("null", "email_n"),
            Level("exact", "email_n", tf=True),
            Level("exact", "email_user", tf=True),
            Level("else"),
        ),
    ),
    _standard("device", "device_id", "device_n", None, private=True),
    Field(
        "address",
        "address",
        (
            Level("null", "address_key"),
            Level("private", "address_key", tf=True),
            Level("exact", "address_key", tf=True),
            Level("intersect", "address_tokens", 2),
            Level("else"),
        ),
    ),
    # Not an identifier: when the pair's shops were open. A comeback opens soon after its ban; a ring's
    # dealer holding the same phone opened whenever. EM learns from the marketplace how soon is soon; the
    # narrower the windows, the fewer ring dealers fall in the ones it weighs for a match by chance.
    Field(
        SUCCESSION,
        "registered_at",
        (
            Level("unended", ACTIVE_UNTIL),
            Level("succession", ACTIVE_FROM, 30),
            Level("succession", ACTIVE_FROM, 60),
            Level("succession", ACTIVE_FROM, 90),
            Level("succession", ACTIVE_FROM, 120),
            Level("succession", ACTIVE_FROM, 180),
            Level("succession", ACTIVE_FROM, 365),
            Level("else"),
        ),
    ),
)

# Exact normalised values that make two sellers worth comparing (Splink blocking rules; the index's keys).
BLOCKING_COLUMNS = (
    "id_number_n",
    "phone_n",
    "bank_account_n",
    "email_n",
    "email_user",
    "device_n",
    "name_key",
    "address_key",
)


def level_signature(field: Field) -> list[list[Any]]:
    """A field's levels as plain values (kind, column, parameter, tf), to tell whether saved weights fit."""
    return [[lv.kind, lv.column, lv.param, lv.tf] for lv in field.levels]


def tf_columns(fields: Sequence[Field]) -> tuple[str, ...]:
    """Columns whose exact matches are weighed by term frequency."""
    return tuple(dict.fromkeys(lv.column for f in fields for lv in f.levels if lv.tf and lv.column))


def fields_with_data(present: set[str]) -> tuple[Field, ...]:
    """The fields whose every column has at least one value: a field nobody gave cannot be compared."""
    return tuple(f for f in FIELDS if all(column in present for column in f.columns))


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance, stopping early once it must exceed `limit` (then returns limit + 1), as Splink's
    `levenshtein(l, r) <= limit` reads it."""
    # RapidFuzz's C++ kernel: ~0.3 us a pair against ~200 us for a Python loop over an 18-digit ID number,
    # which was most of a live screen's time when a registration meets a few hundred banned candidates.
    return int(Levenshtein.distance(a, b, score_cutoff=limit))


def unended_sql() -> str:
    """The `unended` level as SQL over a pair: neither seller was banned."""
    return f"{ACTIVE_UNTIL}_l >= {FOREVER} and {ACTIVE_UNTIL}_r >= {FOREVER}"


def succession_sql(days: int) -> str:
    """The `succession` level as SQL over a pair: one registered within `days` after the other's ban."""
    span = days * _DAY_MICROS

    def after(new: str, old: str) -> str:
        gap = f"({ACTIVE_FROM}_{new} - {ACTIVE_UNTIL}_{old})"
        return f"({ACTIVE_UNTIL}_{old} < {FOREVER} and {gap} >= 0 and {gap} <= {span})"

    return f"({after('l', 'r')} or {after('r', 'l')})"


def _succeeds(left: Mapping[str, Any], right: Mapping[str, Any], days: int) -> bool:
    def after(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
        end, start = old.get(ACTIVE_UNTIL), new.get(ACTIVE_FROM)
        if end is None or start is None or end >= FOREVER:
            return False
        return bool(0 <= start - end <= days * _DAY_MICROS)

    return after(left, right) or after(right, left)


def private_sql(column: str, *, blocking: bool = False) -> str:
    """The `private` level as a SQL condition over a pair (`col_l`, `col_r`; `l.col`, `r.col` for a blocking
    rule): equal values, and neither seller had another co-active holder of it (the pair itself does not
    count, when the two were active together)."""

    def ref(name: str, side: str) -> str:
        return f"{side}.{name}" if blocking else f"{name}_{side}"

    both = (
        f"(case when {ref(ACTIVE_FROM, 'l')} < {ref(ACTIVE_UNTIL, 'r')} "
        f"and {ref(ACTIVE_FROM, 'r')} < {ref(ACTIVE_UNTIL, 'l')} then 1 else 0 end)"
    )
    co = co_column(column)
    return (
        f"{ref(column, 'l')} = {ref(column, 'r')} and {ref(co, 'l')} - {both} = 0 "
        f"and {ref(co, 'r')} - {both} = 0"
    )


def _private(column: str, left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    both = int(left[ACTIVE_FROM] < right[ACTIVE_UNTIL] and right[ACTIVE_FROM] < left[ACTIVE_UNTIL])
    co = co_column(column)
    return bool(left[co] - both == 0 and right[co] - both == 0)


def _holds(level: Level, left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    if level.kind == "else":
        return True
    assert level.column is not None
    a, b = left.get(level.column), right.get(level.column)
    if level.kind == "null":
        return a is None or b is None
    if level.kind == "unended":
        return (a is None or a >= FOREVER) and (b is None or b >= FOREVER)
    if level.kind == "succession":
        return _succeeds(left, right, level.param)
    if a is None or b is None:
        return False
    if level.kind == "exact":
        return bool(a == b)
    if level.kind == "private":
        return bool(a == b) and _private(level.column, left, right)
    if level.kind == "levenshtein":
        return levenshtein(a, b, level.param) <= level.param
    return len(set(a) & set(b)) >= level.param


def level_index(field: Field, left: Mapping[str, Any], right: Mapping[str, Any]) -> int:
    """Which level of `field` a pair of normalised records falls in (position in `field.levels`)."""
    for position, level in enumerate(field.levels):
        if _holds(level, left, right):
            return position
    return len(field.levels) - 1


# Exact agreement on these is one person's own identifier, as a `private` agreement is; so is the same name,
# or the same ID number but for a few characters, typed again.
PERSONAL_COLUMNS = ("id_number_n", "email_n")
NEAR_PERSONAL_COLUMNS = ("id_number_n", "name_key")


def _corroborates(level: Level) -> bool:
    if level.kind == "private":
        return True
    if level.kind == "exact":
        return level.column in PERSONAL_COLUMNS or level.column == "name_key"
    return level.kind == "levenshtein" and level.column in NEAR_PERSONAL_COLUMNS


def corroborating(fields: Sequence[Field], levels: Sequence[int]) -> int:
    """On how many fields a pair shares a personal value: the name, an ID number (or nearly), an e-mail, or a
    phone, account, device or address that nobody else held while either was active."""
    return sum(1 for f, lv in zip(fields, levels, strict=True) if _corroborates(f.levels[lv]))


# An agreement on these, exact or but for a few characters, is a number issued to one person, whoever else
# typed it: another person's ID number is not a few keystrokes away from one's own.
OWN_COLUMNS = ("id_number_n",)


def _carries_over(level: Level) -> bool:
    own = level.kind in ("exact", "levenshtein") and level.column in OWN_COLUMNS
    return level.kind == "private" or own


def carried_over(fields: Sequence[Field], levels: Sequence[int]) -> int:
    """On how many identifier fields a pair shares a value that is one person's: the ID number (or nearly),
    or a phone, account, device or address nobody else held while either was active (not the name)."""
    return sum(1 for f, lv in zip(fields, levels, strict=True) if _carries_over(f.levels[lv]))


def _count_sql(fields: Sequence[Field], alias: str, counts: Callable[[Level], bool]) -> str:
    """How many fields sit at a level that `counts`, over Splink's gamma columns (the first non-null level
    has the highest gamma)."""
    terms = []
    for f in fields:
        gammas = [len(f.levels) - 1 - p for p, lv in enumerate(f.levels) if counts(lv)]
        if gammas:
            values = ", ".join(str(g) for g in gammas)
            terms.append(f"(case when {alias}.gamma_{f.name} in ({values}) then 1 else 0 end)")
    return " + ".join(terms) or "0"


def carried_over_sql(fields: Sequence[Field], alias: str) -> str:
    """`carried_over` over Splink's gamma columns."""
    return _count_sql(fields, alias, _carries_over)


def _own_attribute(level: Level) -> bool:
    return level.kind in ("exact", "levenshtein") and level.column in NEAR_PERSONAL_COLUMNS


def personal(fields: Sequence[Field], levels: Sequence[int]) -> bool:
    """Whether a pair agrees on what a person is rather than what it uses: the name or the ID number,
    exactly or but for a few characters. A ring's dealers share phones, accounts and devices, not these."""
    return any(_own_attribute(f.levels[lv]) for f, lv in zip(fields, levels, strict=True))


def personal_sql(fields: Sequence[Field], alias: str) -> str:
    """`personal` over Splink's gamma columns."""
    return f"(({_count_sql(fields, alias, _own_attribute)}) >= 1)"


def _same_name(f: Field, level: Level) -> bool:
    return f.source == "legal_name" and level.kind in ("exact", "levenshtein")


def _identifier_agrees(f: Field, level: Level) -> bool:
    # Shared address words are a neighbourhood, not an identifier; the name and timing are not identifiers.
    return f.source != "legal_name" and level.kind in ("exact", "private", "levenshtein")


def named_identifiers(fields: Sequence[Field], levels: Sequence[int]) -> int:
    """When a pair has the same name (exactly or nearly), on how many identifiers it agrees besides, shared
    with others or not; 0 when the names differ."""
    pairs = [(f, f.levels[lv]) for f, lv in zip(fields, levels, strict=True)]
    if not any(_same_name(f, level) for f, level in pairs):
        return 0
    return sum(1 for f, level in pairs if _identifier_agrees(f, level))


def named_identifiers_sql(fields: Sequence[Field], alias: str) -> str:
    """`named_identifiers` over Splink's gamma columns."""
    name = [
        f"{alias}.gamma_{f.name} in ({', '.join(str(len(f.levels) - 1 - p) for p in positions)})"
        for f in fields
        if (positions := [p for p, lv in enumerate(f.levels) if _same_name(f, lv)])
    ]
    identifiers = []
    for f in fields:
        gammas = [len(f.levels) - 1 - p for p, lv in enumerate(f.levels) if _identifier_agrees(f, lv)]
        if gammas:
            values = ", ".join(str(g) for g in gammas)
            identifiers.append(f"(case when {alias}.gamma_{f.name} in ({values}) then 1 else 0 end)")
    if not name or not identifiers:
        return "0"
    return f"(case when {' or '.join(name)} then {' + '.join(identifiers)} else 0 end)"


def supported(fields: Sequence[Field], levels: Sequence[int]) -> bool:
    """Whether a pair shares a personal value or agrees on the name (exactly, nearly, or on two syllables):
    a match made only of values other live shops held too is a ring's dealers', not one person's."""
    for f, lv in zip(fields, levels, strict=True):
        level = f.levels[lv]
        if _corroborates(level):
            return True
        if _name_backs(f, level):
            return True
    return False


def _name_backs(f: Field, level: Level) -> bool:
    return f.source == "legal_name" and level.agrees and not (level.kind == "intersect" and level.param < 2)


def supported_sql(fields: Sequence[Field], alias: str) -> str:
    """`supported` over Splink's gamma columns."""
    terms = [f"({corroborating_sql(fields, alias)}) >= 1"]
    for f in fields:
        gammas = [len(f.levels) - 1 - p for p, lv in enumerate(f.levels) if _name_backs(f, lv)]
        if gammas:
            terms.append(f"{alias}.gamma_{f.name} in ({', '.join(str(g) for g in gammas)})")
    return "(" + " or ".join(terms) + ")"


def corroborating_sql(fields: Sequence[Field], alias: str) -> str:
    """`corroborating` over Splink's gamma columns."""
    return _count_sql(fields, alias, _corroborates)


def agreeing(fields: Sequence[Field], levels: Sequence[int]) -> list[str]:
    """The contract fields on which a pair agrees, exactly or nearly."""
    return [f.source for f, lv in zip(fields, levels, strict=True) if f.levels[lv].agrees]
