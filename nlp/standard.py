"""Standard indicators: a record's indicator as written → the id of a standard statistical
indicator of Chinese reports (`地区生产总值`, `GDP`, `全区生产总值`, `经济总量` → ``gdp``).

The table is package data (``nlp/data/indicators.yaml``: id, name, aliases). A name is
normalised (place words that only say where, quotes and brackets, a trailing growth word
dropped), matched exactly against every name and alias, then by similarity above a
threshold chosen on the dev split (docs/panel.md); no match gives ``None``, never a guess.
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files

# place words that only say where (`全区生产总值` → `生产总值`), at the start of a name
_PLACE = re.compile(
    r"^(?:全(?:区|市|县|省|州|旗|盟|镇|乡|国|年)|我(?:区|市|县|省|州|旗|盟|镇|乡)|辖区|区属|本(?:区|市|县))"
)
_NOISE = re.compile(r"[\s“”\"'《》〈〉「」()（）·•]")
# how the quantity moved is the record's change and measure, not another indicator
_HOW = re.compile(r"(?:同比)?(?:增速|增幅|增长率|增长速度|增长|增量|增加|总量|规模)$")
FUZZY_THRESHOLD = 95.0  # rapidfuzz ratio (0-100), chosen on dev: docs/panel.md


def normalise_name(text: str) -> str:
    """`全区 生产总值增速` → `生产总值`: the name with place, punctuation and growth words off."""
    name = _NOISE.sub("", text)
    name = _PLACE.sub("", name)
    stripped = _HOW.sub("", name)
    return stripped or name


@functools.cache
def _table() -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    import yaml

    rows = yaml.safe_load(files("nlp").joinpath("data/indicators.yaml").read_text("utf-8"))
    exact: dict[str, str] = {}
    for row in rows:
        for written in (row["name"], *row.get("aliases", ())):
            exact.setdefault(normalise_name(str(written)), row["id"])
    return exact, tuple(exact), tuple(exact.values())


def standard_ids() -> frozenset[str]:
    """Every id of the table."""
    return frozenset(_table()[2])


def standard_indicator(
    text: str | None, *, threshold: float | None = FUZZY_THRESHOLD
) -> str | None:
    """The standard id of an indicator as written, or ``None`` when none matches well
    (``threshold``: the least similarity, 0-100, of a match that is not exact; ``None``:
    exact matches only).

    >>> [standard_indicator(t) for t in ("全区生产总值", "GDP增速", "完成投资")]
    ['gdp', 'gdp', None]
    """
    if not text:
        return None
    name = normalise_name(text)
    exact, names, ids = _table()
    if name in exact or threshold is None:
        return exact.get(name)
    from rapidfuzz import fuzz, process

    found = process.extractOne(name, names, scorer=fuzz.ratio, score_cutoff=threshold)
    return None if found is None else ids[found[2]]
