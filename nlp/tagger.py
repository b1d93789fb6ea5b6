"""The tagging engine: documents → spans with a token-classification model.

Windows of whole sentences (cut with a stride inside very long ones) are encoded one word
per character (`nlp.alignment`), sorted by length into batches with dynamic padding, run
without gradients, and merged back per character: where windows overlap, the prediction
from the window in which the character sits farthest from an edge wins. BIO is repaired
on the way back to spans, and span edges never hold whitespace or punctuation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from nlp import rules
from nlp.alignment import IGNORE, CharEncoder, tags_to_spans, windows
from nlp.schema import Span

_EDGE = set(" \t\r\n\u3000\u200b\ufeff,，。.;；:：、!！?？()（）“”\"'‘’《》【】[]")
DEFAULT_MAX_TOKENS = 256
DEFAULT_STRIDE = 32


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    if dtype == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dtype]


@dataclass(frozen=True, slots=True)
class _Window:
    doc: int
    start: int
    end: int
    input_ids: list[int]
    char_index: list[int]


def trim(text: str, span: Span) -> Span | None:
    """A span without whitespace or punctuation at its edges (None when nothing is left)."""
    s, e = span.start, span.end
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    if s == e:
        return None
    return span if (s, e) == (span.start, span.end) else Span.of(text, s, e, span.label, span.score)


def fill_with_rules(
    spans: Sequence[Span], rule_spans: Sequence[Span], labels: Sequence[str]
) -> list[Span]:
    """The model's spans plus the rules' spans of ``labels`` that overlap none of them: the
    regex's sure finds (dates, amounts) fill what the model missed, never override it."""
    taken = sorted((s.start, s.end) for s in spans)
    extra = []
    for r in rule_spans:
        if r.label in labels and all(r.end <= a or r.start >= b for a, b in taken):
            extra.append(r)
    return sorted([*spans, *extra])


class Tagger:
    """A token-classification model with its tokenizer and window settings."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        stride: int = DEFAULT_STRIDE,
        batch_size: int = 32,
        rules_fill: Sequence[str] = (),
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_tokens = min(
            max_tokens, int(getattr(model.config, "max_position_embeddings", 512))
        )
        self.stride = stride
        self.batch_size = batch_size
        self.rules_fill = tuple(rules_fill)
        self.id2label = {int(k): v for k, v in model.config.id2label.items()}
        self._encoder = CharEncoder(tokenizer)
        self._lock = threading.Lock()  # the per-character cost cache is shared

    @classmethod
    def load(
        cls, path: str | Path, *, device: str = "auto", dtype: str = "auto", batch_size: int = 32
    ) -> Tagger:
        """Load a model directory (or hub name): safetensors only, never remote code."""
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        dev = resolve_device(device)
        model = AutoModelForTokenClassification.from_pretrained(
            str(path), use_safetensors=True, trust_remote_code=False
        )
        model.to(device=dev, dtype=resolve_dtype(dtype, dev))
        tokenizer = AutoTokenizer.from_pretrained(str(path), trust_remote_code=False)
        settings = _window_settings(Path(path))
        return cls(model, tokenizer, batch_size=batch_size, **settings)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    # --- prediction ------------------------------------------------------------------

    def _windows(self, texts: Sequence[str]) -> list[_Window]:
        budget = self.max_tokens - self._encoder.special_count
        out = []
        with self._lock:
            for d, text in enumerate(texts):
                cost = self._encoder.costs(text)
                for s, e in windows(text, budget=budget, stride=self.stride, cost=cost):
                    enc = self._encoder.encode(text[s:e])
                    out.append(_Window(d, s, e, enc["input_ids"], enc["char_index"]))
        return out

    def _batches(self, items: list[_Window]) -> Iterator[list[_Window]]:
        ordered = sorted(items, key=lambda w: len(w.input_ids))
        for i in range(0, len(ordered), self.batch_size):
            yield ordered[i : i + self.batch_size]

    @torch.inference_mode()
    def _forward(self, batch: list[_Window]) -> tuple[torch.Tensor, torch.Tensor]:
        """Best label id and its probability per token: (B, T) each."""
        width = max(len(w.input_ids) for w in batch)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, w in enumerate(batch):
            ids[i, : len(w.input_ids)] = torch.tensor(w.input_ids)
            mask[i, : len(w.input_ids)] = 1
        logits = self.model(
            input_ids=ids.to(self.device), attention_mask=mask.to(self.device)
        ).logits
        probs = logits.float().softmax(-1)  # (B, T, L)
        best, label = probs.max(-1)
        return label.cpu(), best.cpu()

    def label_characters(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """(BIO tag, probability) per character of each text, windows merged: where windows
        overlap, the one in which the character sits farthest from an edge decides."""
        texts = list(texts)
        out = [[("O", 1.0)] * len(t) for t in texts]
        margin = [[-1] * len(t) for t in texts]
        for batch in self._batches(self._windows(texts)):
            labels, probs = self._forward(batch)
            for row, w in enumerate(batch):
                for pos, char in enumerate(w.char_index):
                    if char == IGNORE:
                        continue
                    i = w.start + char
                    edge = min(char, w.end - w.start - 1 - char)
                    if edge > margin[w.doc][i]:
                        margin[w.doc][i] = edge
                        out[w.doc][i] = (
                            self.id2label[int(labels[row, pos])],
                            float(probs[row, pos]),
                        )
        return out

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans for each text, in input order; the same input always gives the same spans."""
        texts = list(texts)
        out = []
        for text, labelled in zip(texts, self.label_characters(texts), strict=True):
            tags = [tag for tag, _ in labelled]
            scores = [score for _, score in labelled]
            spans = [t for s in tags_to_spans(text, tags, scores=scores) if (t := trim(text, s))]
            if self.rules_fill:
                spans = fill_with_rules(spans, rules.tag(text), self.rules_fill)
            out.append(spans)
        return out

    def tag(self, text: str) -> list[Span]:
        return self.predict([text])[0]


def _window_settings(path: Path) -> dict[str, Any]:
    """Window budget, stride and rule filling the model was trained with (``nlp.json``)."""
    meta = path / "nlp.json"
    if not meta.exists():
        return {}
    config = json.loads(meta.read_text(encoding="utf-8")).get("config", {})
    data = config.get("data", {})
    out: dict[str, Any] = {
        k: int(data[k]) for k in ("max_tokens", "stride") if isinstance(data.get(k), int)
    }
    out["rules_fill"] = tuple(config.get("rules_fill", ()))
    return out
