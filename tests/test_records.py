"""Assembly: each case is a sentence a reader links one way; spans are given as markup."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.cues import change_of, is_approximate
from nlp.records import assemble, link
from nlp.schema import LABELS, Span
from nlp.training.markup import parse


def _records(markup: str, doc_year: int | None = 2020):
    task = parse(markup)
    return task.text, assemble(task.text, task.sorted_spans(), doc_year=doc_year)


def _fields(record):
    return tuple(
        None if s is None else s.text
        for s in (record.amount, record.unit, record.indicator, record.date, record.project)
    )


def test_worked_example_of_the_guidelines():
    _, records = _records(
        "[[2020年|D]],[[地区生产总值|I]]完成[[990|A]][[亿元|U]],同比增长[[0.2|A]][[%|U]],"
        "增幅较[[上半年|D]]提升[[2.8|A]][[个百分点|U]]。"
    )
    assert [_fields(r) for r in records] == [
        ("990", "亿元", "地区生产总值", "2020年", None),
        ("0.2", "%", "地区生产总值", "2020年", None),
        ("2.8", "个百分点", "地区生产总值", "2020年", None),
    ]
    assert [r.change for r in records] == [None, "increase", "increase"]
    assert [r.value for r in records] == [99_000_000_000.0, 0.2, 2.8]
    assert [r.base_unit for r in records] == ["元", "%", "pp"]
    assert records[0].period_start == "2020-01-01" and records[0].period_end == "2020-12-31"


def test_one_indicator_serves_a_list():
    _, records = _records(
        "[[城乡居民人均可支配收入|I]]分别达[[28336|A]][[元|U]]和[[13632|A]][[元|U]]。"
    )
    assert [r.indicator.text for r in records] == ["城乡居民人均可支配收入"] * 2


def test_counted_noun_after_the_unit_is_the_indicator():
    _, records = _records("签约[[31|A]][[户|U]][[住宅|I]]、[[3|A]][[户|U]][[非住宅|I]]。")
    assert [r.indicator.text for r in records] == ["住宅", "非住宅"]


def test_comparison_dates_never_govern():
    _, records = _records(
        "一、[[2019年|D]]工作回顾\n收入比[[上年|D]]增长[[5|A]][[%|U]],较[[去年|D]]同期多[[2|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["2019年", "2019年"]


def test_parallel_dates_take_the_one_next_to_each_amount():
    _, records = _records(
        "[[投资|I]]从[[2015年|D]]的[[39.70|A]][[亿元|U]]增长到[[2020年|D]][[61.95|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["2015年", "2020年"]


def test_heading_and_paragraph_opener_govern_undated_facts():
    _, records = _records(
        "一、[[2018年|D]]工作回顾\n(一)经济运行\n[[上半年|D]],[[税收|I]][[9|A]][[亿元|U]]。"
        "[[企业|I]][[6|A]][[家|U]]。\n(二)民生\n新建[[学校|I]][[3|A]][[所|U]]。"
    )
    assert [r.date.text for r in records] == ["上半年", "上半年", "2018年"]


def test_a_heading_with_two_dates_is_governed_by_the_narrower():
    _, records = _records(
        "一、[[2020年|D]]和“[[十三五|D]]”时期工作回顾\n新增[[企业|I]][[5|A]][[家|U]]。"
    )
    assert records[0].date.text == "2020年"


def test_the_document_title_date_is_the_last_resort():
    _, records = _records("某区[[2021年|D]]重点工程进展\n完成[[投资|I]][[3|A]][[亿元|U]]。")
    assert records[0].date.text == "2021年"
    assert records[0].period_start == "2021-01-01"


def test_project_of_the_clause_but_not_of_a_group_it_exemplifies():
    _, records = _records(
        "[[永安街改造工程|P]]完成[[投资|I]][[2|A]][[亿元|U]]。[[富丽华大厦|P]]等[[3|A]][[个|U]][[项目|I]]推进。"
    )
    assert [r.project and r.project.text for r in records] == ["永安街改造工程", None]


def test_a_parenthesis_is_its_own_world():
    _, records = _records(
        "[[集聚区|P]](包括[[上马工业园|P]])实现[[投资|I]][[20|A]][[亿元|U]](东部[[6|A]][[亿元|U]])。"
    )
    assert [r.project and r.project.text for r in records] == ["集聚区", None]


@pytest.mark.parametrize(
    ("sentence", "change"),
    [
        ("同比增长2%", "increase"), ("比上年下降3%", "decrease"), ("增加5个", "increase"),
        ("提高1.2个百分点", "increase"), ("减少4户", "decrease"), ("收窄0.3个百分点", "decrease"),
        ("降至1%", None), ("减至887户", None), ("完成990亿元", None), ("达到5家", None),
        ("低于全市平均8.8个百分点", None), ("年均增长7%", "increase"), ("核减2亿元", "decrease"),
    ],
)  # fmt: skip
def test_change_from_the_words_before_the_amount(sentence, change):
    start = next(i for i, c in enumerate(sentence) if c.isdigit())
    end = start + next(
        i for i, c in enumerate(sentence[start:] + "x") if not (c.isdigit() or c == ".")
    )
    assert change_of(sentence, Span.of(sentence, start, end, "AMOUNT"), 0) == change


@pytest.mark.parametrize(
    ("sentence", "approximate"),
    [
        ("约27亿元", True), ("9200余家", True), ("近5年", True), ("超100亿元", True),
        ("50万元左右", True), ("10%以上", True), ("预计5亿元", False), ("完成990亿元", False),
        ("突破3万人", True), ("超过2户", True),
    ],
)  # fmt: skip
def test_approximate_from_qualifiers(sentence, approximate):
    start = next(i for i, c in enumerate(sentence) if c.isdigit())
    end = start
    while end < len(sentence) and (sentence[end].isdigit() or sentence[end] == "."):
        end += 1
    amount = Span.of(sentence, start, end, "AMOUNT")
    unit_start = end + (1 if sentence[end : end + 1] in ("余", "多") else 0)
    unit = Span.of(sentence, unit_start, unit_start + 1, "UNIT")
    assert is_approximate(sentence, amount, unit) == approximate


# --- properties ----------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("增长亿元万人%,。;；\n(（)）、和等1-5月年十三五截至项目工程 ")),
    max_size=80,
)


@st.composite
def _text_and_spans(draw):
    text = draw(_TEXT)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if a < b:
            spans.append(Span.of(text, a, b, draw(st.sampled_from(LABELS))))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(_text_and_spans(), st.one_of(st.none(), st.integers(1900, 2100)))
def test_assembly_never_raises_and_makes_one_record_per_amount(case, year):
    text, spans = case
    records = assemble(text, spans, doc_year=year)
    assert [r.amount for r in records] == [s for s in sorted(spans) if s.label == "AMOUNT"]
    for r in records:
        assert r.sentence is not None and r.sentence[0] <= r.amount.start
        for field in (r.unit, r.indicator, r.date, r.project):
            assert field is None or field in spans


@settings(max_examples=200, deadline=None)
@given(_text_and_spans())
def test_link_is_deterministic(case):
    text, spans = case
    assert link(text, spans) == link(text, list(reversed(spans)))
