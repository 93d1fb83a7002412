"""Counterfeit claims in review and dispute text (Chinese and English), negations such as 不是假货 removed
first.

Pure Ibis string expressions (lower, translate, regex replace/search/extract) so DuckDB and Spark agree.
"""

from __future__ import annotations

import re

import ibis.expr.types as ir

# Phrases that claim an item is fake. A general lexicon of how buyers say it, not any one marketplace's words.
COUNTERFEIT_TERMS: tuple[str, ...] = (
    "假货",
    "假的",
    "假冒",
    "仿品",
    "高仿",
    "山寨",
    "不是正品",
    "非正品",
    "不是真的",
    "味道不对",
    "logo不对",
    "logo歪",
    "counterfeit",
    "fake",
    "replica",
    "knockoff",
    "knock-off",
    "not authentic",
    "not genuine",
    "inauthentic",
    "smells different",
    "logo off",
    "logo is off",
    "logo is wrong",
)

# Phrases that deny it; removed before searching so "不是假货" or "not fake" never count as a claim.
NEGATIONS: tuple[str, ...] = (
    "不是假货",
    "不是假的",
    "不是仿品",
    "并非假货",
    "绝非假货",
    "没有假货",
    "不假",
    "not fake",
    "not a fake",
    "not counterfeit",
    "not a counterfeit",
    "not a replica",
    "no fake",
    "never fake",
)

_FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F))


def _alternation(phrases: tuple[str, ...]) -> str:
    # Longest first so "not a fake" wins over "not fake"; escaped so punctuation stays literal.
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(re.escape(p).replace("\\ ", " ") for p in ordered)


TERM_PATTERN = _alternation(COUNTERFEIT_TERMS)
NEGATION_PATTERN = _alternation(NEGATIONS)


# Any full-width character the fold maps; text without one is left as it is.
_HAS_FULL_WIDTH = f"[{_FULL_WIDTH[0]}-{_FULL_WIDTH[-1]}]"


def folded_text(text: ir.StringValue) -> ir.StringValue:
    """Text lower-cased with full-width letters and digits folded to ASCII (`ＦＡＫＥ` → `fake`)."""
    # translate is the costly step (a 94-character map per row); a regex test skips the many rows it
    # would leave unchanged, and the result is the same.
    mapped = text.re_search(_HAS_FULL_WIDTH).ifelse(text.translate(_FULL_WIDTH, _HALF_WIDTH), text)
    return mapped.lower()


def claim_text(text: ir.StringValue) -> ir.StringValue:
    """Folded text with denials removed: what is left is searched for counterfeit claims."""
    return folded_text(text).re_replace(NEGATION_PATTERN, " ")


def counterfeit_term(text: ir.StringValue) -> ir.StringValue:
    """The first counterfeit claim in the text, as written in the lexicon (null when none)."""
    found = claim_text(text).re_extract(f"({TERM_PATTERN})", 1)
    return found.nullif("")


def is_claim(term: ir.StringValue) -> ir.BooleanValue:
    """Whether a `counterfeit_term` result is a claim (every lexicon term is non-empty)."""
    return term.notnull()


def says_counterfeit(text: ir.StringValue) -> ir.BooleanValue:
    """Whether the text claims the item is counterfeit (false for null text)."""
    # Through the term, so a caller holding the term needs no second pass over the text.
    return is_claim(counterfeit_term(text))
