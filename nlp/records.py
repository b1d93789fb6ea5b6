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
import re
from collections.abc import Sequence

from nlp.cues import (
    adjacent_unit,
    change_of,
    continues_list,
    indicator_change,
    is_approximate,
    is_comparison_date,
    is_gap,
    is_streak,
    measure_of,
)
from nlp.dates import YearLeads, date_only, governing_date, period_days
from nlp.layout import Layout
from nlp.place import DATE_ONLY, Place, nearest, preceding, within
from nlp.respective import respective, respective_records
from nlp.schema import AMOUNT, DATE, INDICATOR, PROJECT, UNIT, Record, Span
from nlp.text import clauses

_GROUP_EXAMPLE = re.compile(
    r"[^,，。;；:：]{0,60}?等(?:共计|共|总计|合计)?[^,，。;；:：\d]{0,10}?\s*(?:[\d一二两三四五六七八九十几多])"
    r"|[”\"]?(?:[、和][^,，。;；:：、]{1,15}){0,6}等(?![级次待同于])"
)
_NAMES_PLAN = re.compile(r"[”\"]?(?:规划|纲要)")
_COORDINATED = re.compile(r"和|及|与|、|——|以及")


# a month and day joined by a middle dot name an event (`7·20暴雨`, `3·5疫情`), not a period
_EVENT_DATE = re.compile(r"[\d０-９]{1,2}\s*[·•・]\s*[\d０-９]{1,2}")


def _in_name(text: str, date: Span) -> bool:
    """A date inside a title (`《2019年工作要点》`), naming a plan (`“十三五”规划`) or an
    event (`7·20暴雨`)."""
    before = text[max(0, date.start - 30) : date.start]
    in_title = before.rfind("《") > before.rfind("》")
    event = _EVENT_DATE.fullmatch(date.text.strip('“”"')) is not None
    return in_title or event or bool(_NAMES_PLAN.match(text, date.end))


def assemble(
    text: str,
    spans: Sequence[Span],
    *,
    doc_year: int | None = None,
    layout: Layout | None = None,
) -> list[Record]:
    """One record per AMOUNT span, its fields linked and its values normalised (``layout``:
    the text's, where the caller has it already)."""
    from nlp.layout import document_year
    from nlp.normalize import normalise_record

    year = doc_year if doc_year is not None else document_year(text)
    return [normalise_record(r, doc_year=year) for r in link(text, spans, layout=layout)]


def link(text: str, spans: Sequence[Span], *, layout: Layout | None = None) -> list[Record]:
    """One record per AMOUNT span with its span fields, change and approximate set."""
    layout = layout or Layout.of(text)
    text = layout.flow  # soft line breaks read as spaces: same offsets
    by_label: dict[str, list[Span]] = {
        label: [] for label in (AMOUNT, UNIT, INDICATOR, DATE, PROJECT)
    }
    for span in sorted(spans):
        by_label.setdefault(span.label, []).append(span)
    dates = [d for d in by_label[DATE] if not is_comparison_date(text, d) and not _in_name(text, d)]
    # `富丽华大厦、北方出版物配送中心等3个项目`, `“三河”等重点工程`: projects named as examples
    # of a group are not the project of its figures, nor of anything else near them
    projects = [p for p in by_label[PROJECT] if not _GROUP_EXAMPLE.match(text, p.end)]
    # the document's own date: of the title lines' dates, the first naming a month or more
    # (the report's period, not the day of the meeting it was given at)
    title_dates = [d for d in dates if d.end <= layout.title_end]
    doc_date = next((d for d in title_dates if period_days(d) >= 28), None) or next(
        iter(title_dates), None
    )

    # a date inside a parenthesis (`(2020年80个)`) dates only what stands in it
    unaside_dates = [d for d in dates if _enclosing(layout.asides, d) is None]
    listed = respective(text, by_label[INDICATOR], by_label[AMOUNT], layout)
    leads = YearLeads()
    records: list[Record] = []
    previous: Record | None = None
    for amount in by_label[AMOUNT]:
        place = Place.of(text, layout, amount)
        unit = adjacent_unit(text, amount, by_label[UNIT])
        if previous is not None and previous.sentence != place.sentence:
            previous = None
        indicators = _visible(_near(by_label[INDICATOR], place), layout.asides, amount)
        visible_projects = _visible(_near(projects, place), layout.asides, amount)
        indicator = (
            listed.get(amount)
            or respective_records(text, amount, by_label, records, place)
            or _share_of_reference(text, amount, records, place)
            or _indicator(text, amount, unit, indicators, by_label[AMOUNT], place, previous)
        )
        record = Record(
            amount=amount,
            unit=unit,
            indicator=indicator,
            date=governing_date(
                text,
                dates if _enclosing(layout.asides, amount) else unaside_dates,
                amount,
                place,
                layout,
                doc_date,
                leads,
            ),
            project=_project(text, visible_projects, amount, place, dates, layout.asides),
            change=_change(text, amount, unit, place, previous, indicator),
            approximate=is_approximate(text, amount, unit),
            sentence=place.sentence,
        )
        measure = measure_of(text, amount, unit, record.change, place.list_start, place.full[0])
        record = dataclasses.replace(record, measure=measure, score=_confidence(record))
        records.append(record)
        # an aside (`(东部XX县区6.93亿元)`) elaborates the fact before it, it is not one
        if _enclosing(layout.asides, amount) is None:
            previous = record
    return records


def _change(
    text: str,
    amount: Span,
    unit: Span | None,
    place: Place,
    previous: Record | None,
    indicator: Span | None,
) -> str | None:
    """The change word before the amount; else that of the amount before it in the same
    list (`分别增长6%和7.5%`); else, unless it is a gap to a benchmark, the change its
    indicator carries (`降低成本35亿元`, `物价涨幅…2.5%`)."""
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


_OF_REFERENCE = re.compile(r"\s*的\s*")
_REFERENCE_VERB = re.compile(r"(?:完成|占|达到|相当于)[^，,。；;]*$")


def _share_of_reference(
    text: str, amount: Span, records: Sequence[Record], place: Place
) -> Span | None:
    """The subject of a share of a reference quantity (`引资120亿元，完成任务数130亿元的
    92%`): the 92% measures what the sentence was measuring before the reference, not the
    reference; None for anything else (guidelines rev 2, subject over reference)."""
    if not records or records[-1].sentence != place.sentence:
        return None
    reference = records[-1]
    end = (reference.unit or reference.amount).end
    if reference.indicator is None or not _OF_REFERENCE.fullmatch(text, end, amount.start):
        return None
    if not _REFERENCE_VERB.search(text, place.clause[0], reference.amount.start):
        return None
    for record in reversed(records[:-1]):
        if record.amount.start < place.full[0]:
            break
        if record.indicator is not None and record.indicator.text != reference.indicator.text:
            return record.indicator
    return None


def _confidence(record: Record) -> float | None:
    """A record is as sure as its least sure span: the lowest of their confidences."""
    fields = (record.amount, record.unit, record.indicator, record.date, record.project)
    scores = [s.score for s in fields if s is not None and s.score is not None]
    return min(scores) if scores else None


def _near(spans: Sequence[Span], place: Place) -> list[Span]:
    """The spans in the amount's full sentence: all that indicator and project linking
    look at besides headings, found by bisection in the sorted list."""
    start = place.lead[0] if place.lead else place.sentence[0]
    near = within(spans, start, place.sentence[1])
    for heading in (place.headline, *place.headings[-1:]):
        if heading:
            near += within(spans, *heading)
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
    amounts: Sequence[Span],
    place: Place,
    previous: Record | None,
) -> Span | None:
    """What the amount measures, in the order a reader looks for it:

    the noun right after the unit (`31户住宅`); the nearest before the amount in its clause
    (a list `金融业、商贸业增加值…` may start in an earlier clause); one after it in the
    clause; a label before a colon (`上水管线维修:30余件`); the indicator of the fact before
    it in the sentence (`完成990亿元,同比增长0.2%`); the counted noun later in the sentence
    with no other amount between (`选拔一批忠诚、干净的年轻干部`).
    """
    if is_streak(text, amount, unit):
        return None
    after = (unit or amount).end
    in_clause = [i for i in indicators if place.clause[0] <= i.end <= place.clause[1]]
    right_after = [i for i in in_clause if i.start == after]
    if right_after:
        return right_after[0]
    before = preceding(in_clause, amount.start)
    if before is not None:
        return before
    found = nearest([i for i in in_clause if i.start >= after], amount)
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
    # a topic named in an earlier clause that no amount has taken since
    # (`蔬菜总产量，全县平均每户达到3.5吨`): the last indicator after the sentence's last amount
    since = max(
        (a.end for a in amounts if place.sentence[0] <= a.start and a.end <= place.clause[0]),
        default=place.sentence[0],
    )
    topic = [i for i in indicators if since <= i.start and i.end <= place.clause[0]]
    if topic:
        return topic[-1]
    if previous is not None and previous.indicator is not None:
        return previous.indicator
    # a headline that names one indicator (`有效投资有突破。从…的218亿元到…`) names the topic
    # of the sentence right after it
    if place.headline is not None and place.headline[1] <= place.sentence[0]:
        named = within(indicators, *place.headline)
        if len(named) == 1 and not text[place.headline[1] : place.sentence[0]].strip("。 \n"):
            return named[0]
    later = next((i for i in indicators if i.start >= after), None)
    if later is not None and later.end <= place.sentence[1]:
        return later
    return None


def _project(
    text: str,
    projects: Sequence[Span],
    amount: Span,
    place: Place,
    dates: Sequence[Span],
    asides: Sequence[tuple[int, int]],
) -> Span | None:
    """The project an amount belongs to, looked for in order:

    its clause, from where its `、` list starts (not a project joined to another item by
    和/及/、); the works the next clause builds with money the amount puts in (`投入1.6亿元，
    全面实施XX工程`); the topic clause that opens its sentence (after a date-only lead), unless
    the amount's clause opens a new action (`启动…`); a project that opens the full sentence
    as its subject (`东部产业集聚区实现…;新入区企业6家`) governs past ；too; the project named
    by the paragraph's headline sentence or by the nearest heading. A project mentioned
    mid-sentence governs only its own clause.
    """
    in_clause = [
        p
        for p in within(projects, place.list_start, place.clause[1])
        if not _coordinated(text, p, amount, asides)
    ]
    found = preceding(in_clause, amount.start) or nearest(in_clause, amount)
    if found:
        return found
    funded = _funded_project(text, projects, amount, place)
    if funded is not None:
        return funded
    full_start = place.lead[0] if place.lead else place.sentence[0]
    action = _ACTION.match(text, place.clause[0]) is not None
    for start, subject_only in ((place.sentence[0], False), (full_start, True)):
        topics = clauses(text, start, place.sentence[1])[:2]
        if topics and date_only(text, dates, topics[0]):
            topics = topics[1:]
        if not topics or topics[0] == place.clause or topics[0][1] > amount.start:
            continue
        inside = [] if action and not subject_only else within(projects, *topics[0])
        if subject_only:  # the subject opens the clause, or is the sentence's only project
            only = len(within(projects, full_start, place.sentence[1])) == 1 and not action
            inside = [p for p in inside if only or DATE_ONLY.fullmatch(text, topics[0][0], p.start)]
        if inside:
            return inside[-1]
    for scope in ([place.headline] if place.headline else []) + place.headings[-1:]:
        inside = within(projects, *scope)
        if len(inside) == 1:  # a heading that lists several projects names none of them
            return inside[0]
    return None


# a clause that opens a new action (`实施XX工程，启动3个闸建设`) is not about the topic's project
_ACTION = re.compile(
    r"\s*(?:并|同时)?(?:全面|加快|积极|大力|着力|深入|扎实|持续|全力)?"
    r"(?:实施|启动|推进|推动|开展|确保|协调|打造|新建|改造|整治|治理)"
)
# money put in, then the works it built: `投入2.2亿元，治理XX河`
_FUNDS = re.compile(r"投入|投资|筹措|筹集")
_BUILDS = re.compile(
    r"\s*(?:全面|启动|加快|开工|全力)?(?:实施|建设|治理|完成|新建|改造|修建|打造|整治)"
)


def _funded_project(text: str, projects: Sequence[Span], amount: Span, place: Place) -> Span | None:
    """The project the next clause builds with the money an amount puts in
    (`投入1.6亿元，全面实施XX工程`); None for anything else."""
    if not _FUNDS.search(text, place.clause[0], amount.start):
        return None
    following = clauses(text, place.clause[1], place.sentence[1])[:1]
    verb = _BUILDS.match(text, following[0][0]) if following else None
    if verb is None:
        return None
    found = within(projects, *following[0])
    return found[0] if found and found[0].start - verb.end() <= 2 else None


def _coordinated(
    text: str, project: Span, amount: Span, asides: Sequence[tuple[int, int]] = ()
) -> bool:
    """Whether a project and an amount stand in different conjuncts (`8条胡同改造和中央里文化
    旅游区建设`); a parenthesis between them (`集聚区(包括A和B)实现…`) is skipped, and so is a
    list inside another amount's phrase after the project (`港口连通40个城市及园区的…`)."""
    first, second = sorted((project, amount))
    between = list(text[first.end : second.start])
    # the asides (sorted, disjoint) that reach into the stretch between the two spans
    lo = bisect.bisect_right(asides, (first.end, float("inf"))) - 1
    hi = bisect.bisect_left(asides, (second.start, -1))
    for start, end in asides[max(lo, 0) : hi]:
        for i in range(max(start, first.end), min(end, second.start)):
            between[i - first.end] = " "
    if first is project:
        between = between[: next((i for i, c in enumerate(between) if c.isdigit()), None)]
    return bool(_COORDINATED.search("".join(between)))
