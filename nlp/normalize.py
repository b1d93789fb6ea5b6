"""Normalisation: numerals → floats, units → magnitude and base unit, dates → ISO periods.

Table-driven and written for Chinese report conventions that general parsers get wrong
(`1-5月` is January to May, `十三五` is 2016–2020, `万` is a magnitude, not a unit).
Whatever cannot be parsed gives ``None``; nothing here raises on odd input.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from nlp.numbers import parse_amount
from nlp.periods import Period, parse_period
from nlp.schema import Record
from nlp.standard import standard_indicator

# --- numbers -------------------------------------------------------------------------

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


# --- records -------------------------------------------------------------------------


def normalise_record(record: Record, *, doc_year: int | None = None) -> Record:
    """Fill value, value_low/high, base_unit, period_start/end and the standard indicator
    of a linked record."""
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
        # `8500到3万元`: the magnitude belongs to the high end only
        value_low=None if low is None else _clean(low * (1 if high and low > high else scale)),
        value_high=None if high is None else _clean(high * scale),
        base_unit=unit.base,
        period_start=period.start,
        period_end=period.end,
        indicator_standard=standard_indicator(record.indicator.text if record.indicator else None),
    )


def _clean(x: float) -> float:
    """Round away binary noise from scaling (13.6 × 1e8 = 1360000000.0000002)."""
    return float(f"{x:.12g}")
