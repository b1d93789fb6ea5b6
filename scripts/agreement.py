"""Inter-annotator agreement with the project's own scorer: one annotation of each document
scored as the prediction of the other (span micro F1, seqeval strict; record-core and
all-fields F1; field accuracy), per document and pooled.

    python scripts/agreement.py annotations/agreement/first.json annotations/agreement/second.json
"""

from __future__ import annotations

import argparse
import json

from nlp.training.annotations import load_tasks
from nlp.training.evaluate import evaluate_records, evaluate_spans


def agreement(first: list, second: list) -> dict:
    by_name = {t.name: t for t in second}
    shared = [t for t in first if t.name in by_name]
    spans = {t.name: by_name[t.name].sorted_spans() for t in shared}
    records = {t.name: by_name[t.name].records() for t in shared}
    for t in shared:
        if t.text != by_name[t.name].text:
            raise SystemExit(f"{t.name}: the two annotations are of different texts")
    span_scores = evaluate_spans(shared, spans)
    record_scores = evaluate_records(shared, records)
    return {
        "documents": [t.name for t in shared],
        "amounts": record_scores["records"]["gold"],
        "span_micro_f1": span_scores["micro"]["f1"],
        "span_f1": {k: v["f1"] for k, v in span_scores.items() if k.isupper()},
        "record_core_f1": record_scores["core"]["f1"],
        "all_fields_f1": record_scores["full"]["f1"],
        "field_accuracy": record_scores["field_accuracy"],
        "per_document": {
            t.name: {
                "span_micro_f1": evaluate_spans([t], spans)["micro"]["f1"],
                "record_core_f1": (r := evaluate_records([t], records))["core"]["f1"],
                "all_fields_f1": r["full"]["f1"],
            }
            for t in shared
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", help="Label Studio JSON of one annotator")
    parser.add_argument("second", help="the other annotator's, same documents")
    args = parser.parse_args()
    result = agreement(load_tasks(args.first), load_tasks(args.second))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
