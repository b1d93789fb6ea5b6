"""How a model's per-character label distributions become spans.

One settings class, `Decoding`, is used by training configs (`decode:`), the saved model
(`nlp.json`), evaluation and inference alike, so that every score is that of the decoding
that ships: tags by Viterbi (the most probable valid BIO sequence) or each character's best
tag, then constraints on the spans (no boilerplate, rule edges, rule fills).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from nlp import rules
from nlp.alignment import bio_viterbi
from nlp.schema import LABELS, Span
from nlp.text import Stretches, is_boilerplate, lines, list_markers

_EDGE = set(" \t\r\n\u3000\u200b\ufeff,，。.;；:：、!！?？()（）“”\"'‘’《》【】[]")


def trim(text: str, span: Span) -> Span | None:
    """A span without whitespace or punctuation at its edges (None when nothing is left)."""
    s, e = span.start, span.end
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    if s == e:
        return None
    return span if (s, e) == (span.start, span.end) else Span.of(text, s, e, span.label, span.score)


def fill_with_rules(
    spans: Sequence[Span], rule_spans: Sequence[Span], labels: Sequence[str]
) -> list[Span]:
    """The model's spans plus the rules' spans of ``labels`` that overlap none of them: the
    regex's sure finds fill what the model missed, never override it."""
    taken = Stretches((s.start, s.end) for s in spans)
    extra = [r for r in rule_spans if r.label in labels and taken.free(r.start, r.end)]
    return sorted([*spans, *extra])


def snap_to_rules(
    spans: Sequence[Span], rule_spans: Sequence[Span], labels: Sequence[str]
) -> list[Span]:
    """Model spans of ``labels`` that overlap exactly one rule span of the same label take
    its boundaries (`9200` + `余家` → `9200`, `家`): the label is the model's, the edges the
    regex's, which are exact for numbers and units."""
    by_label: dict[str, list[Span]] = {}
    for r in sorted(rule_spans):
        by_label.setdefault(r.label, []).append(r)
    index = {k: Stretches((r.start, r.end) for r in v) for k, v in by_label.items()}
    out: list[Span] = []
    for span in spans:
        found = index.get(span.label)
        hits = found.overlapping(span.start, span.end) if found else range(0)
        same = [by_label[span.label][i] for i in hits]
        if span.label in labels and len(same) == 1:
            span = Span(same[0].start, same[0].end, span.label, same[0].text, span.score)
        if out and span.start < out[-1].end:
            continue  # two model spans snapped onto one rule span: keep the first
        out.append(span)
    return out


def drop_boilerplate(text: str, spans: Sequence[Span]) -> list[Span]:
    """No spans on lines of site furniture or publication metadata (guidelines 1.5), nor
    inside the numbered markers that open lines."""
    bad = Stretches((s, e) for s, e in lines(text) if is_boilerplate(text[s:e]))
    markers = Stretches(list_markers(text))
    return [
        x for x in spans if bad.free(x.start, x.start + 1) and not markers.contains(x.start, x.end)
    ]


@dataclass(frozen=True, slots=True)
class Decoding:
    """How a model's per-character distributions become spans (saved in nlp.json): tags
    by ``viterbi`` (else each character's best tag, BIO repaired), then constraints on the
    spans, in this order."""

    viterbi: bool = True  # the most probable valid BIO sequence, not each character's best tag
    drop_boilerplate: bool = True  # no spans on site furniture / metadata lines
    rules_snap: tuple[str, ...] = ()  # labels whose span edges snap to an overlapping rule span
    rules_fill: tuple[str, ...] = ()  # labels whose rule spans fill gaps the model left

    def __post_init__(self) -> None:
        unknown = sorted({*self.rules_snap, *self.rules_fill} - set(LABELS))
        if unknown:
            raise ValueError(f"decode: unknown labels {unknown}; labels are {', '.join(LABELS)}")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Decoding:
        """The settings saved in a model's ``nlp.json`` (``config.decode``); keys this
        version does not know are ignored, missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        kwargs = {
            k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in known
        }
        return cls(**kwargs)

    @property
    def uses_rules(self) -> bool:
        return bool(self.rules_snap or self.rules_fill)

    def tags(self, probs: np.ndarray, tags: Sequence[str]) -> np.ndarray:
        """Tag id per character from its distribution (characters × ``tags``)."""
        return bio_viterbi(probs, tags) if self.viterbi else probs.argmax(-1)

    def apply(
        self, text: str, spans: list[Span], rule_spans: Sequence[Span] | None = None
    ) -> list[Span]:
        """``rule_spans``: ``rules.tag(text)`` when the caller has it already."""
        if self.drop_boilerplate:
            spans = drop_boilerplate(text, spans)
        if self.uses_rules:
            rule_spans = rules.tag(text) if rule_spans is None else rule_spans
            spans = snap_to_rules(spans, rule_spans, self.rules_snap)
            spans = fill_with_rules(spans, rule_spans, self.rules_fill)
        return spans
