"""Where things are in one document, computed once: sentences, paragraphs, headings with
their levels, the title lines, parenthesised asides. The assembler reads positions off it
instead of re-splitting the text per record.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.rules import AMOUNT_CUE
from nlp.text import FULL_STOP, HEADING_MARKERS, is_boilerplate, lines, sentences

TITLE_LINES = 8
_PARENS = re.compile(r"[(（][^()（）\n]*[)）]")


_LINE_END = set(FULL_STOP + "；;：:…”’\"')）)】]")
WRAP_TOLERANCE = 0.8  # a line this close to the wrap width, not ending a sentence, wraps
MIN_WRAPPED = 5  # lines of one width it takes to call a document hard-wrapped
WIDTH_SLACK = 4  # columns: a wrap falls before a character that would not fit


def _width(line: str) -> int:
    """Display columns: wide (CJK) characters take two, as the wrapping editor counted."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def soft_breaks(text: str) -> list[int]:
    """The line breaks inside hard-wrapped paragraphs (web text broken every ~30-40
    characters): where a line as wide as the document's wrap width ends mid-sentence.

    The wrap width is the most common display width (CJK characters two columns) of the
    lines that do not end a sentence; a document has one only when at least five such
    lines, and half of them, share it (within a few columns), and few lines are wider.
    Headings and short lines never wrap into the next line.
    """
    spans = [(s, e) for s, e in lines(text) if text[s:e].strip()]
    ends = [text[s:e].rstrip()[-1] for s, e in spans]
    widths = [_width(text[s:e].strip()) for s, e in spans]
    open_ended = [n for n, c in zip(widths, ends, strict=True) if c not in _LINE_END and n >= 24]
    if len(open_ended) < MIN_WRAPPED:
        return []
    width = Counter(open_ended).most_common(1)[0][0]
    near = sum(abs(n - width) <= WIDTH_SLACK for n in open_ended)
    if near < max(MIN_WRAPPED, len(open_ended) / 2):
        return []
    # wrapped text has no line much wider than its width; one paragraph per line has many
    if sum(n > width + WIDTH_SLACK for n in widths) > 0.2 * len(spans):
        return []
    out = []
    for (_, e), (s2, e2), n, c in zip(spans, spans[1:], widths, ends, strict=False):
        if "\n" in text[e + 1 : s2] or n < WRAP_TOLERANCE * width:
            continue  # a blank line between, or a short line: a real break
        if c in _LINE_END and n < width - WIDTH_SLACK:
            continue  # a sentence that ends before the margin ends its paragraph
        if any(p.match(text, s2, e2) for p, _ in HEADING_MARKERS) or is_boilerplate(text[s2:e2]):
            continue
        out.append(e)
    return out


@dataclass(frozen=True, slots=True)
class Layout:
    """Where sentences, paragraphs, headings and title lines are in one document.

    ``flow`` is the text with the soft line breaks of hard-wrapped paragraphs turned into
    spaces: the same length and offsets, so that sentences, clauses and paragraphs run on
    across a wrap while spans keep pointing into the text as decoded."""

    flow: str
    sentences: list[tuple[int, int]]
    paragraphs: list[tuple[int, int]]
    headings: list[tuple[int, int, int]]  # (start, end, level) of each heading's first sentence
    title_end: int
    asides: list[tuple[int, int]]  # parenthesised stretches: `(包括上马工业园)`
    full_sentences: list[tuple[int, int]]  # cut at 。！？ only
    chains: list[list[tuple[int, int]]]  # per heading: the headings above it, then itself
    heading_starts: frozenset[int]

    @classmethod
    def of(cls, text: str) -> Layout:
        breaks = soft_breaks(text)
        if breaks:
            chars = list(text)
            for i in breaks:
                chars[i] = " "
            text = "".join(chars)
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
        chains, stack = [], []
        for start, end, level in headings:  # each heading under the nearest of a higher level
            stack = [h for h in stack if h[2] < level] + [(start, end, level)]
            chains.append([(s, e) for s, e, _ in stack])
        starts = frozenset(h[0] for h in headings)
        return cls(
            text, sentences(text), paragraphs, headings, title_end, asides, full, chains, starts
        )

    def following(self, heading: tuple[int, int]) -> tuple[int, int] | None:
        """The paragraph right after a heading, if it is body text (not another heading)."""
        i = bisect.bisect_right(self.paragraphs, (heading[1], float("inf")))
        if i == len(self.paragraphs):
            return None
        paragraph = self.paragraphs[i]
        return None if paragraph[0] in self.heading_starts else paragraph

    def ancestors(self, pos: int) -> list[tuple[int, int]]:
        """The headings a position stands under, nearest last: the nearest heading starting
        at or before it, then each nearest heading of a higher level (一、 above (一) above 1.)."""
        i = bisect.bisect_right(self.headings, (pos, float("inf"), 0)) - 1
        return self.chains[i] if i >= 0 else []

    def fact_regions(self) -> list[tuple[int, int]]:
        """The stretches a record can draw on, sorted and merged: every full sentence where
        an amount may stand (`rules.AMOUNT_CUE`), and what the assembler reads around them,
        the title lines, headings and the first two sentences of their paragraphs (a
        headline and the opener it leads into). Text outside them yields no record, so it
        need not be tagged for records."""
        facts = [(s, e) for s, e in self.full_sentences if AMOUNT_CUE.search(self.flow, s, e)]
        found = [(0, self.title_end), *((s, e) for s, e, _ in self.headings), *facts]
        starts = [s for s, _ in facts]
        for p_start, p_end in self.paragraphs:
            k = bisect.bisect_left(starts, p_start)
            if k == len(starts) or starts[k] >= p_end:
                continue  # no fact in this paragraph: its openers open nothing
            i = bisect.bisect_left(self.full_sentences, (p_start, -1))
            found += [s for s in self.full_sentences[i : i + 2] if s[0] < p_end]
        merged: list[tuple[int, int]] = []
        for s, e in sorted(found):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            elif s < e:
                merged.append((s, e))
        return merged

    def first_sentence(self, paragraph: tuple[int, int]) -> tuple[int, int] | None:
        """The paragraph's first full sentence."""
        i = bisect.bisect_left(self.full_sentences, (paragraph[0], -1))
        if i < len(self.full_sentences) and self.full_sentences[i][0] < paragraph[1]:
            return self.full_sentences[i]
        return None


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


_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日")
# a year in a title, not one end of a range of years (`2012-2016年`, `2012年—2016年`);
# `2021年1-6月份…公报`, `2023年10月工作总结`, `2020 年…` name their year too
_TITLE_YEAR = re.compile(
    r"(?<![\d\-—~至])((?:19|20)\d{2})\s?年(?!\s?[-—~至]\s?(?:19|20)?\d{2}\s?年|\d{3})"
)


def document_year(text: str) -> int | None:
    """The year a report was written, from its opening content lines.

    A full date there (the day a report was delivered) wins; else the first year that is
    not part of a range (`2012-2016年、2016年工作总结` → 2016).
    """
    opening = []
    for s, e in lines(text):
        line = text[s:e].strip()
        if line and not is_boilerplate(line):
            opening.append(line)
        if len(opening) == TITLE_LINES:
            break
    head = "\n".join(opening)
    m = _FULL_DATE.search(head) or _TITLE_YEAR.search(head)
    return int(m.group(1)) if m else None
