"""The CLI, in process: exit codes, outputs, and that each command is a thin wrapper."""

import json

import pyarrow.parquet as pq
from typer.testing import CliRunner

from nlp.cli import app
from nlp.meta import detect_region
from nlp.records import assemble
from nlp.training.annotations import load_tasks, save_tasks
from nlp.training.markup import parse

runner = CliRunner()


def test_check_passes_on_gold_and_fails_with_reasons(tmp_path, gold_tasks):
    assert runner.invoke(app, ["annotations", "check", "annotations"]).exit_code == 0
    bad = parse("[[地区生产总值|I]]完成[[990|A]]亿元")  # the amount has no record
    save_tasks([bad], tmp_path / "bad.json")
    result = runner.invoke(app, ["annotations", "check", str(tmp_path / "bad.json")])
    assert result.exit_code == 1 and "has no record" in result.output


def test_stats_lists_every_document_a_total_and_the_splits(gold_tasks):
    result = runner.invoke(app, ["annotations", "stats", "annotations"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    amounts = sum(len(t.records()) for t in gold_tasks)
    total = next(line for line in result.output.splitlines() if "total" in line)
    assert str(amounts) in total
    assert "per split × register" in result.output
    for split in ("train", "dev", "test"):
        assert split in result.output


def test_markup_round_trip_through_the_cli(tmp_path, gold_tasks):
    out = tmp_path / "markup"
    assert (
        runner.invoke(app, ["annotations", "to-markup", "annotations", "-o", str(out)]).exit_code
        == 0
    )
    files = sorted(out.glob("*.ann.txt"))
    assert len(files) == len(gold_tasks)
    built = tmp_path / "rebuilt.json"
    result = runner.invoke(app, ["annotations", "build", *map(str, files), "-o", str(built)])
    assert result.exit_code == 0, result.output
    back = {t.name: t for t in load_tasks(built)}
    for task in gold_tasks:  # names and meta come back from meta.json, records unchanged
        assert back[task.name].meta == task.meta
        assert back[task.name].sorted_spans() == task.sorted_spans()
        assert [(r.change, r.approximate) for r in back[task.name].records()] == [
            (r.change, r.approximate) for r in task.records()
        ]


def test_build_reports_a_markup_error_with_its_file(tmp_path):
    bad = tmp_path / "x.ann.txt"
    bad.write_text("第一行\n新增[[5|A|I=企业]][[家|U]]", encoding="utf-8")
    result = runner.invoke(app, ["annotations", "build", str(bad), "-o", str(tmp_path / "o.json")])
    assert result.exit_code == 1 and "x.ann.txt" in result.output and "line 2" in result.output
    assert not (tmp_path / "o.json").exists()


def _span_lines(tmp_path, gold_tasks):
    path = tmp_path / "spans.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for t in gold_tasks:
            line = {
                "doc": t.name,
                "text": t.text,
                "doc_year": t.year,
                "spans": [s.to_dict() for s in t.sorted_spans()],
            }
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def test_assemble_writes_records_in_each_format(tmp_path, gold_tasks):
    spans = _span_lines(tmp_path, gold_tasks)
    n_amounts = sum(1 for t in gold_tasks for s in t.spans.values() if s.label == "AMOUNT")
    out = tmp_path / "records.jsonl"
    assert runner.invoke(app, ["assemble", str(spans), "-o", str(out)]).exit_code == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == n_amounts
    first = gold_tasks[0]
    expected = assemble(first.text, first.sorted_spans(), doc_year=first.year)[0].to_dict(
        first.name
    )
    region = {k: lines[0].pop(k) for k in ("region", "region_level", "region_code", "doc_type")}
    assert lines[0] == json.loads(json.dumps(expected, ensure_ascii=False))
    detected = detect_region(first.text)
    assert region["region"] == (detected and detected.name)
    for fmt in ("csv", "parquet"):
        target = tmp_path / f"records.{fmt}"
        assert (
            runner.invoke(
                app, ["assemble", str(spans), "-o", str(target), "--format", fmt]
            ).exit_code
            == 0
        )
    assert len(pq.read_table(tmp_path / "records.parquet")) == n_amounts
    csv_lines = (tmp_path / "records.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0].startswith("doc,region,region_level,region_code,doc_type,amount_text")
    assert len(csv_lines) > n_amounts


def test_assemble_rejects_an_unknown_format(tmp_path, gold_tasks):
    spans = _span_lines(tmp_path, gold_tasks[:1])
    result = runner.invoke(
        app, ["assemble", str(spans), "-o", str(tmp_path / "x"), "--format", "xml"]
    )
    assert result.exit_code == 2


def test_assemble_names_the_bad_line(tmp_path):
    spans = tmp_path / "bad.jsonl"
    spans.write_text('{"doc": "a", "text": "x", "spans": []}\n{broken\n', encoding="utf-8")
    result = runner.invoke(app, ["assemble", str(spans), "-o", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 1 and "bad.jsonl:2" in result.output


def test_evaluate_records_from_the_cli(tmp_path, gold_tasks):
    spans = _span_lines(tmp_path, gold_tasks)
    records = tmp_path / "records.jsonl"
    runner.invoke(app, ["assemble", str(spans), "-o", str(records)])
    report = tmp_path / "report.json"
    result = runner.invoke(
        app, ["evaluate-records", "annotations", str(records), "--json", str(report)]
    )
    assert result.exit_code == 0 and "core" in result.output
    payload = json.loads(report.read_text(encoding="utf-8"))
    assert (
        payload["amount"]["f1"] == 1.0
        and payload["records"]["matched"] == payload["records"]["gold"]
    )


def test_evaluate_rules_reports_spans_and_records(tmp_path):
    report = tmp_path / "rules.json"
    result = runner.invoke(app, ["evaluate-rules", "annotations", "--json", str(report)])
    assert result.exit_code == 0
    payload = json.loads(report.read_text(encoding="utf-8"))
    assert set(payload) == {"spans", "records"} and 0 < payload["spans"]["micro"]["f1"] < 1


def test_assemble_refuses_spans_that_do_not_match_the_text(tmp_path):
    spans = tmp_path / "bad.jsonl"
    line = {
        "doc": "a",
        "text": "完成990亿元",
        "spans": [{"label": "AMOUNT", "start": 2, "end": 9, "text": "990"}],
    }
    spans.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["assemble", str(spans), "-o", str(tmp_path / "r.jsonl")])
    assert (
        result.exit_code == 1
        and "bad.jsonl:1" in result.output
        and "does not match" in result.output
    )


def test_malformed_exports_are_each_reported_not_a_traceback(tmp_path):
    (tmp_path / "a.json").write_text("[1]", encoding="utf-8")
    (tmp_path / "b.json").write_text('{"data": {"text": null}}', encoding="utf-8")
    (tmp_path / "c.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    task = {"data": {"text": "完成990亿元", "meta": {"year": "twenty"}}, "annotations": []}
    (tmp_path / "d.json").write_text(json.dumps(task), encoding="utf-8")
    result = runner.invoke(app, ["annotations", "check", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    for name, reason in [
        ("a.json", "JSON object"),
        ("b.json", "data.text"),
        ("c.json", "RecursionError"),
        ("d.json", "not a year"),
    ]:
        assert any(name in line and reason in line for line in result.output.splitlines()), name
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["annotations", "check", str(empty)]).exit_code == 1


def test_duplicate_result_ids_and_float_offsets_are_refused(tmp_path):
    result = {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
              "value": {"start": 2, "end": 5, "text": "990", "labels": ["AMOUNT"]}}  # fmt: skip
    task = {"data": {"text": "完成990亿元"}, "annotations": [{"result": [result, result]}]}
    (tmp_path / "dup.json").write_text(json.dumps(task), encoding="utf-8")
    floats = json.loads(json.dumps(task))
    floats["annotations"][0]["result"] = [{**result, "value": {**result["value"], "start": 2.7}}]
    (tmp_path / "float.json").write_text(json.dumps(floats), encoding="utf-8")
    out = runner.invoke(app, ["annotations", "check", str(tmp_path)]).output
    assert "'r1' used twice" in out and "offsets must be integers" in out
