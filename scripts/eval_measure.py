"""Measure kinds (`Record.measure`) against their gold: accuracy per kind and confusions.

  python scripts/eval_measure.py                    # dev and test, gold spans in
  python scripts/eval_measure.py --sheets DIR       # one sheet per document to annotate

Gold: annotations/measure/{dev,test}.json, the measure of every gold record of the split
(keyed by document and amount offset), annotated by one helper and reviewed by a second
under docs/annotation-notes.md ("measure"). The prediction is the assembler's on the gold
spans (`nlp assemble`), so a wrong measure is the measure rule's, not the model's.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from nlp.cues import MEASURES
from nlp.records import assemble
from nlp.training.annotations import Task, load_splits, load_tasks

ROOT = Path(__file__).resolve().parents[1]
CONTEXT = 60  # characters either side of the amount on a sheet


def split_tasks(split: str) -> list[Task]:
    splits = load_splits(ROOT / "annotations")
    return [t for t in load_tasks(ROOT / "annotations") if splits.get(t.name) == split]


def write_sheets(out: Path) -> None:
    """One JSONL sheet per dev/test document: each gold record with its context (the amount
    in ⟦ ⟧), indicator, unit and annotated change, and an empty ``measure`` to fill."""
    out.mkdir(parents=True, exist_ok=True)
    for split in ("dev", "test"):
        for task in split_tasks(split):
            rows = []
            for r in sorted(task.records(), key=lambda r: r.amount.start):
                a = r.amount
                left = task.text[max(0, a.start - CONTEXT) : a.start]
                right = task.text[a.end : a.end + CONTEXT]
                rows.append({
                    "doc": task.name,
                    "start": a.start,
                    "context": f"{left}⟦{a.text}⟧{right}".replace("\n", "⏎"),
                    "amount": a.text,
                    "unit": r.unit.text if r.unit else None,
                    "indicator": r.indicator.text if r.indicator else None,
                    "change": r.change,
                    "measure": None,
                })  # fmt: skip
            name = f"{split}__{task.name.replace('/', '_').replace('#', '_')}.jsonl"
            (out / name).write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows))
            print(f"{out / name}: {len(rows)} records")


def score(split: str) -> None:
    path = ROOT / "annotations" / "measure" / f"{split}.json"
    gold = {(g["doc"], g["start"]): g["measure"] for g in json.loads(path.read_text())}
    confusion: Counter[tuple[str, str | None]] = Counter()
    for task in split_tasks(split):
        records = assemble(task.text, task.sorted_spans(), doc_year=task.year)
        predicted = {r.amount.start: r.measure for r in records}
        for r in task.records():
            want = gold.get((task.name, r.amount.start))
            if want is not None:
                confusion[want, predicted.get(r.amount.start)] += 1
    total = sum(confusion.values())
    right = sum(n for (g, p), n in confusion.items() if g == p)
    print(f"## {split}: {right}/{total} right, accuracy {right / total:.3f}\n")
    print("| gold measure | records | right | accuracy | most often taken for |")
    print("|---|---|---|---|---|")
    for kind in MEASURES:
        rows = {p: n for (g, p), n in confusion.items() if g == kind}
        n = sum(rows.values())
        if not n:
            continue
        wrong = sorted(((c, p) for p, c in rows.items() if p != kind), reverse=True)[:2]
        taken = ", ".join(f"{p} {c}" for c, p in wrong) or "-"
        print(f"| {kind} | {n} | {rows.get(kind, 0)} | {rows.get(kind, 0) / n:.3f} | {taken} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sheets", type=Path, help="write annotation sheets here instead")
    args = parser.parse_args()
    if args.sheets:
        write_sheets(args.sheets)
        return
    for split in ("dev", "test"):
        score(split)


if __name__ == "__main__":
    main()
