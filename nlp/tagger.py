"""The tagging engine: documents → spans with a token-classification model.

Windows of whole sentences (cut with a stride inside very long ones) are encoded one word
per character (`nlp.alignment`), sorted by length into batches with dynamic padding, run
without gradients, and merged back per character: where windows overlap, the prediction
from the window in which the character sits farthest from an edge wins. Tags are read off
the merged distributions as the most probable valid BIO sequence (Viterbi), and span edges
never hold whitespace or punctuation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp import rules
from nlp.alignment import IGNORE, CharEncoder, tags_to_spans
from nlp.decoding import Decoding, trim
from nlp.errors import ModelError, UsageError
from nlp.runners import (
    DTYPES,
    ONNX_FILE,
    OnnxRunner,
    PlainTokenizer,
    TorchRunner,
    cuda_available,
    onnx_cuda,
    resolve_device,
    resolve_dtype,
)
from nlp.schema import Span

DEFAULT_MAX_TOKENS = 256
DEFAULT_STRIDE = 32


@dataclass(frozen=True, slots=True)
class _Window:
    doc: int
    start: int
    end: int
    input_ids: list[int]
    char_index: list[int]
    token_type_ids: list[int] | None = None


class Tagger:
    """A token-classification model with its tokenizer and window settings."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        stride: int = DEFAULT_STRIDE,
        batch_size: int | None = None,
        decoding: Decoding = Decoding(),
        id2label: dict[int, str] | None = None,
        rule_hints: bool = False,
    ) -> None:
        """``model`` is a transformers token classifier or a runner (`OnnxRunner`);
        ``batch_size``: windows per model run (default: the runner's, chosen by measurement);
        ``rule_hints``: the model takes the rule baseline's tags as token type ids."""
        self.runner = model if isinstance(model, OnnxRunner) else TorchRunner(model)
        config = getattr(model, "config", None)
        self.id2label = {int(k): v for k, v in (id2label or config.id2label).items()}
        positions = int(getattr(config, "max_position_embeddings", 512)) if config else 512
        self.max_tokens = min(max_tokens, positions)
        self.tokenizer = tokenizer
        self.stride = stride
        self.batch_size = batch_size or self.runner.batch_size
        self.decoding = decoding
        self.rule_hints = rule_hints
        self._encoder = CharEncoder(tokenizer)
        self._lock = threading.Lock()  # the per-character id cache is shared
        # called after each batch of windows with (windows done, windows in the call): a
        # progress bar can move inside one long document
        self.on_batch: Callable[[int, int], None] | None = None
        self._tags = [self.id2label[i] for i in range(len(self.id2label))]  # by label id

    @property
    def model(self) -> Any:
        return getattr(self.runner, "model", None)

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int | None = None,
        threads: int | None = None,
    ) -> Tagger:
        """Load a model directory (or hub name): safetensors or ONNX only, never pickles or
        remote code. On a CPU with ``dtype`` auto or int8, a directory holding
        ``model.int8.onnx`` runs on ONNX Runtime (so does one with no other weights, such
        as the bundled model); otherwise PyTorch: fp32 on a CPU (dynamic int8 with
        ``dtype="int8"``), bf16 on a GPU that has it. ``threads`` caps the CPU threads of
        ONNX Runtime (default: all cores), for several workers on one machine."""
        if dtype not in DTYPES:
            raise UsageError(f"--dtype {dtype!r}: choose one of {', '.join(DTYPES)}")
        local = Path(path)
        settings = saved_settings(local) if local.is_dir() else {}
        cpu = device == "cpu" or (device == "auto" and not cuda_available())
        onnx_only = not (local / "model.safetensors").exists() and not any(
            local.glob("*.safetensors.index.json")
        )
        if (local / ONNX_FILE).exists() and (onnx_only or (cpu and dtype in ("auto", "int8"))):
            if onnx_only and dtype not in ("auto", "int8"):
                raise UsageError(
                    f"--dtype {dtype}: {local.name} has int8 ONNX weights only",
                    fix="leave --dtype out, or use a model directory with safetensors weights",
                )
            config = json.loads((local / "config.json").read_text(encoding="utf-8"))
            return cls(
                OnnxRunner(local / ONNX_FILE, threads, cuda=onnx_cuda(device)),
                PlainTokenizer(local),
                batch_size=batch_size,
                id2label={int(k): v for k, v in config["id2label"].items()},
                **{"max_tokens": config.get("max_position_embeddings", 512), **settings},
            )
        try:
            import torch
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as exc:
            raise ModelError(
                "a PyTorch model (or a GPU dtype) needs PyTorch and transformers",
                where=str(path),
                fix="pip install 'nlp[train]' (torch==2.13.0 first on a CPU box)",
            ) from exc
        dev = resolve_device(device)
        model = AutoModelForTokenClassification.from_pretrained(
            str(path), use_safetensors=True, trust_remote_code=False, dtype=torch.float32
        )
        if dev.type == "cpu" and dtype == "int8":
            # dynamic int8 linear layers: 1.3x faster than fp32 on CPU, but peak memory grows
            # with the run (docs/benchmarks.md); `nlp export-onnx` gives the better int8 path
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
        else:
            model.to(device=dev, dtype=resolve_dtype(dtype, dev))
        tokenizer = AutoTokenizer.from_pretrained(str(path), trust_remote_code=False)
        return cls(model, tokenizer, batch_size=batch_size, **settings)

    # --- prediction ------------------------------------------------------------------

    def _windows(
        self, texts: Sequence[str], rule_spans: Sequence[Sequence[Span]] | None = None
    ) -> list[_Window]:
        out = []
        with self._lock:
            for d, text in enumerate(texts):
                found = rule_spans[d] if rule_spans is not None else None
                hints = rules.char_hints(text, found) if self.rule_hints else None
                bounds = self._encoder.windows(text, max_tokens=self.max_tokens, stride=self.stride)
                for s, e in bounds:
                    enc = self._encoder.encode(text[s:e], hints=hints[s:e] if hints else None)
                    out.append(
                        _Window(
                            d, s, e, enc["input_ids"], enc["char_index"], enc.get("token_type_ids")
                        )
                    )
        return out

    def _batches(self, items: list[_Window]) -> Iterator[list[_Window]]:
        """Windows sorted by length into batches (little padding). When the runner's output
        depends on its batch, only windows of one document share one: a document's spans
        must not depend on what else is tagged with it."""
        ordered = sorted(items, key=lambda w: len(w.input_ids))
        groups: Iterable[list[_Window]] = [ordered]
        if not self.runner.batch_invariant:
            by_doc: dict[int, list[_Window]] = {}
            for w in ordered:
                by_doc.setdefault(w.doc, []).append(w)
            groups = by_doc.values()
        for group in groups:
            for i in range(0, len(group), self.batch_size):
                yield group[i : i + self.batch_size]

    def _forward(self, batch: list[_Window]) -> np.ndarray:
        """Label distribution per token, (B, T, labels), padded dynamically."""
        width = max(len(w.input_ids) for w in batch)
        pad = self.tokenizer.pad_token_id or 0
        ids = np.full((len(batch), width), pad, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        types = np.zeros((len(batch), width), dtype=np.int64) if self.rule_hints else None
        for i, w in enumerate(batch):
            ids[i, : len(w.input_ids)] = w.input_ids
            mask[i, : len(w.input_ids)] = 1
            if types is not None:
                types[i, : len(w.input_ids)] = w.token_type_ids
        return self.runner(ids, mask, types)

    def char_probs(
        self, texts: Sequence[str], rule_spans: Sequence[Sequence[Span]] | None = None
    ) -> list[np.ndarray]:
        """Label distribution per character of each text, (characters × labels), windows
        merged: where windows overlap, the one in which the character sits farthest from an
        edge decides. A character no window labels (none should) counts as ``O``."""
        texts = list(texts)
        out = [np.zeros((len(t), len(self._tags)), dtype=np.float32) for t in texts]
        for probs in out:
            probs[:, self._tags.index("O")] = 1.0
        margin = [np.full(len(t), -1) for t in texts]
        windows = self._windows(texts, rule_spans)
        done = 0
        for batch in self._batches(windows):
            probs = self._forward(batch)
            for row, w in enumerate(batch):
                index = np.asarray(w.char_index)
                (pos,) = np.nonzero(index != IGNORE)
                chars = index[pos]
                edge = np.minimum(chars, w.end - w.start - 1 - chars)
                better = edge > margin[w.doc][w.start + chars]
                at = w.start + chars[better]
                margin[w.doc][at] = edge[better]
                out[w.doc][at] = probs[row, pos[better]]
            done += len(batch)
            if self.on_batch is not None:
                self.on_batch(done, len(windows))
        return out

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans for each text, in input order; the same input always gives the same spans."""
        texts = list(texts)
        # the regex runs once per text: for the hints and for the decoding constraints
        needed = self.rule_hints or self.decoding.uses_rules
        found = [rules.tag(t) for t in texts] if needed else [None] * len(texts)
        distributions = self.char_probs(texts, found if self.rule_hints else None)
        out = []
        for text, probs, rule_spans in zip(texts, distributions, found, strict=True):
            best = self.decoding.tags(probs, self._tags)
            tags = [self._tags[i] for i in best]
            scores = probs[np.arange(len(best)), best].tolist()
            spans = [t for s in tags_to_spans(text, tags, scores=scores) if (t := trim(text, s))]
            out.append(self.decoding.apply(text, spans, rule_spans))
        return out

    def tag(self, text: str) -> list[Span]:
        return self.predict([text])[0]


def saved_settings(path: Path) -> dict[str, Any]:
    """Window budget, stride and decoding the model was trained with (``nlp.json``)."""
    meta = path / "nlp.json"
    if not meta.exists():
        return {}
    config = json.loads(meta.read_text(encoding="utf-8")).get("config", {})
    data = config.get("data", {})
    out: dict[str, Any] = {
        k: int(data[k]) for k in ("max_tokens", "stride") if isinstance(data.get(k), int)
    }
    out["rule_hints"] = bool(config.get("model", {}).get("rule_hints", False))
    out["decoding"] = Decoding.from_dict(config.get("decode", {}))
    return out
