"""Shared fixtures: the gold annotations and the local tokenizers."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.training.annotations import Task, load_tasks
from nlp.training.tokenization import char_tokenizer, char_vocabulary, wordpiece_tokenizer

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "annotations"
SHARED = ROOT.parent / "shared"
BERT_VOCAB = SHARED / "tokenizers" / "bert-base-chinese" / "vocab.txt"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def gold_tasks() -> list[Task]:
    return load_tasks(ANNOTATIONS)


@pytest.fixture(scope="session")
def bert_tokenizer():
    if not BERT_VOCAB.exists():
        pytest.skip(f"{BERT_VOCAB} is absent: the real bert-base-chinese vocabulary is needed")
    return wordpiece_tokenizer(BERT_VOCAB)


@pytest.fixture(scope="session")
def char_level_tokenizer(gold_tasks):
    # built from half the documents, so unseen characters ([UNK]) are exercised too
    return char_tokenizer(char_vocabulary(t.text for t in gold_tasks[::2]))
