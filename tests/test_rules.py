import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.rules import tag
from nlp.training.evaluate import evaluate_spans


def _tagged(text: str) -> list[tuple[str, str]]:
    return [(s.label, s.text) for s in tag(text)]


def test_amount_and_unit_boundaries_follow_the_guidelines():
    got = _tagged("完成990亿元,增长0.2%,新增9200余家,约27亿元,三千五百万元,提高2.8个百分点。")
    assert ("AMOUNT", "990") in got and ("UNIT", "亿元") in got
    assert ("AMOUNT", "0.2") in got and ("UNIT", "%") in got
    assert ("AMOUNT", "9200") in got and ("UNIT", "家") in got  # 余 stays outside
    assert ("AMOUNT", "27") in got
    assert ("AMOUNT", "三千五百") in got and ("UNIT", "万元") in got
    assert ("UNIT", "个百分点") in got


def test_ranges_are_one_amount():
    assert ("AMOUNT", "3-5") in _tagged("建设3-5个平台")


def test_years_are_dates_and_ordinals_are_not_amounts():
    got = _tagged("2019年上半年,1-5月完成投资。一是加强管理。第58位。")
    assert ("DATE", "2019年上半年") in got and ("DATE", "1-5月") in got
    assert not any(label == "AMOUNT" for label, _ in got)


def test_five_year_plans_and_relative_dates():
    got = _tagged("“十三五”期间,今年以来,截至五月末,9月底前。")
    assert ("DATE", "十三五") in got
    assert ("DATE", "今年以来") in got and ("DATE", "五月末") in got and ("DATE", "9月底前") in got


def test_boilerplate_lines_get_nothing():
    assert tag("发布日期: 2019-10-21 10:05\n查看: 1964|回复: 0\n签到天数: 866 天") == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789.-%年月日万亿元个项三五十约余,。\n第是")),
        max_size=60,
    )
)
def test_spans_never_overlap_and_match_the_text(text):
    spans = tag(text)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start
    assert all(text[s.start : s.end] == s.text and s.start < s.end for s in spans)


def test_baseline_finds_most_gold_amounts(gold_tasks):
    scores = evaluate_spans(gold_tasks, {t.name: tag(t.text) for t in gold_tasks})
    assert scores["AMOUNT"]["recall"] > 0.8 and scores["UNIT"]["recall"] > 0.8


def test_decoding_drops_spans_inside_line_opening_list_markers():
    from nlp.decoding import drop_boilerplate
    from nlp.schema import Span
    from nlp.text import list_markers

    text = "（十一）信访维稳工作。\n十二、全年完成12项，增长5%\n3.完成（3）项"
    assert [text[a:b] for a, b in list_markers(text)] == ["（十一）", "十二、", "3."]
    marker = Span.of(text, 1, 3, "DATE")  # 十一 read as a month
    amount = Span.of(text, text.index("12"), text.index("12") + 2, "AMOUNT")
    inline = Span.of(text, text.rindex("3"), text.rindex("3") + 1, "AMOUNT")  # not at line start
    kept = drop_boilerplate(text, [marker, amount, inline])
    assert kept == [amount, inline]
