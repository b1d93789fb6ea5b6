"""Annotations → a `datasets.DatasetDict` of character-aligned BIO examples, split by document.

Each example is a window of whole sentences within a token budget (long sentences are cut
with a stride), with one label per character on its first token (see `nlp.alignment`).
Splits never put windows of one document on both sides of train/test: with ``fold=k`` the
k-th document (in name order) is the test set, for leave-one-document-out evaluation.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from datasets import Dataset, DatasetDict

from nlp.alignment import IGNORE, CharEncoder, char_tags, tags_to_spans
from nlp.rules import char_hints
from nlp.schema import ID2TAG, Span
from nlp.training.annotations import Task


def task_examples(
    task: Task, encoder: CharEncoder, *, max_tokens: int, stride: int, rule_hints: bool = False
) -> Iterator[dict[str, Any]]:
    """The training examples of one document, in document order (with ``rule_hints``, the
    rule baseline's tags as ``token_type_ids``)."""
    spans = task.sorted_spans()
    hints = char_hints(task.text) if rule_hints else None
    for s, e in encoder.windows(task.text, max_tokens=max_tokens, stride=stride, spans=spans):
        tags = char_tags(e - s, spans, offset=s)
        yield {
            "doc": task.name,
            "start": s,
            "text": task.text[s:e],
            **encoder.encode(task.text[s:e], tags, hints[s:e] if hints else None),
        }


def example_spans(example: dict[str, Any]) -> list[Span]:
    """Decode an example's labels back into document spans (the round trip of the tests)."""
    tags = ["O"] * len(example["text"])
    for char, label in zip(example["char_index"], example["labels"], strict=True):
        if char != IGNORE:
            tags[char] = ID2TAG[label]
    return tags_to_spans(example["text"], tags, offset=example["start"])


def split_tasks(
    tasks: Sequence[Task],
    *,
    fold: int | None = None,
    test_docs: Sequence[str] = (),
    dev_docs: Sequence[str] = (),
) -> dict[str, list[Task]]:
    """Documents per split: ``fold`` picks the k-th document (by name) as test, or name
    test and dev documents explicitly; the rest is train."""
    by_name = {t.name: t for t in tasks}
    names = sorted(by_name)
    unknown = [n for n in (*test_docs, *dev_docs) if n not in by_name]
    if unknown:
        raise ValueError(f"unknown documents {unknown}; the annotations hold {names}")
    if fold is not None:
        if not 0 <= fold < len(names):
            raise ValueError(f"fold {fold} out of range: there are {len(names)} documents")
        test_docs = [names[fold]]
    overlap = set(test_docs) & set(dev_docs)
    if overlap:
        raise ValueError(f"documents in both test and dev: {sorted(overlap)}")
    held = set(test_docs) | set(dev_docs)
    return {
        "train": [by_name[n] for n in names if n not in held],
        "dev": [by_name[n] for n in names if n in dev_docs],
        "test": [by_name[n] for n in names if n in test_docs],
    }


def build_dataset(
    tasks: Sequence[Task],
    tokenizer: Any,
    *,
    max_tokens: int = 256,
    stride: int = 32,
    fold: int | None = None,
    test_docs: Sequence[str] = (),
    dev_docs: Sequence[str] = (),
    dev_fraction: float = 0.15,
    seed: int = 0,
    rule_hints: bool = False,
) -> DatasetDict:
    """Train/dev/test examples. Without dev documents, dev is a seeded ``dev_fraction`` of
    the training documents' windows (for early stopping only; test stays whole documents)."""
    encoder = CharEncoder(tokenizer)
    split = split_tasks(tasks, fold=fold, test_docs=test_docs, dev_docs=dev_docs)
    rows = {
        name: [
            ex
            for task in docs
            for ex in task_examples(
                task, encoder, max_tokens=max_tokens, stride=stride, rule_hints=rule_hints
            )
        ]
        for name, docs in split.items()
    }
    if not split["dev"] and dev_fraction > 0 and rows["train"]:
        order = list(range(len(rows["train"])))
        random.Random(seed).shuffle(order)
        n_dev = max(1, round(dev_fraction * len(order)))
        dev_ids = set(order[:n_dev])
        rows["dev"] = [ex for i, ex in enumerate(rows["train"]) if i in dev_ids]
        rows["train"] = [ex for i, ex in enumerate(rows["train"]) if i not in dev_ids]
    return DatasetDict({name: Dataset.from_list(r) if r else _empty() for name, r in rows.items()})


def _empty() -> Dataset:
    return Dataset.from_dict(
        {
            k: []
            for k in ("doc", "start", "text", "input_ids", "attention_mask", "char_index", "labels")
        }
    )
