"""Assemble tagged spans into records, one per AMOUNT (guidelines, sections 2 and 4).

Each amount is linked the way a reader links it: its adjacent unit; the indicator of its
clause (or, for a change such as ``同比增长0.2%``, of the fact before it in the sentence);
the governing date, looked for in the clause, the sentence, the paragraph's opening
clause, the section heading and last the document's title lines, never a comparison date
(``比上年``, ``去年同期``); the project of the clause, sentence, paragraph or heading.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from nlp.cues import (
    adjacent_unit,
    change_of,
    continues_list,
    indicator_change,
    is_approximate,
    is_comparison_date,
    is_gap,
)
from nlp.layout import Layout, containing
from nlp.schema import AMOUNT, DATE, INDICATOR, PROJECT, UNIT, Record, Span
from nlp.text import clauses

_UNRESOLVED = 1_000_000  # the length in days given to a date with no resolvable period
HEADLINE_CHARS = 24  # a paragraph's lead sentence at most this long is a headline
_DATE_ONLY = re.compile(r"[\s截至止到自从于在是的,，:：、和及与]*")
_GROUP_EXAMPLE = re.compile(
    r"[^,，。;；:：]{0,60}?等(?:共计|共|总计|合计)?(?:[\d一二两三四五六七八九十几多])"
)
_NAMES_PLAN = re.compile(r"[”\"]?(?:规划|纲要)")
_COORDINATED = re.compile(r"和|及|与|、|——|以及")


def _within(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans of a sorted list that lie inside ``[start, end)``."""
    lo = bisect.bisect_left(spans, start, key=_start)
    hi = bisect.bisect_left(spans, end, key=_start)
    return [s for s in spans[lo:hi] if s.end <= end]


def _start(span: Span) -> int:
    return span.start


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


def _in_name(text: str, date: Span) -> bool:
    """A date inside a title (`《2019年工作要点》`) or naming a plan (`“十三五”规划`)."""
    before = text[max(0, date.start - 30) : date.start]
    in_title = before.rfind("《") > before.rfind("》")
    return in_title or bool(_NAMES_PLAN.match(text, date.end))


def assemble(text: str, spans: Sequence[Span], *, doc_year: int | None = None) -> list[Record]:
    """One record per AMOUNT span, its fields linked and its values normalised."""
    from nlp.layout import document_year
    from nlp.normalize import normalise_record

    year = doc_year if doc_year is not None else document_year(text)
    return [normalise_record(r, doc_year=year) for r in link(text, spans)]


@dataclass(frozen=True, slots=True)
class _Place:
    """Where one amount stands: its clause, sentence, the openers and headings above it."""

    clause: tuple[int, int]
    sentence: tuple[int, int]  # cut at 。！？ and at ；
    full: tuple[int, int]  # the full sentence, up to 。！？
    lead: tuple[int, int] | None  # the first clause of the full sentence (up to 。), if earlier
    openers: list[tuple[int, int]]  # the paragraph's opening clause(s) before the sentence
    headline: tuple[int, int] | None  # a short first sentence of the paragraph, before it
    headings: list[tuple[int, int]]  # nearest last
    paragraph: tuple[int, int]

    @classmethod
    def of(cls, text: str, layout: Layout, amount: Span) -> _Place:
        sentence = containing(layout.sentences, amount.start) or (amount.start, amount.end)
        paragraph = containing(layout.paragraphs, amount.start) or sentence
        clause = containing(clauses(text, *sentence), amount.start) or sentence
        full = containing(layout.full_sentences, amount.start) or sentence
        lead = clauses(text, *full)[:1]
        return cls(
            clause=clause,
            sentence=sentence,
            full=full,
            lead=lead[0] if lead and lead[0][1] <= sentence[0] else None,
            openers=[o for o in _openers(text, layout, paragraph) if o[1] <= sentence[0]],
            headings=layout.ancestors(paragraph[0]),
            headline=_headline(text, layout, paragraph, sentence),
            paragraph=paragraph,
        )


_LIST_ITEM = re.compile(r"\s*(?:[一二三四五六七八九十]+是|[(（][一二三四五六七八九十\d]+[)）]|——)")
LIST_HEADLINE_CHARS = 60  # `一是…持续做实。`: a numbered item's headline may run longer


def _is_headline(text: str, sentence: tuple[int, int]) -> bool:
    """A short first sentence naming a topic (`有效投资有突破。`, `一是…做实。`): no numbers
    (a sentence with numbers states a fact)."""
    length = sentence[1] - sentence[0]
    limit = LIST_HEADLINE_CHARS if _LIST_ITEM.match(text, sentence[0]) else HEADLINE_CHARS
    return length <= limit and not re.search(r"\d", text[sentence[0] : sentence[1]])


def _headline(
    text: str, layout: Layout, paragraph: tuple[int, int], sentence: tuple[int, int]
) -> tuple[int, int] | None:
    """The paragraph's first sentence when it is a headline (`中街步行街改造提升成效显著。`)
    standing before the amount's sentence."""
    first = layout.first_sentence(paragraph)
    if first is None or first[1] > sentence[0] or not _is_headline(text, first):
        return None
    return first


def _openers(text: str, layout: Layout, paragraph: tuple[int, int]) -> list[tuple[int, int]]:
    """The paragraph's first clause; after a short headline sentence (`有效投资有突破。`),
    the first clause of the sentence that follows it too."""
    i = bisect.bisect_left(layout.full_sentences, (paragraph[0], -1))
    firsts = [s for s in layout.full_sentences[i : i + 2] if s[0] < paragraph[1]]
    out = [c[0] for s in firsts[:1] if (c := clauses(text, *s))]
    if len(firsts) == 2 and _is_headline(text, firsts[0]):
        out += [c[0] for c in [clauses(text, *firsts[1])] if c]
    return out


def link(text: str, spans: Sequence[Span]) -> list[Record]:
    """One record per AMOUNT span with its span fields, change and approximate set."""
    layout = Layout.of(text)
    text = layout.flow  # soft line breaks read as spaces: same offsets
    by_label: dict[str, list[Span]] = {
        label: [] for label in (AMOUNT, UNIT, INDICATOR, DATE, PROJECT)
    }
    for span in sorted(spans):
        by_label.setdefault(span.label, []).append(span)
    dates = [d for d in by_label[DATE] if not is_comparison_date(text, d) and not _in_name(text, d)]
    # `富丽华大厦、北方出版物配送中心等3个项目`: projects named as examples of a counted group
    # are not the project of that count, nor of anything else near them
    projects = [p for p in by_label[PROJECT] if not _GROUP_EXAMPLE.match(text, p.end)]
    # the document's own date: of the title lines' dates, the first naming a month or more
    # (the report's period, not the day of the meeting it was given at)
    title_dates = [d for d in dates if d.end <= layout.title_end]
    doc_date = next((d for d in title_dates if _period_days(d) >= 28), None) or next(
        iter(title_dates), None
    )

    respective = _respective(text, by_label[INDICATOR], by_label[AMOUNT], layout)
    leads = _YearLeads()
    records: list[Record] = []
    previous: Record | None = None
    for amount in by_label[AMOUNT]:
        place = _Place.of(text, layout, amount)
        unit = adjacent_unit(text, amount, by_label[UNIT])
        if previous is not None and previous.sentence != place.sentence:
            previous = None
        indicators = _visible(_near(by_label[INDICATOR], place), layout.asides, amount)
        visible_projects = _visible(_near(projects, place), layout.asides, amount)
        indicator = respective.get(amount) or _indicator(
            text, amount, unit, indicators, place, previous
        )
        record = Record(
            amount=amount,
            unit=unit,
            indicator=indicator,
            date=_date(text, dates, amount, place, layout, doc_date, leads),
            project=_project(text, visible_projects, amount, place, dates, layout.asides),
            change=_change(text, amount, unit, place, previous, indicator),
            approximate=is_approximate(text, amount, unit),
            sentence=place.sentence,
        )
        record = dataclasses.replace(record, score=_confidence(record))
        records.append(record)
        # an aside (`(东部XX县区6.93亿元)`) elaborates the fact before it, it is not one
        if _enclosing(layout.asides, amount) is None:
            previous = record
    return records


def _change(
    text: str,
    amount: Span,
    unit: Span | None,
    place: _Place,
    previous: Record | None,
    indicator: Span | None,
) -> str | None:
    """The change word before the amount; else that of the amount before it in the same
    list (`分别增长8%和8.5%`); else, unless it is a gap to a benchmark, the change its
    indicator carries (`降低成本110亿元`, `居民消费价格涨幅…3%`)."""
    found = change_of(text, amount, place.clause[0], unit)
    if (
        found is None
        and previous is not None
        and previous.change is not None
        and continues_list(text, (previous.unit or previous.amount).end, amount)
    ):
        found = previous.change
    if found is None and not is_gap(text, amount, place.clause[0]):
        found = indicator_change(text, amount, indicator)
    return found


_RESPECTIVELY = re.compile(r"分别")
_CONJUNCTION = re.compile(r"\s*(?:[、和及与]|以及)\s*[“\"]?")
_TO_RESPECTIVELY = re.compile(r"[^，,。；;:：！？\n]{0,4}")  # `…价格涨幅分别`: a few words at most


def _respective(
    text: str, indicators: Sequence[Span], amounts: Sequence[Span], layout: Layout
) -> dict[Span, Span]:
    """Amount → indicator where a list of indicators is followed by `分别` and as many
    amounts (`A、B和C分别增长x、y、z`): the k-th amount measures the k-th conjunct
    (guidelines rev 2, coordinated indicators)."""
    out: dict[Span, Span] = {}
    for m in _RESPECTIVELY.finditer(text):
        i = bisect.bisect_left(indicators, Span(m.start(), m.start(), "", "")) - 1
        if i < 0 or not _TO_RESPECTIVELY.fullmatch(text, indicators[i].end, m.start()):
            continue
        chain = [indicators[i]]
        while i > 0 and _CONJUNCTION.fullmatch(text, indicators[i - 1].end, chain[0].start):
            i -= 1
            chain.insert(0, indicators[i])
        if len(chain) < 2:
            continue
        sentence = containing(layout.full_sentences, m.start()) or (m.start(), len(text))
        after = _within(amounts, m.end(), sentence[1])[: len(chain)]
        if len(after) == len(chain):
            out.update(zip(after, chain, strict=True))
    return out


def _confidence(record: Record) -> float | None:
    """A record is as sure as its least sure span: the lowest of their confidences."""
    fields = (record.amount, record.unit, record.indicator, record.date, record.project)
    scores = [s.score for s in fields if s is not None and s.score is not None]
    return min(scores) if scores else None


def _near(spans: Sequence[Span], place: _Place) -> list[Span]:
    """The spans in the amount's full sentence: all that indicator and project linking
    look at besides headings, found by bisection in the sorted list."""
    start = place.lead[0] if place.lead else place.sentence[0]
    near = _within(spans, start, place.sentence[1])
    for heading in (place.headline, *place.headings[-1:]):
        if heading:
            near += _within(spans, *heading)
    return sorted(set(near))


def _enclosing(asides: Sequence[tuple[int, int]], span: Span) -> tuple[int, int] | None:
    """The parenthesis (from `Layout.asides`, sorted, not nested) holding a span, if any."""
    i = bisect.bisect_right(asides, (span.start, float("inf"))) - 1
    if i >= 0 and asides[i][0] <= span.start and span.end <= asides[i][1]:
        return asides[i]
    return None


def _visible(spans: Sequence[Span], asides: Sequence[tuple[int, int]], amount: Span) -> list[Span]:
    """The spans an amount can link to across parentheses: both outside them or in the same
    ones, since an aside (`(包括上马工业园)`, `(东部XX县区6.93亿元)`) is a world of its own,
    except that an aside right after a name speaks of it (`鹭海路(桥3座)`)."""
    inner = _enclosing(asides, amount)
    out = []
    for span in spans:
        outer = _enclosing(asides, span)
        if outer == inner or (outer is None and inner is not None and inner[0] == span.end):
            out.append(span)
    return out


def _indicator(
    text: str,
    amount: Span,
    unit: Span | None,
    indicators: Sequence[Span],
    place: _Place,
    previous: Record | None,
) -> Span | None:
    """What the amount measures, in the order a reader looks for it:

    the noun right after the unit (`31户住宅`); the nearest before the amount in its clause
    (a list `金融业、商贸业增加值…` may start in an earlier clause); one after it in the
    clause; a label before a colon (`上水管线维修:30余件`); the indicator of the fact before
    it in the sentence (`完成990亿元,同比增长0.2%`); the counted noun later in the sentence
    with no other amount between (`选拔一批忠诚、干净的年轻干部`).
    """
    after = (unit or amount).end
    in_clause = [i for i in indicators if place.clause[0] <= i.end <= place.clause[1]]
    right_after = [i for i in in_clause if i.start == after]
    if right_after:
        return right_after[0]
    before = _preceding(in_clause, amount.start)
    if before is not None:
        return before
    found = _nearest([i for i in in_clause if i.start >= after], amount)
    if found is not None:
        return found
    labels = [
        i
        for i in indicators
        if place.sentence[0] <= i.end <= place.clause[0]
        and text[i.end : place.clause[0]].strip() in (":", "：")
    ]
    if labels:
        return labels[-1]
    if previous is not None and previous.indicator is not None:
        return previous.indicator
    later = next((i for i in indicators if i.start >= after), None)
    if later is not None and later.end <= place.sentence[1]:
        return later
    return None


def _in_scope(candidates: Sequence[Span], amount: Span, scope: tuple[int, int]) -> Span | None:
    """The nearest candidate in scope, one before the amount first."""
    inside = _within(candidates, *scope)
    return _preceding(inside, amount.start) or _nearest(inside, amount)


# a target or plan that the amount itself is (`年度计划投资22.7亿元`, `力争达到8%`), not the
# completion of one (`完成年度计划的101%`)
_PLAN = re.compile(r"(?:计划|目标|力争|预期|预算)[^，,。；;完占的]{0,10}$")
_AVERAGE = re.compile(r"年均|年平均|平均每年")
YEAR_DAYS = 360  # a period at least this long is a year (or more)


def _wanted(text: str, amount: Span, place: _Place) -> int:
    """The shortest period (days) an amount's date must cover: a multi-year average takes
    the multi-year period in scope (`年均增长`), a target or plan the year it is set for
    (`年度计划投资`, `全年目标`); 0 for anything else (guidelines rev 2, section 4)."""
    before = text[place.clause[0] : amount.start]
    if _AVERAGE.search(before):
        return 2 * YEAR_DAYS
    if _PLAN.search(before):
        return YEAR_DAYS
    return 0


class _YearLeads(dict):
    """Per paragraph, computed once: where its clauses open with a year-level date, and
    which (`2012年…,2013年…`: a paragraph that goes year by year has no opener for all)."""

    def of(self, text: str, dates: Sequence[Span], paragraph: tuple[int, int]) -> list:
        if paragraph not in self:
            leads = ((c[0], _leading_date(text, dates, c)) for c in clauses(text, *paragraph))
            self[paragraph] = [(pos, d.text) for pos, d in leads if d and "年" in d.text]
        return self[paragraph]


def _date(
    text: str,
    dates: Sequence[Span],
    amount: Span,
    place: _Place,
    layout: Layout,
    doc_date: Span | None,
    leads: _YearLeads,
) -> Span | None:
    """The governing date: the first in `_date_chain` whose period is long enough for the
    amount (`_wanted`), else the first found at all."""
    wanted = _wanted(text, amount, place)
    first = None
    for found in _date_chain(text, dates, amount, place, layout, doc_date, leads):
        if found is None:
            continue
        if _period_days(found) >= wanted and (wanted == 0 or _is_calendar(found)):
            return found
        first = first or found
    return first


def _date_chain(
    text: str,
    dates: Sequence[Span],
    amount: Span,
    place: _Place,
    layout: Layout,
    doc_date: Span | None,
    leads: _YearLeads,
) -> Iterator[Span | None]:
    """Candidate dates in the order guidelines section 4 gives, a date never reaching back
    from a later clause: the amount's clause; the nearest date in an earlier clause of its
    sentence (to 。; a `；` does not end it); the paragraph's opener (after a headline); the
    headline's own date; the section headings, nearest first, each with the date that opens
    its first paragraph; the document's date. Several dates at one level come narrowest
    first (`2020年和“十三五”时期` → 2020年, then 十三五)."""
    yield _in_scope(dates, amount, place.clause)
    full = place.full
    # the nearest earlier clause that opens with a date; a date inside a noun phrase
    # (`我区2019年…任务指标为80户`) dates only its own clause
    for clause in reversed(clauses(text, full[0], place.clause[0])):
        found = _leading_date(text, dates, clause)
        if found is not None:
            yield found
            break
    for opener in place.openers:
        found = _leading_date(text, dates, opener)
        if found is None:
            continue
        # a paragraph that goes year by year (`2012年…,2013年…`) has no opener for all
        year_by_year = any(
            opener[1] <= pos < full[0] and lead != found.text
            for pos, lead in leads.of(text, dates, place.paragraph)
        )
        if _date_only(text, dates, opener) or not ("年" in found.text and year_by_year):
            yield from sorted(_within(dates, *opener), key=_period_days)
    if place.headline is not None:
        yield from sorted(_within(dates, *place.headline), key=_period_days)
    for heading in place.headings[::-1]:
        yield from sorted(_within(dates, *heading), key=_period_days)
        body = layout.following(heading)
        if body is not None:
            for opener in _openers(text, layout, body)[:1]:
                yield _leading_date(text, dates, opener)
    yield doc_date


# a run-in heading before a paragraph's first words: `一、工业经济 1—6月份,…` (the list
# marker may stand in a clause of its own, cut at its 、)
_RUN_IN_HEADING = re.compile(
    r"\s*(?:(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）])"
    r"[^\s，,。:：]{0,12}[\s:：]+|[^\s，,。:：、]{1,12}[ \t\u3000]+)"
)


def _leading_date(text: str, dates: Sequence[Span], clause: tuple[int, int]) -> Span | None:
    """The date a clause starts with (after a preposition such as 截至/在, or a run-in
    heading such as `一、工业经济 `), if any; of several dates there, the narrowest period."""
    inside = _within(dates, *clause)
    if not inside:
        return None
    run_in = _RUN_IN_HEADING.match(text, clause[0], inside[0].start)
    start = run_in.end() if run_in else clause[0]
    if not _DATE_ONLY.fullmatch(text, start, inside[0].start):
        return None
    return min(inside, key=_period_days)


def _date_only(text: str, dates: Sequence[Span], clause: tuple[int, int]) -> bool:
    """Whether a clause is nothing but dates and prepositions: `截至2019年6月10日,`."""
    pos = clause[0]
    for d in _within(dates, *clause):
        if not _DATE_ONLY.fullmatch(text, pos, d.start):
            return False
        pos = d.end
    return bool(_DATE_ONLY.fullmatch(text, pos, clause[1]))


def _is_calendar(date: Span) -> bool:
    """Whether a date names a calendar period (`1-5月`, `2019年`), not `目前` or `汛期前`."""
    return _period_days(date) < _UNRESOLVED


@functools.lru_cache(maxsize=4096)
def _days(text: str) -> int:
    from nlp.periods import parse_period

    period = parse_period(text, doc_year=2000)  # any year: only the length matters
    if period.start is None or period.end is None:
        return _UNRESOLVED
    return (_date_of(period.end) - _date_of(period.start)).days


def _period_days(date: Span) -> int:
    return _days(date.text)


def _date_of(iso: str) -> datetime.date:
    return datetime.date.fromisoformat(iso)


def _project(
    text: str,
    projects: Sequence[Span],
    amount: Span,
    place: _Place,
    dates: Sequence[Span],
    asides: Sequence[tuple[int, int]],
) -> Span | None:
    """The project an amount belongs to, looked for in order:

    its clause (not a project joined to another item by 和/及/、); the topic clause that
    opens its sentence (after a date-only lead); a project that opens the full sentence as
    its subject (`东部产业集聚区实现…;新入区企业6家`) governs past ；too; the project named by
    the paragraph's headline sentence or by the nearest heading. A project mentioned
    mid-sentence governs only its own clause.
    """
    in_clause = [
        p for p in _within(projects, *place.clause) if not _coordinated(text, p, amount, asides)
    ]
    found = _preceding(in_clause, amount.start) or _nearest(in_clause, amount)
    if found:
        return found
    full_start = place.lead[0] if place.lead else place.sentence[0]
    for start, subject_only in ((place.sentence[0], False), (full_start, True)):
        topics = clauses(text, start, place.sentence[1])[:2]
        if topics and _date_only(text, dates, topics[0]):
            topics = topics[1:]
        if not topics or topics[0] == place.clause or topics[0][1] > amount.start:
            continue
        inside = _within(projects, *topics[0])
        if subject_only:  # the subject opens the clause, or is the sentence's only project
            only = len(_within(projects, full_start, place.sentence[1])) == 1
            inside = [
                p for p in inside if only or _DATE_ONLY.fullmatch(text, topics[0][0], p.start)
            ]
        if inside:
            return inside[-1]
    for scope in ([place.headline] if place.headline else []) + place.headings[-1:]:
        inside = _within(projects, *scope)
        if len(inside) == 1:  # a heading that lists several projects names none of them
            return inside[0]
    return None


def _coordinated(text: str, a: Span, b: Span, asides: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether two spans stand in different conjuncts (`8条胡同改造和中央里文化旅游区建设`);
    a parenthesis between them (`集聚区(包括A和B)实现…`) is skipped."""
    first, second = sorted((a, b))
    between = list(text[first.end : second.start])
    for start, end in asides:
        for i in range(max(start, first.end), min(end, second.start)):
            between[i - first.end] = " "
    return bool(_COORDINATED.search("".join(between)))
