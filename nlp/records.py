"""Assemble tagged spans into records, one per AMOUNT (guidelines, sections 2 and 4).

Each amount is linked the way a reader links it: its adjacent unit; the indicator of its
clause (or, for a change such as ``同比增长0.2%``, of the fact before it in the sentence);
the governing date, looked for in the clause, the sentence, the paragraph's opening
clause, the section heading and last the document's title lines, never a comparison date
(``比上年``, ``去年同期``); the project of the clause, sentence, paragraph or heading.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.schema import AMOUNT, DATE, INDICATOR, PROJECT, UNIT, Record, Span
from nlp.text import clauses, is_boilerplate, lines, sentences

QUALIFIERS_AFTER = set("余多几")
_APPROX_BEFORE = re.compile(r"(?:约|近|超过|超|突破|逾|大约|将近|接近)$")
_APPROX_AFTER = re.compile(
    r"^(?:余|多|左右|以上|以内|上下)|^[^\s,，。;；、]{0,4}?(?:左右|以上|以内)"
)
_INCREASE = "增长|增加|提高|提升|上升|扩大|增|多|涨|高于去年同期|前进"
_DECREASE = "下降|减少|降低|收窄|缩小|核减|减|降|回落|下滑|少"
_CHANGE_BEFORE = re.compile(
    rf"(?:(?P<inc>{_INCREASE})|(?P<dec>{_DECREASE}))(?:了|幅度为|幅度|幅|速|为|达到|达|约|近|超过|超)?$"
)
_CHANGE_VERB_ANYWHERE = re.compile(rf"(?:(?P<inc>{_INCREASE})|(?P<dec>{_DECREASE}))")
_LEVEL_REACHED = re.compile(r"(?:至|到)(?:了)?$")
_BENCHMARK = re.compile(
    r"(?:高于|低于|超过|超出|快于|慢于)[^,，。;；]{0,12}(?:平均|全国|全省|全市|进度)"
)
_COMPARISON_BEFORE = re.compile(r"(?:比|较|与|同|和|对比|相比|相较|超)$")
_COMPARISON_AFTER = re.compile(r"^(?:同期|相比|比较|持平|基础上)")
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十]+[章节部分]|"
    r"\d+[、.．](?!\d))"
)
TITLE_LINES = 8


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where sentences, paragraphs, headings and title lines are in one document."""

    sentences: list[tuple[int, int]]
    paragraphs: list[tuple[int, int]]
    headings: list[tuple[int, int]]
    title_end: int

    @classmethod
    def of(cls, text: str) -> _Layout:
        paragraphs = [(s, e) for s, e in lines(text) if text[s:e].strip()]
        content = [(s, e) for s, e in paragraphs if not is_boilerplate(text[s:e])]
        headings = [(s, e) for s, e in content if _is_heading(text[s:e])]
        title_end = content[min(TITLE_LINES, len(content)) - 1][1] if content else 0
        return cls(sentences(text), paragraphs, headings, title_end)


def _is_heading(line: str) -> bool:
    body = line.strip()
    if not body:
        return False
    first_sentence = re.split(r"[。;；]", body, maxsplit=1)[0]
    return (
        (bool(_HEADING.match(body))
        and len(first_sentence) <= 40)
        or (len(body) <= 40 and not re.search(r"[,，。;；]", body))
    )


def _containing(ranges: Sequence[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    i = bisect.bisect_right(ranges, (pos, float("inf"))) - 1
    if i >= 0 and ranges[i][0] <= pos < ranges[i][1]:
        return ranges[i]
    return None


def _within(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    return [s for s in spans if s.start >= start and s.end <= end]


def _nearest(spans: Sequence[Span], anchor: Span) -> Span | None:
    """The span closest to the anchor, preferring one before it at equal distance."""
    if not spans:
        return None

    def key(s: Span) -> tuple[int, int]:
        if s.end <= anchor.start:
            return anchor.start - s.end, 0
        return s.start - anchor.end, 1

    return min(spans, key=key)


def _preceding(spans: Sequence[Span], pos: int) -> Span | None:
    before = [s for s in spans if s.end <= pos]
    return before[-1] if before else None


def is_comparison_date(text: str, date: Span) -> bool:
    """`比上年`, `较去年同期`, `与2019年相比`: a date that is compared against, not a period."""
    before = text[max(0, date.start - 3) : date.start]
    after = text[date.end : date.end + 3]
    return bool(_COMPARISON_BEFORE.search(before) or _COMPARISON_AFTER.match(after))


def change_of(text: str, amount: Span, clause_start: int) -> str | None:
    """``increase``/``decrease`` when the words right before the amount make it a change."""
    before = text[max(clause_start, amount.start - 10) : amount.start]
    before = re.sub(r"(?:约|近|超过|超|突破|接近|将近|了|分别|达到|达|为|\s)+$", "", before)
    if _LEVEL_REACHED.search(before) or _BENCHMARK.search(text[clause_start : amount.start]):
        return None
    m = _CHANGE_BEFORE.search(before)
    if m is None:
        return None
    return "increase" if m.group("inc") else "decrease"


def is_approximate(text: str, amount: Span, unit: Span | None) -> bool:
    before = text[max(0, amount.start - 3) : amount.start]
    end = unit.end if unit is not None else amount.end
    between = text[amount.end : unit.start] if unit is not None else ""
    after = text[end : end + 6]
    return bool(
        _APPROX_BEFORE.search(before)
        or set(between) & QUALIFIERS_AFTER
        or _APPROX_AFTER.match(after)
    )


def adjacent_unit(text: str, amount: Span, units: Sequence[Span]) -> Span | None:
    """The UNIT written right after the amount (余/多/几 may stand between)."""
    for unit in units:
        if unit.start < amount.end:
            continue
        gap = text[amount.end : unit.start]
        if len(gap) <= 2 and set(gap) <= QUALIFIERS_AFTER:
            return unit
        break
    return None


def assemble(text: str, spans: Sequence[Span], doc_year: int | None = None) -> list[Record]:
    """One record per AMOUNT span, its fields linked and its values normalised."""
    from nlp.normalize import document_year, normalise_record

    year = doc_year if doc_year is not None else document_year(text)
    return [normalise_record(r, doc_year=year) for r in link(text, spans)]


def link(text: str, spans: Sequence[Span]) -> list[Record]:
    """One record per AMOUNT span with its span fields, change and approximate set."""
    spans = sorted(spans)
    by_label: dict[str, list[Span]] = {
        label: [] for label in (AMOUNT, UNIT, INDICATOR, DATE, PROJECT)
    }
    for span in spans:
        by_label.setdefault(span.label, []).append(span)
    dates = [d for d in by_label[DATE] if not is_comparison_date(text, d)]
    layout = _Layout.of(text)
    doc_date = next((d for d in dates if d.end <= layout.title_end), None)

    records: list[Record] = []
    last_indicator: dict[tuple[int, int], Span] = {}  # sentence → indicator of the last record
    for amount in by_label[AMOUNT]:
        sentence = _containing(layout.sentences, amount.start) or (amount.start, amount.end)
        paragraph = _containing(layout.paragraphs, amount.start) or sentence
        clause = _containing(clauses(text, *sentence), amount.start) or sentence
        headings = [h for h in layout.headings if h[1] <= paragraph[0]]
        opener_end = next((e for s, e in layout.sentences if s >= paragraph[0]), paragraph[1])
        opener_clause = clauses(text, paragraph[0], opener_end)
        opener_range = opener_clause[0] if opener_clause else (paragraph[0], opener_end)

        unit = adjacent_unit(text, amount, by_label[UNIT])

        indicators = _within(by_label[INDICATOR], *clause)
        indicator = _preceding(indicators, amount.start) or (
            _nearest([i for i in indicators if i.start >= (unit or amount).end], amount)
        )
        if indicator is None:
            indicator = last_indicator.get(sentence) or _preceding(
                _within(by_label[INDICATOR], sentence[0], clause[0]), clause[0]
            )
        if indicator is not None:
            last_indicator[sentence] = indicator

        date = _governing(dates, amount, clause, sentence, opener_range, headings, doc_date)
        project = _governing(
            by_label[PROJECT], amount, clause, sentence, opener_range, headings[-1:], None
        )
        record = Record(
            amount=amount,
            unit=unit,
            indicator=indicator,
            date=date,
            project=project,
            change=change_of(text, amount, clause[0]),
            approximate=is_approximate(text, amount, unit),
            sentence=sentence,
        )
        records.append(record)
    return records


def _governing(
    candidates: Sequence[Span],
    amount: Span,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    opener: tuple[int, int],
    headings: Sequence[tuple[int, int]],
    fallback: Span | None,
) -> Span | None:
    """Clause (preceding first), sentence, paragraph opener, nearest heading that has one,
    fallback."""
    in_clause = _within(candidates, *clause)
    found = _preceding(in_clause, amount.start) or _nearest(in_clause, amount)
    if found:
        return found
    in_sentence = _within(candidates, *sentence)
    found = _preceding(in_sentence, amount.start) or _nearest(in_sentence, amount)
    if found:
        return found
    if opener[0] < sentence[0]:
        found = _preceding(_within(candidates, *opener), opener[1] + 1)
        if found:
            return found
    for start, end in reversed(headings):
        found = _preceding(_within(candidates, start, end), end + 1)
        if found:
            return found
    return fallback
