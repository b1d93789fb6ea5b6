"""The words around an amount that fill its record: its unit written right after it, the
change word before it (增长 → increase), the qualifiers that make it approximate (约, 余,
以上), and the words that make a date a comparison (`比上年`, `去年同期`), not a period.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from nlp.normalize import parse_unit
from nlp.schema import Span

QUALIFIERS_AFTER = set("余多几")
_APPROX_BEFORE = re.compile(
    r"(?:(?<![签节制预合])约|近|超过|超|突破|逾|大约|将近|接近|不低于|不少于|不下)(?:为|是)?$"
)
# qualifiers after the unit: `9200余家`, `左右`, `以上` (not the fixed `规模以上`), `7日内`;
# a step reached (`迈上5000亿元新台阶`) is a round figure; `1/4强` right after a bare amount
_APPROX_AFTER = re.compile(
    r"^(?:余|多|左右|以上|以内|以下|上下|内(?!容|部|地|外))"
    r"|^[^\s\d,，。;；、]{0,4}?(?<!规模)(?:左右|以上|以内|以下)"
    r"|^[^\s\d,，。;；、]{0,3}台阶"
)
# a cap after the last amount of a list bounds each (`分别控制在4.5%和3.5%以内`)
_LIST_CAP = re.compile(
    r"(?:(?:[、和及与]|以及)[\d.．]+[^\s\d,，。;；、和及与]{0,4}?)+(?:以内|以下)"
)
_INCREASE = (
    "增长|增加|提高|提升|上升|扩大|增收|增支|增产|净增|扩增|加快|上调|上涨|翻|增|多|涨"
    "|高于去年同期|前进"
)
_DECREASE = "下降|减少|降低|收窄|缩小|核减|压减|减收|减支|减产|精简|减|降|回落|下滑|少"
_CHANGE_BEFORE = re.compile(
    rf"(?:(?P<inc>{_INCREASE})|(?P<dec>{_DECREASE}))"
    r"(?:了|幅度为|幅度|额度|金额|幅|速|为|达到|达|约|近|超过|超)?$"
)
# `新增9所幼儿园`: 新增 before a counted noun counts new things (a level), it is no change;
# `存款新增800亿元` (nothing after the unit) is the stock's increase
_NEW_COUNT = re.compile(r"新(?:增|建|开工)$")
# a growth rate is a change: `物价涨幅…2.5%`, `增长速度…百分之十一`
_RATE = re.compile(r"(?:(增速|涨幅|增幅|增长速度|增长幅度|增长率|上涨幅度)|(降幅))")
_RATE_AT_END = re.compile(_RATE.pattern + "$")
# a growth rate named just before its amount (`涨幅仍高达12.6%`, `增长速度在9%以上`), not
# before a streak (`增速连续8年高于…`)
_RATE_BEFORE = re.compile(_RATE.pattern + r"(?:(?!连续)[^，,。；;\d]){0,4}$")
# `A、B分别增长x、y`: one change word covers every amount of its list, and a target's
# stretch goal the growth it stretches (`增长6%以上、力争达到7%`)
_LIST_GAP = re.compile(
    r"(?:以上|左右)?\s*(?:[、，,和及与]|以及)\s*(?:分别|(?:力争|争取)(?:达到|实现)?)?\s*"
)
# a percentage stated before its change word: `保持25%以上增长`, `实现7%的增长`
_CHANGE_AFTER = re.compile(r"(?:以上|左右)?的?(?:(?P<inc>增长|增幅)|(?P<dec>下降|降幅))")
_LEVEL_REACHED = re.compile(r"(?:至|到)(?:了)?$")
_BENCHMARK = re.compile(
    r"(?:高于|低于|超过|超出|快于|慢于)[^,，。;；]{0,12}(?:平均|全国|全省|全市|进度)"
    r"|比[^,，。;；]{0,12}(?:平均|全国|全省|全市)"
)
# a change verb before the indicator it changes: `降低成本35亿元`, `增加停车泊位7.4万个`
_VERB_BEFORE = re.compile(
    r"(?:(?P<inc>增加|扩增|净增|提高)|(?P<dec>减少|降低|压减|削减|核减|节约))[“\"]?$"
)
_COMPARISON_BEFORE = re.compile(r"(?:比|较|对比|相比|相较|超过|高于|低于)[“\"「]?$")
_COMPARISON_AFTER = re.compile(r"^[”\"」]?(?:同期|相比|比较|持平|基础上)")


_STREAK = re.compile(r"(?:连续|时隔)$")
_STREAK_UNIT = re.compile(r"(?:个)?(?:年|月|季度|星期|周|天|日|届|次)")


def is_streak(text: str, amount: Span, unit: Span | None) -> bool:
    """A streak or a gap in time (`连续6年`, `时隔3年`): an amount with no indicator
    (docs/annotation-notes.md, dates)."""
    return (
        unit is not None
        and _STREAK_UNIT.fullmatch(unit.text) is not None
        and _STREAK.search(text, max(0, amount.start - 2), amount.start) is not None
    )


def is_comparison_date(text: str, date: Span) -> bool:
    """`比上年`, `较去年同期`, `与2019年相比`: a date that is compared against, not a period."""
    before = text[max(0, date.start - 3) : date.start]
    after = text[date.end : date.end + 3]
    return bool(_COMPARISON_BEFORE.search(before) or _COMPARISON_AFTER.match(after))


def change_of(text: str, amount: Span, clause_start: int, unit: Span | None = None) -> str | None:
    """``increase``/``decrease`` when the words right before the amount make it a change."""
    before = text[max(clause_start, amount.start - 10) : amount.start]
    before = re.sub(r"(?:约|近|超过|超|突破|接近|将近|了|分别|达到|达|为|\s)+$", "", before)
    if _LEVEL_REACHED.search(before) or _BENCHMARK.search(text[clause_start : amount.start]):
        return None
    end = (unit or amount).end
    m = _CHANGE_BEFORE.search(before)
    if m is None and unit is not None and unit.text in ("%", "％"):
        m = _CHANGE_AFTER.match(text, end)
    if m is None:
        rate = _RATE_BEFORE.search(text, max(clause_start, amount.start - 10), amount.start)
        if rate is None or (unit is not None and unit.text in ("位", "名")):
            return None
        return "increase" if rate.group(1) else "decrease"
    if _NEW_COUNT.search(before) and re.match(r"[\u4e00-\u9fff“\"]", text[end : end + 1]):
        return None
    return "increase" if m.group("inc") else "decrease"


# a target, plan or task quota that the amount itself is (`年度计划投资22.7亿元`, `力争全年完成
# 30亿元`, `上级下达任务数50亿元`),
# not the completion or share of one (`完成年度计划的96%`, `占调整预算的98%`), nor realised
# budget revenue or a grant from a budget (`一般公共预算收入`, `预算内补助`)
_PLAN = re.compile(
    r"(?:(?:计划|目标|任务|预期|预算(?!收入|支出|内))[^，,。；;完占的]{0,12}|力争[^，,。；;占的]{0,14})$"
)
_DONE = re.compile(r"(?:完成|占)[^，,。；;]{0,4}(?:计划|目标|任务|预算)[^，,。；;]{0,10}$")
# a sentence that leads in to its targets (`预期目标是：产值增长6%，…`, `增长目标定为8%`)
_PLAN_LEAD = re.compile(r"(?:目标|计划|预期)(?:任务)?(?:是|为)?[：:]|目标[，,]?(?:定为|确定为)")


def is_plan(before: str) -> bool:
    """Whether the words of the clause before an amount make it a target or plan."""
    return bool(_PLAN.search(before)) and not _DONE.search(before)


MEASURES = ("level", "count", "share", "growth_rate", "change", "change_pp", "target", "ranking")
_RATIO_UNITS = frozenset("%％‰") | {"成"}
# what is counted, not measured: a count is a number of things (`新增企业6家`, `3.5万人`)
COUNT_UNITS = frozenset(
    ("个", "家", "项", "人", "户", "所", "座", "条", "次", "名", "辆", "套", "台", "件", "批",
     "处", "只", "头", "艘", "架", "部", "支", "株", "棵", "场", "期", "种", "类", "例", "起",
     "宗", "人次", "张", "栋", "幢", "块", "枚", "款", "轮", "篇", "档", "份", "册", "批次",
     "车次", "架次", "班次", "场次")
)  # fmt: skip
_RANKING_BEFORE = re.compile(r"(?:第|前|位居|排名|排|居)$")


def measure_of(
    text: str,
    amount: Span,
    unit: Span | None,
    change: str | None,
    clause_start: int,
    sentence_start: int | None = None,
) -> str:
    """What kind of figure an amount is (`MEASURES`): a ranking (`居全国第7位`), a target
    or plan (`力争增长8%`), a change in percentage points, a growth rate (a % that
    changes), a share or rate (a % that does not: `森林覆盖率15.2%`), an absolute change
    (`增加135亿元`), a count of things (`6家`, no unit), else a level (`990亿元`)."""
    written = unit.text.strip() if unit is not None else ""
    if _RANKING_BEFORE.search(text, max(clause_start, amount.start - 2), amount.start) and (
        written in ("位", "名") or not written
    ):
        return "ranking"
    lead = text[clause_start if sentence_start is None else sentence_start : amount.start]
    if is_plan(text[clause_start : amount.start]) or _PLAN_LEAD.search(lead):
        return "target"
    parsed = parse_unit(written)
    if parsed.base == "pp":
        return "change_pp"
    ratio = not written and ("分之" in amount.text or "/" in amount.text)  # `四分之一`, `1/4`
    if (
        parsed.base in ("%", "‰")
        or written in _RATIO_UNITS
        or ratio
        or amount.text.startswith("百分之")
    ):
        return "growth_rate" if change else "share"
    if written in ("倍", "番") and change:  # `增长1.5倍`, `翻一番`
        return "growth_rate"
    if change:
        return "change"
    # a bare magnitude counts the noun after it (`130万老年人`)
    if not written or parsed.base in COUNT_UNITS or (parsed.base is None and parsed.multiplier > 1):
        return "count"
    return "level"


def is_gap(text: str, amount: Span, clause_start: int) -> bool:
    """A gap to a benchmark or another region (`高于全省2.3个百分点`, `比平均增速高1.5`):
    no change of the quantity itself (guidelines, section 4 "change")."""
    return bool(_BENCHMARK.search(text[clause_start : amount.start]))


def indicator_change(text: str, amount: Span, indicator: Span | None) -> str | None:
    """The change an amount's indicator carries: a change verb right before it
    (`降低成本35亿元`), or a growth rate (`增速`, `物价涨幅`: an increase, a 降幅
    a decrease)."""
    if indicator is None:
        return None
    m = _VERB_BEFORE.search(text, max(0, indicator.start - 4), indicator.start)
    if m is not None and indicator.end <= amount.start:
        return "increase" if m.group("inc") else "decrease"
    m = _RATE.match(text, indicator.end) or _RATE_AT_END.search(indicator.text)
    if m is None:
        return None
    return "increase" if m.group(1) else "decrease"


def continues_list(text: str, previous_end: int, amount: Span) -> bool:
    """Whether only a list separator (、 和 及 与, a comma) stands between the end of the
    previous amount (or its unit) and this one: `增长8%和8.5%`, `分别增长0.7个、5.1个`,
    `增长6%以上、力争达到7%`."""
    return bool(_LIST_GAP.fullmatch(text, previous_end, amount.start))


def is_approximate(text: str, amount: Span, unit: Span | None) -> bool:
    before = text[max(0, amount.start - 3) : amount.start]
    end = unit.end if unit is not None else amount.end
    between = text[amount.end : unit.start] if unit is not None else ""
    after = text[end : end + 6]
    return bool(
        _APPROX_BEFORE.search(before)
        or set(between) & QUALIFIERS_AFTER
        or _APPROX_AFTER.match(after)
        or _LIST_CAP.match(text, end, end + 24)
        or (unit is None and text.startswith("强", amount.end))
        or (_MAGNITUDE.fullmatch(amount.text) and (before[-1:] == "上" or after[:1] == "级"))
    )


# a bare order of magnitude as a rough size: `上万支`, `上千家`, `万亿级规模`
_MAGNITUDE = re.compile(r"[十百千万亿]")


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
