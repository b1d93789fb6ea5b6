import pytest

from nlp.layout import document_year
from nlp.normalize import normalise_record, parse_unit
from nlp.numbers import parse_amount, parse_number
from nlp.periods import Period, parse_period
from nlp.schema import Record, Span

NUMBERS = [
    ("990", 990.0), ("0.2", 0.2), ("13.6", 13.6), ("28336", 28336.0), ("1,234", 1234.0),
    ("1,234,567.5", 1234567.5), ("１２", 12.0), ("３．５", 3.5), ("-2.5", -2.5), ("－3", -3.0),
    (".5", 0.5), ("三", 3.0), ("两", 2.0), ("十", 10.0), ("十二", 12.0), ("二十", 20.0),
    ("一百零五", 105.0), ("三千五百", 3500.0), ("两千", 2000.0), ("一万二千", 12000.0),
    ("三亿五千万", 350_000_000.0), ("二〇一九", 2019.0), ("〇", 0.0), ("三点五", 3.5),
    ("九", 9.0), ("七十", 70.0), ("一千零一", 1001.0), ("五百", 500.0),
    # colloquial: the last digit counts in the place below the unit before it
    ("三万五", 35000.0), ("两千六", 2600.0), ("一百二", 120.0), ("十三万五", 135000.0),
    ("一百二十万三", 1203000.0), ("一千零十", 1010.0), ("二十五万三千二百", 253200.0),
    ("一万零五百", 10500.0), ("1\n2248", 12248.0),  # a hard wrap inside a number
]  # fmt: skip
NOT_NUMBERS = ["", "x", "三五百", "1..2", "亿", "二点", "1,23", "abc", "第三", "一万零百一十一"]


@pytest.mark.parametrize(("text", "value"), NUMBERS)
def test_numbers(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_numbers_give_none(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("3-5", 3, 5), ("3至5", 3, 5), ("3~5", 3, 5), ("1-2", 1, 2), ("两至三", 2, 3),
     ("3%-5", 3, 5), ("10—20", 10, 20), ("0.5-1.5", 0.5, 1.5), ("３－５", 3, 5)],
)  # fmt: skip
def test_ranges(text, low, high):
    assert parse_amount(text) == (None, low, high)


@pytest.mark.parametrize(
    ("text", "value"), [("1/4", 0.25), ("四分之一", 0.25), ("三分之二", 2 / 3), ("1/0", None)]
)
def test_fractions(text, value):
    assert parse_amount(text)[0] == (pytest.approx(value) if value else None)


UNITS = [
    ("亿元", 1e8, "元"), ("万元", 1e4, "元"), ("元", 1, "元"), ("%", 1, "%"), ("％", 1, "%"),
    ("个百分点", 1, "pp"), ("百分点", 1, "pp"), ("万人", 1e4, "人"), ("人", 1, "人"),
    ("公顷", 1, "公顷"), ("万㎡", 1e4, "平方米"), ("㎡", 1, "平方米"), ("万平方米", 1e4, "平方米"),
    ("亿美元", 1e8, "美元"), ("万", 1e4, None), ("亿", 1e8, None), ("家", 1, "家"),
    ("千瓦", 1, "千瓦"), ("万千瓦时", 1e4, "千瓦时"), ("万亿元", 1e12, "元"), ("千万元", 1e7, "元"),
    ("百万吨", 1e6, "吨"), ("亩", 1, "亩"), ("万亩", 1e4, "亩"), ("平方千米", 1, "平方公里"),
    ("千米", 1, "公里"), ("户", 1, "户"), ("个", 1, "个"), ("人次", 1, "人次"), ("万人次", 1e4, "人次"),
    ("", 1, None), (None, 1, None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "multiplier", "base"), UNITS)
def test_units(text, multiplier, base):
    unit = parse_unit(text)
    assert (unit.multiplier, unit.base) == (multiplier, base)


PERIODS = [
    ("2019年", 2021, "2019-01-01", "2019-12-31"),
    ("2019年上半年", None, "2019-01-01", "2019-06-30"),
    ("2019年下半年", None, "2019-07-01", "2019-12-31"),
    ("上半年", 2019, "2019-01-01", "2019-06-30"),
    ("1-5月", 2019, "2019-01-01", "2019-05-31"),
    ("1-2月", 2020, "2020-01-01", "2020-02-29"),
    ("1-9月份", 2016, "2016-01-01", "2016-09-30"),
    ("2019年1-5月", None, "2019-01-01", "2019-05-31"),
    ("前三季度", 2019, "2019-01-01", "2019-09-30"),
    ("一季度", 2019, "2019-01-01", "2019-03-31"),
    ("第四季度", 2019, "2019-10-01", "2019-12-31"),
    ("2019年6月10日", None, "2019-06-10", "2019-06-10"),
    ("五月末", 2019, "2019-05-31", "2019-05-31"),
    ("6月底", 2019, "2019-06-30", "2019-06-30"),
    ("2019年底", None, "2019-12-31", "2019-12-31"),
    ("9月底前", 2019, None, "2019-09-30"),
    ("年底前", 2019, None, "2019-12-31"),
    ("3月15日前", 2019, None, "2019-03-15"),
    ("今年以来", 2019, "2019-01-01", None),
    ("2012年以来", None, "2012-01-01", None),
    ("2012年-2016年", None, "2012-01-01", "2016-12-31"),
    ("2012-2016年", None, "2012-01-01", "2016-12-31"),
    ("2017-2021年", None, "2017-01-01", "2021-12-31"),
    ("十一五", None, "2006-01-01", "2010-12-31"),
    ("十二五", None, "2011-01-01", "2015-12-31"),
    ("十三五", None, "2016-01-01", "2020-12-31"),
    ("十四五", None, "2021-01-01", "2025-12-31"),
    ("十三五时期", None, "2016-01-01", "2020-12-31"),
    ("今年", 2019, "2019-01-01", "2019-12-31"),
    ("去年", 2019, "2018-01-01", "2018-12-31"),
    ("上年", 2021, "2020-01-01", "2020-12-31"),
    ("明年", 2019, "2020-01-01", "2020-12-31"),
    ("全年", 2019, "2019-01-01", "2019-12-31"),
    ("当年", 2019, "2019-01-01", "2019-12-31"),
    ("近五年", 2019, "2015-01-01", "2019-12-31"),
    ("4月中旬", 2019, "2019-04-11", "2019-04-20"),
    ("5月17日", 2019, "2019-05-17", "2019-05-17"),
    ("2014年7月", None, "2014-07-01", "2014-07-31"),
    ("今年3月份", 2019, "2019-03-01", "2019-03-31"),
    ("去年同期", 2019, None, None),
    ("目前", 2019, None, None),
    ("今年1-2023月", 2019, None, None),
    ("x202x年", 2019, None, None),
    ("上半年", None, None, None),
    ("2月30日", 2019, None, None),
    ("13月", 2019, None, None),
    ("2016-2012年", None, None, None),
    ("过去的五年", 2020, "2016-01-01", "2020-12-31"),
    ("这五年", 2020, "2016-01-01", "2020-12-31"),
    ("五年来", 2016, "2012-01-01", "2016-12-31"),
    ("2012年—今年10月", 2016, "2012-01-01", "2016-10-31"),
    ("2012年至今", 2016, "2012-01-01", None),
    ("2019年上半年—2018年", None, None, None),
    # the second date of a range without a year is in the first's year, not the report's
    ("2017年8月至11月", 2021, "2017-08-01", "2017-11-30"),
    ("从3月至6月", 2020, "2020-03-01", "2020-06-30"),
    ("1999.08-2002.02", 2020, "1999-08-01", "2002-02-28"),
    # quarters and the first months
    ("一季度", 2020, "2020-01-01", "2020-03-31"),
    ("首季度", 2020, "2020-01-01", "2020-03-31"),
    ("第三季度", 2020, "2020-07-01", "2020-09-30"),
    ("前两个季度", 2020, "2020-01-01", "2020-06-30"),
    ("前5个月", 2020, "2020-01-01", "2020-05-31"),
    ("前两个月", 2020, "2020-01-01", "2020-02-29"),
    # days, two-digit years, dotted and slashed dates, 年内, 今明两年
    ("4月12-19日", 2020, "2020-04-12", "2020-04-19"),
    ("4月19-12日", 2020, None, None),
    ("98年4月", 2020, "1998-04-01", "1998-04-30"),
    ("19年底", 2020, "2019-12-31", "2019-12-31"),
    ("2019.9.6", 2020, "2019-09-06", "2019-09-06"),
    ("2019/04/19", 2020, "2019-04-19", "2019-04-19"),
    ("2019.13.6", 2020, None, None),
    ("2024年内", 2020, "2024-01-01", "2024-12-31"),
    ("今明两年", 2020, "2020-01-01", "2021-12-31"),
]


@pytest.mark.parametrize(("text", "doc_year", "start", "end"), PERIODS)
def test_periods(text, doc_year, start, end):
    assert parse_period(text, doc_year=doc_year) == Period(start, end)


def test_document_year_prefers_the_delivery_date_then_a_non_range_title_year():
    assert document_year("2021年某区政府工作报告\n——2020年12月21日在区人代会上\n正文") == 2020
    assert document_year("2012-2016年、2016年工作总结和2017年工作思路\n正文") == 2016
    assert document_year("发布日期: 2019-10-21\n湖里区2019年上半年工作总结") == 2019
    assert document_year("工作总结\n一、今年以来工作完成情况") is None


def test_normalise_record_scales_by_the_unit_and_resolves_the_period():
    text = "2020年收储价格13.6亿元"
    record = Record(
        amount=Span.of(text, 9, 13, "AMOUNT"),
        unit=Span.of(text, 13, 15, "UNIT"),
        date=Span.of(text, 0, 5, "DATE"),
    )
    out = normalise_record(record, doc_year=None)
    assert out.value == 1_360_000_000.0 and out.base_unit == "元"
    assert (out.period_start, out.period_end) == ("2020-01-01", "2020-12-31")


def test_a_range_across_magnitudes_scales_only_its_high_end():
    text = "8500到3万元"
    record = normalise_record(
        Record(amount=Span.of(text, 0, 6, "AMOUNT"), unit=Span.of(text, 6, 8, "UNIT"))
    )
    assert (record.value_low, record.value_high, record.base_unit) == (8500.0, 30000.0, "元")


def test_normalise_record_range_and_unparseable_amount():
    text = "3-5个 约x个"
    rng = normalise_record(
        Record(amount=Span.of(text, 0, 3, "AMOUNT"), unit=Span.of(text, 3, 4, "UNIT"))
    )
    assert (rng.value, rng.value_low, rng.value_high, rng.base_unit) == (None, 3.0, 5.0, "个")
    bad = normalise_record(Record(amount=Span.of(text, 6, 7, "AMOUNT")))
    assert (bad.value, bad.value_low, bad.value_high) == (None, None, None)
