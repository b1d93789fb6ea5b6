"""Label Studio JSON export ⇄ tasks of spans and relations; validation and statistics.

A task is one report: its text, its span results keyed by result id, and relations from an
AMOUNT result to the UNIT/INDICATOR/DATE/PROJECT results of its record (guidelines, section 3).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.errors import AnnotationError
from nlp.schema import AMOUNT, DATE, INDICATOR, PROJECT, UNIT, Record, Span

# Which label a relation from an AMOUNT may point to, and the record field it fills.
RELATION_FIELDS: dict[str, str] = {
    UNIT: "unit",
    INDICATOR: "indicator",
    DATE: "date",
    PROJECT: "project",
}
FROM_NAME = "label"
TO_NAME = "text"
# Per-region choices on an AMOUNT (Label Studio `perRegion` Choices): its record's change
# and whether it is approximate (guidelines, section 2)
CHANGE_NAME = "change"
APPROXIMATE_NAME = "approximate"
CHANGES = ("increase", "decrease")


@dataclass(frozen=True, slots=True)
class Task:
    """One annotated report."""

    id: int | str
    text: str
    spans: dict[str, Span]  # result id → span
    relations: tuple[tuple[str, str], ...] = ()  # (AMOUNT result id, other result id)
    meta: dict[str, Any] = field(default_factory=dict)
    # AMOUNT result id → its annotated change ("increase"/"decrease") and approximate flag;
    # an AMOUNT absent from these has no change and is exact
    change: dict[str, str] = field(default_factory=dict)
    approximate: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return str(self.meta.get("source") or self.id)

    @property
    def year(self) -> int | None:
        year = self.meta.get("year")
        return int(year) if year not in (None, "") else None

    def sorted_spans(self) -> list[Span]:
        return sorted(self.spans.values())

    def records(self) -> list[Record]:
        """One gold record per AMOUNT span, its fields taken from the relations and its
        change and approximate flag as annotated (normalised fields left empty): also the
        prediction of one annotator scored against another."""
        links: dict[str, dict[str, Span]] = {}
        for src, dst in self.relations:
            if src in self.spans and dst in self.spans:
                target = self.spans[dst]
                if target.label in RELATION_FIELDS:
                    links.setdefault(src, {})[RELATION_FIELDS[target.label]] = target
        out = []
        for rid, span in self.spans.items():
            if span.label == AMOUNT:
                fields = links.get(rid, {})
                out.append(
                    Record(
                        amount=span,
                        **fields,
                        change=self.change.get(rid),
                        approximate=rid in self.approximate,
                    )
                )
        return sorted(out, key=lambda r: r.amount.start)


# --- reading -------------------------------------------------------------------------


def _choose_result(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The results of a task's newest non-cancelled annotation, else of its first prediction."""
    annotations = [a for a in item.get("annotations") or [] if not a.get("was_cancelled")]
    if annotations:
        newest = max(annotations, key=lambda a: (a.get("updated_at") or "", a.get("id") or 0))
        return list(newest.get("result") or [])
    predictions = item.get("predictions") or []
    if predictions:
        return list(predictions[0].get("result") or [])
    return []


def task_from_ls(item: dict[str, Any]) -> Task:
    """Read one task of a Label Studio JSON export (spans are not validated here)."""
    if not isinstance(item, dict):
        raise AnnotationError(f"a task is a JSON object, got {type(item).__name__}")
    data = item.get("data") or {}
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise AnnotationError(f"task {item.get('id')!r}: data.text is missing or not a string")
    text = data["text"]
    year = (data.get("meta") or {}).get("year") if isinstance(data.get("meta"), dict) else None
    if year not in (None, "") and not str(year).strip().isdigit():
        raise AnnotationError(f"task {item.get('id')!r}: meta.year {year!r} is not a year")
    spans: dict[str, Span] = {}
    relations: list[tuple[str, str]] = []
    change: dict[str, str] = {}
    approximate: set[str] = set()
    for result in _choose_result(item):
        kind = result.get("type")
        if kind == "labels":
            value = result["value"]
            labels = value.get("labels") or [""]
            rid = str(result["id"])
            if rid in spans:
                raise AnnotationError(f"task {item.get('id')!r}: result id {rid!r} used twice")
            if not all(isinstance(value.get(k), int) for k in ("start", "end")):
                raise AnnotationError(
                    f"task {item.get('id')!r}: result {rid!r}: offsets must be integers, got "
                    f"{value.get('start')!r}-{value.get('end')!r}"
                )
            spans[rid] = Span(
                start=value["start"],
                end=value["end"],
                label=str(labels[0]),
                text=str(value.get("text", "")),
                score=result.get("score"),
            )
        elif kind == "relation":
            relations.append((str(result["from_id"]), str(result["to_id"])))
        elif kind == "choices" and result.get("from_name") == CHANGE_NAME:
            change[str(result["id"])] = str(result["value"]["choices"][0])
        elif kind == "choices" and result.get("from_name") == APPROXIMATE_NAME:
            approximate.add(str(result["id"]))
    meta = dict(data.get("meta") or {})
    return Task(
        id=item.get("id", ""),
        text=text,
        spans=spans,
        relations=tuple(relations),
        meta=meta,
        change=change,
        approximate=frozenset(approximate),
    )


SPLITS_FILE = "splits.json"  # beside the exports: {source: "train" | "dev" | "test"}
SPLITS = ("train", "dev", "test")


def _json_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.glob("*.json") if p.name != SPLITS_FILE)
    return [path]


def load_splits(path: str | Path) -> dict[str, str]:
    """The fixed split of a gold folder (``splits.json``): document source → train, dev or
    test; empty when the folder has none."""
    file = Path(path) / SPLITS_FILE if Path(path).is_dir() else Path(path)
    if not file.exists():
        return {}
    try:
        splits = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"not a JSON file ({exc})", where=str(file)) from exc
    bad = {k: v for k, v in splits.items() if v not in SPLITS} if isinstance(splits, dict) else 0
    if not isinstance(splits, dict) or bad:
        raise AnnotationError(
            f"expected {{source: {' | '.join(SPLITS)}}}" + (f", got {bad}" if bad else ""),
            where=str(file),
        )
    return splits


def load_tasks(path: str | Path, *, errors: list[AnnotationError] | None = None) -> list[Task]:
    """Tasks from a Label Studio JSON export file, or from every ``*.json`` in a directory.

    A file or task that cannot be read raises `AnnotationError` naming it; with ``errors``
    given, it is appended there instead and the others are still read (`annotations check`
    reports every one). No task at all is an error too."""
    path = Path(path)
    if not path.exists():
        raise AnnotationError(f"{path}: no such file or directory")
    tasks: list[Task] = []

    def fail(error: AnnotationError) -> None:
        if errors is None:
            raise error
        errors.append(error)

    for file in _json_files(path):
        try:
            items = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            fail(AnnotationError(f"{file}: not a readable JSON file ({type(exc).__name__}: {exc})"))
            continue
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            fail(AnnotationError(f"{file}: expected a list of tasks"))
            continue
        for i, item in enumerate(items):
            try:
                tasks.append(task_from_ls(item))
            except AnnotationError as exc:
                fail(AnnotationError(f"{file}: task #{i}: {exc}"))
            except KeyError as exc:
                fail(AnnotationError(f"{file}: task #{i}: a result lacks the field {exc}"))
            except (TypeError, ValueError, AttributeError, IndexError) as exc:
                fail(AnnotationError(f"{file}: task #{i}: malformed ({type(exc).__name__}: {exc})"))
    if not tasks and not errors:
        raise AnnotationError(f"{path}: no annotated tasks", fix="point at Label Studio exports")
    return tasks


# --- writing -------------------------------------------------------------------------


def task_from_records(
    text: str,
    spans: Sequence[Span],
    records: Sequence[Record],
    *,
    task_id: int | str = 0,
    meta: dict[str, Any] | None = None,
) -> Task:
    """A task holding predicted spans, with the relations the records imply."""
    ids = {(s.start, s.end, s.label): f"s{i}" for i, s in enumerate(sorted(spans), start=1)}
    relations = []
    for record in records:
        src = ids.get((record.amount.start, record.amount.end, AMOUNT))
        for span in (record.unit, record.indicator, record.date, record.project):
            if src is not None and span is not None:
                dst = ids.get((span.start, span.end, span.label))
                if dst is not None:
                    relations.append((src, dst))
    by_id = {ids[(s.start, s.end, s.label)]: s for s in spans}
    amount_id = {r.amount: ids[(r.amount.start, r.amount.end, AMOUNT)] for r in records}
    return Task(
        id=task_id,
        text=text,
        spans=by_id,
        relations=tuple(relations),
        meta=meta or {},
        change={amount_id[r.amount]: r.change for r in records if r.change},
        approximate=frozenset(amount_id[r.amount] for r in records if r.approximate),
    )


def span_result(rid: str, span: Span) -> dict[str, Any]:
    """A Label Studio ``labels`` result for one span."""
    result: dict[str, Any] = {
        "id": rid,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": "manual",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]},
    }
    if span.score is not None:
        result["score"] = span.score
    return result


def relation_result(src: str, dst: str) -> dict[str, Any]:
    return {"from_id": src, "to_id": dst, "type": "relation", "direction": "right"}


def choice_result(rid: str, span: Span, name: str, choice: str) -> dict[str, Any]:
    """A per-region ``choices`` result: an attribute of the span with the same id."""
    value = {"start": span.start, "end": span.end, "text": span.text, "choices": [choice]}
    return {"id": rid, "from_name": name, "to_name": TO_NAME, "type": "choices", "value": value}


def task_results(task: Task) -> list[dict[str, Any]]:
    """Span results in document order, then the amounts' attributes, then relations."""
    ordered = sorted(task.spans.items(), key=lambda kv: kv[1])
    results = [span_result(rid, span) for rid, span in ordered]
    for rid, span in ordered:
        if rid in task.change:
            results.append(choice_result(rid, span, CHANGE_NAME, task.change[rid]))
        if rid in task.approximate:
            results.append(choice_result(rid, span, APPROXIMATE_NAME, APPROXIMATE_NAME))
    results += [relation_result(src, dst) for src, dst in task.relations]
    return results


def task_to_ls(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "data": {"text": task.text, "meta": task.meta},
        "annotations": [{"id": 1, "result": task_results(task), "was_cancelled": False}],
    }


def save_tasks(tasks: Iterable[Task], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = [task_to_ls(t) for t in tasks]
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
