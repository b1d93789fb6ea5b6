"""Runners: a batch of token ids → a label distribution per token, on PyTorch or ONNX
Runtime, and the device/dtype choices behind them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np


def resolve_device(device: str = "auto") -> Any:
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: str, device: Any) -> Any:
    import torch

    if dtype == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dtype]


DTYPES = (
    "auto",
    "fp32",
    "bf16",
    "fp16",
    "int8",
)  # auto: bf16 on a GPU; on a CPU, int8 ONNX if exported
ONNX_FILE = "model.int8.onnx"


class TorchRunner:
    """Batches of token ids → label distribution per token (B, T, labels), with PyTorch.

    ``batch_invariant``: a window's output does not depend on the windows batched with it
    (true in fp32 and bf16; not for dynamically quantised int8 layers, which scale their
    inputs by the range of the whole batch)."""

    batch_size = 32  # windows per run: what a GPU or PyTorch's CPU kernels take well

    def __init__(self, model: Any) -> None:
        import torch

        self.model = model.eval()
        dynamic = torch.ao.nn.quantized.dynamic.Linear
        self.batch_invariant = not any(isinstance(m, dynamic) for m in model.modules())

    def submit(
        self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray | None = None
    ) -> Callable[[], np.ndarray]:
        """Run a batch now (PyTorch runs its own threads); the call returns its result."""
        probs = self(ids, mask, types)
        return lambda: probs

    def __call__(
        self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray | None = None
    ) -> np.ndarray:
        import torch

        device = next(self.model.parameters()).device
        extra = {} if types is None else {"token_type_ids": torch.from_numpy(types).to(device)}
        with torch.inference_mode():
            logits = self.model(
                input_ids=torch.from_numpy(ids).to(device),
                attention_mask=torch.from_numpy(mask).to(device),
                **extra,
            ).logits
            return logits.float().softmax(-1).cpu().numpy()


SLICE_ROWS = 4  # windows per ONNX Runtime run


class OnnxRunner:
    """The same with ONNX Runtime: no PyTorch at inference (the bundled model on a CPU).

    `nlp export-onnx` writes dynamically quantised graphs: each activation tensor is scaled
    by its own range, which spans the whole batch, so a window's labels depend on which
    windows share its batch (``batch_invariant`` is false: the tagger then batches only
    windows of one document, and a document gets the same spans whatever else is tagged).

    On a CPU a batch is cut into slices of `SLICE_ROWS` windows, run single-threaded, one per
    core at a time: the graph's many small operators scale better across slices than inside
    one run (docs/benchmarks.md). The slice size is fixed, so a document gets the same spans
    on any number of cores."""

    batch_invariant = False
    batch_size = 8  # small batches keep int8 activations in cache (docs/benchmarks.md)

    def __init__(self, path: Path, threads: int | None = None, *, cuda: bool = False) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        self.workers = 1 if cuda else max(1, threads or _cores())
        if not cuda:
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
        providers = ["CUDAExecutionProvider"] if cuda else []
        self.session = ort.InferenceSession(
            str(path), options, providers=[*providers, "CPUExecutionProvider"]
        )
        self._pool = ThreadPoolExecutor(self.workers) if self.workers > 1 else None

    def _run(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(["logits"], inputs)[0]

    def submit(
        self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray | None = None
    ) -> Callable[[], np.ndarray]:
        """Start a batch, its slices queued on the cores' pool (run here without one); the
        call waits for its label distribution per token."""
        inputs = {"input_ids": ids, "attention_mask": mask}
        if types is not None:
            inputs["token_type_ids"] = types
        rows = len(ids)
        slices = [
            {k: v[i : i + SLICE_ROWS] for k, v in inputs.items()}
            for i in range(0, rows, SLICE_ROWS)
        ]
        if self._pool is None:
            done = [self._run(part) for part in slices]
            return lambda: _softmax(np.concatenate(done))
        futures = [self._pool.submit(self._run, part) for part in slices]
        return lambda: _softmax(np.concatenate([f.result() for f in futures]))

    def __call__(
        self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray | None = None
    ) -> np.ndarray:
        return self.submit(ids, mask, types)()


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(-1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(-1, keepdims=True)


def _cores() -> int:
    """CPU cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class PlainTokenizer:
    """The few calls `CharEncoder` makes, over a `tokenizers.Tokenizer` (no transformers)."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self.backend = Tokenizer.from_file(str(path / "tokenizer.json"))
        config = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
        self.unk_token = config.get("unk_token", "<unk>")
        self.unk_token_id = self.backend.token_to_id(self.unk_token)
        self.pad_token_id = self.backend.token_to_id(config.get("pad_token", "<pad>"))
        self.cls_token_id = self.backend.token_to_id(config.get("cls_token", "<s>"))
        self.bos_token_id = self.cls_token_id

    def __call__(self, text: str, *, add_special_tokens: bool = True) -> dict[str, list[int]]:
        return {"input_ids": self.backend.encode(text, add_special_tokens=add_special_tokens).ids}


def onnx_cuda(device: str) -> bool:
    """Whether an ONNX model runs on ONNX Runtime's CUDA provider: asked for (``cuda``,
    ``cuda:N``) and installed (onnxruntime-gpu), or ``auto`` and available; asked for and
    not installed is a usage error, not a silent CPU run."""
    import onnxruntime as ort

    has_cuda = "CUDAExecutionProvider" in ort.get_available_providers()
    if device.startswith("cuda") and not has_cuda:
        from nlp.errors import UsageError

        raise UsageError(
            f"--device {device}: this model runs on ONNX Runtime, whose CUDA provider is not "
            "installed here",
            fix="pip install onnxruntime-gpu, or --device cpu",
        )
    return has_cuda and device != "cpu"


def cuda_available() -> bool:
    """Whether a CUDA GPU is usable, without importing torch on machines that have none."""
    if not Path("/dev/nvidiactl").exists() and not Path("/dev/nvidia0").exists():
        return False
    import torch

    return torch.cuda.is_available()
