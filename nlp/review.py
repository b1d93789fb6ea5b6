"""A self-contained HTML review page: each document's text with its spans highlighted by
label beside a table of its records. Analysts filter the records by indicator, measure and
year, and click a record to scroll to its spans in the text. One inline script, no external
files: the page opens from disk anywhere."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from nlp.schema import LABELS, Document, Record, Span

COLOURS = {
    "INDICATOR": "#cfe8ff",
    "AMOUNT": "#ffd6a5",
    "UNIT": "#fdffb6",
    "DATE": "#caffbf",
    "PROJECT": "#ffc6ff",
}
# filters hide rows; a click on a row outlines its spans and scrolls the text to them
SCRIPT = """
const all = s => [...document.querySelectorAll(s)];
function filter() {
  const q = document.getElementById("f-indicator").value.trim();
  const m = document.getElementById("f-measure").value;
  const y = document.getElementById("f-year").value;
  const rows = all("tr.record");
  let shown = 0;
  for (const tr of rows) {
    const d = tr.dataset;
    tr.hidden = !((!q || d.indicator.includes(q) || d.standard.includes(q)) &&
                  (!m || d.measure === m) && (!y || d.year === y));
    shown += !tr.hidden;
  }
  document.getElementById("f-count").value = `${shown} of ${rows.length} records`;
}
function focus(tr) {
  for (const e of all(".focus")) e.classList.remove("focus");
  tr.classList.add("focus");
  const text = tr.closest("section").querySelector(".text");
  const marks = tr.dataset.spans.split(" ")
    .map(s => text.querySelector(`mark[data-start="${s}"]`)).filter(Boolean);
  for (const m of marks) m.classList.add("focus");
  if (marks.length) marks[0].scrollIntoView({block: "center"});
}
for (const id of ["f-indicator", "f-measure", "f-year"])
  document.getElementById(id).addEventListener("input", filter);
for (const tr of all("tr.record")) tr.addEventListener("click", () => focus(tr));
"""
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
.pair{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:1rem;align-items:start}
.table{max-height:40rem;overflow:auto}.table table{margin-top:0}.table td{white-space:nowrap}
tr.record{cursor:pointer}tr.record:hover{background:#f3f8ff}tr.focus{background:#e3efff}
mark.focus{outline:2px solid #d33;outline-offset:1px}
.filters{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #eee}
.filters label{margin-right:1rem}
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


def _year(record: Record) -> str:
    """The year a record's period starts in, for the year filter ('' when it has none)."""
    return (record.period_start or record.period_end or "")[:4]


def _records_table(records: Iterable[Record]) -> str:
    head = ("indicator", "standard", "measure", "amount", "unit", "value", "base unit", "date",
            "period", "project", "change", "approx.")  # fmt: skip
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
        cells = (r.indicator, r.indicator_standard, r.measure, r.amount, r.unit, value,
                 r.base_unit, r.date, period, r.project, r.change,
                 "yes" if r.approximate else "")  # fmt: skip
        spans = " ".join(
            str(s.start) for s in (r.amount, r.unit, r.indicator, r.date, r.project) if s
        )
        data = {
            "indicator": r.indicator.text if r.indicator else "",
            "standard": r.indicator_standard or "",
            "measure": r.measure or "",
            "year": _year(r),
            "spans": spans,
        }
        attrs = "".join(f' data-{k}="{html.escape(v)}"' for k, v in data.items())
        rows.append(f'<tr class="record"{attrs}>' + "".join(_cell(c) for c in cells) + "</tr>")
    header = "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
    return f'<table class="records">{header}{"".join(rows)}</table>'


def _options(values: Iterable[str]) -> str:
    return "".join(
        f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in sorted(set(values))
    )


def _filters(documents: Sequence[Document]) -> str:
    records = [r for d in documents for r in d.records]
    return (
        '<form class="filters" onsubmit="return false">'
        '<label>indicator <input id="f-indicator" type="search" '
        'placeholder="as written or standard"></label>'
        '<label>measure <select id="f-measure"><option value="">all</option>'
        f"{_options(r.measure for r in records if r.measure)}</select></label>"
        '<label>year <select id="f-year"><option value="">all</option>'
        f"{_options(y for r in records if (y := _year(r)))}</select></label>"
        f'<output id="f-count">{len(records)} of {len(records)} records</output></form>'
    )


def render(documents: Iterable[Document], *, title: str = "nlp review") -> str:
    """The review page for some documents."""
    documents = list(documents)
    legend = "".join(f'<mark class="{label}">{label}</mark>' for label in LABELS)
    sections = []
    for i, doc in enumerate(documents):
        name = html.escape(doc.doc or f"document {i + 1}")
        sections.append(
            f'<section class="document" data-doc="{name}"><h2>{name}</h2>'
            f"<p>{len(doc.spans)} spans, {len(doc.records)} records"
            f"{'' if doc.doc_year is None else f', year {doc.doc_year}'}</p>"
            f'<div class="pair"><div class="text">{_highlighted(doc.text, doc.spans)}</div>'
            f'<div class="table">{_records_table(doc.records)}</div></div></section>'
        )
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<p class="legend">{legend}</p>{_filters(documents)}{"".join(sections)}'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
