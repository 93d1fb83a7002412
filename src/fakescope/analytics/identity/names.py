"""Legal names to one comparable key: pinyin syllables in sorted order, company suffixes and spacing dropped.

"张伟贸易有限公司", "Zhang Wei Trading Co., Ltd." and "WEI ZHANG" all become "wei zhang".
"""

from __future__ import annotations

import re

from fakescope.analytics.identity.text import fold, syllables, to_pinyin

# Longest first, so "有限责任公司" goes before "公司"; stripped repeatedly from the end of a Chinese name.
_ZH_SUFFIXES = tuple(
    sorted(
        [
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "个体工商户",
            "集团",
            "公司",
            "商行",
            "商贸",
            "贸易",
            "实业",
            "科技",
            "工作室",
            "经营部",
            "旗舰店",
            "专营店",
            "专卖店",
            "网店",
            "店",
            "厂",
        ],
        key=len,
        reverse=True,
    )
)
# Latin words that say what kind of company it is, not who it is.
_LATIN_NOISE = frozenset(
    """
    co company corp corporation inc incorporated ltd limited llc llp plc gmbh trading trade store shop
    studio factory group enterprise enterprises industrial industry industries international intl
    technology tech sci business commerce commercial the and of flagship official
    """.split()  # noqa: SIM905
)
_BRACKETS = re.compile(r"[()\[\]{}（）【】「」《》<>]")
_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def _strip_zh_suffixes(text: str) -> str:
    changed = True
    while changed:
        changed = False
        text = text.rstrip(" .,-_·")
        for suffix in _ZH_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text


def _peel_places(tokens: tuple[str, ...], drop: tuple[str | None, ...]) -> tuple[str, ...]:
    # A company is named after the place it registered in ("杭州天成商贸有限公司", "Hangzhou Tiancheng ..."):
    # that place is the seller's province or city, compared on its own, not part of who it is.
    places = {d for d in drop if d}
    peeled = True
    while peeled and places and len(tokens) > 2:
        peeled = False
        if not any(place.startswith(tokens[0]) for place in places):
            break  # most names: no place starts with their first syllable
        for k in range(1, len(tokens) - 1):
            if "".join(tokens[:k]) in places:
                tokens, peeled = tokens[k:], True
                break
    return tokens


def name_syllables(name: str | None) -> tuple[str, ...]:
    """The name as pinyin syllables in written order (Latin words that are not pinyin stay whole), company
    suffixes and words dropped; empty for no name. The costly part of `name_tokens`, the same for everyone
    of that name."""
    if not name:
        return ()
    text = _strip_zh_suffixes(_BRACKETS.sub(" ", fold(name)))
    words = _NON_WORD.sub(" ", to_pinyin(text)).split()
    kept = [w for w in words if w not in _LATIN_NOISE] or words
    tokens: list[str] = []
    for word in kept:
        tokens.extend(syllables(word))
    return tuple(tokens)


def tokens_without_places(syllables_: tuple[str, ...], drop: tuple[str | None, ...] = ()) -> tuple[str, ...]:
    """`name_syllables` sorted, a leading place in `drop` gone (see `name_tokens`)."""
    return tuple(sorted(_peel_places(syllables_, drop)))


def name_tokens(name: str | None, *, drop: tuple[str | None, ...] = ()) -> tuple[str, ...]:
    """The name as sorted pinyin syllables (Latin words that are not pinyin stay whole); empty for no name.
    A leading place in `drop` (the seller's own province and city, as `places.place_key` spells them) goes,
    as long as two syllables are left."""
    return tokens_without_places(name_syllables(name), drop)


def name_key(name: str | None) -> str | None:
    """`name_tokens` joined by spaces; None when nothing is left."""
    tokens = name_tokens(name)
    return " ".join(tokens) if tokens else None
