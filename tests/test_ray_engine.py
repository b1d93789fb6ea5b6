"""The Ray engine against the local one, on a local Ray instance with this machine's CPUs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install '.[ray]')")

from nlp.batch import manifest_path, run  # noqa: E402
from nlp.extractor import Extractor  # noqa: E402
from nlp.ray_engine import run_ray  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def extractor():
    return Extractor.load()  # the bundled model, as `nlp extract` uses it


@pytest.fixture
def seed_tasks(gold_tasks):
    """The five seed reports: enough to exercise the engine, few enough to be quick."""
    return [t for t in gold_tasks if t.meta.get("register") == "seeds"]


def _reports(folder: Path, gold_tasks) -> Path:
    folder.mkdir()
    for task in gold_tasks:
        (folder / task.name).write_text(task.text, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01 not a report")
    return folder


def _shard_rows(out: Path) -> list[dict]:
    if any(out.glob("part-*.parquet")):
        import pyarrow.parquet as pq

        return [r for p in sorted(out.glob("part-*.parquet")) for r in pq.read_table(p).to_pylist()]
    return [
        json.loads(line)
        for p in sorted(out.glob("part-*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]


def _canonical(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)


def test_ray_engine_writes_what_the_local_engine_writes(local_ray, extractor, seed_tasks, tmp_path):
    reports = _reports(tmp_path / "reports", seed_tasks)
    local = run([str(reports)], tmp_path / "local.jsonl", extractor)
    shards = tmp_path / "shards"
    summary = run_ray([str(reports)], shards, workers=2)

    local_rows = [
        json.loads(x) for x in (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(local_rows) > 700
    assert _canonical(_shard_rows(shards)) == _canonical(local_rows)
    assert len(list(shards.glob("part-*.jsonl"))) >= 2  # both actors wrote a shard
    assert (summary.documents, summary.records) == (local.documents, local.records)
    # the bad file is reported, in the summary and the manifest, and stops nothing
    ((doc, reason),) = summary.failures
    assert doc.endswith("broken.txt") and "binary file" in reason
    manifest = [
        json.loads(x) for x in manifest_path(shards).read_text(encoding="utf-8").splitlines()
    ]
    assert sum(1 for m in manifest if m["error"]) == 1
    assert {m["shard"] for m in manifest if not m["error"]} == {
        p.name for p in shards.glob("part-*")
    }


def test_ray_engine_resumes_and_redoes_only_changed_reports(
    local_ray, extractor, seed_tasks, tmp_path
):
    reports = _reports(tmp_path / "reports", seed_tasks)
    shards = tmp_path / "shards"
    run_ray([str(reports)], shards, fmt="parquet", workers=2)
    before = _shard_rows(shards)

    again = run_ray([str(reports)], shards, fmt="parquet", workers=2, resume=True)
    assert (again.skipped, again.documents) == (len(seed_tasks), 0)
    assert len(again.failures) == 1  # the broken file is tried again, and fails again
    assert _canonical(_shard_rows(shards)) == _canonical(before)

    changed = reports / seed_tasks[0].name
    changed.write_text(seed_tasks[0].text.replace("。", "。\n", 3), encoding="utf-8")
    third = run_ray([str(reports)], shards, fmt="parquet", workers=2, resume=True)
    assert (third.skipped, third.documents) == (len(seed_tasks) - 1, 1)
    rows = _shard_rows(shards)
    assert len(rows) == len(before)  # the changed report's old rows went, new ones came
    new_rows = [r for r in rows if r["doc"] == str(changed)]
    local = run([str(changed)], tmp_path / "one.jsonl", extractor)
    assert len(new_rows) == local.records


def test_cli_ray_engine_refuses_csv_and_emit_text(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    result = CliRunner().invoke(
        app, ["extract", str(tmp_path), "-o", str(tmp_path / "o"), "-f", "csv", "--engine", "ray"]
    )
    assert result.exit_code == 2 and "jsonl or parquet" in result.output


def test_no_cluster_at_the_address_is_one_usage_line(tmp_path, monkeypatch):
    import ray
    from typer.testing import CliRunner

    from nlp.cli import app

    if ray.is_initialized():
        ray.shutdown()
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    out = tmp_path / "shards"
    result = CliRunner().invoke(
        app, ["extract", str(tmp_path), "-o", str(out), "--engine", "ray", "--address", "auto"]
    )
    assert result.exit_code == 2, result.output
    assert "no Ray cluster there" in result.output and "ray start --head" in result.output
    assert "Traceback" not in result.output
