"""Continued masked-LM pretraining (`nlp pretrain`) on a tiny encoder."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForTokenClassification, BertConfig, BertModel

from nlp.training.pretrain import PretrainConfig, pretrain

pytestmark = pytest.mark.slow

TEXTS = [
    f"{2015 + i}年,全区地区生产总值完成{900 + 7 * i}亿元,同比增长{i % 5}.{i % 7}%。"
    f"一般公共预算收入{30 + i}亿元。新建学校{i + 2}所。"
    for i in range(40)
]


def _base(bert_tokenizer, tmp_path):
    config = BertConfig(
        vocab_size=len(bert_tokenizer), hidden_size=32, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip
    torch.manual_seed(0)
    BertModel(config, add_pooling_layer=False).save_pretrained(tmp_path / "base")
    bert_tokenizer.save_pretrained(tmp_path / "base")
    return tmp_path / "base"


def _config(base, **kw) -> PretrainConfig:
    return PretrainConfig(
        base=str(base), max_tokens=32, stride=4, batch_size=8, head_lr=1e-2, lr=1e-3, **kw
    )


def test_the_head_phase_leaves_the_encoder_alone_and_lowers_the_loss(bert_tokenizer, tmp_path):
    base = _base(bert_tokenizer, tmp_path)
    out = pretrain(_config(base, head_steps=15, steps=0), TEXTS, tmp_path / "head")
    before, after = load_file(base / "model.safetensors"), load_file(out / "model.safetensors")
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)  # the encoder stayed frozen
    loss = json.loads((out / "pretrain.json").read_text())["held_out_loss"]
    assert loss["after_head"] < loss["before"]


def test_pretraining_changes_the_encoder_and_fine_tuning_can_load_it(bert_tokenizer, tmp_path):
    base = _base(bert_tokenizer, tmp_path)
    out = pretrain(_config(base, head_steps=5, steps=10, keep_layers=1), TEXTS, tmp_path / "mlm")
    weights = load_file(out / "model.safetensors")
    original = load_file(base / "model.safetensors")
    key = "embeddings.word_embeddings.weight"
    assert not torch.equal(weights[key], original[key])
    assert not any(".layer.1." in k for k in weights)  # only the lower layer was kept
    summary = json.loads((out / "pretrain.json").read_text())
    assert summary["config"]["keep_layers"] == 1 and summary["windows"]["held_out"] >= 1
    assert set(summary["held_out_loss"]) == {"before", "after_head", "after_all"}
    assert not (out / "checkpoints").exists()
    model = AutoModelForTokenClassification.from_pretrained(out, num_labels=3)
    assert model.config.num_hidden_layers == 1


def test_cli_refuses_a_folder_without_texts(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    (tmp_path / "empty").mkdir()
    args = ["pretrain", "any-base", "--texts", str(tmp_path / "empty"), "-o", str(tmp_path / "o")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "no texts" in result.output
