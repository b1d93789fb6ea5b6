"""DATE texts → ISO periods: `1-5月` → 2019-01-01…2019-05-31 in a 2019 report, `十三五` →
2016–2020, `一季度`, `前两个季度`, `4月12-19日`, `98年4月`, `2019.9.6`, `2017年8月至11月`.

The common date parsers read none of these right; a text this module is unsure of gives
``Period(None, None)``, never a guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from nlp.numbers import ascii_digits, parse_chinese_integer


@dataclass(frozen=True, slots=True)
class Period:
    start: str | None
    end: str | None


def _iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_period(year: int, first: int, last: int) -> Period:
    return Period(_iso(year, first, 1), _iso(year, last, _last_day(year, last)))


def _int(text: str) -> int | None:
    text = ascii_digits(text)
    if text.isdigit():
        return int(text)
    value = parse_chinese_integer(text)
    return value


_YEAR_PARTS: dict[str, tuple[int, int]] = {
    "上半年": (1, 6), "下半年": (7, 12), "全年": (1, 12), "前三季度": (1, 9),
    "一季度": (1, 3), "二季度": (4, 6), "三季度": (7, 9), "四季度": (10, 12),
    "第一季度": (1, 3), "第二季度": (4, 6), "第三季度": (7, 9), "第四季度": (10, 12),
    "1季度": (1, 3), "2季度": (4, 6), "3季度": (7, 9), "4季度": (10, 12),
    "年初": (1, 1), "年中": (6, 7), "年底": (12, 12), "年末": (12, 12),
    "首季度": (1, 3), "前两个季度": (1, 6), "前三个季度": (1, 9),
}  # fmt: skip
_RELATIVE_YEARS: dict[str, int] = {
    "今年": 0, "本年": 0, "当年": 0, "全年": 0, "年内": 0, "本年度": 0, "今明两年": 0,
    "去年": -1, "上年": -1, "上一年": -1, "前年": -2, "明年": 1, "次年": 1,
}  # fmt: skip
_NUM = r"(?:\d{1,4}|[〇零一二两三四五六七八九十]{1,4})"
_LINK = r"(?:-|~|～|—|－|至|到)"
_SUFFIX = r"(?P<suffix>以来|期间|底前|末前|前|底|末|初|中旬|上旬|下旬|份|内)?"
# a year as written: 2019年, 二〇一九年, or two digits (98年4月, 19年底) resolved near the report
_YEAR = r"(?P<year>\d{4}|\d{2}|[〇零一二三四五六七八九]{4})年"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("plan", r"(?P<plan>十[一二三四五六七八九]五)(?:时期|期间|规划|末)?"),
        ("year_range", rf"(?P<y1>\d{{4}})年?{_LINK}(?P<y2>\d{{4}})年" + _SUFFIX),
        (
            "recent",
            r"(?:近|过去的?|这|今后|未来)(?P<n>[一两三四五六七八九十\d]{1,2})年(?:来|间|内)?",
        ),
        ("recent", r"(?P<n>[一两三四五六七八九十\d]{1,2})年来"),
        (
            "date",
            rf"(?:{_YEAR}|(?P<rel>今年|本年|当年|去年|上年|前年|明年|次年))?"
            rf"(?:(?P<m1>{_NUM}){_LINK})?(?P<m2>{_NUM})月(?:份)?"
            rf"(?:(?:(?P<d1>{_NUM}){_LINK})?(?P<day>{_NUM})日)?" + _SUFFIX,
        ),
        ("dotted", r"(?P<year>\d{4})[./](?P<m2>\d{1,2})(?:[./](?P<day>\d{1,2}))?"),
        (
            "part",
            rf"(?:{_YEAR}|(?P<rel>今年|本年|当年|去年|上年|前年|明年|次年))?"
            r"(?P<part>上半年|下半年|全年|前三季度|第?[一二三四1-4]季度|首季度|前[两三]个季度|"
            r"年初|年中|年底|年末|前(?P<months>[两三四五六七八九十]|十一|1[01]|[2-9])个月)"
            + _SUFFIX,
        ),
        ("two_years", r"(?P<rel>今明两年)"),
        (
            "year",
            rf"(?:{_YEAR}(?:度)?|"
            r"(?P<rel>今年|本年度|本年|当年|去年|上一年|上年|前年|明年|次年|年内))" + _SUFFIX,
        ),
    )
)


def _plan_period(plan: str) -> Period:
    n = parse_chinese_integer(plan[:-1])  # 十三 → 13
    if n is None:
        return Period(None, None)
    # 1st plan 1953–1957, 2nd 1958–1962, then three years of readjustment: 3rd from 1966.
    first = 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)
    return Period(_iso(first, 1, 1), _iso(first + 4, 12, 31))


def _with_suffix(period: Period, suffix: str | None) -> Period:
    """以来: from the start, open end; 前: a deadline; 底/末: the last day; 初: the first days."""
    if not suffix or suffix in ("期间", "份"):
        return period
    if suffix == "以来":
        return Period(period.start, None)
    if suffix == "前":
        return Period(None, period.end)
    if suffix in ("底前", "末前"):
        return Period(None, period.end)
    if suffix in ("底", "末") and period.end:
        return Period(period.end, period.end)
    if suffix == "初" and period.start:
        return Period(period.start, period.start)
    if suffix in ("上旬", "中旬", "下旬") and period.start and period.end:
        y, m = int(period.start[:4]), int(period.start[5:7])
        first, last = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, _last_day(y, m))}[suffix]
        return Period(_iso(y, m, first), _iso(y, m, last))
    return period


def _year_of(m: re.Match[str], doc_year: int | None) -> int | None:
    if m.group("year"):
        year = _int(m.group("year"))
        if year is not None and len(m.group("year")) == 2:
            # 98年 → 1998, 19年 → 2019: the century that puts it nearest the report
            near = doc_year if doc_year is not None else 2000
            year = min((c + year for c in (1900, 2000)), key=lambda y: abs(y - near))
        return year
    if m.group("rel"):
        return None if doc_year is None else doc_year + _RELATIVE_YEARS[m.group("rel")]
    return doc_year


_TWO_DATES = re.compile(
    r"从?(?P<a>.+?(?:年|月|日)[^—～~至到-]*|\d{4}[./]\d{1,2}(?:[./]\d{1,2})?)"
    r"(?:—|～|~|至|到|-)(?P<b>.+)"
)


def _two_dates(text: str, doc_year: int | None) -> Period:
    """`2012年—今年10月`: from the start of the first to the end of the second;
    `2012年至今`: from the start of the first, open end. A second date without its year
    takes the first's (`2017年8月至11月`), as does a dotted one (`1999.08-2002.02`)."""
    m = _TWO_DATES.fullmatch(text)
    if m is None:
        return Period(None, None)
    first = _single_period(m.group("a"), doc_year)
    if m.group("b") in ("今", "现在", "目前"):
        return Period(first.start, None)
    # a second date with no year of its own (`11月`) is in the first's year; `今年10月` is not
    own_year = "年" in m.group("b") or first.start is None
    second = _single_period(m.group("b"), doc_year if own_year else int(first.start[:4]))
    if first.start is None or second.end is None or second.end < first.start:
        return Period(None, None)
    return Period(first.start, second.end)


def parse_period(text: str, *, doc_year: int | None = None) -> Period:
    """Resolve a DATE text to ISO start and end dates; ``Period(None, None)`` if unsure.

    >>> parse_period("1-5月", doc_year=2019)
    Period(start='2019-01-01', end='2019-05-31')
    >>> parse_period("十三五")
    Period(start='2016-01-01', end='2020-12-31')
    >>> parse_period("2012年—今年10月", doc_year=2016)
    Period(start='2012-01-01', end='2016-10-31')
    """
    text = ascii_digits(text.strip())
    single = _single_period(text, doc_year)
    if single.start is not None or single.end is not None:
        return single
    return _two_dates(text, doc_year)


def _single_period(text: str, doc_year: int | None = None) -> Period:
    """One period expression (no range of two dates)."""
    for name, pattern in _PATTERNS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        if name == "plan":
            return _plan_period(m.group("plan"))
        if name == "year_range":
            y1, y2 = int(m.group("y1")), int(m.group("y2"))
            if y2 < y1:
                return Period(None, None)
            return _with_suffix(Period(_iso(y1, 1, 1), _iso(y2, 12, 31)), m.group("suffix"))
        if name == "recent":
            n = _int(m.group("n"))
            if doc_year is None or n is None:
                return Period(None, None)
            if text.startswith(("今后", "未来")):
                return Period(_iso(doc_year + 1, 1, 1), _iso(doc_year + n, 12, 31))
            return Period(_iso(doc_year - n + 1, 1, 1), _iso(doc_year, 12, 31))
        if name == "two_years":
            if doc_year is None:
                return Period(None, None)
            return Period(_iso(doc_year, 1, 1), _iso(doc_year + 1, 12, 31))
        year = _year_of(m, doc_year)
        if year is None or not 1900 <= year <= 2100:
            return Period(None, None)
        suffix = m.groupdict().get("suffix")
        if name == "year":
            return _with_suffix(Period(_iso(year, 1, 1), _iso(year, 12, 31)), suffix)
        if name == "part":
            part = m.group("part")
            first, last = _YEAR_PARTS.get(part, _YEAR_PARTS.get(part.lstrip("第"), (0, 0)))
            if m.group("months"):  # 前5个月, 前两个月
                first, last = 1, _int(m.group("months")) or 0
            if not first:
                return Period(None, None)
            return _with_suffix(_month_period(year, first, last), suffix)
        m2 = _int(m.group("m2"))
        m1 = _int(m.group("m1")) if m.groupdict().get("m1") else m2
        if m1 is None or m2 is None or not 1 <= m1 <= m2 <= 12:
            return Period(None, None)
        if m.group("day"):
            day = _int(m.group("day"))
            d1 = _int(m.group("d1")) if m.groupdict().get("d1") else day
            if day is None or d1 is None or m1 != m2 or not 1 <= d1 <= day <= _last_day(year, m2):
                return Period(None, None)
            return _with_suffix(Period(_iso(year, m2, d1), _iso(year, m2, day)), suffix)
        return _with_suffix(_month_period(year, m1, m2), suffix)
    return Period(None, None)
