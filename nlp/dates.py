"""Which date governs an amount: candidates in the order guidelines section 4 gives (clause,
earlier clause, paragraph opener, headline, headings, the document's date), a date never
reaching back, plans taking their year and averages the multi-year period.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from collections.abc import Iterator, Sequence

from nlp.cues import is_plan
from nlp.layout import Layout
from nlp.place import DATE_ONLY, Place, in_scope, openers, within
from nlp.schema import Span
from nlp.text import clauses

_UNRESOLVED = 1_000_000  # the length in days given to a date with no resolvable period


_LEAD_IN = re.compile(r"[^\d\s.．:：]\s*[:：]\s*$")  # not a ratio's colon (`0.04:65.24`)
# a date read as an adverb, right before its verb: `县财政全年安排…`, `全年共供水…`
_ADVERB_DATE = re.compile(r"\s*(?:共|累计|取消|用于|安排|完成|实现|新增|发放|投入|签约|引进|建成)")
_AVERAGE = re.compile(r"年均|年平均|平均每年")
YEAR_DAYS = 360  # a period at least this long is a year (or more)


def _wanted(text: str, amount: Span, place: Place) -> int:
    """The shortest period (days) an amount's date must cover: a multi-year average takes
    the multi-year period in scope (`年均增长`), a target or plan the year it is set for
    (`年度计划投资`, `全年目标`); 0 for anything else (guidelines rev 2, section 4)."""
    before = text[place.list_start : amount.start]
    if _AVERAGE.search(before):
        return 2 * YEAR_DAYS
    if is_plan(before):  # a plan's completion is a fact of its own date
        return YEAR_DAYS
    return 0


class YearLeads(dict):
    """Per paragraph, computed once: where its clauses open with a year-level date, and
    which (`2012年…,2013年…`: a paragraph that goes year by year has no opener for all)."""

    def of(self, text: str, dates: Sequence[Span], paragraph: tuple[int, int]) -> list:
        if paragraph not in self:
            leads = ((c[0], leading_date(text, dates, c)) for c in clauses(text, *paragraph))
            self[paragraph] = [(pos, d.text) for pos, d in leads if d and "年" in d.text]
        return self[paragraph]


def governing_date(
    text: str,
    dates: Sequence[Span],
    amount: Span,
    place: Place,
    layout: Layout,
    doc_date: Span | None,
    leads: YearLeads,
) -> Span | None:
    """The governing date: the first in `_date_chain` whose period is long enough for the
    amount (`_wanted`), else the first found at all."""
    if in_scope(dates, amount, place.clause) is None:
        paired = _from_to_date(text, dates, amount, place)
        if paired is not None:
            return paired
    wanted = _wanted(text, amount, place)
    first = None
    for found in _date_chain(text, dates, amount, place, layout, doc_date, leads, wanted == 0):
        if found is None:
            continue
        if period_days(found) >= wanted and (wanted == 0 or _is_calendar(found)):
            return found
        first = first or found
    return first


# a pair of values, from one to the other (`由175元提高到288元`), and a pair of dates in an
# earlier clause of the sentence (`从2001年到2006年，…`, `从2011年的300亿元增加到2016年的…`)
_FROM_VALUE = re.compile(r"(?:从|由)\s*$")
_TO_VALUE = re.compile(r"(?:从|由)[^，,。；;]{1,20}?(?:到|至)\s*$")
_SEMICOLON = re.compile(r"[；;]")
_OPENS = re.compile(r"(?:^|从|由|[，,；;])\s*$")
_DATE_TO_DATE = re.compile(r"\s*(?:到|至|—|–|－|-|～)\s*|的[^，,。；;]{1,30}?(?:到|至)\s*")


def _from_to_date(text: str, dates: Sequence[Span], amount: Span, place: Place) -> Span | None:
    """The date of a from- or to-value under a from-to pair of dates: the first date for
    the value it starts from, the second for the value it reaches; else None."""
    before = text[place.clause[0] : amount.start]
    side = 0 if _FROM_VALUE.search(before) else 1 if _TO_VALUE.search(before) else None
    if side is None:
        return None
    pair = _date_pair(text, dates, place.full[0], place.clause[0])
    return None if pair is None else pair[side]


def _date_pair(text: str, dates: Sequence[Span], start: int, end: int) -> tuple[Span, Span] | None:
    """The last from-to pair of dates between start and end (`从2011年的30亿元增至2016年的`)."""
    for first, second in reversed(list(itertools.pairwise(within(dates, start, end)))):
        opens = text[max(start, first.start - 2) : first.start]
        if _DATE_TO_DATE.fullmatch(text, first.end, second.start) and _OPENS.search(opens):
            return first, second
    return None


def _date_chain(
    text: str,
    dates: Sequence[Span],
    amount: Span,
    place: Place,
    layout: Layout,
    doc_date: Span | None,
    leads: YearLeads,
    level: bool,
) -> Iterator[Span | None]:
    """Candidate dates in the order guidelines section 4 gives, a date never reaching back
    from a later clause: the amount's clause; the nearest date in an earlier clause of its
    sentence (to 。; a `；` does not end it); the paragraph's opener (after a headline); the
    headline's own date; the section headings, nearest first, each with the date that opens
    its first paragraph; the document's date. A level (not an average or a plan) after a
    from-to pair of values takes the pair's later date, up to a `；`. Several dates at one
    level come narrowest first (`2020年和“十三五”时期` → 2020年, then 十三五)."""
    yield in_scope(dates, amount, place.clause)
    full = place.full
    # the nearest earlier clause that opens with a date; a date inside a noun phrase
    # (`我区2019年…任务指标为80户`) dates only its own clause, unless the clause leads in to
    # what follows with a colon (`明确了2021年的目标任务:生产总值增长7%,…`) or the date is an
    # adverb before its verb (`县财政全年安排…`)
    for clause in reversed(clauses(text, full[0], place.clause[0])):
        found = leading_date(text, dates, clause)
        if found is None and _LEAD_IN.search(text, clause[0], clause[1]):
            found = min(within(dates, *clause), key=period_days, default=None)
        if found is None:
            adverbs = (d for d in within(dates, *clause) if _ADVERB_DATE.match(text, d.end))
            found = next(adverbs, None)
        if found is None and level and not _SEMICOLON.search(text, clause[1], amount.start):
            # after `由2012年的A增加至2015年的B,`, a level that follows is of 2015
            pair = _date_pair(text, dates, *clause)
            found = pair and pair[1]
        if found is not None:
            yield found
            break
    for opener in place.openers:
        found = leading_date(text, dates, opener)
        if found is None:
            continue
        # a paragraph that goes year by year (`2012年…,2013年…`) has no opener for all
        year_by_year = any(
            opener[1] <= pos < full[0] and lead != found.text
            for pos, lead in leads.of(text, dates, place.paragraph)
        )
        if date_only(text, dates, opener) or not ("年" in found.text and year_by_year):
            yield from sorted(within(dates, *opener), key=period_days)
    if place.headline is not None:
        yield from sorted(within(dates, *place.headline), key=period_days)
    for heading in place.headings[::-1]:
        yield from sorted(within(dates, *heading), key=period_days)
        body = layout.following(heading)
        if body is not None:
            # never reaching back: a run-in heading's `following` is the paragraph after
            for opener in openers(text, layout, body)[:1]:
                if opener[1] <= amount.start:
                    yield leading_date(text, dates, opener)
    yield doc_date


# a run-in heading before a paragraph's first words: `一、农业生产 1—9月份,…` (the list
# marker may stand in a clause of its own, cut at its 、)
_RUN_IN_HEADING = re.compile(
    r"\s*(?:(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）])"
    r"[^\s，,。:：]{0,12}[\s:：]+|[^\s，,。:：、]{1,12}[ \t\u3000]+)"
)


def leading_date(text: str, dates: Sequence[Span], clause: tuple[int, int]) -> Span | None:
    """The date a clause starts with (after a preposition such as 截至/在, or a run-in
    heading such as `一、农业生产 `), if any; of several dates there, the narrowest period."""
    inside = within(dates, *clause)
    if not inside:
        return None
    run_in = _RUN_IN_HEADING.match(text, clause[0], inside[0].start)
    start = run_in.end() if run_in else clause[0]
    if not DATE_ONLY.fullmatch(text, start, inside[0].start):
        return None
    return min(inside, key=period_days)


def date_only(text: str, dates: Sequence[Span], clause: tuple[int, int]) -> bool:
    """Whether a clause is nothing but dates and prepositions: `截至2019年6月10日,`."""
    pos = clause[0]
    for d in within(dates, *clause):
        if not DATE_ONLY.fullmatch(text, pos, d.start):
            return False
        pos = d.end
    return bool(DATE_ONLY.fullmatch(text, pos, clause[1]))


def _is_calendar(date: Span) -> bool:
    """Whether a date names a calendar period (`1-5月`, `2019年`), not `目前` or `汛期前`."""
    return period_days(date) < _UNRESOLVED


@functools.lru_cache(maxsize=4096)
def _days(text: str) -> int:
    from nlp.periods import parse_period

    period = parse_period(text, doc_year=2000)  # any year: only the length matters
    if period.start is None or period.end is None:
        return _UNRESOLVED
    return (_date_of(period.end) - _date_of(period.start)).days


def period_days(date: Span) -> int:
    return _days(date.text)


def _date_of(iso: str) -> datetime.date:
    return datetime.date.fromisoformat(iso)
