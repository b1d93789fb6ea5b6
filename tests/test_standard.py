"""Standard indicators: names as reports write them → the table's ids, or None."""

from importlib.resources import files

import pytest
import yaml

from nlp.standard import normalise_name, standard_ids, standard_indicator


def test_every_name_and_alias_of_the_table_maps_to_its_own_id():
    rows = yaml.safe_load(files("nlp").joinpath("data/indicators.yaml").read_text("utf-8"))
    assert len(rows) >= 60 and len(standard_ids()) == len(rows)
    for row in rows:
        for written in (row["name"], *row["aliases"]):
            assert standard_indicator(written) == row["id"], written


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("全县生产总值", "gdp"),  # a place word only says where
        ("我市GDP增速", "gdp"),  # how it moved is the measure, not another indicator
        ("规上工业增加值", "industry_va_above"),  # a qualifier that changes the quantity decides
        ("工业增加值", "industry_va"),
        ("城镇常住居民人均\n可支配收入", "urban_income"),  # a hard-wrapped span
        ("地表水国控断面水质优良的比例", "surface_water_quality"),  # similar enough: one 的 more
        ("农牧民人均可支配收入", None),  # one character off a short name: below the threshold
        ("城镇居民人均消费支出", None),  # near the words of another, not its quantity
        ("完成投资", None),
        ("新签约项目", None),
        ("", None),
    ],
)
def test_names_as_reports_write_them(written, standard):
    assert standard_indicator(written) == standard


def test_normalising_keeps_a_name_that_is_only_a_growth_word():
    assert normalise_name("全区 生产总值增速") == "生产总值"
    assert normalise_name("增长") == "增长"
