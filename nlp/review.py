"""A self-contained HTML review page: each document with its spans highlighted by label and
a table of its records, for a person checking output. No scripts, no external files."""

from __future__ import annotations

import html
from collections.abc import Iterable

from nlp.schema import LABELS, Document, Record, Span

COLOURS = {
    "INDICATOR": "#cfe8ff",
    "AMOUNT": "#ffd6a5",
    "UNIT": "#fdffb6",
    "DATE": "#caffbf",
    "PROJECT": "#ffc6ff",
}
STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;color:#222}
section{border-top:2px solid #ccc;margin-top:2rem;padding-top:1rem}
.text{white-space:pre-wrap;line-height:1.9;font-size:15px;max-height:40rem;overflow:auto;
border:1px solid #eee;padding:.75rem}
mark{border-radius:3px;padding:0 1px}
mark::after{content:attr(data-label);font-size:9px;vertical-align:super;color:#555;margin-left:1px}
table{border-collapse:collapse;margin-top:1rem;font-size:13px}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
th{background:#f5f5f5}.legend mark{margin-right:.5rem}
""" + "".join(f"mark.{label}{{background:{colour}}}" for label, colour in COLOURS.items())


def _highlighted(text: str, spans: Iterable[Span]) -> str:
    out, pos = [], 0
    for span in sorted(spans):
        if span.start < pos:
            continue  # overlapping spans cannot be drawn; predictions never overlap
        out.append(html.escape(text[pos : span.start]))
        score = "" if span.score is None else f" {span.score:.2f}"
        out.append(
            f'<mark class="{span.label}" data-label="{span.label[:3]}" '
            f'data-start="{span.start}" data-end="{span.end}" title="{span.label}{score}">'
            f"{html.escape(span.text)}</mark>"
        )
        pos = span.end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _cell(value: object) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, Span):
        value = value.text
    if isinstance(value, float):
        value = f"{value:,.4f}".rstrip("0").rstrip(".")
    return f"<td>{html.escape(str(value))}</td>"


def _records_table(records: Iterable[Record]) -> str:
    head = ("indicator", "amount", "unit", "value", "base unit", "date", "period", "project",
            "change", "approx.")  # fmt: skip
    rows = []
    for r in records:
        period = (
            " – ".join(p or "…" for p in (r.period_start, r.period_end))
            if (r.period_start or r.period_end)
            else None
        )
        value = (
            r.value
            if r.value is not None
            else (f"{r.value_low:g}–{r.value_high:g}" if r.value_low is not None else None)
        )
        cells = (r.indicator, r.amount, r.unit, value, r.base_unit, r.date, period, r.project,
                 r.change, "yes" if r.approximate else "")  # fmt: skip
        rows.append("<tr>" + "".join(_cell(c) for c in cells) + "</tr>")
    header = "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
    return f'<table class="records">{header}{"".join(rows)}</table>'


def render(documents: Iterable[Document], *, title: str = "nlp review") -> str:
    """The review page for some documents."""
    legend = "".join(f'<mark class="{label}">{label}</mark>' for label in LABELS)
    sections = []
    for i, doc in enumerate(documents):
        name = html.escape(doc.doc or f"document {i + 1}")
        sections.append(
            f'<section class="document" data-doc="{name}"><h2>{name}</h2>'
            f"<p>{len(doc.spans)} spans, {len(doc.records)} records"
            f"{'' if doc.doc_year is None else f', year {doc.doc_year}'}</p>"
            f'<div class="text">{_highlighted(doc.text, doc.spans)}</div>'
            f"{_records_table(doc.records)}</section>"
        )
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<p class="legend">{legend}</p>{"".join(sections)}</body></html>\n'
    )
