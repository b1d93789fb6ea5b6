"""Span scores (seqeval, strict IOB2, over character tags) and record scores.

Record matching: a predicted record matches a gold one when their AMOUNT spans are equal.
"core" counts a match right when its unit span is equal and its indicator overlaps the
gold indicator (or both are null); "full" needs every field right: unit span equal,
indicator, date and project text equal (the same words may be linked at another place in
the text, which states the same fact), and change and approximate equal to the annotated
ones. Field accuracy is over the matched records where gold or prediction has a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from nlp.alignment import char_tags
from nlp.schema import LABELS, Record, Span
from nlp.training.annotations import Task

FIELDS = ("unit", "indicator", "date", "project", "change", "approximate")


def span_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, Any]:
    """seqeval's strict IOB2 report: per label and micro/macro precision, recall, F1."""
    report = classification_report(
        [list(t) for t in gold],
        [list(t) for t in pred],
        mode="strict",
        scheme=IOB2,
        output_dict=True,
        zero_division=0,
    )
    out: dict[str, Any] = {}
    for key, row in report.items():
        name = {"micro avg": "micro", "macro avg": "macro", "weighted avg": "weighted"}.get(
            key, key
        )
        out[name] = {
            "precision": float(row["precision"]),
            "recall": float(row["recall"]),
            "f1": float(row["f1-score"]),
            "support": int(row["support"]),
        }
    for label in LABELS:  # a label absent from gold and predictions still gets a row
        out.setdefault(label, {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0})
    return out


def document_tags(text: str, spans: Sequence[Span]) -> list[str]:
    return char_tags(len(text), spans)


def evaluate_spans(
    tasks: Sequence[Task], predicted: Mapping[str, Sequence[Span]]
) -> dict[str, Any]:
    """Span scores of predictions (task name → spans) against the tasks' gold spans."""
    gold = [document_tags(t.text, t.sorted_spans()) for t in tasks]
    pred = [document_tags(t.text, predicted.get(t.name, ())) for t in tasks]
    return span_scores(gold, pred)


def overlap_scores(
    tasks: Sequence[Task], predicted: Mapping[str, Sequence[Span]]
) -> dict[str, dict[str, float]]:
    """Lenient span scores: a predicted span is right when it overlaps a gold span of its
    label, a gold span found when a prediction of its label overlaps it (boundaries aside:
    how much of strict F1's loss is edges, not missed facts). Per label and micro."""
    counts = {label: [0, 0, 0, 0] for label in LABELS}  # right, predicted, found, gold
    for task in tasks:
        gold = task.sorted_spans()
        pred = sorted(predicted.get(task.name, ()))
        for label in LABELS:
            g = [s for s in gold if s.label == label]
            p = [s for s in pred if s.label == label]
            c = counts[label]
            c[0] += sum(any(_overlap(x, y) for y in g) for x in p)
            c[1] += len(p)
            c[2] += sum(any(_overlap(y, x) for x in p) for y in g)
            c[3] += len(g)
    out = {}
    for name, (right, n_pred, found, n_gold) in [
        *counts.items(),
        ("micro", [sum(c[i] for c in counts.values()) for i in range(4)]),
    ]:
        precision = right / n_pred if n_pred else 0.0
        recall = found / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[name] = {"precision": precision, "recall": recall, "f1": f1, "support": n_gold}
    return out


# --- records -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fields:
    unit: Span | None
    indicator: Span | None
    date: Span | None
    project: Span | None
    change: str | None
    approximate: bool


def _fields(record: Record) -> _Fields:
    """The compared fields of a gold record (change and approximate as annotated) or of a
    predicted one."""
    return _Fields(
        record.unit,
        record.indicator,
        record.date,
        record.project,
        record.change,
        record.approximate,
    )


def _same_span(a: Span | None, b: Span | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.start, a.end) == (b.start, b.end)


def _same_text(a: Span | None, b: Span | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.text == b.text


def _overlap(a: Span | None, b: Span | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.start < b.end and b.start < a.end


def _field_right(name: str, gold: _Fields, pred: _Fields) -> bool:
    if name == "unit":
        return _same_span(gold.unit, pred.unit)
    if name in ("indicator", "date", "project"):
        return _same_text(getattr(gold, name), getattr(pred, name))
    return getattr(gold, name) == getattr(pred, name)


def _scored(name: str, gold: _Fields, pred: _Fields) -> bool:
    """Whether a field counts towards its accuracy: only where gold or prediction has a
    value (a span, a change, approximate), so that no field is right by construction on
    records where neither side says anything."""
    return bool(getattr(gold, name) or getattr(pred, name))


def _prf(right: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = right / n_pred if n_pred else 0.0
    r = right / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "right": right,
        "predicted": n_pred,
        "gold": n_gold,
    }


def evaluate_records(
    tasks: Sequence[Task], predicted: Mapping[str, Sequence[Record]]
) -> dict[str, Any]:
    """Record precision/recall/F1 (core and full) and per-field accuracy on matched records."""
    n_gold = n_pred = matched = core = full = 0
    field_right = dict.fromkeys(FIELDS, 0)
    field_scored = dict.fromkeys(FIELDS, 0)
    errors: list[dict[str, Any]] = []
    for task in tasks:
        gold = {(r.amount.start, r.amount.end): r for r in task.records()}
        preds = predicted.get(task.name, ())
        n_gold += len(gold)
        n_pred += len(preds)
        for record in preds:
            g = gold.get((record.amount.start, record.amount.end))
            if g is None:
                continue
            matched += 1
            gf, pf = _fields(g), _fields(record)
            rights = {name: _field_right(name, gf, pf) for name in FIELDS}
            for name, ok in rights.items():
                if _scored(name, gf, pf):
                    field_scored[name] += 1
                    field_right[name] += ok
            if _same_span(gf.unit, pf.unit) and _overlap(gf.indicator, pf.indicator):
                core += 1
            if all(rights.values()):
                full += 1
            else:
                errors.append(_error_row(task.name, record, gf, pf, rights))
    return {
        "records": {"gold": n_gold, "predicted": n_pred, "matched": matched},
        "core": _prf(core, n_pred, n_gold),
        "full": _prf(full, n_pred, n_gold),
        "amount": _prf(matched, n_pred, n_gold),
        # on matched records where gold or prediction has a value; `field_scored` says how many
        "field_accuracy": {
            name: (field_right[name] / field_scored[name] if field_scored[name] else None)
            for name in FIELDS
        },
        "field_scored": field_scored,
        "errors": errors,
    }


def _shown(value: Any) -> Any:
    return value.text if isinstance(value, Span) else value


def _error_row(
    doc: str, record: Record, gold: _Fields, pred: _Fields, rights: dict[str, bool]
) -> dict[str, Any]:
    wrong = [name for name, ok in rights.items() if not ok]
    return {
        "doc": doc,
        "amount": record.amount.text,
        "start": record.amount.start,
        **{
            name: {"gold": _shown(getattr(gold, name)), "pred": _shown(getattr(pred, name))}
            for name in wrong
        },
    }
