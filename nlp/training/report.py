"""Evaluation reports of a model on gold documents: scores, label confusions, plots, files.

`evaluate_documents` computes; `write_report` writes ``report.json``, ``report.md`` and the
PNG plots (learning curves from the training log, per-label F1 bars) into one directory.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nlp.alignment import char_tags
from nlp.layout import Layout
from nlp.records import assemble
from nlp.schema import LABELS, Span
from nlp.training.annotations import Task
from nlp.training.evaluate import evaluate_records, evaluate_spans, overlap_scores

OUTSIDE = "O"


def label_confusion(
    tasks: Sequence[Task], predicted: Mapping[str, Sequence[Span]]
) -> dict[str, dict[str, int]]:
    """Characters by gold label (rows) and predicted label (columns), B/I merged; the
    diagonal and O→O are left out, so the table shows only errors."""
    counts: Counter[tuple[str, str]] = Counter()
    for task in tasks:
        gold = char_tags(len(task.text), task.sorted_spans())
        pred = char_tags(len(task.text), predicted.get(task.name, ()))
        for g, p in zip(gold, pred, strict=True):
            g, p = g.partition("-")[2] or OUTSIDE, p.partition("-")[2] or OUTSIDE
            if g != p:
                counts[(g, p)] += 1
    names = [*LABELS, OUTSIDE]
    return {g: {p: counts[(g, p)] for p in names} for g in names}


def predict_documents(
    predict: Callable[..., list[list[Span]]], tasks: Sequence[Task], *, facts_only: bool = False
) -> dict[str, list[Span]]:
    """Each task's predicted spans by task name, from one call of ``predict`` (a tagger's
    or the rules' ``predict``, texts → spans); with ``facts_only``, of each text's
    `Layout.fact_regions` only, as `Extractor` tags by default."""
    texts = [t.text for t in tasks]
    if facts_only:
        spans = predict(texts, [Layout.of(text).fact_regions() for text in texts])
    else:
        spans = predict(texts)
    return dict(zip((t.name for t in tasks), spans, strict=True))


def evaluate_tagger(
    predict: Callable[..., list[list[Span]]], tasks: Sequence[Task], *, all_spans: bool = False
) -> dict[str, Any]:
    """`evaluate_documents` for a tagger's ``predict``: spans scored on every sentence,
    records made as `Extractor` makes them (from the fact regions; every sentence with
    ``all_spans``)."""
    every = predict_documents(predict, tasks)
    facts = None if all_spans else predict_documents(predict, tasks, facts_only=True)
    return evaluate_documents(tasks, every, facts)


def evaluate_documents(
    tasks: Sequence[Task],
    predicted: Mapping[str, Sequence[Span]],
    record_spans: Mapping[str, Sequence[Span]] | None = None,
) -> dict[str, Any]:
    """Span scores, record scores through the post-processor, and the label confusion;
    records are made from ``record_spans`` where given (the fact regions' spans, as
    `Extractor` makes them), else from the spans scored."""
    source = predicted if record_spans is None else record_spans
    records = {t.name: assemble(t.text, source.get(t.name, ()), doc_year=t.year) for t in tasks}
    record_scores = evaluate_records(tasks, records)
    record_scores.pop("errors")
    report = {
        "documents": [t.name for t in tasks],
        "spans": evaluate_spans(tasks, predicted),
        "spans_overlap": overlap_scores(tasks, predicted),
        "records": record_scores,
        "confusion": label_confusion(tasks, predicted),
    }
    groups = by_register(tasks)
    if len(groups) > 2:  # all, and more than one register
        report["by_register"] = {
            name: _register_scores(group, predicted, records) for name, group in groups.items()
        }
    return report


def by_register(tasks: Sequence[Task]) -> dict[str, list[Task]]:
    """All the tasks, then the tasks of each register (``meta.register``: seeds, local…)."""
    groups: dict[str, list[Task]] = {"all": list(tasks)}
    for task in tasks:
        groups.setdefault(str(task.meta.get("register") or "-"), []).append(task)
    return groups


def _register_scores(
    tasks: Sequence[Task],
    predicted: Mapping[str, Sequence[Span]],
    records: Mapping[str, Sequence[Any]],
) -> dict[str, Any]:
    """Strict span F1 per label and micro, record-core and all-fields F1 of some tasks."""
    spans = evaluate_spans(tasks, predicted)
    overlap = overlap_scores(tasks, predicted)
    scored = evaluate_records(tasks, records)
    return {
        "documents": len(tasks),
        **{name: spans[name]["f1"] for name in (*LABELS, "micro")},
        **{f"{name}_overlap": overlap[name]["f1"] for name in (*LABELS, "micro")},
        "record_core_f1": scored["core"]["f1"],
        "all_fields_f1": scored["full"]["f1"],
    }


def _markdown(report: dict[str, Any], title: str) -> str:
    spans = report["spans"]
    lines = [f"# {title}", "", f"Documents: {', '.join(report['documents'])}", ""]
    lines += ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name in (*LABELS, "micro", "macro"):
        r = spans[name]
        prf = " | ".join(f"{r[k]:.3f}" for k in ("precision", "recall", "f1"))
        lines.append(f"| {name} | {prf} | {r['support']} |")
    if "spans_overlap" in report:
        lines += ["", "Overlap (a span right when it overlaps a gold span of its label):", ""]
        lines += ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for name, r in report["spans_overlap"].items():
            prf = " | ".join(f"{r[k]:.3f}" for k in ("precision", "recall", "f1"))
            lines.append(f"| {name} | {prf} | {r['support']} |")
    rec = report["records"]
    lines += ["", "| records | precision | recall | F1 |", "|---|---|---|---|"]
    for name in ("amount", "core", "full"):
        r = rec[name]
        lines.append(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    if "by_register" in report:
        columns = [*LABELS, "micro", "micro_overlap", "record_core_f1", "all_fields_f1"]
        lines += ["", "By register (strict span F1, micro overlap F1; record F1s):", ""]
        lines += [
            "| register | docs | " + " | ".join(columns) + " |",
            "|---" * (len(columns) + 2) + "|",
        ]
        for name, row in report["by_register"].items():
            cells = " | ".join(f"{row[c]:.3f}" for c in columns)
            lines.append(f"| {name} | {row['documents']} | {cells} |")
    names = [*LABELS, OUTSIDE]
    lines += ["", "Label confusion (characters; rows gold, columns predicted):", ""]
    lines += ["| gold \\ pred | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for g in names:
        lines.append(f"| {g} | " + " | ".join(str(report["confusion"][g][p]) for p in names) + " |")
    return "\n".join(lines) + "\n"


def _plots(report: dict[str, Any], log_history: Sequence[dict[str, Any]], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    fig, ax = plt.subplots(figsize=(6, 3.5))
    f1s = [report["spans"][label]["f1"] for label in LABELS]
    ax.bar(LABELS, f1s, color="#4c72b0")
    ax.set_ylim(0, 1)
    ax.set_ylabel("span F1 (strict)")
    for i, v in enumerate(f1s):
        ax.text(i, v + 0.02, f"{v:.2f}", ha="center")
    fig.tight_layout()
    fig.savefig(out / "f1_per_label.png", dpi=120)
    plt.close(fig)
    written.append("f1_per_label.png")

    train = [(h["epoch"], h["loss"]) for h in log_history if "loss" in h and "epoch" in h]
    dev = [(h["epoch"], h["eval_micro_f1"]) for h in log_history if "eval_micro_f1" in h]
    if train or dev:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        if train:
            ax.plot(*zip(*train, strict=True), label="train loss", color="#dd8452")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if dev:
            twin = ax.twinx()
            twin.plot(*zip(*dev, strict=True), label="dev micro-F1", color="#55a868", marker="o")
            twin.set_ylim(0, 1)
            twin.set_ylabel("dev micro-F1")
        fig.legend(loc="upper center", ncol=2)
        fig.tight_layout()
        fig.savefig(out / "learning_curve.png", dpi=120)
        plt.close(fig)
        written.append("learning_curve.png")
    return written


def write_report(
    report: dict[str, Any], out: Path, *, title: str, log_history: Sequence[dict[str, Any]] = ()
) -> list[Path]:
    """Write report.json, report.md and the plots; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / "report.md").write_text(_markdown(report, title), encoding="utf-8")
    pngs = _plots(report, log_history, out)
    return [out / "report.json", out / "report.md", *(out / p for p in pngs)]


def select_documents(
    tasks: Sequence[Task],
    split: str = "test",
    *,
    model_split: Mapping[str, Any] | None = None,
    fold: int | None = None,
) -> list[Task]:
    """The documents to score: the ``fold``-th by name; ``all``; or the model's own
    ``test`` (or ``dev``) documents as its ``nlp.json`` split names them."""
    from nlp.errors import UsageError

    ordered = sorted(tasks, key=lambda t: t.name)
    if fold is not None:
        if not 0 <= fold < len(ordered):
            raise UsageError(f"--fold {fold}: there are {len(ordered)} documents")
        return [ordered[fold]]
    if split == "all":
        return ordered
    if split not in ("test", "dev"):
        raise UsageError(f"--split {split!r}: choose test, dev or all")
    names = set((model_split or {}).get(split, []))
    chosen = [t for t in ordered if t.name in names]
    if not chosen:
        raise UsageError(
            f"the model has no {split} documents among these annotations",
            fix="use --fold K or --split all",
        )
    return chosen


def assembler_scores(tasks: Sequence[Task]) -> dict[str, Any]:
    """Records from the gold spans (the assembler alone, no model) against the gold records,
    for all the tasks and per register (``meta.register``): record-core and all-fields
    F1 and the accuracy of each field."""
    out = {}
    for name, group in by_register(tasks).items():
        records = {t.name: assemble(t.text, t.sorted_spans(), doc_year=t.year) for t in group}
        scores = evaluate_records(group, records)
        scores.pop("errors")
        out[name] = {"documents": len(group), **scores}
    return out
