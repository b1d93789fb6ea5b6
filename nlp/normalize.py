"""Normalisation: numerals → floats, units → magnitude and base unit, dates → ISO periods.

Table-driven and written for Chinese report conventions that general parsers get wrong
(`1-5月` is January to May, `十三五` is 2016–2020, `万` is a magnitude, not a unit).
Whatever cannot be parsed gives ``None``; nothing here raises on odd input.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
import unicodedata
from dataclasses import dataclass

from nlp.schema import Record

# --- numbers -------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_RANGE_SPLIT = re.compile(r"(?<=\d)(?:%|％)?(?:-|~|～|—|－|至|到)(?=[\d.])|(?:至|到|-|~|～|—)")


def _ascii_digits(text: str) -> str:
    """Full-width digits, points, commas and minus signs → ASCII (NFKC does exactly this)."""
    return unicodedata.normalize("NFKC", text).replace("−", "-")


def parse_chinese_integer(text: str) -> int | None:
    """`三千五百` → 3500, `两` → 2, `十二` → 12, `一万二千` → 12000, `二〇一九` → 2019.

    >>> parse_chinese_integer("一百零五"), parse_chinese_integer("十"), parse_chinese_integer("x")
    (105, 10, None)
    """
    if not text or any(
        c not in _CN_DIGITS and c not in _CN_SMALL and c not in _CN_BIG for c in text
    ):
        return None
    if all(c in _CN_DIGITS for c in text):  # digit by digit: 二〇一九
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, None
    for c in text:
        if c in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[c] != 0:
                return None  # two digits in a row without a place: 三五百 is not a number
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[c]
            digit = None
        else:  # 万 or 亿 closes a section
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (total + section) * _CN_BIG[c] if c == "亿" else total + section * _CN_BIG[c]
            section, digit = 0, None
    return total + section + (digit or 0)


def parse_number(text: str) -> float | None:
    """One number, Arabic or Chinese: `1,234.5`, `１２`, `-3`, `三千五百`, `三点五`.

    >>> parse_number("1,234.5"), parse_number("三点五"), parse_number("一二三四五x")
    (1234.5, 3.5, None)
    """
    text = _ascii_digits(text.strip()).replace("，", ",")
    if re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?|-?\.\d+", text):
        return float(text.replace(",", ""))
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = parse_chinese_integer(whole)
        if w is None or not frac or any(c not in _CN_DIGITS for c in frac):
            return None
        return float(f"{w}.{''.join(str(_CN_DIGITS[c]) for c in frac)}")
    value = parse_chinese_integer(text)
    return None if value is None else float(value)


_FRACTION = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)/(?P<den>\d+(?:\.\d+)?)|(?P<cden>[^分]+)分之(?P<cnum>.+)"
)


def parse_fraction(text: str) -> float | None:
    """`1/4` → 0.25, `三分之一` → 0.333…; None when not a fraction."""
    m = _FRACTION.fullmatch(_ascii_digits(text.strip()))
    if m is None:
        return None
    if m.group("num"):
        num, den = float(m.group("num")), float(m.group("den"))
    else:
        num, den = parse_number(m.group("cnum")), parse_number(m.group("cden"))
    return None if num is None or not den else num / den


def parse_amount(text: str) -> tuple[float | None, float | None, float | None]:
    """(value, low, high): a single number gives value; a range `3-5`/`3至5` gives low/high.

    >>> parse_amount("3-5"), parse_amount("990"), parse_amount("两至三")
    ((None, 3.0, 5.0), (990.0, None, None), (None, 2.0, 3.0))
    """
    value = parse_number(text)
    if value is None:
        value = parse_fraction(text)
    if value is not None:
        return value, None, None
    parts = [p for p in _RANGE_SPLIT.split(_ascii_digits(text)) if p]
    if len(parts) == 2:
        low, high = parse_number(parts[0].rstrip("%％")), parse_number(parts[1])
        if low is not None and high is not None:
            return None, low, high
    return None, None, None


# --- units ---------------------------------------------------------------------------

MAGNITUDES: tuple[tuple[str, float], ...] = (
    ("万亿", 1e12), ("千万", 1e7), ("百万", 1e6), ("十万", 1e5), ("万", 1e4), ("亿", 1e8),
)  # fmt: skip
# Written unit → base unit, where they differ. Units not listed are their own base.
BASE_UNITS: dict[str, str] = {
    "%": "%", "％": "%", "个百分点": "pp", "百分点": "pp", "‰": "‰",
    "㎡": "平方米", "平米": "平方米", "平方千米": "平方公里", "千米": "公里", "km": "公里",
    "公斤": "千克", "kg": "千克",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Unit:
    multiplier: float
    base: str | None


def parse_unit(text: str | None) -> Unit:
    """`亿元` → (1e8, 元), `万㎡` → (1e4, 平方米), `个百分点` → (1, pp), `万` → (1e4, None).

    >>> parse_unit("13亿元"), parse_unit("万㎡")
    (Unit(multiplier=1.0, base=None), Unit(multiplier=10000.0, base='平方米'))
    """
    if not text:
        return Unit(1.0, None)
    text = text.strip()
    if text in BASE_UNITS:
        return Unit(1.0, BASE_UNITS[text])
    for prefix, multiplier in MAGNITUDES:
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            if not rest:
                return Unit(multiplier, None)
            inner = parse_unit(rest)
            if inner.base is None and inner.multiplier != 1.0:
                return Unit(1.0, None)
            return Unit(multiplier * inner.multiplier, inner.base)
    if re.search(r"[\d一二三四五六七八九十]", text) or len(text) > 6:
        return Unit(1.0, None)  # not a unit we understand: never guess
    return Unit(1.0, text)


# --- periods -------------------------------------------------------------------------


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
    text = _ascii_digits(text)
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
    "前两个月": (1, 2), "前三个月": (1, 3), "前四个月": (1, 4), "前五个月": (1, 5),
}  # fmt: skip
_RELATIVE_YEARS: dict[str, int] = {
    "今年": 0, "本年": 0, "当年": 0, "全年": 0, "年内": 0, "本年度": 0,
    "去年": -1, "上年": -1, "上一年": -1, "前年": -2, "明年": 1, "次年": 1,
}  # fmt: skip
_NUM = r"(?:\d{1,4}|[〇零一二两三四五六七八九十]{1,4})"
_LINK = r"(?:-|~|～|—|－|至|到)"
_SUFFIX = r"(?P<suffix>以来|期间|底前|末前|前|底|末|初|中旬|上旬|下旬|份)?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("plan", r"(?P<plan>十[一二三四五六七八九]五)(?:时期|期间|规划|末)?"),
        ("year_range", rf"(?P<y1>\d{{4}})年?{_LINK}(?P<y2>\d{{4}})年" + _SUFFIX),
        ("recent", r"(?:近|过去的?|今后|未来)(?P<n>[一两三四五六七八九十\d]{1,2})年(?:来|间|内)?"),
        ("recent", r"(?P<n>[一两三四五六七八九十\d]{1,2})年来"),
        (
            "date",
            rf"(?:(?P<year>\d{{4}}|[〇零一二三四五六七八九]{{4}})年|(?P<rel>今年|本年|当年|去年|上年|前年|明年|次年))?"
            rf"(?:(?P<m1>{_NUM}){_LINK})?(?P<m2>{_NUM})月(?:份)?(?:(?P<day>{_NUM})日)?" + _SUFFIX,
        ),
        (
            "part",
            r"(?:(?P<year>\d{4})年|(?P<rel>今年|本年|当年|去年|上年|前年|明年|次年))?"
            r"(?P<part>上半年|下半年|全年|前三季度|第?[一二三四1-4]季度|年初|年中|年底|年末|"
            r"前[两三四五]个月)" + _SUFFIX,
        ),
        (
            "year",
            r"(?:(?P<year>\d{4}|[〇零一二三四五六七八九]{4})年(?:度)?|"
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
        return _int(m.group("year"))
    if m.group("rel"):
        return None if doc_year is None else doc_year + _RELATIVE_YEARS[m.group("rel")]
    return doc_year


_TWO_DATES = re.compile(r"(?P<a>.+?年[^—～~至到-]*)(?:—|～|~|至|到|-)(?P<b>.+)")


def _two_dates(text: str, doc_year: int | None) -> Period:
    """`2012年—今年10月`: from the start of the first to the end of the second;
    `2012年至今`: from the start of the first, open end."""
    m = _TWO_DATES.fullmatch(text)
    if m is None:
        return Period(None, None)
    first = _single_period(m.group("a"), doc_year)
    if m.group("b") in ("今", "现在", "目前"):
        return Period(first.start, None)
    second = _single_period(m.group("b"), doc_year)
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
    text = _ascii_digits(text.strip())
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
        year = _year_of(m, doc_year)
        if year is None or not 1900 <= year <= 2100:
            return Period(None, None)
        suffix = m.group("suffix")
        if name == "year":
            return _with_suffix(Period(_iso(year, 1, 1), _iso(year, 12, 31)), suffix)
        if name == "part":
            part = m.group("part")
            first, last = _YEAR_PARTS.get(part, _YEAR_PARTS.get(part.lstrip("第"), (0, 0)))
            if not first:
                return Period(None, None)
            return _with_suffix(_month_period(year, first, last), suffix)
        m2 = _int(m.group("m2"))
        m1 = _int(m.group("m1")) if m.group("m1") else m2
        if m1 is None or m2 is None or not 1 <= m1 <= m2 <= 12:
            return Period(None, None)
        if m.group("day"):
            day = _int(m.group("day"))
            if day is None or m1 != m2 or not 1 <= day <= _last_day(year, m2):
                return Period(None, None)
            point = _iso(year, m2, day)
            return _with_suffix(Period(point, point), suffix)
        return _with_suffix(_month_period(year, m1, m2), suffix)
    return Period(None, None)


# --- the document's year ---------------------------------------------------------------

# --- records -------------------------------------------------------------------------


def normalise_record(record: Record, *, doc_year: int | None = None) -> Record:
    """Fill value, value_low/high, base_unit and period_start/end of a linked record."""
    value, low, high = parse_amount(record.amount.text)
    unit = parse_unit(record.unit.text if record.unit else None)
    scale = unit.multiplier
    period = (
        parse_period(record.date.text, doc_year=doc_year)
        if record.date is not None
        else Period(None, None)
    )
    return dataclasses.replace(
        record,
        value=None if value is None else _clean(value * scale),
        value_low=None if low is None else _clean(low * scale),
        value_high=None if high is None else _clean(high * scale),
        base_unit=unit.base,
        period_start=period.start,
        period_end=period.end,
    )


def _clean(x: float) -> float:
    """Round away binary noise from scaling (13.6 × 1e8 = 1360000000.0000002)."""
    return float(f"{x:.12g}")
