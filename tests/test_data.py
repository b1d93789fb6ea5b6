"""The character round trip: gold spans → BIO per character → token labels → spans."""

import itertools

import numpy as np
import pytest

from nlp.alignment import IGNORE, CharEncoder, bio_viterbi, char_tags, tags_to_spans, windows
from nlp.schema import ID2TAG, Span
from nlp.training.data import build_dataset, example_spans, split_tasks


def _all_spans(dataset) -> dict[str, set]:
    got: dict[str, set] = {}
    for split in dataset.values():
        for ex in split:
            got.setdefault(ex["doc"], set()).update(
                (s.start, s.end, s.label, s.text) for s in example_spans(ex)
            )
    return got


@pytest.mark.parametrize("tokenizer_name", ["bert_tokenizer", "char_level_tokenizer"])
@pytest.mark.parametrize(("max_tokens", "stride"), [(128, 16), (512, 64), (48, 8)])
def test_every_gold_span_survives_the_round_trip(
    request, gold_tasks, tokenizer_name, max_tokens, stride
):
    tokenizer = request.getfixturevalue(tokenizer_name)
    dataset = build_dataset(gold_tasks, tokenizer, max_tokens=max_tokens, stride=stride)
    got = _all_spans(dataset)
    for task in gold_tasks:
        gold = {(s.start, s.end, s.label, s.text) for s in task.spans.values()}
        assert got[task.name] == gold, task.name
    assert max(len(ids) for split in dataset.values() for ids in split["input_ids"]) <= max_tokens


def test_bert_pieces_that_cross_boundaries_are_split_per_character(bert_tokenizer):
    # bert-base-chinese makes single pieces of `2019` and `5kg`, `20g`+`##w`
    assert "2019" in bert_tokenizer.tokenize("2019年") and "5kg" in bert_tokenizer.tokenize("5kg")
    text = "装机20gw,重5kg"
    spans = [
        Span.of(text, 2, 4, "AMOUNT"),
        Span.of(text, 4, 6, "UNIT"),
        Span.of(text, 8, 9, "AMOUNT"),
    ]
    enc = CharEncoder(bert_tokenizer).encode(text, char_tags(len(text), spans))
    tags = ["O"] * len(text)
    for char, label in zip(enc["char_index"], enc["labels"], strict=True):
        if char != IGNORE:
            tags[char] = ID2TAG[label]
    assert tags_to_spans(text, tags) == spans


@pytest.mark.parametrize("char", [" ", "\u3000", "\u200b", "\ufeff", "\t"])
def test_characters_without_tokens_keep_a_placeholder_position(bert_tokenizer, char):
    text = f"增长{char}2%"
    enc = CharEncoder(bert_tokenizer).encode(text, ["O"] * len(text))
    positions = [c for c in enc["char_index"] if c != IGNORE]
    assert positions == list(range(len(text)))


def test_windows_stay_within_budget_and_never_cut_a_span():
    text = "甲" * 30 + "地区生产总值" + "乙" * 30
    span = Span.of(text, 30, 36, "INDICATOR")
    wins = windows(text, budget=20, stride=5, spans=[span])
    assert all(e - s <= 20 for s, e in wins)
    assert wins[0][0] == 0 and wins[-1][1] == len(text)
    assert any(s <= 30 and e >= 36 for s, e in wins)
    assert not any(s < 30 < e < 36 or 30 < s < 36 < e for s, e in wins)


def test_windows_pack_whole_sentences():
    text = "一二三。四五六。七八九。"
    assert windows(text, budget=8, stride=2) == [(0, 8), (8, 12)]


def test_windows_skip_sentences_outside_the_regions_and_never_reach_across_one():
    text = "一二三。四五六。七八九。"
    assert windows(text, budget=12, stride=2) == [(0, 12)]
    # the middle sentence overlaps no region: left out, and the two others stay apart
    assert windows(text, budget=12, stride=2, within=[(1, 2), (9, 10)]) == [(0, 4), (8, 12)]
    assert windows(text, budget=12, stride=2, within=[(3, 5)]) == [(0, 8)]
    assert windows(text, budget=12, stride=2, within=[]) == []


def test_bio_repair_opens_a_span_on_a_stray_inside_tag():
    text = "增长2.5%"
    spans = tags_to_spans(
        text, ["O", "O", "I-AMOUNT", "I-AMOUNT", "I-AMOUNT", "B-UNIT"], scores=[1] * 6
    )
    assert [(s.text, s.label, s.score) for s in spans] == [
        ("2.5", "AMOUNT", 1.0),
        ("%", "UNIT", 1.0),
    ]


def _valid_bio(path, tags):
    names = [tags[i] for i in path]
    return all(
        not b.startswith("I-") or (a[2:] == b[2:] and a != "O")
        for a, b in zip(["O", *names], names, strict=False)
    )


def test_viterbi_finds_the_most_probable_valid_bio_sequence():
    tags = ["O", "B-DATE", "I-DATE", "B-UNIT", "I-UNIT"]
    rng = np.random.default_rng(0)
    for _ in range(30):
        probs = rng.dirichlet(np.ones(len(tags)), size=4)  # no character sure to be O
        path = bio_viterbi(probs, tags)
        assert _valid_bio(path, tags)
        logp = np.log(probs)
        best = max(
            (p for p in itertools.product(range(len(tags)), repeat=4) if _valid_bio(p, tags)),
            key=lambda p: logp[np.arange(4), p].sum(),
        )
        assert np.isclose(logp[np.arange(4), path].sum(), logp[np.arange(4), best].sum())


def test_viterbi_keeps_a_span_whole_where_one_character_is_unsure():
    tags = ["O", "B-DATE", "I-DATE"]
    # 1948年: the second character leans O, its neighbours say DATE
    probs = np.array([[0.1, 0.8, 0.1], [0.5, 0.1, 0.4], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]])
    greedy = tags_to_spans("1948", [tags[i] for i in probs.argmax(-1)])
    best = tags_to_spans("1948", [tags[i] for i in bio_viterbi(probs, tags)])
    assert [s.text for s in greedy] == ["1", "48"]
    assert [s.text for s in best] == ["1948"]
    sure = np.array([[0.1, 0.8, 0.1], [0.995, 0.001, 0.004], [0.1, 0.2, 0.7]])
    assert bio_viterbi(sure, tags).tolist() == [1, 0, 1]  # a sure O ends the span
    valid = np.array([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]])
    assert bio_viterbi(valid, tags).tolist() == [1, 2, 0]  # already valid: unchanged
    assert bio_viterbi(np.zeros((0, 3)), tags).tolist() == []


def test_split_by_document_and_folds(gold_tasks):
    names = sorted(t.name for t in gold_tasks)
    for k, name in enumerate(names):
        split = split_tasks(gold_tasks, fold=k)
        assert [t.name for t in split["test"]] == [name]
        assert name not in {t.name for t in split["train"]}
    with pytest.raises(ValueError, match="out of range"):
        split_tasks(gold_tasks, fold=len(names))
    with pytest.raises(ValueError, match="unknown documents"):
        split_tasks(gold_tasks, test_docs=["nope.txt"])


def test_dataset_splits_hold_whole_test_documents(gold_tasks, char_level_tokenizer):
    dataset = build_dataset(gold_tasks, char_level_tokenizer, fold=2, dev_fraction=0.2, seed=1)
    test_docs = set(dataset["test"]["doc"])
    assert test_docs == {sorted(t.name for t in gold_tasks)[2]}
    assert not test_docs & set(dataset["train"]["doc"]) and len(dataset["dev"]) > 0
    again = build_dataset(gold_tasks, char_level_tokenizer, fold=2, dev_fraction=0.2, seed=1)
    assert again["dev"]["start"] == dataset["dev"]["start"]


@pytest.mark.parametrize("tokenizer_name", ["bert_tokenizer", "char_level_tokenizer"])
def test_cached_encoding_equals_the_tokenizer_on_split_words(request, gold_tasks, tokenizer_name):
    tokenizer = request.getfixturevalue(tokenizer_name)
    encoder = CharEncoder(tokenizer)
    text = gold_tasks[2].text[:3000] + " 20gw\u3000５kg\ufeff"
    for start in range(0, len(text), 250):
        window = text[start : start + 250]
        words = [
            c
            if encoder.tokenizer(c, add_special_tokens=False)["input_ids"]
            else tokenizer.unk_token
            for c in window
        ]
        expected = tokenizer(words, is_split_into_words=True)
        assert encoder.encode(window)["input_ids"] == expected["input_ids"]
