"""Rule hints: the regex baseline's tags as a second input of the model (token type ids)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel

from nlp import rules
from nlp.alignment import IGNORE, CharEncoder
from nlp.runners import OnnxRunner, TorchRunner
from nlp.schema import ID2TAG, TAG2ID
from nlp.tagger import Tagger
from nlp.training.config import ModelConfig
from nlp.training.data import build_dataset
from nlp.training.train import build_model, with_hint_types

TEXT = "2020年,全区地区生产总值完成990亿元,同比增长0.2%。"


def test_char_hints_are_the_rule_tags_per_character():
    hints = rules.char_hints(TEXT)
    assert len(hints) == len(TEXT)
    for span in rules.tag(TEXT):
        assert ID2TAG[hints[span.start]] == f"B-{span.label}"
        assert all(ID2TAG[h] == f"I-{span.label}" for h in hints[span.start + 1 : span.end])
    assert hints[TEXT.index("完")] == TAG2ID["O"]


def test_hints_ride_on_every_token_of_their_character(bert_tokenizer):
    encoder = CharEncoder(bert_tokenizer)
    text = "增长Ⅳ5%"
    hints = [1, 2, 3, 4, 5]
    enc = encoder.encode(text, hints=hints)
    assert len(enc["token_type_ids"]) == len(enc["input_ids"])
    assert enc["token_type_ids"][0] == 0 and enc["token_type_ids"][-1] == 0  # [CLS] [SEP]
    owner = None
    for char, tt in zip(enc["char_index"][1:-1], enc["token_type_ids"][1:-1], strict=True):
        owner = char if char != IGNORE else owner
        assert tt == hints[owner]


def test_dataset_with_hints_matches_the_rules_on_each_window(gold_tasks, char_level_tokenizer):
    data = build_dataset(gold_tasks[:2], char_level_tokenizer, max_tokens=64, rule_hints=True)
    texts = {t.name: t.text for t in gold_tasks}
    for ex in data["train"].select(range(20)):
        hints = rules.char_hints(texts[ex["doc"]])
        expected = [0 if c == IGNORE else hints[ex["start"] + c] for c in ex["char_index"]]
        assert ex["token_type_ids"] == expected
    assert "token_type_ids" not in build_dataset(gold_tasks[:1], char_level_tokenizer)["train"][0]


def _tiny(bert_tokenizer, tmp_path):
    config = BertConfig(
        vocab_size=len(bert_tokenizer), hidden_size=32, num_hidden_layers=1,
        num_attention_heads=2, intermediate_size=64,
    )  # fmt: skip
    torch.manual_seed(0)
    BertModel(config).save_pretrained(tmp_path / "base")
    return build_model(ModelConfig(base=str(tmp_path / "base")), bert_tokenizer)


def test_hint_types_start_neutral(bert_tokenizer, tmp_path):
    """Every new type row starts as the pretrained type 0: untrained, hints change nothing."""
    model = _tiny(bert_tokenizer, tmp_path).eval()
    ids = torch.tensor([[101, 2769, 102]])
    before = model(input_ids=ids).logits
    model = with_hint_types(model)
    assert model.config.type_vocab_size == len(TAG2ID)
    types = torch.tensor([[0, TAG2ID["B-DATE"], 0]])
    assert torch.allclose(model(input_ids=ids, token_type_ids=types).logits, before, atol=1e-6)
    with pytest.raises(ValueError, match="pretrained base"):
        build_model(ModelConfig(rule_hints=True), bert_tokenizer)


class HintEcho(torch.nn.Module):
    """Predicts for each token the tag its hint names: the tagger then returns the rules'."""

    def __init__(self):
        super().__init__()
        self.config = BertConfig(id2label=dict(ID2TAG))
        self.weight = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        logits = torch.nn.functional.one_hot(token_type_ids, len(TAG2ID)).float() * 10
        return type("Out", (), {"logits": logits})


def test_the_tagger_feeds_hints_to_the_model(bert_tokenizer):
    tagger = Tagger(HintEcho(), bert_tokenizer, max_tokens=16, stride=4, rule_hints=True)
    tagger.decoding = type(tagger.decoding)(drop_boilerplate=False)
    got = [(s.start, s.end, s.label) for s in tagger.tag(TEXT)]
    assert got == [(s.start, s.end, s.label) for s in rules.tag(TEXT)]


def test_onnx_export_takes_the_hints(bert_tokenizer, tmp_path):
    import json

    from nlp.training.export import export_onnx

    pytest.importorskip("onnx")
    model = with_hint_types(_tiny(bert_tokenizer, tmp_path))
    with torch.no_grad():  # make the types matter
        model.bert.embeddings.token_type_embeddings.weight.normal_()
    out = tmp_path / "hinted"
    model.save_pretrained(out)
    bert_tokenizer.save_pretrained(out)
    (out / "nlp.json").write_text(json.dumps({"config": {"model": {"rule_hints": True}}}))
    ids = np.array([[101, 2769, 1963, 102]], dtype=np.int64)
    mask = np.ones_like(ids)
    types = np.array([[0, 3, 8, 0]], dtype=np.int64)
    torch_probs = TorchRunner(model.eval())(ids, mask, types)
    onnx_probs = OnnxRunner(export_onnx(out, quantize=False))(ids, mask, types)
    plain = TorchRunner(model)(ids, mask)
    assert np.allclose(onnx_probs, torch_probs, atol=1e-4)
    assert not np.allclose(plain, torch_probs, atol=1e-4)  # the hints did change the output
    assert Tagger.load(out, device="cpu").rule_hints
