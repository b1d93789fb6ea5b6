"""Export a trained model directory to ONNX with int8 weights, for fast CPU inference.

The exported ``model.int8.onnx`` sits beside the safetensors weights; `Tagger.load` uses it
on a CPU (ONNX Runtime, no PyTorch needed at inference). Measured in docs/benchmarks.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from nlp.runners import ONNX_FILE
from nlp.tagger import saved_settings


def export_onnx(model_dir: str | Path, *, opset: int = 17, quantize: bool = True) -> Path:
    """Write ``MODEL_DIR/model.int8.onnx`` (dynamic batch and length, int8 linear weights
    with a scale per output channel, activations quantised at run time);
    with ``quantize=False``, ``MODEL_DIR/model.onnx`` in fp32 (to check the export)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForTokenClassification

    model_dir = Path(model_dir)
    model = AutoModelForTokenClassification.from_pretrained(
        model_dir, dtype=torch.float32, attn_implementation="eager"
    ).eval()

    class Logits(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, *rest: torch.Tensor) -> torch.Tensor:
            names = ("attention_mask", "token_type_ids")
            return self.inner(input_ids=input_ids, **dict(zip(names, rest, strict=False))).logits

    # a model trained with rule hints takes them as a third input (nlp.rules.char_hints)
    names = ["input_ids", "attention_mask"]
    if saved_settings(model_dir).get("rule_hints"):
        names.append("token_type_ids")
    ids = torch.full((2, 16), 5, dtype=torch.long)
    example = (ids, torch.ones_like(ids), torch.zeros_like(ids))[: len(names)]
    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        torch.onnx.export(
            Logits(model),
            example,
            str(fp32),
            input_names=names,
            output_names=["logits"],
            dynamic_axes={name: axes for name in [*names, "logits"]},
            opset_version=opset,
            dynamo=False,
        )
        if not quantize:
            out = model_dir / "model.onnx"
            out.write_bytes(fp32.read_bytes())
            return out
        out = model_dir / ONNX_FILE
        # one scale per output channel of each weight: on dev, span micro F1 0.850 and
        # all-fields 0.568 against 0.850 / 0.559 per tensor (fp32: 0.851 / 0.560), same speed
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
    return out
