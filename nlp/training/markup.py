"""An inline markup for annotating by hand in a text editor, ⇄ a `Task`.

Each span is written in place as ``[[TEXT|L]]`` with ``L`` one of ``I A U D P``
(INDICATOR AMOUNT UNIT DATE PROJECT). An AMOUNT names the other spans of its record by
their text: ``[[990|A|I=地区生产总值|D=2020年]]``, keys ``I``, ``D``, ``P`` and, only to
override the adjacent unit, ``U`` (``U=-``: no unit). A reference resolves to the span of
that label and text nearest the amount: on the same line first, then before it, then after.
The unit is the UNIT span right after the amount (余/多/几 or whitespace may stand between).
The record's change is ``C=+`` (increase) or ``C=-`` (decrease), absent for none; a bare
``~`` marks an approximate amount: ``增长[[0.2|A|I=GDP|C=+]][[%|U]]``, ``约[[27|A|~]]``.

Removing the markup must give back the document text exactly; `parse` checks that.

>>> task = parse("GDP [[990|A|I=GDP]][[亿元|U]]".replace("GDP [[", "[[GDP|I]] [["))
>>> [(s.label, s.text) for s in task.sorted_spans()]
[('INDICATOR', 'GDP'), ('AMOUNT', '990'), ('UNIT', '亿元')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.cues import adjacent_unit
from nlp.errors import AnnotationError
from nlp.schema import AMOUNT, DATE, INDICATOR, PROJECT, UNIT, Span
from nlp.training.annotations import Task, task_from_records
from nlp.training.validate import check_task

CODES = {"I": INDICATOR, "A": AMOUNT, "U": UNIT, "D": DATE, "P": PROJECT}
LETTERS = {label: code for code, label in CODES.items()}
KEY_LABELS = {"I": INDICATOR, "D": DATE, "P": PROJECT, "U": UNIT}

_MARK = re.compile(r"\[\[(.+?)\|([IAUDP])((?:\|(?:[IDPUC]=[^\]|]*|~))*)\]\]", re.DOTALL)
_CHANGE_CODES = {"+": "increase", "-": "decrease"}
_CHANGE_LETTERS = {change: code for code, change in _CHANGE_CODES.items()}


class MarkupError(AnnotationError):
    """Markup that cannot be turned into a task; the message names the line."""


@dataclass(frozen=True, slots=True)
class _Pending:
    rid: str
    refs: dict[str, str]
    line: int


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _resolve(text: str, amount: Span, candidates: list[Span]) -> Span | None:
    """The candidate nearest the amount: same line first, then before, then after."""
    if not candidates:
        return None
    line_start = text.rfind("\n", 0, amount.start) + 1
    line_end = text.find("\n", amount.end)
    line_end = len(text) if line_end < 0 else line_end

    def distance(s: Span) -> int:
        return amount.start - s.end if s.end <= amount.start else s.start - amount.end

    same_line = [s for s in candidates if s.start >= line_start and s.end <= line_end]
    if same_line:
        return min(same_line, key=lambda s: (distance(s), s.start > amount.start))
    before = [s for s in candidates if s.end <= amount.start]
    if before:
        return max(before, key=lambda s: s.start)
    return min(candidates, key=lambda s: s.start)


def parse(markup: str, *, task_id: int | str = 0, meta: dict | None = None) -> Task:
    """Turn annotated markup into a task with spans and record relations."""
    pieces: list[str] = []
    spans: dict[str, Span] = {}
    pending: list[_Pending] = []
    change: dict[str, str] = {}
    approximate: set[str] = set()
    pos = 0
    plain_len = 0
    for n, m in enumerate(_MARK.finditer(markup)):
        pieces.append(markup[pos : m.start()])
        plain_len += m.start() - pos
        body, code, keys = m.group(1), m.group(2), m.group(3)
        if "[[" in body:
            raise MarkupError(f"line {_line_of(markup, m.start())}: nested or unclosed '[['")
        rid = f"r{n + 1}"
        spans[rid] = Span(start=plain_len, end=plain_len + len(body), label=CODES[code], text=body)
        pieces.append(body)
        plain_len += len(body)
        flags = keys.split("|")[1:]
        refs = dict(kv.split("=", 1) for kv in flags if kv != "~")
        if flags and code != "A":
            raise MarkupError(f"line {_line_of(markup, m.start())}: only an AMOUNT takes links")
        if code == "A":
            if "C" in refs:
                value = refs.pop("C")
                if value not in _CHANGE_CODES:
                    raise MarkupError(
                        f"line {_line_of(markup, m.start())}: C={value!r}: write C=+ or C=-"
                    )
                change[rid] = _CHANGE_CODES[value]
            if "~" in flags:
                approximate.add(rid)
            pending.append(_Pending(rid, refs, _line_of(markup, m.start())))
        pos = m.end()
    pieces.append(markup[pos:])
    text = "".join(pieces)
    for leftover in ("[[", "]]"):
        if leftover in text:
            at = text.index(leftover)
            raise MarkupError(
                f"line {_line_of(text, at)}: malformed markup near {text[at : at + 30]!r}"
            )

    by_label: dict[str, list[tuple[str, Span]]] = {}
    for rid, span in sorted(spans.items(), key=lambda kv: kv[1]):
        by_label.setdefault(span.label, []).append((rid, span))
    rid_of = {id(span): rid for rid, span in spans.items()}
    units = [s for _, s in by_label.get(UNIT, [])]

    relations: list[tuple[str, str]] = []
    for p in pending:
        amount = spans[p.rid]
        refs = dict(p.refs)
        unit_ref = refs.pop("U", None)
        if unit_ref is None:
            unit = adjacent_unit(text, amount, units)
            if unit is not None:
                relations.append((p.rid, rid_of[id(unit)]))
        else:
            refs["U"] = unit_ref
        for key, wanted in refs.items():
            if wanted == "-":
                continue
            label = KEY_LABELS[key]
            candidates = [s for _, s in by_label.get(label, []) if s.text == wanted]
            target = _resolve(text, amount, candidates)
            if target is None:
                raise MarkupError(
                    f"line {p.line}: amount {amount.text!r} links {key}={wanted!r}, "
                    f"but no {label} span has that text"
                )
            relations.append((p.rid, rid_of[id(target)]))
    return Task(
        id=task_id,
        text=text,
        spans=spans,
        relations=tuple(relations),
        meta=meta or {},
        change=change,
        approximate=frozenset(approximate),
    )


def render(task: Task) -> str:
    """Write a task as markup; `parse(render(task))` gives back the same spans and records."""
    links: dict[str, dict[str, Span]] = {}
    for src, dst in task.relations:
        if src in task.spans and dst in task.spans:
            links.setdefault(src, {})[task.spans[dst].label] = task.spans[dst]
    units = sorted(s for s in task.spans.values() if s.label == UNIT)
    out: list[str] = []
    pos = 0
    for rid, span in sorted(task.spans.items(), key=lambda kv: kv[1]):
        out.append(task.text[pos : span.start])
        keys = ""
        if span.label == AMOUNT:
            linked = links.get(rid, {})
            auto_unit = adjacent_unit(task.text, span, units)
            if linked.get(UNIT) != auto_unit:
                keys += "|U=" + (linked[UNIT].text if UNIT in linked else "-")
            for key, label in (("I", INDICATOR), ("D", DATE), ("P", PROJECT)):
                if label in linked:
                    keys += f"|{key}={linked[label].text}"
            if rid in task.change:
                keys += f"|C={_CHANGE_LETTERS[task.change[rid]]}"
            if rid in task.approximate:
                keys += "|~"
        out.append(f"[[{span.text}|{LETTERS[span.label]}{keys}]]")
        pos = span.end
    out.append(task.text[pos:])
    return "".join(out)


def preannotate(text: str, spans: Sequence[Span], *, meta: dict | None = None) -> str:
    """Markup of a text with predicted spans and the records the assembler links, change and
    approximate included: the starting point an annotator corrects."""
    from nlp.records import link

    return render(task_from_records(text, spans, link(text, spans), meta=meta))


META_FILE = "meta.json"  # beside markup files: {stem: the task's data.meta}


def file_stem(task: Task) -> str:
    """A file name for a task's markup: its source name, made safe for any file system."""
    return re.sub(r"[^\w.\-]+", "_", task.name.removesuffix(".txt"))


def build(
    paths: Sequence[Path], years: Mapping[str, int] | None = None
) -> tuple[list[Task], list[str]]:
    """Tasks from markup files and every problem as ``file: reason``; a file with problems
    gives no task. A task's meta comes from ``meta.json`` beside its file (written by
    `nlp annotations to-markup`), else source ``NAME.txt``; ``years`` (by NAME) overrides."""
    years = years or {}
    tasks: list[Task] = []
    problems: list[str] = []
    sidecars: dict[Path, dict] = {}
    for i, path in enumerate(paths, start=1):
        stem = path.name.removesuffix(".ann.txt")
        folder = path.parent
        if folder not in sidecars:
            file = folder / META_FILE
            sidecars[folder] = json.loads(file.read_text(encoding="utf-8")) if file.exists() else {}
        meta = dict(sidecars[folder].get(stem) or {"source": f"{stem}.txt", "year": None})
        if stem in years:
            meta["year"] = years[stem]
        try:
            task = parse(path.read_text(encoding="utf-8"), task_id=i, meta=meta)
        except (MarkupError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        found = check_task(task)
        problems += [f"{path}: {p.reason}" for p in found]
        if not found:
            tasks.append(task)
    return tasks, problems
