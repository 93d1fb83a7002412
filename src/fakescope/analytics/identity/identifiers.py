"""Phones, ID numbers, bank accounts, e-mails and device ids as people type them, reduced to one spelling.

Vectorised over Arrow arrays (the batch screen) and used on one-row arrays by the live index, so both agree.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def _folded(values: pa.Array) -> pa.Array:
    text = pc.cast(values, pa.string())
    return pc.utf8_normalize(text, form="NFKC")


def _null_if_shorter(values: pa.Array, minimum: int) -> pa.Array:
    short = pc.less(pc.utf8_length(values), minimum)
    return pc.if_else(pc.fill_null(short, True), pa.scalar(None, pa.string()), values)


def phones(values: pa.Array) -> pa.Array:
    """Digits only; an international prefix (00, +) and China's +86 dropped, the trunk 0 of a landline kept:
    "+86 138-0013-8000", "0086 13800138000" and "１３８００１３８０００" -> "13800138000"."""
    digits = pc.replace_substring_regex(_folded(values), pattern=r"\D", replacement="")
    digits = pc.replace_substring_regex(digits, pattern=r"^00", replacement="")
    digits = pc.replace_substring_regex(digits, pattern=r"^86(1\d{10})$", replacement=r"\1")
    digits = pc.replace_substring_regex(digits, pattern=r"^86([2-9]\d{8,10})$", replacement=r"0\1")
    return _null_if_shorter(digits, 5)


def id_numbers(values: pa.Array) -> pa.Array:
    """Letters and digits only, upper case (a resident ID's check letter X keeps its case apart)."""
    text = pc.utf8_upper(_folded(values))
    return _null_if_shorter(pc.replace_substring_regex(text, pattern=r"[^0-9A-Z]", replacement=""), 4)


def bank_accounts(values: pa.Array) -> pa.Array:
    """Digits only: "6222 0212 3456 7890" -> "6222021234567890"."""
    return _null_if_shorter(pc.replace_substring_regex(_folded(values), pattern=r"\D", replacement=""), 6)


def emails(values: pa.Array) -> pa.Array:
    """Lower case without spaces, a "+tag" in the local part dropped."""
    text = pc.replace_substring_regex(pc.utf8_lower(_folded(values)), pattern=r"\s", replacement="")
    text = pc.replace_substring_regex(text, pattern=r"^([^@+]+)\+[^@]*@", replacement=r"\1@")
    return _null_if_shorter(text, 3)


def email_users(normalised_emails: pa.Array) -> pa.Array:
    """The local part of a normalised e-mail (before the @): the same person often keeps it across domains."""
    user = pc.replace_substring_regex(normalised_emails, pattern=r"@.*$", replacement="")
    return _null_if_shorter(user, 3)


def devices(values: pa.Array) -> pa.Array:
    """Lower case without separators (":", "-", ".", "_", spaces)."""
    text = pc.utf8_lower(_folded(values))
    return _null_if_shorter(pc.replace_substring_regex(text, pattern=r"[\s:\-._]", replacement=""), 4)
