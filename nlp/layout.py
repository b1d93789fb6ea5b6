"""Where things are in one document, computed once: sentences, paragraphs, headings with
their levels, the title lines, parenthesised asides. The assembler reads positions off it
instead of re-splitting the text per record.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.text import FULL_STOP, HEADING_MARKERS, is_boilerplate, lines, sentences

TITLE_LINES = 8
_PARENS = re.compile(r"[(（][^()（）\n]*[)）]")


@dataclass(frozen=True, slots=True)
class Layout:
    """Where sentences, paragraphs, headings and title lines are in one document."""

    sentences: list[tuple[int, int]]
    paragraphs: list[tuple[int, int]]
    headings: list[tuple[int, int, int]]  # (start, end, level) of each heading's first sentence
    title_end: int
    asides: list[tuple[int, int]]  # parenthesised stretches: `(包括上马工业园)`
    full_sentences: list[tuple[int, int]]  # cut at 。！？ only

    @classmethod
    def of(cls, text: str) -> Layout:
        paragraphs = [(s, e) for s, e in lines(text) if text[s:e].strip()]
        content = [(s, e) for s, e in paragraphs if not is_boilerplate(text[s:e])]
        headings = [h for s, e in content if (h := _heading(text, s, e)) is not None]
        title_end = content[min(TITLE_LINES, len(content)) - 1][1] if content else 0
        # `(其中工业用地1113亩)` is part of the fact before it, not an aside
        asides = [
            m.span()
            for m in _PARENS.finditer(text)
            if text[m.start() + 1 : m.start() + 3] != "其中"
        ]
        full = sentences(text, ends=FULL_STOP)
        return cls(sentences(text), paragraphs, headings, title_end, asides, full)

    def ancestors(self, pos: int) -> list[tuple[int, int]]:
        """The headings a position stands under, nearest last: the nearest heading starting
        at or before it, then each nearest heading of a higher level (一、 above (一) above 1.)."""
        chain: list[tuple[int, int]] = []
        level = 99
        for start, end, lvl in reversed(self.headings):
            if start <= pos and lvl < level:
                chain.append((start, end))
                level = lvl
        return chain[::-1]


def _heading(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """A line's heading part (its first sentence) and level, or None for a body line."""
    line = text[start:end]
    first = re.split(r"[。;；!！?？]", line, maxsplit=1)[0]
    for pattern, level in HEADING_MARKERS:
        if pattern.match(line):
            return (start, start + len(first), level) if len(first.strip()) <= 40 else None
    if len(line.strip()) <= 40 and not re.search(r"[,，。;；]", line):
        return start, end, 0
    return None


def containing(ranges: Sequence[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    i = bisect.bisect_right(ranges, (pos, float("inf"))) - 1
    if i >= 0 and ranges[i][0] <= pos < ranges[i][1]:
        return ranges[i]
    return None
