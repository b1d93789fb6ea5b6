"""The model card: a README.md in the model directory with what it is and how it scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.schema import LABELS


def _span_table(spans: dict[str, Any]) -> list[str]:
    rows = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name in (*LABELS, "micro"):
        r = spans[name]
        prf = " | ".join(f"{r[k]:.3f}" for k in ("precision", "recall", "f1"))
        rows.append(f"| {name} | {prf} | {r['support']} |")
    return rows


def write_model_card(out: Path, meta: dict[str, Any]) -> None:
    config = meta["config"]
    base = config["model"]["base"]
    source = (
        f"fine-tuned from `{base}`"
        if base
        else (
            f"a compact BERT ({config['model']['layers']} layers, hidden "
            f"{config['model']['hidden']}) trained from scratch with a character vocabulary"
        )
    )
    metrics = meta["metrics"]
    lines = [
        "---",
        "library_name: transformers",
        "pipeline_tag: token-classification",
        "language: zh",
        "---",
        "",
        "# nlp span tagger for Chinese government reports",
        "",
        f"A token classifier tagging {', '.join(LABELS)} in BIO, one position per character; "
        f"{source}. Load it with `nlp.Extractor.load(path)` or plain "
        "`AutoModelForTokenClassification.from_pretrained(path)`.",
        "",
        f"- label schema version: {meta['schema_version']}",
        f"- training data: `{config['data']['annotations']}` "
        f"(fingerprint {meta['data_fingerprint']}), split "
        + ", ".join(f"{k}: {len(v)} docs" for k, v in meta["split"].items()),
        f"- dev micro-F1 (per window, strict IOB2): {metrics.get('dev_micro_f1')}",
    ]
    test = metrics.get("test")
    if test:
        core = test["records"]["core"]
        lines += [
            "",
            f"## Test documents: {', '.join(meta['split']['test'])}",
            "",
            "Span scores (seqeval, strict IOB2, whole documents):",
            "",
            *_span_table(test["spans"]),
            "",
            f"Record-core F1 {core['f1']:.3f} (P {core['precision']:.3f}, R {core['recall']:.3f}).",
        ]
    lines += ["", "Training config, data fingerprint and the training log are in `nlp.json`.", ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")
