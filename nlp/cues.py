"""The words around an amount that fill its record: its unit written right after it, the
change word before it (增长 → increase), the qualifiers that make it approximate (约, 余,
以上), and the words that make a date a comparison (`比上年`, `去年同期`), not a period.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from nlp.schema import Span

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
_LEVEL_REACHED = re.compile(r"(?:至|到)(?:了)?$")
_BENCHMARK = re.compile(
    r"(?:高于|低于|超过|超出|快于|慢于)[^,，。;；]{0,12}(?:平均|全国|全省|全市|进度)"
)
_COMPARISON_BEFORE = re.compile(r"(?:比|较|对比|相比|相较|超过|高于|低于)$")
_COMPARISON_AFTER = re.compile(r"^(?:同期|相比|比较|持平|基础上)")


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
    """The UNIT written right after the amount: 余/多/几 or whitespace, a line break
    included, may stand between (`9200余家`, `990 亿元`, `30.2\n亿元`)."""
    i = bisect.bisect_left(units, Span(amount.end, amount.end, "", ""))
    if i == len(units):
        return None
    unit = units[i]
    gap = text[amount.end : unit.start]
    qualifiers = gap.strip()
    if len(qualifiers) <= 2 and set(qualifiers) <= QUALIFIERS_AFTER and len(gap) <= 8:
        return unit
    return None
