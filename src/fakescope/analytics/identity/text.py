"""Script-neutral text: Unicode folding, Chinese characters to toneless pinyin, Latin words as syllables.

Names and places typed in Chinese or in pinyin must meet on one spelling, so both become pinyin syllables.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Unified ideographs and extension A: enough for names and addresses people type.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Toneless pinyin syllables (the ones pypinyin gives for CJK U+4E00..U+9FA5, minus interjections such as
# "m", "n", "hm" that would split ordinary Latin words); embedded so segmentation needs no library.
PINYIN_SYLLABLES = frozenset(
    """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao
    ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui
    chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de den deng di dian diao die ding diu
    dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang
    gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng
    hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan
    jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang
    lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai
    man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen
    neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao
    pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu
    quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen
    seng sha shai shan shang shao she shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si
    song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui
    tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue
    xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng
    zha zhai zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi
    zong zou zu zuan zui zun zuo
    """.split()  # noqa: SIM905
)
_MAX_SYLLABLE = max(len(s) for s in PINYIN_SYLLABLES)


def fold(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and lower case, trimmed."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def has_cjk(text: str) -> bool:
    # isascii is a C flag check: most Latin-script text never reaches the regex.
    return not text.isascii() and _CJK.search(text) is not None


@functools.cache
def _char_pinyin(char: str) -> str:
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # without pypinyin a character stands for itself: Chinese still meets Chinese
        return char
    syllable = lazy_pinyin(char, style=Style.NORMAL)[0]
    return syllable if syllable.isascii() and syllable.isalpha() else char


class _PinyinTable(dict[int, str]):
    """A `str.translate` table filled on demand: each CJK character maps to its syllable."""

    def __init__(self, separator: str) -> None:
        super().__init__()
        self.separator = separator

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        # Other characters map to themselves, kept too: a miss is a Python call for every letter of every
        # name, a hit stays in C.
        value = f"{self.separator}{_char_pinyin(char)}{self.separator}" if _CJK.match(char) else char
        self[codepoint] = value
        return value


_SPACED = _PinyinTable(" ")
_JOINED = _PinyinTable("")


def to_pinyin(text: str, *, joined: bool = False) -> str:
    """Chinese characters replaced by toneless pinyin, one syllable per character (space-separated unless
    `joined`, which keeps a run of characters as one word, as a place name is written)."""
    return text.translate(_JOINED if joined else _SPACED)


@functools.lru_cache(maxsize=200_000)
def syllables(word: str) -> tuple[str, ...]:
    """A Latin word split into pinyin syllables (fewest syllables wins), or the word itself when it is not
    pinyin: "zhangwei" -> ("zhang", "wei"), "john" -> ("john",)."""
    n = len(word)
    if not word.isalpha() or not word.isascii() or n > 40:
        return (word,)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for start in range(n):
        prefix = best[start]
        if prefix is None:
            continue
        for end in range(start + 1, min(n, start + _MAX_SYLLABLE) + 1):
            piece = word[start:end]
            if piece in PINYIN_SYLLABLES:
                candidate = (*prefix, piece)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    found = best[n]
    return found if found else (word,)
