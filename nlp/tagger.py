"""The tagging engine: documents → spans with a token-classification model.

Windows of whole sentences (cut with a stride inside very long ones) are encoded one word
per character (`nlp.alignment`), sorted by length into batches with dynamic padding, run
without gradients (several batches in flight while the next document is encoded), and
merged back per character: where windows overlap, the prediction
from the window in which the character sits farthest from an edge wins. Tags are read off
the merged distributions as the most probable valid BIO sequence (Viterbi), and span edges
never hold whitespace or punctuation.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
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
from nlp.text import Regions, in_regions

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


IN_FLIGHT = 4  # batches started ahead of the one being merged (two per core on 2 cores)


class _Merge:
    """Windows' distributions merged into each text's per-character one: where windows
    overlap, the window in which the character sits farthest from an edge decides; a text
    is ready once all its windows are in."""

    def __init__(self, texts: Sequence[str], tags: Sequence[str]) -> None:
        self.probs = [np.zeros((len(t), len(tags)), dtype=np.float32) for t in texts]
        for probs in self.probs:
            probs[:, tags.index("O")] = 1.0
        self.margin = [np.full(len(t), -1) for t in texts]
        self.left: list[int | None] = [None] * len(texts)  # windows still out, per text
        self.next = 0  # the first text not yet handed out

    def expect(self, d: int, windows: list[_Window]) -> list[_Window]:
        self.left[d] = len(windows)
        return windows

    def add(self, batch: Sequence[_Window], probs: np.ndarray) -> None:
        for row, w in enumerate(batch):
            index = np.asarray(w.char_index)
            (pos,) = np.nonzero(index != IGNORE)
            chars = index[pos]
            edge = np.minimum(chars, w.end - w.start - 1 - chars)
            better = edge > self.margin[w.doc][w.start + chars]
            at = w.start + chars[better]
            self.margin[w.doc][at] = edge[better]
            self.probs[w.doc][at] = probs[row, pos[better]]
            self.left[w.doc] -= 1  # type: ignore[operator]

    def ready(self) -> Iterator[tuple[int, np.ndarray]]:
        """The texts whose windows are all merged, in input order, each handed out once."""
        while self.next < len(self.probs) and self.left[self.next] == 0:
            yield self.next, self.probs[self.next]
            self.next += 1


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
        # called after each batch of windows with (characters done, characters in the
        # call): a progress bar can move inside one long group of documents
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

    def _doc_windows(
        self, d: int, text: str, found: Sequence[Span] | None, regions: Regions | None
    ) -> list[_Window]:
        """One document's windows, encoded (the rule hints as token types where used); with
        ``regions``, only of the sentences that overlap them."""
        hints = rules.char_hints(text, found) if self.rule_hints else None
        out = []
        with self._lock:
            bounds = self._encoder.windows(
                text, max_tokens=self.max_tokens, stride=self.stride, within=regions
            )
            for s, e in bounds:
                enc = self._encoder.encode(text[s:e], hints=hints[s:e] if hints else None)
                out.append(
                    _Window(d, s, e, enc["input_ids"], enc["char_index"], enc.get("token_type_ids"))
                )
        return out

    def _batches(
        self,
        texts: Sequence[str],
        hints_of: Callable[[int], Sequence[Span] | None],
        regions: Sequence[Regions | None],
        merged: _Merge,
    ) -> Iterator[list[_Window]]:
        """Windows sorted by length into batches (little padding). When the runner's output
        depends on its batch, only windows of one document share one (a document's spans
        must not depend on what else is tagged with it), and each document's windows are
        made only when its batches are due, while earlier documents run."""
        if self.runner.batch_invariant:
            windows = []
            for d, text in enumerate(texts):
                windows += merged.expect(d, self._doc_windows(d, text, hints_of(d), regions[d]))
            ordered = sorted(windows, key=lambda w: len(w.input_ids))
            for i in range(0, len(ordered), self.batch_size):
                yield ordered[i : i + self.batch_size]
            return
        for d, text in enumerate(texts):
            own = sorted(
                merged.expect(d, self._doc_windows(d, text, hints_of(d), regions[d])),
                key=lambda w: len(w.input_ids),
            )
            for i in range(0, len(own), self.batch_size):
                yield own[i : i + self.batch_size]

    def _start(self, batch: list[_Window]) -> Callable[[], np.ndarray]:
        """Start one batch on the runner, padded dynamically; the returned call waits for
        its label distribution per token, (B, T, labels)."""
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
        return self.runner.submit(ids, mask, types)

    def _stream(
        self,
        texts: Sequence[str],
        hints_of: Callable[[int], Sequence[Span] | None],
        regions: Sequence[Regions | None],
    ) -> Iterator[tuple[int, np.ndarray]]:
        """(index, label distribution per character) of each text, in input order, each as
        soon as its windows are merged. Up to `IN_FLIGHT` batches run while the next
        document's windows are made and finished batches merged: the cores never wait on
        the Python around the model."""
        merged = _Merge(texts, self._tags)
        total, done = sum(len(t) for t in texts), 0
        pending: deque[tuple[list[_Window], Callable[[], np.ndarray]]] = deque()

        def finish() -> None:
            nonlocal done
            batch, result = pending.popleft()
            merged.add(batch, result())
            done += sum(w.end - w.start for w in batch)
            if self.on_batch is not None:
                self.on_batch(min(done, total), total)

        for batch in self._batches(texts, hints_of, regions, merged):
            pending.append((batch, self._start(batch)))
            while len(pending) > IN_FLIGHT:
                finish()
                yield from merged.ready()
        while pending:
            finish()
        yield from merged.ready()

    def char_probs(
        self, texts: Sequence[str], rule_spans: Sequence[Sequence[Span]] | None = None
    ) -> list[np.ndarray]:
        """Label distribution per character of each text, (characters × labels), windows
        merged: where windows overlap, the one in which the character sits farthest from an
        edge decides. A character no window labels (none should) counts as ``O``."""
        texts = list(texts)
        out: list[np.ndarray] = [np.empty(0)] * len(texts)
        hints_of = (lambda d: None) if rule_spans is None else rule_spans.__getitem__
        for d, probs in self._stream(texts, hints_of, [None] * len(texts)):
            out[d] = probs
        return out

    def predict(
        self, texts: Sequence[str], regions: Sequence[Regions | None] | None = None
    ) -> list[list[Span]]:
        """Spans for each text, in input order; the same input always gives the same spans.
        ``regions``, per text, sorted and disjoint ``(start, end)`` ranges (or None: all of
        it): only the sentences that overlap them are tagged, and only spans that overlap
        them are returned."""
        texts = list(texts)
        regions = list(regions) if regions is not None else [None] * len(texts)
        if len(regions) != len(texts):
            raise ValueError(f"{len(regions)} region lists for {len(texts)} texts")
        # the regex runs once per text: for the hints and for the decoding constraints
        needed = self.rule_hints or self.decoding.uses_rules
        found: list[list[Span] | None] = [None] * len(texts)

        def hints_of(d: int) -> list[Span] | None:
            if needed:
                found[d] = rules.tag(texts[d])
            return found[d] if self.rule_hints else None

        out: list[list[Span]] = [[] for _ in texts]
        for d, probs in self._stream(texts, hints_of, regions):
            best = self.decoding.tags(probs, self._tags)
            tags = [self._tags[i] for i in best]
            scores = probs[np.arange(len(best)), best].tolist()
            text = texts[d]
            spans = [t for s in tags_to_spans(text, tags, scores=scores) if (t := trim(text, s))]
            out[d] = in_regions(self.decoding.apply(text, spans, found[d]), regions[d])
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
