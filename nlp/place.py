"""Where an amount stands in its document: its clause, sentence, paragraph, the opener and
headline of its paragraph and the headings above it, looked up in the document's `Layout`;
and the span-list helpers the linkers share (sorted spans, found by bisection).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.layout import Layout, containing
from nlp.schema import Span
from nlp.text import clauses

HEADLINE_CHARS = 24  # a paragraph's lead sentence at most this long is a headline
# prepositions around dates, and the hedges a dated estimate opens with (`预计全年,…`)
DATE_ONLY = re.compile(r"(?:[\s截至止到自从于在是的,，:：、和及与]|预计|初步核算|初步统计)*")


def within(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans of a sorted list that lie inside ``[start, end)``."""
    lo = bisect.bisect_left(spans, start, key=span_start)
    hi = bisect.bisect_left(spans, end, key=span_start)
    return [s for s in spans[lo:hi] if s.end <= end]


def span_start(span: Span) -> int:
    return span.start


def nearest(spans: Sequence[Span], anchor: Span) -> Span | None:
    """The span closest to the anchor, preferring one before it at equal distance."""
    if not spans:
        return None

    def key(s: Span) -> tuple[int, int]:
        if s.end <= anchor.start:
            return anchor.start - s.end, 0
        return s.start - anchor.end, 1

    return min(spans, key=key)


def preceding(spans: Sequence[Span], pos: int) -> Span | None:
    before = [s for s in spans if s.end <= pos]
    return before[-1] if before else None


def in_scope(candidates: Sequence[Span], amount: Span, scope: tuple[int, int]) -> Span | None:
    """The nearest candidate in scope, one before the amount first."""
    inside = within(candidates, *scope)
    return preceding(inside, amount.start) or nearest(inside, amount)


@dataclass(frozen=True, slots=True)
class Place:
    """Where one amount stands: its clause, sentence, the openers and headings above it."""

    clause: tuple[int, int]
    sentence: tuple[int, int]  # cut at 。！？ and at ；
    full: tuple[int, int]  # the full sentence, up to 。！？
    lead: tuple[int, int] | None  # the first clause of the full sentence (up to 。), if earlier
    openers: list[tuple[int, int]]  # the paragraph's opening clause(s) before the sentence
    headline: tuple[int, int] | None  # a short first sentence of the paragraph, before it
    headings: list[tuple[int, int]]  # nearest last
    paragraph: tuple[int, int]
    # where the list the clause continues begins: clauses cut at 、 read back to the first
    # (`年均分别增长3.2%、7%、5.1%`: `年均` covers all three)
    list_start: int = 0

    @classmethod
    def of(cls, text: str, layout: Layout, amount: Span) -> Place:
        sentence = containing(layout.sentences, amount.start) or (amount.start, amount.end)
        paragraph = containing(layout.paragraphs, amount.start) or sentence
        pieces = clauses(text, *sentence)
        clause = containing(pieces, amount.start) or sentence
        list_start = clause[0]
        for piece in reversed(pieces):
            if piece[1] > list_start:
                continue
            if text[piece[1] - 1 : piece[1]] != "、":
                break
            list_start = piece[0]
        full = containing(layout.full_sentences, amount.start) or sentence
        lead = clauses(text, *full)[:1]
        return cls(
            clause=clause,
            sentence=sentence,
            full=full,
            lead=lead[0] if lead and lead[0][1] <= sentence[0] else None,
            openers=[o for o in openers(text, layout, paragraph) if o[1] <= sentence[0]],
            headings=layout.ancestors(paragraph[0]),
            headline=_headline(text, layout, paragraph, sentence),
            paragraph=paragraph,
            list_start=list_start,
        )


_LIST_ITEM = re.compile(
    r"\s*(?:[一二三四五六七八九十]+是|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.．、](?!\d)|——)"
)
LIST_HEADLINE_CHARS = 60  # `一是…稳步推进。`: a numbered item's headline may run longer


def _is_headline(text: str, sentence: tuple[int, int]) -> bool:
    """A short first sentence naming a topic (`有效投资有突破。`, `一是…做实。`): no numbers
    (a sentence with numbers states a fact)."""
    length = sentence[1] - sentence[0]
    item = _LIST_ITEM.match(text, sentence[0])
    limit = LIST_HEADLINE_CHARS if item else HEADLINE_CHARS
    words = text[item.end() if item else sentence[0] : sentence[1]]
    return length <= limit and not re.search(r"\d", words)


def _headline(
    text: str, layout: Layout, paragraph: tuple[int, int], sentence: tuple[int, int]
) -> tuple[int, int] | None:
    """The paragraph's first sentence when it is a headline (`中街步行街改造提升成效显著。`)
    standing before the amount's sentence."""
    first = layout.first_sentence(paragraph)
    if first is None or first[1] > sentence[0] or not _is_headline(text, first):
        return None
    return first


def openers(text: str, layout: Layout, paragraph: tuple[int, int]) -> list[tuple[int, int]]:
    """The paragraph's first clause; after a short headline sentence (`有效投资有突破。`),
    the first clause of the sentence that follows it too."""
    i = bisect.bisect_left(layout.full_sentences, (paragraph[0], -1))
    firsts = [s for s in layout.full_sentences[i : i + 2] if s[0] < paragraph[1]]
    if len(firsts) == 2 and not _is_headline(text, firsts[0]):
        firsts = firsts[:1]
    return [clause for s in firsts for clause in _opening(text, s)]


_SOURCE = re.compile(r"\s*(?:据|经)?(?:初步)?(?:统计|核算|测算)\s*[,，:：]\s*")
_MARKER = re.compile(r"\s*(?:[一二三四五六七八九十]+|\d{1,2})、\s*")


def _opening(text: str, sentence: tuple[int, int]) -> list[tuple[int, int]]:
    """A sentence's first clause (with a list marker cut off at its 、, `一、工业 1-6月,`),
    and the next one after a bare source (`初步核算,上半年…`)."""
    parts = clauses(text, *sentence)
    if len(parts) > 1 and _MARKER.fullmatch(text, *parts[0]):
        parts = [(parts[0][0], parts[1][1]), *parts[2:]]
    if len(parts) > 1 and _SOURCE.fullmatch(text, *parts[0]):
        return parts[:2]
    return parts[:1]
