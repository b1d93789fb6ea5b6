"""Leave-one-document-out cross-validation: one model per held-out document, each scored on
that document beside the rules baseline, then pooled over all documents.

Pooled scores (every fold's predictions on its own test document, scored together) are
the headline; per-fold scores and their mean are kept too.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from nlp.annotations import load_tasks
from nlp.config import TrainConfig
from nlp.report import evaluate_documents
from nlp.rules import tag as rules_tag
from nlp.schema import LABELS, Span


def _f1_row(report: dict[str, Any]) -> dict[str, float]:
    row = {label: report["spans"][label]["f1"] for label in LABELS}
    row["micro"] = report["spans"]["micro"]["f1"]
    row["record_core"] = report["records"]["core"]["f1"]
    return row


def crossval(config: TrainConfig, *, folds: list[int] | None = None) -> dict[str, Any]:
    """Train and score one model per fold; return per-fold, mean and pooled scores for the
    model and for the rules baseline on the same documents."""
    from nlp.tagger import Tagger
    from nlp.train import train

    tasks = sorted(load_tasks(config.data.annotations), key=lambda t: t.name)
    folds = list(range(len(tasks))) if folds is None else folds
    base = Path(config.output_dir)
    model_spans: dict[str, list[Span]] = {}
    per_fold = []
    for k in folds:
        fold_config = dataclasses.replace(
            config,
            data=dataclasses.replace(config.data, fold=k, test_docs=(), dev_docs=()),
            output_dir=str(base / f"fold-{k}"),
        )
        model_dir = train(fold_config)
        held_out = [tasks[k]]
        spans = Tagger.load(model_dir, device="cpu").predict([tasks[k].text])[0]
        model_spans[tasks[k].name] = spans
        model_report = evaluate_documents(held_out, {tasks[k].name: spans})
        rules_report = evaluate_documents(held_out, {tasks[k].name: rules_tag(tasks[k].text)})
        per_fold.append(
            {
                "fold": k,
                "document": tasks[k].name,
                "model": _f1_row(model_report),
                "rules": _f1_row(rules_report),
            }
        )

    held = [tasks[k] for k in folds]
    pooled_model = evaluate_documents(held, model_spans)
    pooled_rules = evaluate_documents(held, {t.name: rules_tag(t.text) for t in held})
    keys = [*LABELS, "micro", "record_core"]
    result = {
        "config": config.to_dict(),
        "folds": per_fold,
        "mean": {
            who: {key: sum(f[who][key] for f in per_fold) / len(per_fold) for key in keys}
            for who in ("model", "rules")
        },
        "pooled": {"model": _f1_row(pooled_model), "rules": _f1_row(pooled_rules)},
        "pooled_reports": {"model": pooled_model, "rules": pooled_rules},
    }
    base.mkdir(parents=True, exist_ok=True)
    (base / "crossval.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return result
