"""Training: the smoke config end to end, resume, the saved model, torchrun, pretrained path."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    BertConfig,
    BertModel,
)

from nlp.alignment import IGNORE
from nlp.errors import ConfigError
from nlp.schema import TAG2ID
from nlp.tagger import Tagger
from nlp.training.config import load_config
from nlp.training.train import train, weighted_loss

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "configs" / "smoke.yaml"


def _smoke(tmp_path: Path, *overrides: str):
    return load_config(
        SMOKE,
        [
            f"output_dir={tmp_path / 'model'}",
            f"data.annotations={ROOT / 'annotations'}",
            *overrides,
        ],
    )


def _losses(model_dir: Path) -> list[tuple[int, float]]:
    history = json.loads((model_dir / "nlp.json").read_text(encoding="utf-8"))["log_history"]
    return [(h["step"], h["loss"]) for h in history if "loss" in h]


@pytest.fixture(scope="module")
def smoke_model(tmp_path_factory) -> Path:
    return train(_smoke(tmp_path_factory.mktemp("smoke")))


def test_smoke_training_lowers_the_loss_and_saves_a_standard_model(smoke_model):
    losses = _losses(smoke_model)
    assert len(losses) >= 4 and losses[-1][1] < losses[0][1]
    names = {p.name for p in smoke_model.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "nlp.json", "README.md"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names)  # nothing to unpickle
    config = json.loads((smoke_model / "config.json").read_text(encoding="utf-8"))
    assert config["id2label"]["0"] == "O" and len(config["id2label"]) == 11
    meta = json.loads((smoke_model / "nlp.json").read_text(encoding="utf-8"))
    assert meta["schema_version"] == "1" and len(meta["data_fingerprint"]) == 16
    assert meta["config"]["optim"]["max_steps"] == 6


def test_plain_transformers_gives_the_same_predictions_as_nlp(smoke_model):
    text = "全区地区生产总值完成990亿元同比增长0.2%"  # no spaces: one token per character
    model = AutoModelForTokenClassification.from_pretrained(smoke_model).eval()
    tokenizer = AutoTokenizer.from_pretrained(smoke_model)
    with torch.no_grad():
        logits = model(**tokenizer(text, return_tensors="pt")).logits[0, 1:-1]
    plain = [model.config.id2label[int(i)] for i in logits.argmax(-1)]
    tagger = Tagger.load(smoke_model, device="cpu")
    (ours,) = tagger.char_probs([text])
    assert len(plain) == len(text)
    assert [tagger.id2label[int(i)] for i in ours.argmax(-1)] == plain
    assert np.allclose(ours.sum(-1), 1.0, atol=1e-5)


def test_resume_continues_from_the_last_checkpoint(tmp_path, caplog):
    first = train(_smoke(tmp_path, "optim.max_steps=4"))
    assert (first / "checkpoints" / "checkpoint-4").is_dir()
    before = _losses(first)
    with caplog.at_level("INFO", logger="nlp.training.train"):
        # a different learning rate would change steps 2-4 if they were run again
        resumed = train(_smoke(tmp_path, "optim.max_steps=8", "optim.lr=0.05"))
    assert any(
        "resuming from" in r.getMessage() and "checkpoint-4" in r.getMessage()
        for r in caplog.records
    )
    after = _losses(resumed)
    assert [step for step, _ in after] == list(range(1, 9))
    assert after[:4] == before  # carried over from the checkpoint, not recomputed


def test_config_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"optim\.lrr"):
        load_config(SMOKE, ["optim.lrr=1"])
    with pytest.raises(ConfigError, match=r"optim\.batch_size: expected int"):
        load_config(SMOKE, ["optim.batch_size=big"])
    with pytest.raises(ConfigError, match="precision"):
        load_config(SMOKE, ["precision=fp8"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: [1, 2]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: model"):
        load_config(bad)


def test_weighted_labels_count_more_in_the_loss_and_plain_stays_the_models_own():
    assert weighted_loss(load_config(None).optim) is None
    optim = load_config(None, ["optim.weighted_labels=[INDICATOR]", "optim.label_weight=3"]).optim
    loss = weighted_loss(optim)
    logits = torch.zeros(1, 3, len(TAG2ID))  # uniform: every token costs log(C)
    labels = torch.tensor([[TAG2ID["B-INDICATOR"], TAG2ID["O"], IGNORE]])
    out = loss(type("Out", (), {"logits": logits})(), labels)
    per_token = torch.log(torch.tensor(float(len(TAG2ID))))
    assert torch.isclose(out, (3 * per_token + per_token) / 2)
    with pytest.raises(ConfigError, match="INDICATORS"):
        load_config(None, ["optim.weighted_labels=[INDICATORS]"])


def test_pretrained_path_with_a_local_directory(tmp_path, bert_tokenizer):
    """The code users run with `model.base: bert-base-chinese`, on a tiny BERT saved here."""
    base = tmp_path / "tiny-bert"
    config = BertConfig(
        vocab_size=len(bert_tokenizer),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
    )
    BertModel(config).save_pretrained(base)  # an encoder without a head, like the hub's
    bert_tokenizer.save_pretrained(base)
    out = train(_smoke(tmp_path, f"model.base={base}"))
    saved = AutoTokenizer.from_pretrained(out)
    assert saved.tokenize("2019年") == ["2019", "年"]  # the encoder's own WordPiece vocabulary
    model = AutoModelForTokenClassification.from_pretrained(out)
    # the base encoder's architecture and vocabulary, not the compact model from scratch
    assert (model.config.hidden_size, model.config.num_hidden_layers) == (32, 1)
    assert model.config.vocab_size == len(bert_tokenizer)
    text = "完成投资20gw,增长5%"
    spans = Tagger.load(out, device="cpu").tag(text)
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.skipif(sys.platform != "linux", reason="torchrun with gloo is exercised on Linux")
def test_torchrun_two_cpu_processes(tmp_path):
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533",
        "-m", "nlp", "train", str(SMOKE), "--set", f"output_dir={out}",
        "--set", f"data.annotations={ROOT / 'annotations'}", "--set", "optim.max_steps=3",
        "--set", "optim.effective_batch=32",  # smoke batch_size 8 × 2 processes × 2 steps
    ]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rank 0/2 done" in result.stdout and "rank 1/2 done" in result.stdout
    meta = json.loads((out / "nlp.json").read_text(encoding="utf-8"))
    assert meta["world_size"] == 2 and meta["grad_accum"] == 2
    assert (out / "model.safetensors").exists()


def test_onnx_export_matches_pytorch_and_runs_in_the_tagger(smoke_model, tmp_path):
    import shutil

    import numpy as np

    from nlp.runners import OnnxRunner, TorchRunner
    from nlp.training.export import export_onnx

    pytest.importorskip("onnx")
    model_dir = tmp_path / "m"
    shutil.copytree(smoke_model, model_dir, ignore=shutil.ignore_patterns("checkpoints"))
    fp32 = export_onnx(model_dir, quantize=False)
    ids = np.array([[1, 5, 6, 7, 2, 0], [1, 8, 9, 2, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    model = AutoModelForTokenClassification.from_pretrained(model_dir).eval()
    torch_probs = TorchRunner(model)(ids, mask)
    onnx_probs = OnnxRunner(fp32, threads=2)(ids, mask)  # padded batch, a slice per thread
    assert np.allclose(onnx_probs, OnnxRunner(fp32, threads=1)(ids, mask), atol=1e-6)
    assert (onnx_probs.argmax(-1) == torch_probs.argmax(-1))[mask == 1].all()
    assert np.allclose(onnx_probs[mask == 1], torch_probs[mask == 1], atol=1e-4)
    export_onnx(model_dir)
    tagger = Tagger.load(model_dir, device="cpu")  # auto on a CPU: the int8 ONNX copy
    assert isinstance(tagger.runner, OnnxRunner)
    assert tagger.char_probs(["增长5%"])[0].shape == (4, len(tagger.id2label))


def test_effective_batch_sets_accumulation_for_any_number_of_gpus():
    from nlp.training.config import OptimConfig
    from nlp.training.train import accumulation_steps

    optim = OptimConfig(batch_size=16, effective_batch=128)
    assert [accumulation_steps(optim, n) for n in (1, 2, 4, 8)] == [8, 4, 2, 1]
    with pytest.raises(ValueError, match="not a multiple"):
        accumulation_steps(optim, 3)
    assert accumulation_steps(OptimConfig(grad_accum=3), 8) == 3  # unset: as configured


def test_crossval_scores_folds_and_reuses_saved_fold_models(tmp_path):
    from nlp.training.crossval import crossval

    config = _smoke(tmp_path)
    first = crossval(config, folds=[0])
    (held_out,) = first["predictions"]
    assert [f["document"] for f in first["folds"]] == [held_out]
    assert set(first["pooled"]) == {"model", "model+rules", "rules"}
    weights = tmp_path / "model" / "fold-0" / "model.safetensors"
    trained_at = weights.stat().st_mtime_ns
    again = crossval(config, folds=[0], reuse=True)
    assert weights.stat().st_mtime_ns == trained_at  # scored, not trained again
    assert again["predictions"] == first["predictions"]
    with pytest.raises(FileNotFoundError, match="fold-1"):
        crossval(config, folds=[1], reuse=True)


def test_a_missing_base_encoder_is_a_clear_error_not_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    missing = tmp_path / "no" / "encoder"
    args = [
        "train", str(SMOKE), "--set", f"output_dir={tmp_path / 'out'}",
        "--set", f"data.annotations={ROOT / 'annotations'}", "--set", f"model.base={missing}",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3, result.output
    assert (
        "error[model]" in result.output
        and "is not a local directory" in result.output
        and "Traceback" not in result.output
    )


def test_training_refuses_invalid_gold_before_any_work(tmp_path):
    from nlp.errors import AnnotationError
    from nlp.training.annotations import save_tasks
    from nlp.training.markup import parse

    gold = tmp_path / "gold"
    bad = parse("[[地区生产总值|I]]完成[[990|A]]亿元")  # an amount with no record
    save_tasks([bad], gold / "bad.json")
    with pytest.raises(AnnotationError, match="nlp annotations check"):
        train(_smoke(tmp_path, f"data.annotations={gold}"))
    assert not (tmp_path / "model").exists()  # nothing trained, nothing written
