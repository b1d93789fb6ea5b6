"""Validation and counts of gold tasks: every problem with its task and reason (offsets,
labels, overlaps, relations, records), and spans per label per document or split."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlp.schema import AMOUNT, LABELS, Span
from nlp.training.annotations import CHANGES, RELATION_FIELDS, SPLITS, Task


@dataclass(frozen=True, slots=True)
class Problem:
    task: str
    reason: str

    def __str__(self) -> str:
        return f"task {self.task}: {self.reason}"


_EDGE_JUNK = set(" \t\r\n\u3000,，。.;；:：、!！?？()（）“”\"'‘’《》【】[]")


def check_task(task: Task) -> list[Problem]:
    """Every problem in one task, each with its reason."""
    problems: list[Problem] = []

    def add(reason: str) -> None:
        problems.append(Problem(task.name, reason))

    n = len(task.text)
    valid: dict[str, Span] = {}
    for rid, span in task.spans.items():
        where = f"span {rid} [{span.start}:{span.end}] {span.text!r}"
        if span.label not in LABELS:
            add(f"{where}: unknown label {span.label!r}")
            continue
        if not 0 <= span.start < span.end <= n:
            add(f"{where}: offsets outside the text (length {n})")
            continue
        if task.text[span.start : span.end] != span.text:
            actual = task.text[span.start : span.end]
            add(f"{where}: text does not match the document at these offsets ({actual!r})")
            continue
        if span.text[0] in _EDGE_JUNK or span.text[-1] in _EDGE_JUNK:
            add(f"{where}: span starts or ends with whitespace or punctuation")
        valid[rid] = span
    ordered = sorted(valid.items(), key=lambda kv: kv[1])
    for (rid_a, a), (rid_b, b) in itertools.pairwise(ordered):
        if b.start < a.end:
            add(f"spans {rid_a} {a.text!r} and {rid_b} {b.text!r} overlap")

    fields_seen: dict[str, set[str]] = {}
    for src, dst in task.relations:
        if src not in task.spans or dst not in task.spans:
            missing = src if src not in task.spans else dst
            add(f"relation {src}→{dst}: span {missing} does not exist")
            continue
        a, b = task.spans[src], task.spans[dst]
        if a.label != AMOUNT:
            add(f"relation {src}→{dst}: starts at a {a.label} span, not an AMOUNT")
            continue
        if b.label not in RELATION_FIELDS:
            add(f"relation {src}→{dst}: ends at a {b.label} span ({b.text!r})")
            continue
        field_name = RELATION_FIELDS[b.label]
        if field_name in fields_seen.setdefault(src, set()):
            add(f"relation {src}→{dst}: AMOUNT {a.text!r} has two {b.label} links")
        fields_seen[src].add(field_name)
    for rid, value in task.change.items():
        if value not in CHANGES:
            add(f"span {rid}: change {value!r} is not one of {', '.join(CHANGES)}")
    for rid in {*task.change, *task.approximate}:
        if rid not in valid or valid[rid].label != AMOUNT:
            add(f"span {rid}: change/approximate set on something that is not an AMOUNT")
    for rid, span in valid.items():
        if span.label == AMOUNT and rid not in fields_seen:
            add(f"span {rid} AMOUNT {span.text!r} at {span.start} has no record (no relation)")
    return problems


def check(tasks: Sequence[Task]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for task in tasks:
        if task.name in seen:
            problems.append(Problem(task.name, "duplicate task (same source) in the export"))
        seen.add(task.name)
        problems += check_task(task)
    return problems


# --- statistics ----------------------------------------------------------------------


def stats(tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """One row per task: characters, spans per label, records, relations."""
    rows = []
    for task in tasks:
        counts = Counter(s.label for s in task.spans.values())
        rows.append(
            {
                "task": task.name,
                "chars": len(task.text),
                **{label: counts.get(label, 0) for label in LABELS},
                "records": len(task.records()),
                "relations": len(task.relations),
            }
        )
    return rows


def split_stats(tasks: Sequence[Task], splits: dict[str, str]) -> list[dict[str, Any]]:
    """Documents, characters and spans per label, one row per split × register (the
    register a task's ``meta.register`` names: seeds, local, provincial, national)."""
    rows: dict[tuple[str, str], Counter] = {}
    for task, row in zip(tasks, stats(tasks), strict=True):
        key = (splits.get(task.name, "unsplit"), str(task.meta.get("register") or "-"))
        counts = rows.setdefault(key, Counter())
        counts["documents"] += 1
        for column in ("chars", *LABELS, "records"):
            counts[column] += row[column]
    order = {name: i for i, name in enumerate((*SPLITS, "unsplit"))}
    return [
        {"split": split, "register": register, **counts}
        for (split, register), counts in sorted(
            rows.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
        )
    ]
