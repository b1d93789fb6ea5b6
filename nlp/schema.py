"""The shared vocabulary: span labels, `Span`, `Record`, `Document` and the BIO label maps.

Offsets everywhere are Python ``str`` indices (code points) into the document text as
decoded, end exclusive. JSON shapes here are the interchange format other tools read:

* span line, one per document::

    {"doc": ..., "text": ..., "doc_year": 2021 | null, "doc_year_source": ...,
     "spans": [{"label", "start", "end", "text", "score"?}]}

* record line, one per record: see `Record.to_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1"

INDICATOR = "INDICATOR"
AMOUNT = "AMOUNT"
UNIT = "UNIT"
DATE = "DATE"
PROJECT = "PROJECT"
LABELS: tuple[str, ...] = (INDICATOR, AMOUNT, UNIT, DATE, PROJECT)

# BIO tag set, sorted so that ids are deterministic whatever order labels are declared in.
BIO_TAGS: tuple[str, ...] = ("O", *sorted(f"{p}-{label}" for label in LABELS for p in "BI"))
TAG2ID: dict[str, int] = {tag: i for i, tag in enumerate(BIO_TAGS)}
ID2TAG: dict[int, str] = dict(enumerate(BIO_TAGS))


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A labelled stretch of document text: ``text == doc[start:end]``."""

    start: int
    end: int
    label: str
    text: str
    score: float | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }
        if self.score is not None:
            out["score"] = round(float(self.score), 4)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(
            start=int(d["start"]),
            end=int(d["end"]),
            label=str(d["label"]),
            text=str(d["text"]),
            score=None if d.get("score") is None else float(d["score"]),
        )

    @classmethod
    def of(cls, text: str, start: int, end: int, label: str, score: float | None = None) -> Span:
        """Build a span from document offsets, taking its text from the document."""
        return cls(start=start, end=end, label=label, text=text[start:end], score=score)


def _field_dict(span: Span | None) -> dict[str, Any] | None:
    """A record's span field; ``score`` is the tagger's confidence in it, where known."""
    if span is None:
        return None
    out: dict[str, Any] = {"text": span.text, "start": span.start, "end": span.end}
    if span.score is not None:
        out["score"] = round(float(span.score), 4)
    return out


def _field_span(d: dict[str, Any] | None, label: str) -> Span | None:
    if d is None:
        return None
    score = d.get("score")
    return Span(
        start=int(d["start"]),
        end=int(d["end"]),
        label=label,
        text=str(d["text"]),
        score=None if score is None else float(score),
    )


@dataclass(frozen=True, slots=True)
class Record:
    """One quantitative fact anchored on one AMOUNT (guidelines, section 2)."""

    amount: Span
    unit: Span | None = None
    indicator: Span | None = None
    date: Span | None = None
    project: Span | None = None
    change: str | None = None
    approximate: bool = False
    # what kind of figure: level, count, share, growth_rate, change, change_pp, target,
    # ranking (`nlp.cues.measure_of`)
    measure: str | None = None
    # the standard indicator the indicator names (`nlp.standard`: 全区生产总值 → gdp), if any
    indicator_standard: str | None = None
    value: float | None = None
    value_low: float | None = None
    value_high: float | None = None
    base_unit: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    sentence: tuple[int, int] | None = None
    score: float | None = None  # the lowest confidence of its spans (None: spans without one)

    def to_dict(self, doc: str | None = None) -> dict[str, Any]:
        """The record line: span fields as ``{"text","start","end","score"?}`` or null."""
        return {
            "doc": doc,
            "amount": _field_dict(self.amount),
            "unit": _field_dict(self.unit),
            "indicator": _field_dict(self.indicator),
            "date": _field_dict(self.date),
            "project": _field_dict(self.project),
            "change": self.change,
            "approximate": self.approximate,
            "measure": self.measure,
            "indicator_standard": self.indicator_standard,
            "value": self.value,
            "value_low": self.value_low,
            "value_high": self.value_high,
            "base_unit": self.base_unit,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "sentence": (
                None
                if self.sentence is None
                else {"start": self.sentence[0], "end": self.sentence[1]}
            ),
            "score": None if self.score is None else round(float(self.score), 4),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        amount = _field_span(d["amount"], AMOUNT)
        assert amount is not None, "a record always has an amount"
        sentence = d.get("sentence")
        return cls(
            amount=amount,
            unit=_field_span(d.get("unit"), UNIT),
            indicator=_field_span(d.get("indicator"), INDICATOR),
            date=_field_span(d.get("date"), DATE),
            project=_field_span(d.get("project"), PROJECT),
            change=d.get("change"),
            approximate=bool(d.get("approximate", False)),
            measure=d.get("measure"),
            indicator_standard=d.get("indicator_standard"),
            value=d.get("value"),
            value_low=d.get("value_low"),
            value_high=d.get("value_high"),
            base_unit=d.get("base_unit"),
            period_start=d.get("period_start"),
            period_end=d.get("period_end"),
            sentence=None if sentence is None else (int(sentence["start"]), int(sentence["end"])),
            score=d.get("score"),
        )


@dataclass(frozen=True, slots=True)
class Region:
    """Who issued a document (`nlp.meta.detect_region`)."""

    name: str
    level: str  # province, prefecture, county, district, town or zone
    code: str | None  # the 12-digit administrative code, where the table has the region


@dataclass(frozen=True, slots=True)
class Document:
    """A document's text with what was found in it."""

    text: str
    spans: tuple[Span, ...] = ()
    records: tuple[Record, ...] = ()
    doc: str | None = None
    doc_year: int | None = None
    # where doc_year came from: input (the document's own), option, title, none
    doc_year_source: str | None = None
    region: Region | None = None
    doc_type: str | None = None  # `nlp.meta.DOC_TYPES`

    def record_rows(self) -> list[dict[str, Any]]:
        """The record lines of the document: each record, its document, issuing region and
        kind."""
        region = self.region
        where = {
            "region": region and region.name,
            "region_level": region and region.level,
            "region_code": region and region.code,
            "doc_type": self.doc_type,
        }
        return [{**r.to_dict(self.doc), **where} for r in self.records]

    def to_span_line(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "text": self.text,
            "doc_year": self.doc_year,
            "doc_year_source": self.doc_year_source,
            "spans": [s.to_dict() for s in self.spans],
        }

    @classmethod
    def from_span_line(cls, d: dict[str, Any]) -> Document:
        """A span line, checked: every span lies in the text and quotes it exactly."""
        text = d["text"]
        spans = tuple(sorted(Span.from_dict(s) for s in d.get("spans", [])))
        for span in spans:
            if (
                not 0 <= span.start < span.end <= len(text)
                or text[span.start : span.end] != span.text
            ):
                raise ValueError(
                    f"span {span.label} {span.text!r} [{span.start}:{span.end}] does not match "
                    f"the text (length {len(text)})"
                )
        return cls(
            text=text,
            spans=spans,
            doc=d.get("doc"),
            doc_year=d.get("doc_year"),
            doc_year_source=d.get("doc_year_source"),
        )
