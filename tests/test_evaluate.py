import dataclasses

from nlp.records import assemble
from nlp.training.evaluate import evaluate_records, evaluate_spans, span_scores


def test_span_scores_are_strict_iob2():
    gold = [["B-AMOUNT", "I-AMOUNT", "O", "B-UNIT"]]
    assert span_scores(gold, gold)["micro"]["f1"] == 1.0
    partial = span_scores(gold, [["B-AMOUNT", "O", "O", "B-UNIT"]])  # boundary off: no credit
    assert partial["AMOUNT"]["f1"] == 0.0 and partial["UNIT"]["f1"] == 1.0
    assert partial["micro"]["precision"] == 0.5


def test_perfect_spans_score_one(gold_tasks):
    scores = evaluate_spans(gold_tasks, {t.name: t.sorted_spans() for t in gold_tasks})
    assert scores["micro"]["f1"] == 1.0 and scores["micro"]["support"] == sum(
        len(t.spans) for t in gold_tasks
    )


def test_no_predictions_score_zero(gold_tasks):
    scores = evaluate_records(gold_tasks, {})
    assert scores["core"]["f1"] == 0.0 and scores["records"]["gold"] > 0


def test_oracle_assembly_on_the_gold_reports(gold_tasks):
    """End to end: gold spans → assemble → record scores against gold relations."""
    predicted = {t.name: assemble(t.text, t.sorted_spans(), doc_year=t.year) for t in gold_tasks}
    scores = evaluate_records(gold_tasks, predicted)
    assert scores["amount"]["f1"] == 1.0
    assert scores["field_accuracy"]["unit"] == 1.0
    assert scores["core"]["f1"] >= 0.98  # the post-processor's contract (issue 3)
    assert scores["full"]["f1"] >= 0.95


def test_a_wrong_field_costs_full_but_not_core(gold_tasks):
    task = gold_tasks[0]
    records = assemble(task.text, task.sorted_spans(), doc_year=task.year)
    dated = next(i for i, r in enumerate(records) if r.date is not None)
    broken = list(records)
    broken[dated] = dataclasses.replace(records[dated], date=None)
    base = evaluate_records([task], {task.name: records})
    worse = evaluate_records([task], {task.name: broken})
    assert worse["core"]["right"] == base["core"]["right"]
    assert worse["full"]["right"] < base["full"]["right"] or base["errors"]
