"""Readers: encodings, HTML, bad input; every error names the file."""

import codecs
import json

import pytest

from nlp.errors import InputError
from nlp.io import corpus_texts, html_text, iter_inputs, read_bytes, read_document

TEXT = "湖里区2019年上半年工作总结\n地区生产总值完成９９０亿元,同比增长0.2%。"


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("gbk"),
        lambda t: t.encode("gb18030"),
        lambda t: t.encode("utf-16"),  # with its BOM
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-le-bom", "utf16-be-bom"],
)
def test_encodings_decode_to_the_same_text(tmp_path, encode):
    path = tmp_path / "report.txt"
    path.write_bytes(encode(TEXT))
    assert read_document(path) == TEXT


def test_newlines_are_kept_as_they_are(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("第一行\r\n第二行".encode())
    assert read_document(path) == "第一行\r\n第二行"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"   \n\t ", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")],
)
def test_bad_files_raise_a_read_error_naming_the_file(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason) as info:
        read_document(path)
    assert str(path) in str(info.value)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt"):
        read_document(tmp_path / "nope.txt")


def test_html_gives_visible_text_only():
    page = (
        "<html><head><title>标题</title><style>p{color:red}</style></head><body>"
        "<div>地区生产总值<b>990</b>亿元</div><script>var x = 1;</script><p>同比&nbsp;增长2%</p></body></html>"
    )
    assert html_text(page) == "地区生产总值990亿元\n同比 增长2%"
    assert read_bytes(
        page.encode("gbk", errors="ignore"), source="x.html", suffix=".html"
    ).startswith("地区")


def test_directories_are_walked_in_order_and_filtered(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/2.txt", "a.txt", "b/1.html", "skip.png", "c.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = list(iter_inputs([str(tmp_path), "-"]))
    assert found == [str(tmp_path / n) for n in ("a.txt", "b/1.html", "b/2.txt", "c.md")] + ["-"]
    assert list(iter_inputs([str(tmp_path)], glob="*.txt")) == [
        str(tmp_path / n) for n in ("a.txt", "b/2.txt")
    ]


def test_a_jsonl_of_reports_is_one_document_per_line_with_its_own_year(tmp_path):
    from nlp.io import jsonl_documents

    path = tmp_path / "reports.jsonl"
    lines = [
        {"title": "a", "content": "去年完成990亿元。", "year": "2019"},
        {"id": 7, "text": "上半年新增企业6家。"},
        {"content": ""},
        "not an object",
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    docs = list(jsonl_documents(path))
    assert [(name.rpartition("#")[2], year) for name, _, year in docs] == [
        ("1", 2019), ("2", None), ("3", None), ("4", None),
    ]  # fmt: skip
    assert docs[0][1] == "去年完成990亿元。" and docs[1][1] == "上半年新增企业6家。"
    assert all(isinstance(text, InputError) for _, text, _ in docs[2:])
    assert ":4:" in str(docs[3][1])
    named = [name for name, _, _ in jsonl_documents(path, id_field="id")]
    assert named[1].endswith("#7") and named[0].endswith("#1")  # no id: the line number


def test_unknown_suffixes_and_corrupt_office_files_are_input_errors(tmp_path):
    odd = tmp_path / "report.xyz"
    odd.write_text("完成990亿元。", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown file type '\.xyz'"):
        read_document(odd)
    pytest.importorskip("docx")
    broken = tmp_path / "c.docx"
    broken.write_bytes(b"PK\x03\x04 x")
    with pytest.raises(InputError, match=r"c\.docx: not a readable \.docx"):
        read_document(broken)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe\x41", "byte-order mark but does not decode"),
        (b"\xef\xbb\xbf\xff", "byte-order mark but does not decode"),
        ("2020年完成990亿元".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        (b"\x00\x01\x02PK\x00\x00\x17\x00", "binary file"),
    ],
)
def test_bytes_that_do_not_decode_are_named_input_errors(data, reason):
    with pytest.raises(InputError, match=reason):
        read_bytes(data, source="x.txt")


def test_an_unterminated_html_comment_hides_the_rest_of_the_page():
    assert html_text("<p>完成990亿元</p><!-- 隐藏 <p>不是正文</p>") == "完成990亿元"


def test_corpus_texts_read_a_gold_folder_with_its_split_file(tmp_path):
    """A gold folder holds splits.json beside the exports: it is no task file."""
    task = {"id": 1, "data": {"text": "全年粮食产量5万吨。"}, "annotations": []}
    (tmp_path / "gold.json").write_text(json.dumps([task]), encoding="utf-8")
    (tmp_path / "splits.json").write_text(json.dumps({"gold": "train"}), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("二〇二〇年", encoding="utf-8")
    assert corpus_texts(tmp_path) == ["全年粮食产量5万吨。", "二〇二〇年"]
