"""`分别` lists: which indicator each amount of a respective list measures (guidelines rev 2,
coordinated indicators): `A、B分别增长x和y`, and a `分别` list after as many facts."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from nlp.layout import Layout, containing
from nlp.place import Place, within
from nlp.schema import AMOUNT, INDICATOR, Record, Span

_RESPECTIVELY = re.compile(r"分别")
_CONJUNCTION = re.compile(r"\s*(?:[、和及与]|以及)\s*[“\"]?")
# `…价格涨幅分别`: a few words at most, or a comparison (`增速比平均增速分别高`)
_TO_RESPECTIVELY = re.compile(r"[^，,。；;:：！？\n]{0,4}(?:比[^，,。；;:：！？\n]{1,12})?")


def respective(
    text: str, indicators: Sequence[Span], amounts: Sequence[Span], layout: Layout
) -> dict[Span, Span]:
    """Amount → indicator where a list of indicators is followed by `分别` and as many
    amounts (`A、B和C分别增长x、y、z`): the k-th amount measures the k-th conjunct
    (guidelines rev 2, coordinated indicators)."""
    out: dict[Span, Span] = {}
    for m in _RESPECTIVELY.finditer(text):
        i = bisect.bisect_left(indicators, Span(m.start(), m.start(), "", "")) - 1
        if i < 0 or not _TO_RESPECTIVELY.fullmatch(text, indicators[i].end, m.start()):
            continue
        chain = [indicators[i]]
        while i > 0 and _CONJUNCTION.fullmatch(text, indicators[i - 1].end, chain[0].start):
            i -= 1
            chain.insert(0, indicators[i])
        if len(chain) < 2:
            continue
        sentence = containing(layout.full_sentences, m.start()) or (m.start(), len(text))
        after = within(amounts, m.end(), sentence[1])
        if len(after) < len(chain):
            continue
        out.update(zip(after[: len(chain)], chain, strict=True))
        # a second list as long in the next clause (`…分别达到x元和y元，增长a%和b%`)
        then = after[len(chain) : 2 * len(chain)]
        gap = text[after[len(chain) - 1].end : then[0].start] if then else ""
        if (
            len(then) == len(chain)
            and len(_CLAUSE_MARK.findall(gap)) == 1
            and not within(indicators, after[0].start, then[-1].end)
            and not _CLAUSE_MARK.search(text, then[0].end, then[-1].start)
        ):
            out.update(zip(then, chain, strict=True))
    return out


_CLAUSE_MARK = re.compile(r"[，,。；;:：！？\n]")


def respective_records(
    text: str,
    amount: Span,
    by_label: dict[str, list[Span]],
    records: Sequence[Record],
    place: Place,
) -> Span | None:
    """The indicator of an amount in a `分别` list that names no indicator of its own and
    follows as many facts of its sentence (`销售面积8万平方米，销售额5亿元，分别增长3%和
    9%`): the k-th amount takes the indicator of the k-th of those facts; None when they
    do not line up."""
    marks = list(_RESPECTIVELY.finditer(text, place.clause[0], amount.start))
    if not marks or within(by_label[INDICATOR], place.clause[0], marks[-1].start()):
        return None
    m = marks[-1]
    listed = within(by_label[AMOUNT], m.end(), place.clause[1])
    if len(listed) < 2 or amount not in listed:
        return None
    facts: list[Record] = []  # the facts of the sentence right before `分别`, last first
    for record in reversed(records):
        if record.amount.start < place.full[0] or len(facts) == len(listed):
            break
        if record.amount.end <= m.start():
            facts.append(record)
    if len(facts) < len(listed):
        return None
    facts.reverse()
    named = [r.indicator.text for r in facts if r.indicator is not None]
    if len(named) < len(facts) or len(set(named)) < len(named):
        return None
    return facts[listed.index(amount)].indicator
