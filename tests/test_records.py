"""Assembly: each case is a sentence a reader links one way; spans are given as markup."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.cues import MEASURES, change_of, is_approximate
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


def test_a_topic_clause_names_what_the_next_clauses_measure():
    """`X，…达到N元`: an indicator in a clause of its own before the amount, which no amount
    has taken since the sentence began, is the amount's; one already taken is not."""
    _, records = _records(
        "[[蔬菜总产量|I]]，全县平均每户达到[[3.5|A]][[吨|U]]，比上年增长[[2|A]][[%|U]]。"
        "[[粮食产量|I]]增长[[3|A]][[%|U]]，其中稻谷产量，较上年提高[[1|A]][[%|U]]。"
    )
    assert [r.indicator.text for r in records] == ["蔬菜总产量"] * 2 + ["粮食产量"] * 2
    _, records = _records("[[粮食产量|I]][[10|A]][[万吨|U]]，按可比口径增长[[3|A]][[%|U]]。")
    assert [r.indicator.text for r in records] == ["粮食产量"] * 2


def test_counted_noun_after_the_unit_is_the_indicator():
    _, records = _records("签约[[31|A]][[户|U]][[住宅|I]]、[[3|A]][[户|U]][[非住宅|I]]。")
    assert [r.indicator.text for r in records] == ["住宅", "非住宅"]


def test_comparison_dates_never_govern():
    _, records = _records(
        "一、[[2019年|D]]工作回顾\n收入比[[上年|D]]增长[[5|A]][[%|U]],较[[去年|D]]同期多[[2|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["2019年", "2019年"]


@pytest.mark.parametrize(
    "markup",
    [
        "从[[2015年|D]]到[[2020年|D]]，[[人均消费|I]]由[[120|A]][[元|U]]提高到[[260|A]][[元|U]]。",
        "[[2015年|D]]至[[2020年|D]]，[[服务业比重|I]]从[[40.1|A]][[%|U]]提升到[[47.3|A]][[%|U]]。",
        "[[产值|I]]从[[2015年|D]]的[[300|A]][[亿元|U]]增加到[[2020年|D]]的[[420|A]][[亿元|U]]，"
        "[[税收|I]]由[[21|A]][[亿元|U]]增加到[[33|A]][[亿元|U]]。",
    ],
)
def test_values_from_one_to_another_take_the_dates_from_one_to_another(markup):
    _, records = _records(markup)
    pairs = [(r.amount.text, r.date.text) for r in records]
    assert pairs[-2:] == [(pairs[-2][0], "2015年"), (pairs[-1][0], "2020年")]


def _field(span_or_value):
    return span_or_value.text if isinstance(span_or_value, Span) else span_or_value


@pytest.mark.parametrize(
    ("markup", "field", "expected"),
    [
        pytest.param(
            "[[住宅销售面积|I]][[23.5|A]][[万平方米|U]]，[[销售额|I]][[9.8|A]][[亿元|U]]，"
            "分别增长[[5.1|A]][[%|U]]和[[9.3|A]][[%|U]]。",
            "indicator", ["住宅销售面积", "销售额", "住宅销售面积", "销售额"],
            id="a 分别 list follows the facts before it, in order",
        ),
        pytest.param(
            "[[财政收入|I]][[80|A]][[亿元|U]]，[[出口|I]][[20|A]][[亿元|U]]，"
            "[[城乡居民收入|I]]分别增长[[6.1|A]][[%|U]]和[[7.2|A]][[%|U]]。",
            "indicator", ["财政收入", "出口", "城乡居民收入", "城乡居民收入"],
            id="a 分别 list with its own indicator keeps it",
        ),
        pytest.param(
            "[[工业|I]]、[[农业产值|I]]分别达到[[50|A]][[亿元|U]]和[[20|A]][[亿元|U]]，"
            "增长[[6|A]][[%|U]]和[[3|A]][[%|U]]。",
            "indicator", ["工业", "农业产值", "工业", "农业产值"],
            id="a second list as long in the next clause keeps the 分别 order",
        ),
        pytest.param(
            "[[涉农贷款|I]]、[[小微贷款|I]]增速比全部贷款增速分别高[[2.1|A]]和[[0.6|A]][[个百分点|U]]。",
            "indicator", ["涉农贷款", "小微贷款"],
            id="a 分别 list after a comparison maps in order",
        ),
        pytest.param(
            "[[到位资金|I]][[120|A]][[亿元|U]]，增长[[9|A]][[%|U]]，"
            "完成[[下达任务数|I]][[130|A]][[亿元|U]]的[[92|A]][[%|U]]。",
            "indicator", ["到位资金", "到位资金", "下达任务数", "到位资金"],
            id="a share of a reference quantity measures the subject",
        ),
        pytest.param(
            "（二）扩大投资\n[[民间投资|I]]有突破。从[[2016年|D]]的[[80|A]][[亿元|U]]到[[2020年|D]]的"
            "[[130|A]][[亿元|U]]。",
            "indicator", ["民间投资", "民间投资"],
            id="a headline naming one indicator is the next sentence's topic",
        ),
        pytest.param(
            "[[十三五|D]]期间，[[产值|I]]从[[2015年|D]]的[[300|A]][[亿元|U]]增加到[[2020年|D]]的"
            "[[420|A]][[亿元|U]]，[[占比|I]]达到[[12|A]][[%|U]]，[[年均增长|I]][[7|A]][[%|U]]；"
            "[[投资|I]]累计[[900|A]][[亿元|U]]。",
            "date", ["2015年", "2020年", "2020年", "十三五", "十三五"],
            id="a level after values from one date to another is of the later date, up to a ；",
        ),
        pytest.param(
            "一、[[2020年|D]]回顾\n市财政[[全年|D]]用于[[民生|I]]的资金[[80|A]][[亿元|U]]，"
            "增长[[6|A]][[%|U]]。[[税收|I]][[30|A]][[亿元|U]]。",
            "date", ["全年", "全年", "2020年"],
            id="a date read as an adverb (财政全年用于…) governs the clauses after it",
        ),
        pytest.param(
            "[[物价|I]]上涨较多，涨幅仍然高达[[12.6|A]][[%|U]]，[[收入|I]]增速连续[[8|A]][[年|U]]高于城镇。",
            "change", ["increase", None],
            id="a growth rate named before its amount is an increase, not before a streak",
        ),
        pytest.param(
            "[[失业率|I]]、[[物价涨幅|I]]分别控制在[[4.5|A]][[%|U]]和[[3.5|A]][[%|U]]以内，"
            "[[产值|I]]、[[收入|I]]分别增长[[6|A]][[%|U]]和[[7|A]][[%|U]]。",
            "approximate", [True, True, False, False],
            id="a cap after a list bounds each of its amounts",
        ),
        pytest.param(
            "吸引[[参赛队伍|I]]上[[万|A]][[支|U]]，[[财政收入|I]]达到[[万|A]][[亿元|U]]级规模，"
            "[[新增企业|I]][[万|A]][[家|U]]。",
            "approximate", [True, True, False],
            id="an order of magnitude as a rough size (上万, 万亿级) is approximate",
        ),
        pytest.param(
            "[[投入|I]][[3.2|A]][[亿元|U]]，全面整治[[东湖港|P]]。[[投入|I]][[5|A]][[亿元|U]]，"
            "用于偿还债务，建设[[西山路|P]]。",
            "project", ["东湖港", None],
            id="money put in is for the works the next clause builds",
        ),
        pytest.param(
            "完成“[[两河|P]]”等重点工程[[造林|I]][[9|A]][[万亩|U]]。[[东环路|P]]、[[西湖桥|P]]等建成，"
            "[[交通投资|I]]增长[[4|A]][[%|U]]。[[北环路|P]]建成，[[里程|I]][[6|A]][[公里|U]]。",
            "project", [None, None, "北环路"],
            id="projects given as examples of a group (X、Y等, X等重点工程) are no figure's project",
        ),
        pytest.param(
            "实施[[滨河路|P]]改造工程，[[完成投资|I]][[3|A]][[亿元|U]]，"
            "启动[[4|A]][[个|U]][[引水闸|I]]建设。",
            "project", ["滨河路", None],
            id="a clause opening a new action is not about the topic's project",
        ),
        pytest.param(
            "开通新航线，[[东港|P]]通达[[30|A]][[个|U]][[国家|I]]及地区的[[90|A]][[个|U]][[港口|I]]，"
            "[[中欧班列|P]]发送[[旅客|I]][[45|A]][[万人次|U]]、[[货物|I]][[50|A]][[万吨|U]]。",
            "project", ["东港", "东港", "中欧班列", "中欧班列"],
            id="a project governs its clause past a list inside an amount's phrase and past 、",
        ),
    ],
)  # fmt: skip
def test_each_amount_of_a_constructed_sentence_gets_its_field(markup, field, expected):
    _, records = _records(markup)
    assert [_field(getattr(r, field)) for r in records] == expected


def test_an_average_or_a_plan_word_covers_every_amount_of_its_list():
    _, records = _records(
        "一、[[十四五|D]]时期工作回顾\n[[2025年|D]]，经济平稳运行，[[收入|I]]、[[支出|I]]"
        "年均分别增长[[3.2|A]][[%|U]]、[[6|A]][[%|U]]。"
    )
    assert [r.date.text for r in records] == ["十四五", "十四五"]
    _, records = _records("[[2025年|D]]，力争[[收入|I]]增长[[7|A]][[%|U]]、[[8|A]][[%|U]]。")
    assert [r.measure for r in records] == ["target", "target"]


def test_a_month_dot_day_event_label_dates_nothing():
    _, (record,) = _records(
        "一、[[2021年|D]]工作回顾\n应对[[6·3|D]]疫情、[[7·20|D]]和[[9·1|D]]两次疫情，"
        "排查[[居民|I]][[12|A]][[万人|U]]。"
    )
    assert record.date.text == "2021年"


def test_a_date_inside_a_parenthesis_dates_only_what_stands_in_it():
    _, records = _records(
        "[[2021年|D]]确定[[重点项目|I]][[90|A]][[个|U]]。与上年相比，[[项目个数|I]]"
        "（[[2020年|D]][[70|A]][[个|U]]）增加[[20|A]][[个|U]]。"
    )
    assert [(r.amount.text, r.date.text) for r in records] == [
        ("90", "2021年"),
        ("70", "2020年"),
        ("20", "2021年"),
    ]


def test_a_quoted_comparison_date_is_no_period():
    _, (record,) = _records(
        "[[过去五年|D]]，全区实施[[项目|I]]，完成投资较“[[十二五|D]]”增长[[120|A]][[%|U]]。"
    )
    assert record.date.text == "过去五年"


def test_a_lead_in_clause_before_a_colon_dates_the_list_it_introduces():
    """A date inside a noun phrase dates only its clause, unless the clause leads in to the
    sentence's list with a colon; a ratio's colon (`0.04:65.2`) leads in to nothing."""
    _, records = _records(
        "[[2019年|D]]工作回顾\n会议提出了[[2020年|D]]发展的主要预期目标:[[生产总值|I]]增长"
        "[[6|A]][[%|U]],[[投资|I]]增长[[8|A]][[%|U]]。[[结构|I]]调整为[[0.1:60|A]]:[[39.9|A]]。"
    )
    assert [r.date.text for r in records] == ["2020年", "2020年", "2019年", "2019年"]


def test_the_paragraph_after_a_run_in_heading_never_dates_what_comes_before_it():
    _, records = _records(
        "一、[[2019年|D]]工作回顾\n（一）农业稳定发展。全市[[粮食产量|I]]增长[[3|A]][[%|U]]。\n"
        "[[一年来|D]]，我们坚持改革开放。"
    )
    assert [r.date.text for r in records] == ["2019年"]


def test_budget_revenue_is_a_fact_of_the_reporting_period_not_a_budget():
    """`一般公共预算收入` names realised revenue; `年度预算` is a budget set for the year."""
    _, records = _records(
        "[[2020年|D]]工作总结\n[[上半年|D]]，[[一般公共预算收入|I]]增长[[5|A]][[%|U]]，"
        "[[年度预算|I]]为[[30|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["上半年", "2020年"]


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
    _, records = _records("引进[[东湖科技园|P]]等亿元以上[[项目|I]][[37|A]][[个|U]]。")
    assert records[0].project is None


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


# --- guidelines revision 2, one constructed case per class ----------------------------


def _wrapped(paragraph: str, width: int = 14) -> str:
    """A paragraph hard-wrapped every ``width`` characters, as web text often is."""
    return "\n".join(paragraph[i : i + width] for i in range(0, len(paragraph), width))


def test_a_hard_wrapped_paragraph_keeps_its_opener_date_across_the_line_breaks():
    body = (
        "今年以来,全镇上下团结一心,攻坚克难,各项工作稳步推进,经济社会发展保持良好态势,"
        "居民收入稳步提高,招商引资取得新的进展,一批项目相继落地,全年引进项目十二个,"
        "项目建设有序推进,签约资金持续增长,服务水平明显提升。"
    )
    text = "工作总结\n" + _wrapped(body)
    start = text.index("十二")
    markup = text[:start] + "[[十二|A|D=今年以来]][[个|U]]" + text[start + 3 :]
    markup = markup.replace("今年以来", "[[今年以来|D]]", 1)
    task = parse(markup)
    (record,) = assemble(task.text, task.sorted_spans(), doc_year=2020)
    assert "\n" in task.text[: record.amount.start]
    assert record.date.text == "今年以来" and record.unit.text == "个"


def test_a_unit_after_a_space_or_a_line_break_is_still_the_unit():
    _, records = _records("[[投资|I]]完成[[30.2|A]]\n[[亿元|U]],[[企业|I]][[990|A]] [[家|U]]。")
    assert [(r.amount.text, r.unit.text) for r in records] == [("30.2", "亿元"), ("990", "家")]


def test_respectively_maps_amounts_to_the_coordinated_indicators_in_order():
    _, records = _records(
        "[[金融业|I]]、[[商贸业增加值|I]]和[[物流业收入|I]]分别增长[[5|A]][[%|U]]、[[6|A]][[%|U]]、[[7|A]][[%|U]]。"
    )
    assert [(r.indicator.text, r.change) for r in records] == [
        ("金融业", "increase"),
        ("商贸业增加值", "increase"),
        ("物流业收入", "increase"),
    ]


def test_one_change_word_covers_its_list_and_its_shared_unit():
    _, records = _records("[[利润|I]]分别下降[[0.7|A]][[个|U]]、[[5.1|A]][[个百分点|U]]。")
    assert [r.change for r in records] == ["decrease", "decrease"]
    _, records = _records(
        "[[投资|I]]增长[[6|A]][[%|U]]以上、力争达到[[7|A]][[%|U]]，[[工业产值|I]]达到[[9|A]][[%|U]]。"
    )
    assert [r.change for r in records] == ["increase", "increase", None]


@pytest.mark.parametrize(
    ("words", "change"),
    [
        ("增收", "increase"),
        ("减收", "decrease"),
        ("减支", "decrease"),
        ("增支", "increase"),
        ("加快", "increase"),
        ("压减", "decrease"),
        ("净增", "increase"),
        ("翻", "increase"),
        ("完成", None),
    ],
)
def test_change_words(words, change):
    _, (record,) = _records(f"[[财政收入|I]]{words}[[3|A]][[亿元|U]]。")
    assert record.change == change


def test_a_percentage_before_its_change_word_is_a_change_and_a_count_is_not():
    _, records = _records(
        "[[出货量|I]]保持[[25|A]][[%|U]]以上增长,[[出口|I]]实现[[9|A]][[%|U]]的下降,"
        "[[收入|I]]连续[[三|A]][[年|U]]增长。"
    )
    assert [r.change for r in records] == ["increase", "decrease", None]


def test_a_streak_or_a_gap_in_time_measures_no_indicator():
    _, records = _records(
        "[[蔬菜产量|I]]连续[[7|A]][[年|U]]稳定在[[80|A]][[万吨|U]]以上,[[水质|I]]时隔[[3|A]][[个月|U]]再获优良,"
        "[[项目|I]]连续[[5|A]][[个|U]]落地。"
    )
    assert [r.indicator and r.indicator.text for r in records] == [None, "蔬菜产量", None, "项目"]


def test_new_things_counted_are_no_change_but_a_stock_that_grew_is():
    _, records = _records(
        "新增[[9|A]][[所|U]][[幼儿园|I]],[[居民储蓄存款|I]]新增[[800|A]][[亿元|U]]。"
    )
    assert [r.change for r in records] == [None, "increase"]


def test_a_growth_rate_is_an_increase_even_when_capped():
    _, (record,) = _records("[[物价|I]]涨幅控制在[[2.5|A]][[%|U]]以内。")
    assert record.change == "increase" and record.approximate


def test_a_plan_takes_the_year_it_is_set_for_and_the_work_done_the_period():
    _, records = _records(
        "一、[[2019年|D]]上半年工作\n[[上半年|D]],[[项目|I]][[18|A]][[个|U]],[[年度计划投资|I]][[22.7|A]][[亿元|U]],"
        "[[1-5月|D]]累计[[完成投资|I]][[10.9|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["上半年", "2019年", "1-5月"]


def test_a_plan_completed_is_a_fact_of_its_own_date_not_a_plan():
    _, records = _records(
        "[[2020年|D]]重点项目进展\n截至[[11月底|D]],[[重点项目|I]]全部开工,[[完成投资|I]][[30|A]][[亿元|U]]。"
        "其中[[5|A]][[个|U]][[项目|I]]完成年度计划[[85|A]][[%|U]]以上,[[年度计划投资|I]][[12|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["11月底", "11月底", "11月底", "2020年"]


def test_a_multi_year_average_takes_the_multi_year_period():
    _, records = _records(
        "一、[[2020年|D]]和“[[十三五|D]]”时期工作回顾\n[[地区生产总值|I]]达到[[990|A]][[亿元|U]],"
        "年均增长[[6.5|A]][[%|U]]。"
    )
    assert [r.date.text for r in records] == ["2020年", "十三五"]


def test_a_date_in_a_later_clause_never_reaches_back():
    _, records = _records(
        "[[上半年|D]],[[项目|I]][[18|A]][[个|U]]。[[18|A]][[个|U]][[项目|I]]开工,[[1-5月|D]]完成[[投资|I]][[10.9|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["上半年", "上半年", "1-5月"]


def test_a_comparison_date_is_never_the_record_date_and_a_year_ago_is_compared():
    _, (record,) = _records(
        "一、[[2020年|D]]工作回顾\n[[收入|I]]比[[去年|D]]同期增长[[5|A]][[%|U]]。"
    )
    assert record.date.text == "2020年" and record.change == "increase"


def test_a_run_in_headline_with_a_date_governs_its_paragraph():
    _, (record,) = _records(
        "一、[[2025年|D]]工作回顾\n——[[这五年|D]]交通条件明显改善。[[公路里程|I]]达到[[3.2|A]][[万公里|U]]。"
    )
    assert record.date.text == "这五年"


@pytest.mark.parametrize("marker", ["1.", "2、", "(3)", "（4）"])
def test_a_numbered_headline_is_read_past_to_the_paragraph_opener(marker):
    _, records = _records(
        f"[[2022年|D]]工作总结\n{marker}工业经济稳中有进。[[1-11月|D]],[[工业产值|I]]增长[[5|A]][[%|U]]。"
        "[[工业投资|I]]增长[[8|A]][[%|U]]。"
    )
    assert [r.date.text for r in records] == ["1-11月", "1-11月"]


def test_an_estimate_opening_with_its_date_governs_the_clauses_after_it():
    _, records = _records(
        "一、[[2018年|D]]工作回顾\n[[过去一年|D]],各项工作稳步推进。预计[[全年|D]]实现[[地区生产总值|I]]"
        "[[197|A]][[亿元|U]],增长[[8|A]][[%|U]];[[财政收入|I]]增长[[7|A]][[%|U]]。"
    )
    assert [r.date.text for r in records] == ["全年", "全年", "全年"]


def test_a_bare_source_before_the_opening_date_is_read_past():
    _, records = _records(
        "[[2012年|D]]经济运行情况\n经济平稳发展。初步核算,[[上半年|D]][[生产总值|I]][[45|A]][[亿元|U]]。"
        "[[工业增加值|I]][[17|A]][[亿元|U]]。"
    )
    assert [r.date.text for r in records] == ["上半年", "上半年"]


def test_a_run_in_heading_cut_at_its_list_mark_still_opens_with_its_date():
    _, records = _records(
        "[[2021年|D]]上半年统计公报\n一、工业 [[1—6月份|D]],全区规模以上工业企业完成[[工业产值|I]]同比增长[[30|A]][[%|U]],"
        "实现[[增加值|I]]同比增长[[18|A]][[%|U]],增速居全市前列。从行业看,[[工业投资|I]]增长[[8|A]][[%|U]]。"
    )
    assert [r.date.text for r in records] == ["1—6月份", "1—6月份", "1—6月份"]


def test_a_section_takes_the_period_its_first_paragraph_opens_with():
    _, (record,) = _records(
        "[[2026年|D]]某省政府工作报告\n一、砥砺前行谋发展\n[[2025年|D]]是攻坚之年。一年来,各项工作稳步推进。\n"
        "(一)着力推进发展\n先进制造业作用增强。新增[[9|A]][[家|U]][[智能工厂|I]]。"
    )
    assert record.date.text == "2025年"


def test_the_document_date_is_the_report_period_not_the_meeting_day():
    _, (record,) = _records(
        "[[2019年|D]]政府工作报告要点\n[[2月19日|D]],区人大会议开幕。\n\n\n\n\n\n\n\n\n正文\n"
        "[[地区生产总值|I]]完成[[990|A]][[亿元|U]]。"
    )
    assert record.date.text == "2019年"


@pytest.mark.parametrize(
    ("sentence", "measure"),
    [
        ("[[地区生产总值|I]]完成[[990|A]][[亿元|U]]。", "level"),
        ("[[新入区企业|I]][[6|A]][[家|U]]，惠及[[130|A]][[万|U]][[老年人|I]]。", "count"),
        ("[[森林覆盖率|I]][[15.2|A]][[%|U]]。", "share"),
        ("[[生产总值|I]]增长[[百分之八|A]]。", "growth_rate"),
        ("[[投资|I]]增长[[6.1|A]][[%|U]]。", "growth_rate"),
        ("[[存款|I]]增加[[135|A]][[亿元|U]]。", "change"),
        ("[[比重|I]]提高[[1.7|A]][[个百分点|U]]。", "change_pp"),
        ("力争[[生产总值|I]]增长[[8|A]][[%|U]]。", "target"),
        ("[[年度计划投资|I]][[257|A]][[亿元|U]]。", "target"),
        ("完成年度计划的[[96|A]][[%|U]]。", "share"),
        ("[[综合实力|I]]居全国第[[7|A]][[位|U]]。", "ranking"),
        ("[[营商环境|I]]排名第[[3|A]]，[[企业|I]][[3|A]][[名|U]]。", "ranking"),
        # the targets a lead-in names, down its list
        ("预期目标是：[[产值|I]]增长[[7|A]][[%|U]]，[[收入|I]]增长[[8|A]][[%|U]]。", "target"),
        ("[[产值|I]]的增长目标，确定为[[百分之六|A]]。", "target"),
        ("[[投资|I]]力争全年完成[[30|A]][[亿元|U]]。", "target"),
        ("[[引资|I]]完成全年任务的[[96|A]][[%|U]]。", "share"),
        ("[[引资|I]]为上级政府下达任务数[[100|A]][[亿元|U]]的[[80|A]][[%|U]]。", "target"),
        ("[[绿地|I]]约占城区面积的[[三分之一|A]]。", "share"),
        ("[[居民收入|I]]比十年前翻了[[一|A]][[番|U]]。", "growth_rate"),
        ("平整[[40|A]][[块|U]][[农田|I]]。", "count"),
    ],
)
def test_measure_says_what_kind_of_figure_an_amount_is(sentence, measure):
    _, records = _records(sentence)
    assert records[0].measure == measure
    assert all(r.measure in MEASURES for r in records)


@pytest.mark.parametrize(
    ("sentence", "measures"),
    [
        (
            "预期目标是：[[产值|I]]增长[[7|A]][[%|U]]，[[收入|I]]增长[[8|A]][[%|U]]。",
            ["target", "target"],
        ),
        # a share of a budget, a grant from one: no targets
        ("[[税收|I]]完成[[900|A]][[万元|U]]，占调整预算的[[98|A]][[%|U]]。", ["level", "share"]),
        ("[[项目|I]]获预算内补助[[800|A]][[万元|U]]。", ["level"]),
        ("完成了年度目标。[[产值|I]]增长[[7|A]][[%|U]]。", ["growth_rate"]),  # no lead-in
    ],
)
def test_every_amount_of_a_sentence_gets_its_measure(sentence, measures):
    _, records = _records(sentence)
    assert [r.measure for r in records] == measures
