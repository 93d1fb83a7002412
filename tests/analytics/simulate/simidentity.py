"""Normalising the simulator's identity fields for its own tests: phones, numbers, addresses, names.

Uses the simulator's vocabulary (these tests check the simulator, nothing else may lean on it).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from fakescope.analytics.simulate import vocab

_CITY = {zh: i for i, (_p, _m, _pl, cities) in enumerate(vocab.PROVINCES) for zh, _ in cities}
_CITY_LATIN = {latin: zh for _p, _m, _pl, cities in vocab.PROVINCES for zh, latin in cities}
_DISTRICT_LATIN = {latin: zh for zh, latin in vocab.DISTRICTS}
_STREET_LATIN = {latin: zh for zh, latin in vocab.STREETS}
_SYLLABLES = sorted({p.lower() for _, p in vocab.SURNAMES + vocab.GIVEN_CHARS}, key=len, reverse=True)
_TO_LATIN = {zh: latin.lower() for zh, latin in vocab.SURNAMES + vocab.GIVEN_CHARS}
_WORDS = {zh: latin.lower() for zh, latin in vocab.TRADE_WORDS + vocab.INDUSTRIES}
_WORDS.update(
    {zh: latin.lower() for zh, latin in _CITY_LATIN.items()} | {v: k.lower() for k, v in _CITY_LATIN.items()}
)


def digits(value: str | None) -> str | None:
    if not value:
        return None
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", value)) or None


def phone(value: str | None) -> str | None:
    d = digits(value)
    if d and len(d) > 11:
        d = d.removeprefix("0086").removeprefix("86")
    return d


def id_number(value: str | None) -> str | None:
    if not value:
        return None
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).upper()


def address(value: str | None) -> tuple[str, str, str, str] | None:
    """(city, district, street, number) from Chinese or Latin script."""
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value)
    latin = re.fullmatch(r"No\. (\d+) (.+?), (.+?), (.+?), .+", text)
    if latin:
        number, street, district, city = latin.groups()
        return _CITY_LATIN[city], _DISTRICT_LATIN[district], _STREET_LATIN[street], number
    city = next(c for c in sorted(_CITY, key=len, reverse=True) if c in text.replace("上海市上海", "上海"))
    district = next(zh for zh, _ in vocab.DISTRICTS if zh in text)
    street = next(zh for zh, _ in vocab.STREETS if zh in text)
    number = re.search(r"(\d+)号", text)
    return city, district, street, number.group(1) if number else ""


def name_tokens(value: str) -> Counter[str]:
    """Latin syllables of a name or company name, whatever the script, order, case or suffix."""
    text = unicodedata.normalize("NFKC", value)
    for suffix in vocab.COMPANY_SUFFIX_ZH + vocab.COMPANY_SUFFIX_LATIN:
        text = text.replace(suffix, " ")
    for zh, latin in sorted(_WORDS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(zh, f" {latin} ")
    tokens: Counter[str] = Counter()
    for token in re.findall(r"[a-z]+|[\u4e00-\u9fff]", text.lower()):
        if token in _TO_LATIN:
            tokens[_TO_LATIN[token]] += 1
        elif token in {w for w in _WORDS.values()}:
            tokens[token] += 1
        else:  # split run-together pinyin ("zhangwei", "xiaodong")
            rest = token
            while rest:
                head = next((s for s in _SYLLABLES if rest.startswith(s)), rest)
                tokens[head] += 1
                rest = rest[len(head) :]
    return tokens


def names_agree(a: str, b: str) -> bool:
    """Same name up to script, order and one changed syllable (a typo)."""
    ta, tb = name_tokens(a), name_tokens(b)
    if ta == tb:
        return True
    return sum(ta.values()) == sum(tb.values()) and sum((ta - tb).values()) == 1
