import pytest

from nlp.training.markup import MarkupError, parse, render


def test_parse_links_amount_to_named_spans_and_adjacent_unit():
    task = parse("[[2020年|D]],[[地区生产总值|I]]完成[[990|A|I=地区生产总值|D=2020年]][[亿元|U]]")
    assert task.text == "2020年,地区生产总值完成990亿元"
    (record,) = task.records()
    assert record.unit.text == "亿元" and record.indicator.text == "地区生产总值"
    assert record.date.text == "2020年"


def test_qualifier_between_amount_and_unit_keeps_the_unit_link():
    (record,) = parse("新增[[9200|A]]余[[家|U]]").records()
    assert record.unit.text == "家"


def test_reference_prefers_the_same_line_then_before():
    task = parse("[[上半年|D]]\n[[全年|D]]新增[[5|A|D=全年]][[家|U]]\n[[全年|D]]")
    (record,) = task.records()
    assert record.date.start == task.text.index("全年")


def test_unknown_reference_names_the_line():
    with pytest.raises(MarkupError, match="line 2"):
        parse("第一行\n新增[[5|A|I=企业]][[家|U]]")


def test_malformed_markup_is_an_error():
    with pytest.raises(MarkupError):
        parse("新增[[5|A家")


def test_render_then_parse_is_identity():
    src = "[[今年|D]][[企业|I]][[6|A|I=企业|D=今年]][[家|U]],[[3|A|D=今年]]个"
    assert render(parse(src)) == src


def test_change_and_approximate_are_read_and_written_back():
    src = "[[产值|I]]增长[[0.2|A|I=产值|C=+]][[%|U]],约[[27|A|I=产值|~]][[亿元|U]],下降[[3|A|C=-]]"
    task = parse(src)
    assert [(r.amount.text, r.change, r.approximate) for r in task.records()] == [
        ("0.2", "increase", False),
        ("27", None, True),
        ("3", "decrease", False),
    ]
    assert render(task) == src


def test_an_unknown_change_code_names_the_line():
    with pytest.raises(MarkupError, match=r"line 2.*C=\+"):
        parse("\n增长[[5|A|C=up]]")


def test_unit_after_whitespace_or_a_line_break_is_linked():
    for gap in (" ", "\n", "　"):
        (record,) = parse(f"投资[[30.2|A]]{gap}[[亿元|U]]").records()
        assert record.unit.text == "亿元", repr(gap)
    (record,) = parse("投资[[30|A]],[[亿元|U]]").records()
    assert record.unit is None
