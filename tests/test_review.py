"""The review page, rendered by headless Chromium and read back from its DOM."""

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.extractor import Extractor
from nlp.review import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(
    os.environ.get("NLP_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts")
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


class _Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.marks, self.rows, self.sections, self._in_mark = [], 0, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "mark" and "data-start" in a:
            self.marks.append([a["class"], int(a["data-start"]), int(a["data-end"]), ""])
            self._in_mark = True
        elif tag == "tr":
            self.rows += 1
        elif tag == "section":
            self.sections.append(a["data-doc"])

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark and self.marks:
            self.marks[-1][3] += data


def _chromium(tmp_path, *args):
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


def test_review_page_shows_every_span_and_record(tmp_path):
    texts = {
        "a.txt": "2020年,地区生产总值完成990亿元,同比增长0.2%。<script>alert(1)</script>",
        "b.txt": "签约31户住宅、3户非住宅。\n二、下半年工作安排\n新增企业6家。",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    page = tmp_path / "review.html"
    result = CliRunner().invoke(
        app,
        [
            "review",
            str(tmp_path / "a.txt"),
            str(tmp_path / "b.txt"),
            "-o",
            str(page),
            "--model",
            "rules",
        ],
    )
    assert result.exit_code == 0, result.output
    dom = _Dom()
    dom.feed(_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)
    docs = list(Extractor.load("rules").extract_many(texts.items()))
    expected = [(s.label, s.start, s.end, s.text) for d in docs for s in d.spans]
    assert [tuple(m) for m in dom.marks] == expected
    assert dom.rows == sum(len(d.records) + 1 for d in docs)  # a header row per table
    assert [Path(s).name for s in dom.sections] == ["a.txt", "b.txt"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "review.png"
    _chromium(tmp_path, "--window-size=1200,900", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 10_000


def test_the_page_is_self_contained_and_escapes_text():
    html = render(Extractor.load("rules").extract_many([("x<y>.txt", "增长5%<b>粗</b>")]))
    assert "<script" not in html and "&lt;b&gt;" in html and "x&lt;y&gt;.txt" in html
    assert not re.search(r"""(?:src|href)=["']?https?:""", html)
