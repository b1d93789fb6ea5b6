"""Would taking DATE from the regex first beat the model's own DATEs? Scored on saved
leave-one-out predictions, with the threshold chosen on the folds (optimistic) and nested
(chosen on the other reports for each held-out one: what a new report would see).

  python scripts/date_policy.py build/default-full/crossval.json

Policy θ: the regex's DATE spans where they exist, the model's DATEs with score ≥ θ where
the regex has none; "fill" is the shipped decoding (the regex only fills gaps).
"""

from __future__ import annotations

import argparse
import json

from nlp.decoding import drop_boilerplate, snap_to_rules
from nlp.rules import tag as rules_tag
from nlp.schema import DATE, Span
from nlp.training.annotations import load_tasks
from nlp.training.crossval import WITH_RULES
from nlp.training.report import evaluate_documents

THRESHOLDS = (0.9, 0.95, 0.97, 0.98, 0.99)


def rules_first(text: str, spans: list[Span], theta: float) -> list[Span]:
    rule = rules_tag(text)
    spans = snap_to_rules(drop_boilerplate(text, spans), rule, ("AMOUNT", "UNIT"))
    dates = [r for r in rule if r.label == DATE]
    kept = [
        s
        for s in spans
        if s.label != DATE
        or ((s.score or 0) >= theta and not any(r.start < s.end and s.start < r.end for r in dates))
    ]
    free = [r for r in dates if all(r.end <= s.start or r.start >= s.end for s in kept)]
    return sorted(kept + free)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crossval", help="crossval.json with saved predictions")
    parser.add_argument("--annotations", default="annotations")
    args = parser.parse_args()
    tasks = {t.name: t for t in load_tasks(args.annotations)}
    with open(args.crossval, encoding="utf-8") as f:
        saved = json.load(f)["predictions"]
    predicted = {doc: [Span.from_dict(s) for s in spans] for doc, spans in saved.items()}
    docs = sorted(predicted)
    policies: dict[str, dict[str, list[Span]]] = {
        "fill": {d: WITH_RULES.apply(tasks[d].text, predicted[d]) for d in docs}
    }
    for theta in THRESHOLDS:
        policies[f"{theta}"] = {d: rules_first(tasks[d].text, predicted[d], theta) for d in docs}

    def date_f1(names: list[str], policy: str) -> float:
        chosen = {d: policies[policy][d] for d in names}
        return evaluate_documents([tasks[d] for d in names], chosen)["spans"][DATE]["f1"]

    for policy in policies:
        print(f"{policy:>5}: DATE F1 {date_f1(docs, policy):.3f} (pooled, chosen on these folds)")
    nested = {}
    for doc in docs:
        others = [d for d in docs if d != doc]
        best = max(policies, key=lambda p: date_f1(others, p))
        nested[doc] = policies[best][doc]
        print(f"held out {doc}: policy {best} chosen on the other reports")
    f1 = evaluate_documents([tasks[d] for d in docs], nested)["spans"][DATE]["f1"]
    print(f"nested: DATE F1 {f1:.3f}")


if __name__ == "__main__":
    main()
