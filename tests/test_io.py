"""Readers: encodings, HTML, bad input; every error names the file."""

import codecs

import pytest

from nlp.errors import InputError
from nlp.io import html_text, iter_inputs, read_bytes, read_document

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
