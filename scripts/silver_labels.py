"""Silver labels for self-training (the model issue, `docs/model.md`): a model's spans on the
unlabelled reports of `../shared/corpus/reports`, kept only in sentences where the model is
sure of every character, written as Label Studio tasks beside a copy of the gold.

    python scripts/silver_labels.py --model nlp/models/default --out build/silver-gold
    nlp train configs/e5-zh.yaml --set data.annotations=build/silver-gold ...

Reports that any split of `annotations/splits.json` names (train, dev or test) are left out,
so no dev or test text is trained on; silver tasks have no split of their own, so training
reads them as train documents. Sentences with no AMOUNT are dropped (they teach mostly O).
"""

from __future__ import annotations

import argparse
import bisect
import shutil
from pathlib import Path

import numpy as np

from nlp import rules
from nlp.io import read_document
from nlp.layout import Layout
from nlp.place import span_start, within
from nlp.records import assemble
from nlp.schema import AMOUNT, Span
from nlp.tagger import Tagger
from nlp.training.annotations import Task, load_splits, save_tasks


def linked_fields(text: str, spans: list[Span]) -> dict[Span, list[Span]]:
    """Each AMOUNT's unit, indicator, date and project as the assembler links them."""
    fields = {}
    for r in assemble(text, spans):
        fields[r.amount] = [f for f in (r.unit, r.indicator, r.date, r.project) if f is not None]
    return fields


def sure_sentences(
    text: str,
    probs: np.ndarray,
    spans: list[Span],
    fields: dict[Span, list[Span]],
    threshold: float,
) -> list[tuple[int, int]]:
    """Sentences where every character's best label has at least `threshold` probability,
    no span crosses an edge, and every AMOUNT (at least one) links a span of the sentence."""
    best = probs.max(axis=1)
    out = []
    for start, end in Layout.of(text).full_sentences:
        if _cut(spans, start) or _cut(spans, end):
            continue
        inside = within(spans, start, end)
        amounts = [s for s in inside if s.label == AMOUNT]
        linked = all(
            any(start <= f.start and f.end <= end for f in fields.get(a, ())) for a in amounts
        )
        if amounts and linked and best[start:end].min() >= threshold:
            out.append((start, end))
    return out


def _cut(spans: list[Span], pos: int) -> bool:
    """Whether a span of the sorted, disjoint list runs across position `pos`."""
    i = bisect.bisect_left(spans, pos, key=span_start)
    return i > 0 and spans[i - 1].end > pos


def silver_task(
    name: str,
    text: str,
    sentences: list[tuple[int, int]],
    spans: list[Span],
    fields: dict[Span, list[Span]],
) -> Task:
    """One task of the kept sentences, one per line, with their spans moved to the new
    offsets and each amount related to its linked spans inside the sentence."""
    joined = "\n".join(text[start:end] for start, end in sentences)
    ids: dict[Span, str] = {}
    kept: dict[str, Span] = {}
    relations = []
    pos = 0
    for start, end in sentences:
        for s in within(spans, start, end):
            ids[s] = rid = f"s{len(kept)}"
            kept[rid] = Span.of(joined, pos + s.start - start, pos + s.end - start, s.label)
        pos += end - start + 1
    for amount, linked in fields.items():
        relations += [(ids[amount], ids[f]) for f in linked if amount in ids and f in ids]
    return Task(
        id=f"silver:{name}",
        text=joined,
        spans=kept,
        relations=tuple(relations),
        meta={"source": f"silver:{name}"},
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="nlp/models/default")
    ap.add_argument("--corpus", default="../shared/corpus/reports")
    ap.add_argument("--gold", default="annotations")
    ap.add_argument("--out", default="build/silver-gold")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--max-sentences", type=int, default=1500)
    args = ap.parse_args()

    named = set(load_splits(args.gold))
    files = sorted(p for p in Path(args.corpus).glob("*.txt") if p.name not in named)
    tagger = Tagger.load(args.model)
    texts = [read_document(p) for p in files]
    probs = tagger.char_probs(texts, [rules.tag(t) for t in texts] if tagger.rule_hints else None)
    spans = tagger.predict(texts)
    fields = [linked_fields(t, s) for t, s in zip(texts, spans, strict=True)]
    picked = [
        sure_sentences(t, p, s, f, args.threshold)
        for t, p, s, f in zip(texts, probs, spans, fields, strict=True)
    ]
    # an even share of the budget per report, so no long report dominates
    share = max(1, args.max_sentences // max(1, sum(bool(p) for p in picked)))
    tasks = [
        silver_task(f.name, t, p[:share], s, linked)
        for f, t, p, s, linked in zip(files, texts, picked, spans, fields, strict=True)
        if p
    ]
    out = Path(args.out)
    shutil.copytree(args.gold, out, dirs_exist_ok=True)
    save_tasks(tasks, out / "silver.json")
    n_sent = sum(len(t.text.splitlines()) for t in tasks)
    n_amounts = sum(s.label == AMOUNT for t in tasks for s in t.spans.values())
    print(
        f"{len(files)} reports outside the splits, silver from {len(tasks)}: "
        f"{n_sent} sentences, {n_amounts} amounts, {sum(len(t.text) for t in tasks)} characters"
    )


if __name__ == "__main__":
    main()
