"""The rules baseline: a regex tagger for AMOUNT, UNIT, DATE, INDICATOR and PROJECT.

It pre-annotates reports for people to correct, and every model is measured against it.
Patterns follow the annotation guidelines; they are meant for reports in general, so they
stay lexical (numbers, measure words, calendar words) and leave the open classes
(INDICATOR, PROJECT) to a simple clause heuristic.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from nlp.schema import AMOUNT, DATE, INDICATOR, PROJECT, UNIT, Span
from nlp.text import Stretches, clauses, is_boilerplate, lines

# --- numbers, measure words, dates ---------------------------------------------------

_D = "0-9０-９"
ARABIC = rf"[{_D}]+(?:[,，][{_D}]{{3}})*(?:[.．][{_D}]+)?"
CHINESE = r"[零〇一二两三四五六七八九十百千]+(?:[万亿][零〇一二两三四五六七八九十百千]+)*"
RANGE_LINK = r"(?:-|~|～|—|－|至|到)"
MAGNITUDE = r"(?:万亿|千万|百万|十万|万|亿)"
MEASURE = (
    r"个百分点|百分点|%|％|‰|"
    r"平方公里|平方千米|平方米|㎡|立方米|公顷|亩|公里|千米|延米|米|"
    r"千瓦时|千瓦|兆瓦|千伏安|吨标准煤|吨|千克|公斤|"
    r"美元|港元|欧元|元|"
    r"人次|人|户|家|个|项|所|座|条|次|场|张|件|篇|名|位|批|台|套|辆|艘|间|栋|幢|处|"
    r"宗|笔|份|本|册|部|种|类|棵|株|头|只|辆|床|张|起|支|块|片|期|届|节|枚|对|"
    r"倍|年|天|日|小时|分钟|季|年度"
)
UNIT_RE = rf"(?:{MAGNITUDE}?(?:{MEASURE})|{MAGNITUDE})"
QUALIFIER_AFTER = r"(?:余|多|几)?"
# where an AMOUNT may stand: an Arabic digit, a Chinese numeral other than 一, or 一 before a
# unit (一 alone is mostly part of a word: 进一步, 统一, 一体化)
AMOUNT_CUE = re.compile(rf"[{_D}]|[零〇二两三四五六七八九十百千万亿]|一{QUALIFIER_AFTER}{UNIT_RE}")

_AMOUNT_UNIT = re.compile(
    rf"(?P<amount>-?{ARABIC}(?:(?:%|％)?{RANGE_LINK}{ARABIC})?)"
    rf"(?P<qual>{QUALIFIER_AFTER})(?P<unit>{UNIT_RE})?"
)
_CHINESE_AMOUNT_UNIT = re.compile(
    rf"(?<![第之])(?P<amount>{CHINESE}(?:{RANGE_LINK}{CHINESE})?)"
    rf"(?P<qual>{QUALIFIER_AFTER})(?P<unit>{UNIT_RE})"
)
_CN_DIGIT = "〇一二三四五六七八九十"
_MONTH = rf"(?:[{_D}]{{1,2}}|[一二三四五六七八九十]{{1,3}})"
_DAY = rf"(?:[{_D}]{{1,2}}|[一二三四五六七八九十]{{1,3}})"
_YEAR = rf"(?:[{_D}]{{4}}|[{_CN_DIGIT}]{{4}})"
_DATE_SUFFIX = r"(?:以来|期间|年底|底前|末前|底|末|初|前|中旬|上旬|下旬|中)?"
_PERIOD_WORD = (
    r"上半年|下半年|全年|年初|年底|年末|年中|前三季度|[一二三四1-4]季度|第[一二三四]季度|"
    r"前[两三四五六七八九十]个月"
)
_DATE = re.compile(
    "|".join(
        [
            # 2012-2016年, 2012年-2016年, 2015至2020年
            rf"{_YEAR}年?{RANGE_LINK}{_YEAR}年{_DATE_SUFFIX}",
            # 2019年6月10日, 2019年上半年, 2019年1-5月, 2019年底
            rf"{_YEAR}年(?:(?:{_MONTH}{RANGE_LINK})?{_MONTH}月(?:份)?(?:{_DAY}日)?|{_PERIOD_WORD})?"
            + _DATE_SUFFIX,
            # 1-5月, 五月末, 6月10日
            rf"(?:{_MONTH}{RANGE_LINK})?{_MONTH}月(?:份)?(?:{_DAY}日)?{_DATE_SUFFIX}",
            # relative years and parts of a year
            rf"(?:今年|去年|上年|明年|本年|当年|前年|近年|近年来|近[两三四五六七八九十]年|"
            rf"今后[两三四五六七八九十]年|未来[两三四五六七八九十]年|"
            rf"{_PERIOD_WORD})(?:{_PERIOD_WORD})?{_DATE_SUFFIX}",
            r"(?<!项)目前|年内",
            # five-year plans
            r"十[一二三四五六七]五(?:时期|期间)?",
        ]
    )
)
# Things that look like numbers but are not amounts (guidelines 1.1).
_NOT_AMOUNT_AFTER = re.compile(
    r"^(?:号|是|期|线|路|楼|层|届|批次|产业|大|五|位|名|[A-Za-z]|[.．、](?!\d))"
)
_NOT_AMOUNT_BEFORE = re.compile(r"(?:第|排|前|排名|No\.|〔|\[|[A-Za-z]-?)$")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、是]|[(（][一二三四五六七八九十\d]+[)）])")

# --- indicators and projects ---------------------------------------------------------

_VERBS = (
    r"完成|实现|达到|达|为|共|累计|总计|合计|约|近|超过|超|突破|增长|增加|增速|下降|减少|"
    r"提高|提升|同比|比上年|较上年|比去年|较去年|分别|有|新增了|占|的|是|共计|净增|年均"
)
_INDICATOR_TAIL = re.compile(rf"(?P<ind>[\u4e00-\u9fff]{{2,16}}?)(?:{_VERBS})*$")
_PLACE_PREFIX = re.compile(
    r"^(?:全区|全县|全市|全省|全镇|我区|我县|我市|我省|其中|实现|完成|累计|共)+"
)
_NOT_INDICATOR = re.compile(r"^(?:工作|任务|方面|同比|其中|目标|比重)$")
_PROJECT = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9\-—]{2,18}?"
    r"(?:项目|工程|产业园|工业园|科技园|物流园|园区|地块|大桥|公园|广场|综合体|隧道|快速路|高速公路)"
)
_PROJECT_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]是|完成|加快推进|加快|推进|继续推进|全力推进|积极跟进|跟进|启动|开展|"
    r"围绕|紧紧围绕|加大|力促|寻找|以|形成|同步组织|近期下发|细化|提高|优化|增加|建设|实施|新建|续建|"
    r"抓紧|拓展|和|及|与|对|在|是|了|的|等)+"
)
_GENERIC_PROJECT = re.compile(
    r"^(?:重点|重大|建设|招商|新建|续建|在建|产业|签约|储备|开工|竣工|民生|基础设施|政府投资|"
    r"[亿万]元以上|个|各类|一批|等|和|及|了|的|中|新开工|全部|所有)*(?:项目|工程|园区)$"
)


def _in_content(text: str) -> list[tuple[int, int]]:
    """Line ranges that are report content (boilerplate lines dropped)."""
    return [(s, e) for s, e in lines(text) if e > s and not is_boilerplate(text[s:e])]


def _amount_spans(text: str, start: int, end: int, taken: Stretches) -> list[Span]:
    out: list[Span] = []
    free = taken.free

    for pattern in (_AMOUNT_UNIT, _CHINESE_AMOUNT_UNIT):
        for m in pattern.finditer(text, start, end):
            a_s, a_e = m.span("amount")
            unit_s, unit_e = m.span("unit")
            after = text[a_e : a_e + 3]
            before = text[max(0, a_s - 4) : a_s]
            if not free(a_s, max(a_e, unit_e)) or _NOT_AMOUNT_BEFORE.search(before):
                continue
            bare_year = re.fullmatch(r"(?:19|20)\d\d", text[a_s:a_e])
            if m.group("unit") is None and (_NOT_AMOUNT_AFTER.match(after) or bare_year):
                continue  # a bare year-like number is most often a year or a code
            if _ORDINAL.match(text[a_s : a_s + 4]) and pattern is _CHINESE_AMOUNT_UNIT:
                continue
            out.append(Span.of(text, a_s, a_e, AMOUNT))
            if unit_s >= 0:
                out.append(Span.of(text, unit_s, unit_e, UNIT))
            taken.add(a_s, max(a_e, unit_e))
    return out


def _indicator_before(text: str, clause_start: int, amount: Span) -> Span | None:
    m = _INDICATOR_TAIL.search(text, clause_start, amount.start)
    if m is None:
        return None
    s, e = m.span("ind")
    prefix = _PLACE_PREFIX.match(text, s, e)
    if prefix:
        s = prefix.end()
    if e - s < 2 or _NOT_INDICATOR.match(text[s:e]):
        return None
    return Span.of(text, s, e, INDICATOR)


def tag(text: str) -> list[Span]:
    """Tag a document with the rules; spans sorted, never overlapping."""
    spans: list[Span] = []
    for line_s, line_e in _in_content(text):
        taken = Stretches()
        for m in _DATE.finditer(text, line_s, line_e):
            spans.append(Span.of(text, m.start(), m.end(), DATE))
            taken.add(*m.span())
        for m in _PROJECT.finditer(text, line_s, line_e):
            s, e = m.span()
            lead = _PROJECT_LEAD.match(text, s, e)
            s = lead.end() if lead else s
            if _GENERIC_PROJECT.match(text, s, e) or not taken.free(s, e):
                continue
            spans.append(Span.of(text, s, e, PROJECT))
            taken.add(s, e)
        amounts = _amount_spans(text, line_s, line_e, taken)
        spans += amounts
        starts = sorted(a.start for a in amounts if a.label == AMOUNT)
        by_start = {a.start: a for a in amounts if a.label == AMOUNT}
        for clause_s, clause_e in clauses(text, line_s, line_e):
            i = bisect.bisect_left(starts, clause_s)
            if i == len(starts) or starts[i] >= clause_e:
                continue
            # one indicator per clause: the one before its first amount
            ind = _indicator_before(text, clause_s, by_start[starts[i]])
            if ind and taken.free(ind.start, ind.end):
                spans.append(ind)
                taken.add(ind.start, ind.end)
    return sorted(spans)


def char_hints(text: str, spans: Sequence[Span] | None = None) -> list[int]:
    """Per character, the id of the rule baseline's BIO tag (``O`` = 0): an optional second
    input of the model (``model.rule_hints``), which learns when the regex is right.
    ``spans``: ``tag(text)`` when the caller has it already."""
    from nlp.alignment import char_tags
    from nlp.schema import TAG2ID

    found = tag(text) if spans is None else spans
    return [TAG2ID[t] for t in char_tags(len(text), found)]
