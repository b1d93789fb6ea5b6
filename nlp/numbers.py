"""Numbers as reports write them: `1,234.5`, full-width `１２`, `三千五百`, `三万五`, `三点五`,
fractions (`1/4`, `三分之一`) and ranges (`3-5`, `两至三`). A text that cannot be read with
certainty gives None: a wrong value is worse than none.
"""

from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_RANGE_SPLIT = re.compile(r"(?<=\d)(?:%|％)?(?:-|~|～|—|－|至|到)(?=[\d.])|(?:至|到|-|~|～|—)")


def ascii_digits(text: str) -> str:
    """Full-width digits, points, commas and minus signs → ASCII (NFKC does exactly this)."""
    return unicodedata.normalize("NFKC", text).replace("−", "-")


def parse_chinese_integer(text: str) -> int | None:
    """`三千五百` → 3500, `两` → 2, `十二` → 12, `一万二千` → 12000, `二〇一九` → 2019; the
    colloquial `三万五` → 35000, `两千六` → 2600, `一百二` → 120 (a last digit counts in the
    place below the unit before it); None for what is not a well-formed number (`三五百`,
    `一万零百一十一`).

    >>> [parse_chinese_integer(t) for t in ("一百零五", "三万五", "x")]
    [105, 35000, None]
    """
    if not text or any(
        c not in _CN_DIGITS and c not in _CN_SMALL and c not in _CN_BIG for c in text
    ):
        return None
    if all(c in _CN_DIGITS for c in text):  # digit by digit: 二〇一九
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, section, digit, zero = 0, 0, None, False
    last_unit = None  # the place value of the unit just before a trailing digit
    for c in text:
        if c in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[c] != 0:
                return None  # two digits in a row without a place: 三五百 is not a number
            zero = zero or _CN_DIGITS[c] == 0
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            if digit == 0 and c != "十":
                return None  # 零百, 零千: no such number
            section += (digit or 1) * _CN_SMALL[c]
            digit, last_unit = None, _CN_SMALL[c]
        else:  # 万 or 亿 closes a section
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (total + section) * _CN_BIG[c] if c == "亿" else total + section * _CN_BIG[c]
            section, digit, last_unit = 0, None, _CN_BIG[c]
            zero = False
    if digit and last_unit and last_unit >= 100 and not zero:
        digit *= last_unit // 10  # 三万五: 五 is 五千; 一百零五 keeps its 五 (a 零 stands between)
    return total + section + (digit or 0)


def parse_number(text: str) -> float | None:
    """One number, Arabic or Chinese: `1,234.5`, `１２`, `-3`, `三千五百`, `三点五`.

    >>> parse_number("1,234.5"), parse_number("三点五"), parse_number("一二三四五x")
    (1234.5, 3.5, None)
    """
    text = re.sub(r"\s+", "", ascii_digits(text)).replace("，", ",")  # `1\n2248`: a wrap
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
    m = _FRACTION.fullmatch(ascii_digits(text.strip()))
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
    parts = [p for p in _RANGE_SPLIT.split(ascii_digits(text)) if p]
    if len(parts) == 2:
        low, high = parse_number(parts[0].rstrip("%％")), parse_number(parts[1])
        if low is not None and high is not None:
            return None, low, high
    return None, None, None
