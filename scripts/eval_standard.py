"""Standard indicators against their gold: precision and coverage, per similarity threshold.

  python scripts/eval_standard.py                 # thresholds on dev, the chosen one on test

Gold: annotations/standard/{dev,test}.json, each indicator text of the split's gold records
with the standard id it names (or null), annotated and reviewed (docs/panel.md). Each gold
record with an indicator counts once: *precision* is right ids over ids given, *coverage*
right ids over the records whose gold has one. The threshold is chosen on dev: the lowest
(most coverage) whose precision stays at or above 0.95.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlp.standard import FUZZY_THRESHOLD, standard_indicator
from nlp.training.annotations import load_splits, load_tasks

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = (70.0, 75.0, 80.0, 85.0, 88.0, 90.0, 95.0, None)  # None: exact matches only


def gold_pairs(split: str) -> list[tuple[str, str | None]]:
    """(indicator as written, gold id) for every gold record of the split with an indicator."""
    gold = {
        item["indicator"]: item["standard"]
        for item in json.loads((ROOT / "annotations" / "standard" / f"{split}.json").read_text())
    }
    splits = load_splits(ROOT / "annotations")
    pairs = []
    for task in load_tasks(ROOT / "annotations"):
        if splits.get(task.name) != split:
            continue
        pairs += [(r.indicator.text, gold[r.indicator.text]) for r in task.records() if r.indicator]
    return pairs


def scores(pairs: list[tuple[str, str | None]], threshold: float | None) -> dict[str, float]:
    given = right = 0
    for text, gold in pairs:
        found = standard_indicator(text, threshold=threshold)
        given += found is not None
        right += found is not None and found == gold
    with_gold = sum(gold is not None for _, gold in pairs)
    return {
        "records": len(pairs),
        "gold_ids": with_gold,
        "given": given,
        "right": right,
        "precision": right / given if given else 0.0,
        "coverage": right / with_gold if with_gold else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    dev = gold_pairs("dev")
    print("| threshold | dev records | with a gold id | ids given | right | precision | coverage |")
    print("|---|---|---|---|---|---|---|")
    rows = {t: scores(dev, t) for t in THRESHOLDS}
    for t, r in rows.items():
        shown = "exact only" if t is None else f"{t:g}"
        print(f"| {shown} | {r['records']} | {r['gold_ids']} | {r['given']} | {r['right']} "
              f"| {r['precision']:.3f} | {r['coverage']:.3f} |")  # fmt: skip
    fuzzy = [t for t, r in rows.items() if t is not None and r["precision"] >= 0.95]
    chosen = min(fuzzy) if fuzzy else None
    print(f"chosen on dev: {chosen} (nlp.standard.FUZZY_THRESHOLD is {FUZZY_THRESHOLD:g})")
    r = scores(gold_pairs("test"), FUZZY_THRESHOLD)
    print(f"test at {FUZZY_THRESHOLD:g}: {r['records']} records, {r['gold_ids']} with a gold id, "
          f"{r['given']} ids given, {r['right']} right: precision {r['precision']:.3f}, "
          f"coverage {r['coverage']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
