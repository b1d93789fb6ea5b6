"""Text segmentation: paragraphs, sentences and clauses with their offsets, and web boilerplate.

Scraped reports have hard line breaks, missing punctuation and site furniture, so every
segmenter here works on offsets into the untouched text and never fails on odd input.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator, Sequence

from nlp.schema import Span

FULL_STOP = "。！？!?"
SENTENCE_END = FULL_STOP + "；;"
CLAUSE_END = SENTENCE_END + ",，、:："
_CLAUSE = re.compile(rf"[^{CLAUSE_END}\n]*(?:[{CLAUSE_END}]+|\n|$)")

# Lines of site furniture and publication metadata (guidelines 1.5), not report content.
_BOILERPLATE = re.compile(
    r"^\s*(?:"
    r"发布日期|发文日期|发布时间|发布机构|索\s*引\s*号|文\s*号|来源[:：]|时间[:：]|作者[:：]|"
    r"当前位置|查看[:：]|回复[:：]|签到天数|积分|帖子|主题|Rank[:：]|发表于|\[?复制链接|"
    r"设为首页|网站客服|温馨提示|浏览次数|点击数|阅读次数|打印|关闭窗口|分享到|字体|内容概述|"
    r"TA的每日心情|版主|上一篇|下一篇|相关链接|附件[:：]|扫一扫|\[LV\.|【字体"
    r")"
)
_SHORT_FURNITURE = re.compile(r"^\s*(?:\d+(?:\.\d+)?万?|朗读|收藏|分享|返回顶部|奋斗|开心)\s*$")

MAX_SENTENCE = 512
# Numbered heading markers by level: 一、 (一) 1. (1); an unnumbered short line is level 0.
HEADING_MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\s*(?:第[一二三四五六七八九十]+[章节部分篇]|[一二三四五六七八九十]+[、.．])"), 1),
    (re.compile(r"\s*[(（][一二三四五六七八九十]+[)）]"), 2),
    (re.compile(r"\s*\d+[、.．](?!\d)"), 3),
    (re.compile(r"\s*[(（]\d+[)）]"), 4),
)


class Stretches:
    """Disjoint ``[start, end)`` stretches of a text (spans already placed), kept sorted:
    whether a new one is free is one bisection, not a scan over thousands on a long line."""

    def __init__(self, stretches: Iterable[tuple[int, int]] = ()) -> None:
        pairs = sorted(stretches)
        self.starts = [s for s, _ in pairs]
        self.ends = [e for _, e in pairs]

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # the stretches starting before `end`
        return i == 0 or self.ends[i - 1] <= start  # disjoint: the last of them ends last

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    def contains(self, start: int, end: int) -> bool:
        """Whether one stretch holds all of ``[start, end)``."""
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.ends[i] >= end

    def overlapping(self, start: int, end: int) -> range:
        """Indices of the stretches that overlap ``[start, end)``."""
        first = bisect.bisect_right(self.ends, start)
        return range(first, bisect.bisect_left(self.starts, end, lo=first))


# sorted, disjoint (start, end) ranges of a text: the part of it to tag
Regions = Sequence[tuple[int, int]]


def in_regions(spans: Sequence[Span], regions: Regions | None) -> list[Span]:
    """The spans that overlap one of the disjoint ``regions`` (all of them: None)."""
    if regions is None:
        return list(spans)
    keep = Stretches(regions)
    return [s for s in spans if not keep.free(s.start, s.end)]


def lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line, newline excluded."""
    start = 0
    for m in re.finditer(r"\n", text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def list_markers(text: str) -> list[tuple[int, int]]:
    """The numbered markers that open lines (`(十一)`, `三、`, `2.`): structure, never a
    statistic, though a model may read `十一` as a month."""
    out = []
    for start, end in lines(text):
        for pattern, _ in HEADING_MARKERS:
            if m := pattern.match(text, start, end):
                out.append((start, m.end()))
                break
    return out


def is_boilerplate(line: str) -> bool:
    """A line of site navigation, forum header, page counter or publication metadata."""
    return bool(_BOILERPLATE.match(line) or _SHORT_FURNITURE.match(line))


def _pieces(pattern: re.Pattern[str], text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for m in pattern.finditer(text, start, end):
        if m.end() > m.start():
            yield m.start(), m.end()


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


@functools.cache
def _sentence_pattern(ends: str) -> re.Pattern[str]:
    return re.compile(rf"[^{ends}\n]*(?:[{ends}]+[”’\"')）]*|\n|$)")


def sentences(
    text: str, max_len: int = MAX_SENTENCE, *, ends: str = SENTENCE_END
) -> list[tuple[int, int]]:
    """Sentence offsets (whitespace trimmed), cut at ``ends`` (。！？；) and line breaks.

    A run longer than ``max_len`` with no punctuation is cut into ``max_len`` pieces, so
    every sentence is bounded whatever the input.

    >>> t = "全年完成990亿元。增长2%\\n二、下一步"
    >>> [t[s:e] for s, e in sentences(t)]
    ['全年完成990亿元。', '增长2%', '二、下一步']
    """
    out: list[tuple[int, int]] = []
    for s, e in _pieces(_sentence_pattern(ends), text, 0, len(text)):
        trimmed = _trimmed(text, s, e)
        if trimmed is None:
            continue
        s, e = trimmed
        while e - s > max_len:
            out.append((s, s + max_len))
            s += max_len
        out.append((s, e))
    return out


def clauses(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Clause offsets within ``text[start:end]``: cut at commas, colons, enumeration marks."""
    end = len(text) if end is None else end
    out = []
    for s, e in _pieces(_CLAUSE, text, start, end):
        trimmed = _trimmed(text, s, e)
        if trimmed is not None:
            out.append(trimmed)
    return out
