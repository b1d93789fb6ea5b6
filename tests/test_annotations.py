import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from nlp.schema import AMOUNT, LABELS, Span
from nlp.training import annotations as ann
from nlp.training.annotations import Task, load_splits, load_tasks, save_tasks
from nlp.training.markup import parse, render
from nlp.training.validate import check, stats

ANNOTATIONS = Path(__file__).resolve().parents[1] / "annotations"
TEXT = "全区地区生产总值完成990亿元,同比增长0.2%。"


def _task(spans: dict[str, Span], relations=(), text=TEXT) -> Task:
    return Task(id=1, text=text, spans=spans, relations=tuple(relations), meta={"source": "t.txt"})


def _good() -> Task:
    return _task(
        {
            "i": Span.of(TEXT, 2, 8, "INDICATOR"),
            "a": Span.of(TEXT, 10, 13, "AMOUNT"),
            "u": Span.of(TEXT, 13, 15, "UNIT"),
            "a2": Span.of(TEXT, 20, 23, "AMOUNT"),
            "u2": Span.of(TEXT, 23, 24, "UNIT"),
        },
        [("a", "u"), ("a", "i"), ("a2", "u2"), ("a2", "i")],
    )


def test_a_good_task_has_no_problems():
    assert check([_good()]) == []


@pytest.mark.parametrize(
    ("spans", "relations", "reason"),
    [
        ({"a": Span(10, 13, AMOUNT, "991")}, [("a", "a")], "does not match the document"),
        ({"a": Span.of(TEXT, 10, 13, "MONEY")}, [], "unknown label"),
        (
            {"a": Span.of(TEXT, 10, 13, AMOUNT), "b": Span.of(TEXT, 12, 15, "UNIT")},
            [("a", "b")],
            "overlap",
        ),
        ({"a": Span.of(TEXT, 10, 13, AMOUNT)}, [("a", "zz")], "does not exist"),
        (
            {"a": Span.of(TEXT, 10, 13, AMOUNT), "b": Span.of(TEXT, 20, 23, AMOUNT)},
            [("a", "b")],
            "ends at a AMOUNT",
        ),
        (
            {"i": Span.of(TEXT, 2, 8, "INDICATOR"), "u": Span.of(TEXT, 13, 15, "UNIT")},
            [("i", "u")],
            "not an AMOUNT",
        ),
        ({"a": Span.of(TEXT, 10, 13, AMOUNT)}, [], "has no record"),
        ({"u": Span.of(TEXT, 13, 16, "UNIT")}, [], "whitespace or punctuation"),
        ({"a": Span(10, 99, AMOUNT, "x")}, [], "outside the text"),
    ],
)
def test_check_names_each_problem(spans, relations, reason):
    problems = check([_task(spans, relations)])
    assert any(reason in p.reason for p in problems), problems
    assert all(p.task == "t.txt" for p in problems)


def test_two_links_of_one_kind_are_reported():
    task = _good()
    task = _task(task.spans, [*task.relations, ("a", "u2")])
    assert any("two UNIT links" in p.reason for p in check([task]))


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "export.json"
    save_tasks([_good()], path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw[0]["data"]["text"] == TEXT
    results = raw[0]["annotations"][0]["result"]
    assert {r["type"] for r in results} == {"labels", "relation"}
    (back,) = load_tasks(path)
    assert back.spans == _good().spans and set(back.relations) == set(_good().relations)


def test_change_and_approximate_round_trip_as_per_region_choices(tmp_path):
    task = dataclasses.replace(_good(), change={"a2": "increase"}, approximate=frozenset({"a"}))
    save_tasks([task], tmp_path / "export.json")
    results = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))[0]
    choices = [r for r in results["annotations"][0]["result"] if r["type"] == "choices"]
    assert {(r["id"], r["from_name"], r["value"]["choices"][0]) for r in choices} == {
        ("a2", "change", "increase"),
        ("a", "approximate", "approximate"),
    }
    (back,) = load_tasks(tmp_path / "export.json")
    assert [(r.amount.text, r.change, r.approximate) for r in back.records()] == [
        ("990", None, True),
        ("0.2", "increase", False),
    ]


def test_change_on_a_non_amount_or_with_a_bad_value_is_a_problem():
    task = dataclasses.replace(_good(), change={"i": "increase", "a": "up"})
    reasons = " ".join(p.reason for p in check([task]))
    assert "not an AMOUNT" in reasons and "'up' is not one of" in reasons


def test_load_rejects_a_non_export_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ann.AnnotationError, match=r"bad\.json"):
        load_tasks(bad)


def test_task_records_take_fields_from_relations():
    (r1, r2) = _good().records()
    assert (r1.amount.text, r1.unit.text, r1.indicator.text) == ("990", "亿元", "地区生产总值")
    assert (r2.amount.text, r2.unit.text, r2.date) == ("0.2", "%", None)


# --- the gold data ---------------------------------------------------------------


def test_gold_annotations_pass_the_checker(gold_tasks):
    assert len(gold_tasks) >= 40
    assert check(gold_tasks) == []


def test_every_document_has_a_fixed_split_and_test_holds_enough_amounts(gold_tasks):
    splits = load_splits(ANNOTATIONS)
    assert set(splits) == {t.name for t in gold_tasks}
    amounts = Counter()
    for task in gold_tasks:
        amounts[splits[task.name]] += len(task.records())
    assert amounts["test"] >= 0.15 * sum(amounts.values()) and amounts["dev"] > 0
    registers = {t.meta.get("register") for t in gold_tasks}
    for register in registers:  # stratified: every register is in train and test
        held = {splits[t.name] for t in gold_tasks if t.meta.get("register") == register}
        assert {"train", "test"} <= held, register


def test_gold_has_enough_amounts_and_one_record_each(gold_tasks):
    rows = stats(gold_tasks)
    assert sum(r["AMOUNT"] for r in rows) >= 3200
    assert sum(r["relations"] for r in rows) >= sum(r["AMOUNT"] for r in rows)
    assert all(r["records"] == r["AMOUNT"] for r in rows)
    assert all(sum(r[label] for r in rows) > 0 for label in LABELS)
    linked = Counter(src for t in gold_tasks for src, _ in t.relations)
    amounts = [(t, rid) for t in gold_tasks for rid, s in t.spans.items() if s.label == AMOUNT]
    assert all(linked[rid] >= 1 for _, rid in amounts)


def _linked(task: Task) -> list[tuple]:
    """Each record's amount and unit spans with the texts of its other fields."""
    return [
        (r.amount, r.unit, *(f and f.text for f in (r.indicator, r.date, r.project)))
        for r in task.records()
    ]


def test_markup_round_trip_on_gold(gold_tasks):
    for task in gold_tasks:
        back = parse(render(task))
        assert back.text == task.text
        assert sorted(back.spans.values()) == task.sorted_spans()
        assert _linked(back) == _linked(task)
