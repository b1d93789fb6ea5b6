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
    assert "&lt;b&gt;" in html and "x&lt;y&gt;.txt" in html
    assert html.count("<script") == 1  # the page's own filters, inline
    assert not re.search(r"""(?:src|href)=["']?(?:https?:|//)""", html)


def test_analysts_filter_the_records_and_click_to_their_spans(tmp_path):
    """In a real browser: typing an indicator, choosing a measure or a year hides the other
    rows; a click on a row outlines exactly that record's spans in its document's text."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    texts = {
        "a.txt": "2023年工作总结\n2023年,全县生产总值880亿元,比上年增长4.8%。"
        "新增企业6家。财政收入80亿元,增长3%。",
        "b.txt": "2024年工作总结\n2024年,全县生产总值930亿元,增长6%。新签约项目12个。",
    }
    docs = list(Extractor.load("rules").extract_many(texts.items()))
    records = [r for d in docs for r in d.records]
    page_file = tmp_path / "review.html"
    page_file.write_text(render(docs), encoding="utf-8")

    def visible(page):
        return page.locator("tr.record:visible").count()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_file.as_uri())
        assert visible(page) == len(records) > 4
        page.fill("#f-indicator", "生产总值")
        gdp = [r for r in records if r.indicator and "生产总值" in r.indicator.text]
        assert visible(page) == len(gdp) >= 3
        assert page.inner_text("#f-count") == f"{len(gdp)} of {len(records)} records"
        page.select_option("#f-measure", "level")
        levels = [r for r in gdp if r.measure == "level"]
        assert visible(page) == len(levels) == 2  # 880 and 930亿元, not the growth rate
        page.select_option("#f-year", "2024")
        assert visible(page) == sum(r.period_start.startswith("2024") for r in levels) == 1
        page.screenshot(path=str(tmp_path / "filtered.png"))
        page.fill("#f-indicator", "")
        page.select_option("#f-measure", "")
        page.select_option("#f-year", "")
        assert visible(page) == len(records)

        target = docs[1].records[0]
        page.locator("section").nth(1).locator("tr.record").first.click()
        outlined = page.locator("section").nth(1).locator("mark.focus")
        starts = sorted(int(outlined.nth(i).get_attribute("data-start"))
                        for i in range(outlined.count()))  # fmt: skip
        spans = (target.amount, target.unit, target.indicator, target.date, target.project)
        assert starts == sorted(s.start for s in spans if s) and len(starts) >= 3
        assert page.locator("mark.focus").count() == len(starts)  # the other document: none
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review-clicked.png"))
        browser.close()
    assert (ARTIFACTS / "review-clicked.png").stat().st_size > 10_000
