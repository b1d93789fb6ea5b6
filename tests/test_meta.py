"""The issuing region of a document, from its title: constructed titles, never a guess."""

import pytest

from nlp.meta import detect_doc_type, detect_region


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年甘肃省政府工作报告\n各位代表：", ("甘肃省", "province", "620000000000")),
        ("北京市政府工作报告\n各位代表：", ("北京市", "province", "110000000000")),
        ("绵阳市涪城区2019年政府工作报告\n各位代表：", ("涪城区", "district", "510703000000")),
        ("(福建省)2019年松溪县人民政府工作报告\n各位代表：", ("松溪县", "county", "350724000000")),
        (
            "下载\n打印\n2026年安徽省政府工作报告\n各位代表：",
            ("安徽省", "province", "340000000000"),
        ),
        ("白杨街道2022年工作总结\n一年来，街道工作稳步推进。", ("白杨街道", "town", None)),
        ("2020年潍坊高新区国民经济和社会发展统计公报\n", ("潍坊高新区", "zone", None)),
        # a name several districts share, with nothing above it named: unsure
        ("城关区政府工作报告\n各位代表：", None),
        # the same name with its city named in the opening: resolved
        (
            "城关区政府工作报告\n兰州市城关区第十八届人民代表大会第三次会议\n",
            ("城关区", "district", "620102000000"),
        ),
        # no region in the title; a place named in the body is not the issuer
        (
            "乡镇工作总结\n今年以来，我们先后到上海、北京等地考察学习，对标先进地区的做法，推动工作落实。",
            None,
        ),
        ("工作总结\n", None),
    ],
)
def test_the_title_names_the_issuing_region(text, expected):
    region = detect_region(text)
    assert (region and (region.name, region.level, region.code)) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2025年甘肃省政府工作报告\n各位代表：", "government_work_report"),
        ("2020年潍坊高新区国民经济和社会发展统计公报\n", "statistical_bulletin"),
        ("关于某县2022年预算执行情况和2023年预算草案的报告\n", "budget_report"),
        ("白杨街道2022年工作总结及2023年工作思路\n", "work_summary"),
        ("县水利局当前水利工作进展情况\n", "work_summary"),
        ("各位代表：\n现在，我代表县人民政府向大会报告工作，请予审议。", None),
    ],
)
def test_the_title_says_what_kind_of_document_it_is(text, kind):
    assert detect_doc_type(text) == kind
