"""Provinces, cities and street addresses in Chinese or Latin script reduced to pinyin words.

"浙江省杭州市西湖区文三路100号" and "No. 100 Wensan Road, Xihu District, Hangzhou" share "100 wensan xihu".
"""

from __future__ import annotations

import re

from fakescope.analytics.identity.text import fold, has_cjk, to_pinyin

# Administrative and street markers: they separate the words of a Chinese address and carry no identity.
_ZH_MARKERS = re.compile(
    r"(特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区|自治州|自治县|街道|大道|小区|单元|"
    r"省|市|区|县|镇|乡|路|街|巷|弄|号|村|栋|幢|室|楼|层|盟|旗)"
)
_ZH_PLACE_SUFFIX = re.compile(
    r"(特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区|自治州|地区|省|市|区|县|盟)$"
)
_LATIN_MARKERS = frozenset(
    """
    province prov sheng city shi municipality autonomous region prefecture district qu county xian town
    township zhen village cun road rd lu street st jie avenue ave dadao lane ln alley xiang lang no nr
    number num hao room rm shi floor fl building bldg block blk unit apt apartment dong ceng compound
    xiaoqu sar
    """.split()  # noqa: SIM905
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_ZH_PLACE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def place_key(place: str | None) -> str | None:
    """A province or city as one pinyin word: "浙江省", "浙江" and "Zhejiang Province" -> "zhejiang"."""
    if not place:
        return None
    text = fold(place)
    if has_cjk(text):
        text = to_pinyin(_ZH_PLACE_SUFFIX.sub("", text) or text, joined=True)
        words = _NON_WORD.sub(" ", text).split()
    else:
        words = [w for w in _NON_WORD.sub(" ", text).split() if w not in _LATIN_MARKERS]
        words = words or _NON_WORD.sub(" ", text).split()
    joined = "".join(words)
    return joined or None


def address_tokens(address: str | None, *, drop: tuple[str | None, ...] = ()) -> tuple[str, ...]:
    """The distinct words of an address, sorted, without markers and without the places in `drop`
    (the seller's own province and city, given separately and so compared separately)."""
    if not address:
        return ()
    text = fold(address)
    if has_cjk(text):
        text = to_pinyin(_ZH_MARKERS.sub(" ", text), joined=True)
    dropped = sorted({d for d in drop if d}, key=len, reverse=True)
    prefixes = tuple(dropped)
    words: set[str] = set()
    for word in _NON_WORD.sub(" ", text).split():
        # "浙江义乌新城区" has no marker between province and city: peel the known places off the front.
        while prefixes and word.startswith(prefixes):
            for place in dropped:
                if word.startswith(place) and len(word) > len(place):
                    word = word[len(place) :]
                    break
            else:
                break
        if word not in _LATIN_MARKERS and word not in dropped:
            words.add(word)
    return tuple(sorted(words))
