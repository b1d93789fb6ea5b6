"""Leave-one-document-out cross-validation: one model per held-out document, each scored on
that document beside the rules baseline and the model under rule constraints
(`WITH_RULES`), then pooled over all documents.

Pooled scores (every fold's predictions on its own test document, scored together) are
the headline; per-fold scores and their mean are kept too.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from nlp.decoding import Decoding
from nlp.rules import tag as rules_tag
from nlp.schema import LABELS, Span
from nlp.tagger import Tagger
from nlp.training.annotations import load_tasks
from nlp.training.config import TrainConfig
from nlp.training.report import evaluate_documents

WHO = ("model", "model+rules", "rules")
# the model's spans under rule constraints: no boilerplate, number and unit edges from the
# regex, regex dates where the model found none
WITH_RULES = Decoding(drop_boilerplate=True, rules_snap=("AMOUNT", "UNIT"), rules_fill=("DATE",))


def _f1_row(report: dict[str, Any]) -> dict[str, float]:
    row = {label: report["spans"][label]["f1"] for label in LABELS}
    row["micro"] = report["spans"]["micro"]["f1"]
    row["record_core"] = report["records"]["core"]["f1"]
    return row


def _saved_fold(config: TrainConfig, held_out: str) -> Path:
    """A fold model from an earlier run, checked to have been tested on ``held_out``."""
    model_dir = Path(config.output_dir)
    meta = model_dir / "nlp.json"
    if not meta.exists():
        raise FileNotFoundError(f"{model_dir}: no trained fold model to reuse (no nlp.json)")
    tested = json.loads(meta.read_text(encoding="utf-8")).get("split", {}).get("test", [])
    if tested != [held_out]:
        raise ValueError(f"{model_dir} was tested on {tested}, not on {held_out!r}")
    return model_dir


def crossval(
    config: TrainConfig, *, folds: list[int] | None = None, reuse: bool = False
) -> dict[str, Any]:
    """Train and score one model per fold; return per-fold, mean and pooled scores for the
    model and for the rules baseline on the same documents. ``reuse``: score the fold
    models already saved under ``config.output_dir`` (after a change to decoding) instead
    of training them again."""
    from nlp.training.train import train

    tasks = sorted(load_tasks(config.data.annotations), key=lambda t: t.name)
    folds = list(range(len(tasks))) if folds is None else folds
    base = Path(config.output_dir)
    model_spans: dict[str, list[Span]] = {}
    hybrid_spans: dict[str, list[Span]] = {}
    per_fold = []
    for k in folds:
        fold_config = dataclasses.replace(
            config,
            # the fold decides the test document, not a fixed split
            data=dataclasses.replace(config.data, fold=k, test_docs=(), dev_docs=(), splits=False),
            output_dir=str(base / f"fold-{k}"),
        )
        model_dir = _saved_fold(fold_config, tasks[k].name) if reuse else train(fold_config)
        held_out = [tasks[k]]
        # the model alone: rule filling, if configured, is scored as its own row
        tagger = Tagger.load(model_dir, device="cpu")
        tagger.decoding = Decoding(viterbi=config.decode.viterbi, drop_boilerplate=False)
        spans = tagger.predict([tasks[k].text])[0]
        model_spans[tasks[k].name] = spans
        rule_spans = rules_tag(tasks[k].text)
        hybrid_spans[tasks[k].name] = WITH_RULES.apply(tasks[k].text, spans)
        reports = {
            "model": evaluate_documents(held_out, {tasks[k].name: spans}),
            "model+rules": evaluate_documents(
                held_out, {tasks[k].name: hybrid_spans[tasks[k].name]}
            ),
            "rules": evaluate_documents(held_out, {tasks[k].name: rule_spans}),
        }
        per_fold.append(
            {
                "fold": k,
                "document": tasks[k].name,
                **{who: _f1_row(r) for who, r in reports.items()},
            }
        )

    held = [tasks[k] for k in folds]
    pooled = {
        "model": evaluate_documents(held, model_spans),
        "model+rules": evaluate_documents(held, hybrid_spans),
        "rules": evaluate_documents(held, {t.name: rules_tag(t.text) for t in held}),
    }
    keys = [*LABELS, "micro", "record_core"]
    result = {
        "config": config.to_dict(),
        "folds": per_fold,
        "mean": {
            who: {key: sum(f[who][key] for f in per_fold) / len(per_fold) for key in keys}
            for who in WHO
        },
        "pooled": {who: _f1_row(report) for who, report in pooled.items()},
        "pooled_reports": pooled,
        # each fold's model spans on its held-out document, to score decoding policies later
        "predictions": {doc: [s.to_dict() for s in spans] for doc, spans in model_spans.items()},
    }
    base.mkdir(parents=True, exist_ok=True)
    (base / "crossval.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return result
