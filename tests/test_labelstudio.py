"""The Label Studio round trip: offline parts, then against a real server.

The live tests install `label-studio` into its own virtual environment (it pins Django and
friends, so it stays out of the project's) unless ``LABEL_STUDIO_VENV`` already has one,
start it on a free port with a pre-created user and token, and stop it by its PID. They skip
only when the server cannot be installed; ``NLP_REQUIRE_LABEL_STUDIO=1`` (set by `.ci/run`)
turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nlp.cli import app
from nlp.errors import UsageError
from nlp.extractor import Extractor
from nlp.schema import LABELS
from nlp.training.annotations import load_tasks, save_tasks, span_result
from nlp.training.labelstudio import (
    Connection,
    LabelStudioError,
    label_config,
    pull,
    push,
    task_payload,
    validate_export,
)

pytestmark = pytest.mark.slow

LABEL_STUDIO_VERSION = "1.23.2"
TOKEN = "0123456789abcdef0123456789abcdef01234567"  # a legacy token for the pre-created user


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- offline -------------------------------------------------------------------------


def test_label_config_names_every_label_and_character_granularity():
    root = ET.fromstring(label_config())
    labels = root.find("Labels")
    text = root.find("Text")
    assert [x.get("value") for x in labels.findall("Label")] == list(LABELS)
    assert labels.get("toName") == text.get("name")
    assert text.get("granularity") == "symbol" and text.get("value") == "$text"
    assert {x.get("value") for x in root.find("Relations")} == {
        "unit",
        "indicator",
        "date",
        "project",
    }
    choices = {c.get("name"): c for c in root.iter("Choices")}
    assert {x.get("value") for x in choices["change"]} == {"increase", "decrease"}
    assert all(c.get("perRegion") == "true" for c in choices.values())


@pytest.mark.parametrize("model", ["rules", None])
def test_task_payload_carries_meta_scores_and_record_relations(model):
    extractor = Extractor.load(model)  # the regex baseline, then the bundled model
    doc = extractor.extract("2020年工作总结\n全年地区生产总值完成990亿元。")
    payload = task_payload(doc, "reports/a.txt", extractor.version)
    meta = payload["data"]["meta"]
    assert meta["source"] == "reports/a.txt" and meta["year"] == 2020 and len(meta["sha256"]) == 64
    (pred,) = payload["predictions"]
    spans = {r["id"]: r for r in pred["result"] if r["type"] == "labels"}
    amount = next(r for r in spans.values() if r["value"]["labels"] == ["AMOUNT"])
    assert amount["value"]["text"] == "990"
    relations = [r for r in pred["result"] if r["type"] == "relation"]
    assert {r["from_id"] for r in relations} == {amount["id"]}
    assert "亿元" in {spans[r["to_id"]]["value"]["text"] for r in relations}
    if model == "rules":  # a regex has no confidence to give
        assert pred["model_version"] == "rules" and pred["score"] is None
    else:  # the model's name and training-data fingerprint, and a score per span
        assert pred["model_version"].startswith("default@") and len(pred["model_version"]) > 9
        scores = [r["score"] for r in spans.values() if "score" in r]  # rule-filled: none
        assert scores and all(0 < x <= 1 for x in scores)
        assert pred["score"] == pytest.approx(sum(scores) / len(scores), abs=1e-4)


def _item(result, task_id=1, cancelled=False):
    text = "全年地区生产总值完成990亿元。"
    return {
        "id": task_id,
        "data": {"text": text, "meta": {"source": f"r{task_id}.txt"}},
        "annotations": [{"id": 1, "result": result, "was_cancelled": cancelled}],
    }


def test_validate_export_keeps_valid_tasks_and_rejects_bad_ones_with_reasons():
    from nlp.schema import Span

    good = [
        span_result("a", Span(10, 13, "AMOUNT", "990")),
        span_result("u", Span(13, 15, "UNIT", "亿元")),
        {"type": "relation", "from_id": "a", "to_id": "u", "direction": "right"},
    ]
    wrong_label = [dict(good[0], value=dict(good[0]["value"], labels=["MONEY"]))]
    wrong_offset = [dict(good[0], value=dict(good[0]["value"], start=9, end=12)), *good[1:]]
    items = [
        _item(good, 1),
        _item(wrong_label, 2),
        _item(wrong_offset, 3),
        _item(good, 4, cancelled=True),
        {"id": 5, "data": {"text": "x"}, "annotations": []},
    ]
    summary = validate_export(items)
    assert [t.id for t in summary.tasks] == [1]
    assert summary.unannotated == 2
    reasons = dict(summary.rejected)
    assert "unknown label 'MONEY'" in " ".join(reasons["task 2 (r2.txt)"])
    assert "does not match the document" in " ".join(reasons["task 3 (r3.txt)"])


def test_connection_errors_are_clear_and_never_show_the_key(monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(UsageError, match="LABEL_STUDIO_URL"):
        Connection.from_env()
    with pytest.raises(UsageError, match="LABEL_STUDIO_API_KEY"):
        Connection.from_env("http://127.0.0.1:1")
    conn = Connection.from_env(f"http://127.0.0.1:{_free_port()}", "secret-key-123")
    assert "secret-key-123" not in repr(conn)
    with pytest.raises(LabelStudioError, match="cannot reach Label Studio") as info:
        pull(conn, "reports")
    assert "secret-key-123" not in str(info.value)


# --- a real server -------------------------------------------------------------------


def _venv() -> Path:
    default = Path.home() / ".cache" / "nlp-tests" / f"label-studio-{LABEL_STUDIO_VERSION}"
    return Path(os.environ.get("LABEL_STUDIO_VENV", default))


def _install(venv: Path) -> Path | str:
    """The label-studio executable, installed on first use; a reason string on failure."""
    exe = venv / "bin" / "label-studio"
    if exe.exists():
        return exe
    log = venv.with_suffix(".install.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "pip"), "install", "-q", f"label-studio=={LABEL_STUDIO_VERSION}"],
        ]
        for step in steps:
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                return f"cannot install label-studio=={LABEL_STUDIO_VERSION} (see {log})"
    return exe


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    exe = _install(_venv())
    if isinstance(exe, str):
        if os.environ.get("NLP_REQUIRE_LABEL_STUDIO") == "1":
            pytest.fail(exe)
        pytest.skip(exe)
    data = tmp_path_factory.mktemp("label-studio-data")
    port = _free_port()
    env = dict(
        os.environ,
        LABEL_STUDIO_USERNAME="annotator@example.com",
        LABEL_STUDIO_PASSWORD="annotator-password-1",
        LABEL_STUDIO_USER_TOKEN=TOKEN,
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        LABEL_STUDIO_BASE_DATA_DIR=str(data),
        LATEST_VERSION_CHECK="false",
        COLLECT_ANALYTICS="false",
        SENTRY_DSN="",
        FRONTEND_SENTRY_DSN="",
    )
    log = (data / "server.log").open("w")
    cmd = [str(exe), "start", "--host", "127.0.0.1", "--port", str(port), "--no-browser"]
    cmd += ["--data-dir", str(data)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"label-studio exited ({proc.returncode}); see {data / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - started > 300:
                pytest.fail(
                    f"label-studio did not answer /health in 300 s; see {data / 'server.log'}"
                )
            time.sleep(1)
        print(f"label-studio up in {time.monotonic() - started:.1f} s", file=sys.stderr)
        yield Connection(url, TOKEN)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _ui_id() -> str:
    """A result id the way the annotation UI makes them (10 random letters and digits)."""
    return "".join(random.choices(string.ascii_letters + string.digits, k=10))


def _ui_results(task) -> list[dict]:
    """The task's spans and relations as the UI posts them: fresh ids, labelled relations."""
    ids = {rid: _ui_id() for rid in task.spans}
    results = []
    for rid, span in sorted(task.spans.items(), key=lambda kv: kv[1]):
        results.append(dict(span_result(ids[rid], span), origin="prediction-changed"))
    for src, dst in task.relations:
        field = {"UNIT": "unit", "INDICATOR": "indicator", "DATE": "date", "PROJECT": "project"}
        results.append(
            {
                "from_id": ids[src],
                "to_id": ids[dst],
                "type": "relation",
                "direction": "right",
                "labels": [field[task.spans[dst].label]],
            }
        )
    return results


def _comparable(task):
    spans = {(s.start, s.end, s.label, s.text) for s in task.spans.values()}
    key = {rid: (s.start, s.end, s.label) for rid, s in task.spans.items()}
    relations = {(key[a], key[b]) for a, b in task.relations}
    return spans, relations


def test_push_annotate_pull_round_trip(server, gold_tasks, tmp_path):
    gold = min(gold_tasks, key=lambda t: len(t.text))  # the shortest seed report
    report = tmp_path / gold.name
    report.write_text(gold.text, encoding="utf-8")
    extractor = Extractor.load("rules")

    first = push(server, "seed round trip", [str(report)], extractor)
    again = push(server, "seed round trip", [str(report)], extractor)
    assert (len(first.created), len(first.skipped)) == (1, 0)
    assert (len(again.created), len(again.skipped)) == (0, 1)  # idempotent

    client = server.client()
    (task,) = list(client.tasks.list(project=first.project))
    assert task.data["text"] == gold.text  # offsets point into exactly this text
    (prediction,) = client.predictions.list(task=task.id)
    assert prediction.model_version == "rules"

    # an annotator corrects the prediction into the gold annotation and submits it
    client.annotations.create(
        task.id,
        result=_ui_results(gold),
        lead_time=42.0,
        parent_prediction=prediction.id,
        project=first.project,
        was_cancelled=False,
    )
    pulled = pull(server, "seed round trip")
    assert pulled.rejected == [] and pulled.unannotated == 0
    (back,) = pulled.tasks
    assert back.text == gold.text
    assert (
        back.meta["source"] == str(report)
        and back.meta["year"] == extractor.extract(gold.text).doc_year
    )
    assert _comparable(back) == _comparable(gold)
    # what `ls pull` writes is gold data: it loads back unchanged
    save_tasks(pulled.tasks, tmp_path / "pulled.json")
    (loaded,) = load_tasks(tmp_path / "pulled.json")
    assert _comparable(loaded) == _comparable(gold) and loaded.meta == back.meta


def test_pull_rejects_what_label_studio_accepts(server, tmp_path):
    report = tmp_path / "short.txt"
    report.write_text("全年地区生产总值完成990亿元。", encoding="utf-8")
    summary = push(server, "bad annotations", [str(report)], Extractor.load("rules"))
    client = server.client()
    (task,) = list(client.tasks.list(project=summary.project))
    bad = {"id": _ui_id(), "from_name": "label", "to_name": "text", "type": "labels"}
    bad["value"] = {"start": 11, "end": 13, "text": "990", "labels": ["AMOUNT"]}  # off by one
    client.annotations.create(task.id, result=[bad], project=summary.project)
    pulled = pull(server, "bad annotations")
    assert pulled.tasks == []
    ((where, reasons),) = pulled.rejected
    assert str(report) in where and any("does not match the document" in r for r in reasons)


def test_cli_push_and_pull(server, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.setenv("LABEL_STUDIO_URL", server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", server.api_key)
    report = tmp_path / "r.txt"
    report.write_text("2020年工作总结\n全年地区生产总值完成990亿元。", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["ls", "push", str(report), "--project", "cli", "--rules"])
    assert result.exit_code == 0, result.output
    assert "1 task(s) created" in result.output and server.api_key not in result.output
    out = tmp_path / "pulled.json"
    result = runner.invoke(app, ["ls", "pull", "--project", "cli", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == []  # nothing annotated yet
    result = runner.invoke(app, ["ls", "pull", "--project", "missing", "-o", str(out)])
    assert (
        result.exit_code == 3
        and "error[labelstudio]" in result.output
        and "no project titled 'missing'" in result.output
    )
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-the-key")
    result = runner.invoke(app, ["ls", "pull", "--project", "cli", "-o", str(out)])
    assert result.exit_code == 3 and "refused the API key" in result.output


def test_a_malformed_server_address_is_a_usage_error_and_credentials_never_show(monkeypatch):
    from nlp.training.labelstudio import redact

    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k")
    with pytest.raises(UsageError, match="not a server address"):
        Connection.from_env("http://[::1")
    with pytest.raises(UsageError, match="not a server address"):
        Connection.from_env("localhost:8080")
    conn = Connection.from_env(f"http://user:s3cret@127.0.0.1:{_free_port()}", "k")
    assert "s3cret" not in conn.shown
    with pytest.raises(LabelStudioError) as info:
        pull(conn, "reports")
    assert "s3cret" not in str(info.value) and "***@" in str(info.value)
    assert redact("see https://a:b@host/x") == "see https://***@host/x"
