"""The issuing region of a document, from its title: constructed titles, never a guess."""

import pytest

from nlp.meta import detect_doc_type, detect_region


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年甘肃省政府工作报告\n各位代表：", ("甘肃省", "province", "620000000000")),
        ("北京市政府工作报告\n各位代表：", ("北京市", "province", "110000000000")),
        ("成都市武侯区2019年政府工作报告\n各位代表：", ("武侯区", "district", "510107000000")),
        ("(江西省)2020年安远县人民政府工作报告\n各位代表：", ("安远县", "county", "360726000000")),
        (
            "下载\n打印\n2026年安徽省政府工作报告\n各位代表：",
            ("安徽省", "province", "340000000000"),
        ),
        ("西湖街道2021年工作总结\n一年来，街道工作稳步推进。", ("西湖街道", "town", None)),
        ("2021年烟台高新区国民经济和社会发展统计公报\n", ("烟台高新区", "zone", None)),
        # a name several districts share, with nothing above it named: unsure
        ("城关区政府工作报告\n各位代表：", None),
        # the same name with its city named in the opening: resolved
        (
            "城关区政府工作报告\n兰州市城关区第十八届人民代表大会第三次会议\n",
            ("城关区", "district", "620102000000"),
        ),
        # no region in the title; a place named in the body is not the issuer
        (
            "乡镇工作总结\n今年以来，我们组织干部赴外地学习，参观了杭州和苏州的产业园区。",
            None,
        ),
        ("工作总结\n", None),
        # a title that names none: the opening's subject that acts for a region
        (
            "上半年工作进展\n今年以来，安远县各级各部门狠抓落实，经济稳中有进。",
            ("安远县", "county", "360726000000"),
        ),
        (
            "水利工作情况\n近年来，武侯区水务局在区委领导下加快建设。",
            ("武侯区", "district", "510107000000"),
        ),
        ("上半年经济运行\n经济平稳。(来源：东山镇政府上半年工作报告)", ("东山镇", "town", None)),
        # a government it obeys, a body it visits, a name several share: none
        ("工作总结\n我们认真贯彻落实甘肃省人民政府的部署。", None),
        ("工作总结\n今年以来，城关区各级各部门狠抓落实。", None),
    ],
)
def test_the_title_names_the_issuing_region(text, expected):
    region = detect_region(text)
    assert (region and (region.name, region.level, region.code)) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2025年甘肃省政府工作报告\n各位代表：", "government_work_report"),
        ("2021年烟台高新区国民经济和社会发展统计公报\n", "statistical_bulletin"),
        ("关于某县2022年预算执行情况和2023年预算草案的报告\n", "budget_report"),
        ("西湖街道2021年工作总结及2022年工作打算\n", "work_summary"),
        ("县交通局近期重点工作进展情况\n", "work_summary"),
        ("各位代表：\n现在，我代表县人民政府向大会报告工作，请予审议。", None),
    ],
)
def test_the_title_says_what_kind_of_document_it_is(text, kind):
    assert detect_doc_type(text) == kind
