"""The tagging engine, the Python API and the batch job, on a tiny model whose label for a
character depends on the character alone, so every expected span is known in advance."""

import json
import threading
from pathlib import Path

import pytest
import torch
from transformers import PretrainedConfig
from typer.testing import CliRunner

from nlp import Extractor
from nlp.batch import manifest_path, run
from nlp.cli import app
from nlp.decoding import Decoding
from nlp.layout import Layout
from nlp.schema import TAG2ID
from nlp.tagger import Tagger, saved_settings
from nlp.training.tokenization import char_tokenizer, char_vocabulary

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
DIGITS = "0123456789０１２３４５６７８９"


class TableModel(torch.nn.Module):
    """Logits looked up per token id: a model whose every output the test sets."""

    def __init__(self, table: torch.Tensor):
        super().__init__()
        self.config = PretrainedConfig(
            id2label={i: t for t, i in TAG2ID.items()}, max_position_embeddings=512
        )
        self.table = torch.nn.Parameter(table)

    def forward(self, input_ids, attention_mask=None):
        return type("Out", (), {"logits": self.table[input_ids]})


def lookup_model(tokenizer) -> TableModel:
    """Digits → I-AMOUNT, 元/%/亿 → I-UNIT, everything else → O (BIO repair makes spans)."""
    table = torch.full((len(tokenizer), len(TAG2ID)), -5.0)
    for piece, idx in tokenizer.get_vocab().items():
        label = "I-AMOUNT" if piece in DIGITS else "I-UNIT" if piece in ("元", "%", "亿") else "O"
        table[idx, TAG2ID[label]] = 5.0
    return TableModel(table)


@pytest.fixture(scope="module")
def tagger():
    tokenizer = char_tokenizer(
        char_vocabulary(["增长元亿%。,年月是的一二三四五六七八九十" + DIGITS])
    )
    # inside tags only: each character's own best tag, BIO repaired, makes the spans
    greedy = Decoding(viterbi=False)
    return Tagger(
        lookup_model(tokenizer), tokenizer, max_tokens=12, stride=4, batch_size=3, decoding=greedy
    )


def test_a_span_cut_by_window_boundaries_comes_out_whole(tagger):
    text = "增长" + "1234567890" * 3 + "亿元。增长5%"  # 30 digits: no 12-token window holds them
    spans = tagger.tag(text)
    assert [(s.label, s.text) for s in spans] == [
        ("AMOUNT", "1234567890" * 3),
        ("UNIT", "亿元"),
        ("AMOUNT", "5"),
        ("UNIT", "%"),
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_a_date_with_one_unsure_character_comes_out_whole(tmp_path):
    text = "审核1948年参加"
    tokenizer = char_tokenizer(char_vocabulary([text]))
    table = torch.zeros(len(tokenizer), len(TAG2ID))  # uniform: O wins the ties
    table[:, TAG2ID["O"]] = 1.0
    ids = tokenizer.get_vocab()
    table[ids["1"], TAG2ID["B-DATE"]] = 3.0
    table[ids["9"], TAG2ID["I-DATE"]] = 0.8  # leans O (1.0) by a little
    for char in "48年":
        table[ids[char], TAG2ID["I-DATE"]] = 3.0
    tagger = Tagger(TableModel(table), tokenizer, max_tokens=16, stride=4)
    assert [s.text for s in tagger.tag(text)] == ["1948年"]
    tagger.decoding = Decoding(viterbi=False)  # each character's best tag: the span breaks
    assert [s.text for s in tagger.tag(text)] == ["1", "48年"]
    (tmp_path / "nlp.json").write_text('{"config": {"decode": {"viterbi": false}}}')
    assert saved_settings(tmp_path)["decoding"] == Decoding(viterbi=False)


def test_full_width_digits_and_whitespace_keep_offsets(tagger):
    text = "增长\u3000１２元 增长 3%"
    spans = tagger.tag(text)
    assert [(s.text, s.start) for s in spans] == [("１２", 3), ("元", 5), ("3", 10), ("%", 11)]


def test_a_two_megabyte_line_without_punctuation(tagger):
    wide = Tagger(
        tagger.model,
        tagger.tokenizer,
        max_tokens=512,
        stride=32,
        batch_size=64,
        decoding=tagger.decoding,
    )
    text = "增长" * 1_000_000 + "42元"
    spans = wide.tag(text)
    assert [(s.text, s.start) for s in spans] == [("42", 2_000_000), ("元", 2_000_002)]


def test_prediction_is_idempotent_and_order_independent(tagger):
    texts = ["增长5%", "增长1234567890元", ""]
    assert tagger.predict(texts) == tagger.predict(texts)
    assert tagger.predict(texts[::-1]) == tagger.predict(texts)[::-1]
    assert tagger.predict([""]) == [[]]


def test_windows_share_a_batch_across_documents_only_where_the_runner_allows(tagger):
    """fp32 layers give a window the same output in any batch: fill batches across
    documents. Dynamic int8 layers scale by the batch's range: one document per batch."""
    texts = ["增长5%。" * 6, "增长7亿元。", "增长9%。" * 4]
    seen: list[list[int]] = []
    start = tagger._start

    def spy(batch):
        seen.append(sorted({w.doc for w in batch}))
        return start(batch)

    original = tagger.runner.batch_invariant
    try:
        tagger._start = spy
        fp32 = tagger.predict(texts)
        assert any(len(docs) > 1 for docs in seen)
        seen.clear()
        tagger.runner.batch_invariant = False
        assert tagger.predict(texts) == fp32
        assert all(len(docs) == 1 for docs in seen) and len(seen) >= len(texts)
    finally:
        tagger.runner.batch_invariant = original
        del tagger._start
    quantised = torch.ao.quantization.quantize_dynamic(
        torch.nn.Sequential(torch.nn.Linear(4, 4)), {torch.nn.Linear}, dtype=torch.qint8
    )
    assert not type(tagger.runner)(quantised).batch_invariant


def test_extractor_api_streams_in_input_order_and_is_thread_safe(tagger):
    extractor = Extractor(tagger)
    items = [(f"d{i}", f"今年增长{i}元。") for i in range(20)]
    docs = list(extractor.extract_many(items, doc_year=2020, chars_per_call=30))
    assert [d.doc for d in docs] == [f"d{i}" for i in range(20)]
    assert [d.records[0].value for d in docs] == [float(i) for i in range(20)]
    assert docs[0].doc_year == 2020
    results = {}

    def work(k):
        results[k] = [r.value for r in extractor.extract(f"增长{k}元").records]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: [float(k)] for k in range(8)}


# eight short title lines, then a paragraph whose third sentence holds no numeral and
# is neither a paragraph opener nor a heading: nothing a record could draw on
TITLE = "\n".join(["工作总结", "前言", *(f"第{c}部分" for c in "甲乙丙丁戊己")])
BODY = "今年以来经济平稳。全县上下齐心协力。下半年继续推进改革。全年增长5%。"


def test_fact_regions_hold_numeral_sentences_and_what_records_read_around_them():
    # a paragraph with no amount in it (一 inside a word) gives nothing, 一 before a unit does
    text = f"{TITLE}\n{BODY}\n城市面貌进一步改善。环境统一整治。\n新建一座桥。\n"
    regions = Layout.of(text).fact_regions()
    assert [text[s:e] for s, e in regions] == [
        TITLE,
        "今年以来经济平稳。全县上下齐心协力。",
        "全年增长5%。",
        "新建一座桥。",
    ]


def test_the_extractor_tags_only_fact_regions_unless_asked_for_all_spans(tagger):
    text = f"{TITLE}\n{BODY}\n"
    skipped = text.index("下半年")
    for extractor in (Extractor(tagger), Extractor.load("rules")):
        facts = extractor.extract(text, doc_year=2020)
        every = Extractor(extractor.tagger, all_spans=True).extract(text, doc_year=2020)
        assert facts.records == every.records and facts.records
        assert [s for s in every.spans if s not in facts.spans] == [
            s for s in every.spans if s.start >= skipped and s.end <= text.index("全年")
        ]
    assert ("DATE", "下半年") in {(s.label, s.text) for s in every.spans}
    seen: list[tuple[int, int]] = []
    start = tagger._start

    def spy(batch):
        seen.extend((w.start, w.end) for w in batch)
        return start(batch)

    try:
        tagger._start = spy
        Extractor(tagger).extract(text)
        assert seen and not any(s <= skipped < e for s, e in seen)
        seen.clear()
        Extractor(tagger, all_spans=True).extract(text)
        assert any(s <= skipped < e for s, e in seen)
    finally:
        del tagger._start


def test_rules_extractor_and_a_clear_error_without_a_model(tmp_path):
    doc = Extractor.load("rules").extract("2020年,地区生产总值完成990亿元,同比增长0.2%。")
    assert [(r.amount.text, r.value, r.change) for r in doc.records] == [
        ("990", 99_000_000_000.0, None),
        ("0.2", 0.2, "increase"),
    ]
    with pytest.raises(FileNotFoundError, match="no such model"):
        Extractor.load(tmp_path / "missing")


def test_a_missing_local_model_path_is_an_error_and_only_org_name_goes_to_the_hub(
    tmp_path, monkeypatch
):
    from nlp.errors import ModelError
    from nlp.extractor import resolve_model

    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    with pytest.raises(ModelError, match="runs/modle: no such model directory"):
        resolve_model("runs/modle")  # a typo under a local folder: never a download
    with pytest.raises(ModelError, match="no such model directory"):
        resolve_model("modle")  # not org/name
    assert resolve_model("someorg/bert-zh") == "someorg/bert-zh"  # a hub name, as is
    (tmp_path / "runs" / "model").mkdir()
    assert resolve_model("runs/model") == "runs/model"


# --- the batch job ---------------------------------------------------------------------


class Interrupting:
    """Wraps an extractor and raises KeyboardInterrupt on the n-th document group."""

    def __init__(self, inner, after):
        self.inner, self.after, self.calls = inner, after, 0
        self.version = inner.version  # the same model: --resume may continue its run

    def extract_many(self, items, **kw):
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return self.inner.extract_many(items, **kw)


@pytest.fixture
def reports(tmp_path):
    if not SEEDS.is_dir():
        pytest.skip("the seed reports are absent")
    folder = tmp_path / "reports"
    folder.mkdir()
    for src in sorted(SEEDS.glob("*.txt")):
        (folder / src.name).write_bytes(src.read_bytes())
    return folder


@pytest.fixture
def interrupted(tmp_path, reports):
    """A whole run of the reports with the rules, and a run of them interrupted after two
    documents: (extractor, whole output, interrupted output)."""
    extractor = Extractor.load("rules")
    whole = tmp_path / "whole.jsonl"
    run([str(reports)], whole, extractor, chars_per_call=1)
    part = tmp_path / "part.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run([str(reports)], part, Interrupting(extractor, after=2), chars_per_call=1)
    return extractor, whole, part


def test_an_interrupted_run_resumed_gives_the_same_output(tmp_path, reports, interrupted):
    extractor, whole, part = interrupted
    # no final-named output that is not complete: the finished rows wait in the staging file
    staging = tmp_path / "part.jsonl.partial"
    assert not part.exists()
    assert (
        0
        < len(staging.read_text(encoding="utf-8").splitlines())
        < len(whole.read_text(encoding="utf-8").splitlines())
    )
    # a crash between a document's rows and its manifest line leaves orphan rows behind
    with staging.open("a", encoding="utf-8") as f:
        f.write(whole.read_text(encoding="utf-8").splitlines()[-1] + "\n")
    summary = run([str(reports)], part, extractor, resume=True, chars_per_call=1)
    assert summary.skipped == 2 and summary.documents == 3
    assert part.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    assert not staging.exists()
    again = run([str(reports)], part, extractor, resume=True)
    assert again.documents == 0 and again.skipped == 5
    assert part.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")


def test_resume_redoes_a_document_whose_content_changed(tmp_path, reports):
    extractor = Extractor.load("rules")
    out = tmp_path / "r.jsonl"
    run([str(reports)], out, extractor)
    target = sorted(reports.iterdir())[0]
    target.write_text("2020年,新增企业7家。", encoding="utf-8")
    summary = run([str(reports)], out, extractor, resume=True)
    assert summary.documents == 1 and summary.skipped == 4
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["amount"]["text"] for r in rows if r["doc"] == str(target)] == ["7"]


runner = CliRunner()


def test_cli_exit_codes_and_failures_reported(tmp_path, reports):
    (reports / "empty.txt").write_bytes(b"")
    (reports / "binary.txt").write_bytes(b"\x00\x01\x02PK")
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["extract", str(reports), "-o", str(out), "--model", "rules", "-f", "csv"]
    )
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "binary" in result.output
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) > 100  # the good ones are written
    manifest = [json.loads(x) for x in manifest_path(out).read_text(encoding="utf-8").splitlines()]
    assert sum(m["error"] is not None for m in manifest) == 2 and len(manifest) == 7
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text("2020年,新增企业7家。", encoding="utf-8")
    assert (
        runner.invoke(
            app,
            [
                "extract",
                str(clean),
                "-o",
                str(tmp_path / "x.parquet"),
                "--model",
                "rules",
                "-f",
                "parquet",
            ],
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["extract", str(clean), "-o", str(tmp_path / "y"), "--format", "xml"]
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(
            app,
            ["extract", str(clean), "-o", str(tmp_path / "y"), "--model", str(tmp_path / "none")],
        ).exit_code
        == 3
    )


def test_cli_stdin_and_emit_text(tmp_path):
    out = tmp_path / "s.jsonl"
    text = "2019年,新增企业6家,增长12%。"
    result = runner.invoke(
        app,
        ["extract", "-", "-o", str(out), "--model", "rules", "--emit-text"],
        input=text.encode("gbk"),
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    emitted = json.loads(out.with_name("s.jsonl.texts.jsonl").read_text(encoding="utf-8"))
    assert emitted["text"] == text and all(r["doc"] == "-" for r in rows)
    for r in rows:  # offsets point into the emitted text
        assert emitted["text"][r["amount"]["start"] : r["amount"]["end"]] == r["amount"]["text"]
        assert r["period_start"] == "2019-01-01"


def test_cli_tag_writes_span_lines_that_assemble_accepts(tmp_path, reports):
    spans = tmp_path / "spans.jsonl"
    assert (
        runner.invoke(app, ["tag", str(reports), "-o", str(spans), "--model", "rules"]).exit_code
        == 0
    )
    lines = [json.loads(x) for x in spans.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5 and set(lines[0]) == {
        "doc",
        "text",
        "doc_year",
        "doc_year_source",
        "spans",
    }
    records = tmp_path / "records.jsonl"
    assert runner.invoke(app, ["assemble", str(spans), "-o", str(records)]).exit_code == 0
    direct = tmp_path / "direct.jsonl"
    runner.invoke(app, ["extract", str(reports), "-o", str(direct), "--model", "rules"])
    assert records.read_text(encoding="utf-8") == direct.read_text(encoding="utf-8")


def test_bundled_model_tags_a_document_alike_alone_or_batched_with_others(gold_tasks):
    """Its int8 graph scales activations by their range over the whole input: run batched
    with padding, one report's spans would depend on the reports tagged beside it."""
    tagger = Extractor.load(batch_size=32).tagger
    texts = [t.text[:3000] for t in gold_tasks]
    together = tagger.predict(texts)
    assert together == [tagger.predict([t])[0] for t in texts]
    assert together == tagger.predict(texts[::-1])[::-1]


def test_bundled_model_tags_alike_on_any_number_of_cores(gold_tasks):
    """Its batches run as fixed-size slices, one per core at a time: how many cores run
    them must not change a span."""
    texts = [t.text[:3000] for t in gold_tasks[:6]]
    one = Extractor.load(threads=1).tagger
    two = Extractor.load(threads=2).tagger
    assert (one.runner.workers, two.runner.workers) == (1, 2)
    assert one.predict(texts) == two.predict(texts)


def test_options_the_bundled_model_cannot_honour_are_usage_errors(tmp_path):
    import onnxruntime as ort

    report = tmp_path / "r.txt"
    report.write_text("2020年,地区生产总值完成990亿元。", encoding="utf-8")
    out = ["extract", str(report), "-o", str(tmp_path / "r.jsonl")]
    result = runner.invoke(app, [*out, "--dtype", "fp32"])
    assert result.exit_code == 2 and "int8 ONNX weights only" in result.output
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        result = runner.invoke(app, [*out, "--device", "cuda"])
        assert result.exit_code == 2 and "onnxruntime-gpu" in result.output
    assert not (tmp_path / "r.jsonl").exists()


def test_a_jsonl_of_reports_runs_as_documents_each_with_its_year_and_resumes(tmp_path):
    path = tmp_path / "reports.jsonl"
    rows = [
        {"year": 2019, "content": "上半年,全区新增企业6家,完成投资3亿元。"},
        {"year": 2021, "content": "上半年,全区新增企业8家。"},
        {"content": "上半年,新增企业9家。"},  # no year anywhere
        {"text": 5},  # not a report
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "r.jsonl"
    result = runner.invoke(app, ["extract", str(path), "-o", str(out), "--model", "rules"])
    assert result.exit_code == 1 and "reports.jsonl:4" in result.output
    assert "1 document(s) with no year" in result.output
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    periods = {r["doc"].rpartition("#")[2]: r["period_start"] for r in records}
    assert periods == {"1": "2019-01-01", "2": "2021-01-01", "3": None}
    again = runner.invoke(
        app, ["extract", str(path), "-o", str(out), "--model", "rules", "--resume"]
    )
    assert "3 already done" in again.output


def test_the_api_refuses_what_is_not_a_text_with_a_clear_error():
    extractor = Extractor.load("rules")
    with pytest.raises(TypeError, match="for one text use extract"):
        list(extractor.extract_many("上半年新增企业6家。"))
    with pytest.raises(TypeError, match="must be a str, got bytes"):
        list(extractor.extract_many([("a", b"bytes")]))
    with pytest.raises(TypeError, match="expected a text"):
        list(extractor.extract_many([None]))
    with pytest.raises(ValueError, match="lone surrogate"):
        extractor.extract("完成\ud800990亿元")
    doc = extractor.extract("2020年工作总结\n上半年新增企业6家。")
    assert (doc.doc_year, doc.doc_year_source) == (2020, "title")
    assert extractor.extract("新增企业6家。", doc_year=2019).doc_year_source == "option"


def test_an_output_that_is_an_input_a_bad_batch_size_and_a_changed_model_are_refused(
    tmp_path, reports
):
    first = sorted(reports.iterdir())[0]
    before = first.read_bytes()
    result = runner.invoke(app, ["extract", str(reports), "-o", str(first), "--model", "rules"])
    assert result.exit_code == 2 and "one of the inputs" in result.output
    assert first.read_bytes() == before  # the input is untouched
    out = tmp_path / "r.jsonl"
    bad = runner.invoke(app, ["extract", str(reports), "-o", str(out), "--batch-size", "-5"])
    assert bad.exit_code == 2 and not out.exists()
    assert (
        runner.invoke(app, ["extract", str(reports), "-o", str(out), "--model", "rules"]).exit_code
        == 0
    )
    kept = out.read_bytes()
    again = runner.invoke(
        app,
        [
            "extract",
            str(reports),
            "-o",
            str(out),
            "--model",
            "rules",
            "--resume",
            "--doc-year",
            "2019",
        ],
    )
    assert again.exit_code == 2 and "doc_year" in again.output
    assert out.read_bytes() == kept


def test_ctrl_c_exits_130_saying_how_to_resume_and_leaves_no_partial_output(
    tmp_path, reports, monkeypatch
):
    import nlp.cli.run as run_cli

    real = run_cli.load_extractor
    monkeypatch.setattr(
        run_cli, "load_extractor", lambda *a, **k: Interrupting(real("rules", "cpu", 32), after=0)
    )
    out = tmp_path / "r.jsonl"
    result = runner.invoke(app, ["extract", str(reports), "-o", str(out)])
    assert result.exit_code == 130 and "--resume" in result.output
    assert not out.exists() and (tmp_path / "r.jsonl.partial").exists()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 48 KiB tmpfs: a full disk, where this platform lets the tests mount one (root)."""
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()[:80]}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_full_disk_is_one_output_error_and_leaves_no_half_written_output(tiny_disk, reports, fmt):
    out = tiny_disk / f"r.{fmt}"
    result = runner.invoke(
        app, ["extract", str(reports), "-o", str(out), "-f", fmt, "--model", "rules"]
    )
    assert result.exit_code == 3, result.output
    assert "error[output]" in result.output and "No space left" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # complete or absent: never a half record under the final name
    manifest = tiny_disk / f"r.{fmt}.manifest.jsonl"
    done = [json.loads(x) for x in manifest.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert all(row["error"] is None for row in done)  # nothing claimed that was not written


def test_resume_recovers_a_staging_file_cut_inside_a_character(tmp_path, reports, interrupted):
    extractor, whole, part = interrupted
    staging = tmp_path / "part.jsonl.partial"
    cut = whole.read_text(encoding="utf-8").splitlines()[-1].encode("utf-8")
    with staging.open("ab") as f:  # what a full disk leaves: half a line, half a character
        f.write(cut[: next(i for i, b in enumerate(cut) if b >= 0x80) + 1])
    summary = run([str(reports)], part, extractor, resume=True, chars_per_call=1)
    assert summary.skipped == 2 and part.read_bytes() == whole.read_bytes()


@pytest.mark.slow
def test_kill_9_mid_run_then_resume_gives_the_same_output(tmp_path, reports):
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "many"
    folder.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in sorted(reports.iterdir())]
    for i in range(120):
        (folder / f"{i:03d}.txt").write_text(texts[i % len(texts)], encoding="utf-8")
    whole = tmp_path / "whole.jsonl"
    args = [sys.executable, "-m", "nlp", "extract", str(folder), "--model", "rules"]
    subprocess.run([*args, "-o", str(whole)], check=True, capture_output=True)
    out = tmp_path / "part.jsonl"
    manifest = tmp_path / "part.jsonl.manifest.jsonl"
    proc = subprocess.Popen(
        [*args, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.exists() and len(manifest.read_bytes().splitlines()) >= 10:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait()
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be killed")
    assert not out.exists()  # killed: no final-named output
    resumed = subprocess.run([*args, "-o", str(out), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "already done" in resumed.stdout
    assert out.read_bytes() == whole.read_bytes()


def test_resume_refuses_when_finished_rows_are_gone_and_never_loses_them_on_failure(
    tmp_path, reports, monkeypatch
):
    import nlp.batch

    out = tmp_path / "r.jsonl"
    args = ["extract", str(reports), "-o", str(out), "--model", "rules"]
    assert runner.invoke(app, args).exit_code == 0
    kept = out.read_bytes()

    def broken(path, fmt):  # the disk fails while the finished rows are copied
        yield from []
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nlp.batch, "read_rows", broken)
    failed = runner.invoke(app, [*args, "--resume"])
    assert failed.exit_code != 0 and out.read_bytes() == kept  # the finished rows are intact
    monkeypatch.undo()
    out.unlink()  # the output deleted behind the manifest's back
    refused = runner.invoke(app, [*args, "--resume"])
    assert refused.exit_code == 3 and "rows are not in the output" in refused.output


def test_output_and_input_folders_that_cannot_serve_are_clear_errors(tmp_path, reports):
    folder_out = runner.invoke(
        app, ["extract", str(reports), "-o", str(tmp_path), "--model", "rules"]
    )
    assert folder_out.exit_code == 3 and "is a folder" in folder_out.output
    (reports / "loop").symlink_to(reports, target_is_directory=True)  # a symlink loop
    result = runner.invoke(
        app, ["extract", str(reports), "-o", str(tmp_path / "r.jsonl"), "--model", "rules"]
    )
    assert result.exit_code == 0 and "5 documents" in result.output


def test_review_reads_stdin(tmp_path):
    page = tmp_path / "p.html"
    result = runner.invoke(
        app, ["review", "-", "-o", str(page), "--model", "rules"], input="2020年,新增企业6家。"
    )
    assert result.exit_code == 0 and "新增企业" in page.read_text(encoding="utf-8")
