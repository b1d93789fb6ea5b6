"""Tokenizers built locally, with no download: a character vocabulary made from data, and a
BERT WordPiece tokenizer from a ``vocab.txt``.

In transformers 5.x ``BertTokenizerFast(vocab_file=...)`` silently ignores the file, so both
are assembled from `tokenizers` parts and wrapped in `PreTrainedTokenizerFast`; saved with
``save_pretrained`` they load back with plain ``AutoTokenizer.from_pretrained``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def _wrap(
    tokenizer: Tokenizer, vocab: dict[str, int], model_max_length: int
) -> PreTrainedTokenizerFast:
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
    )


def wordpiece_tokenizer(
    vocab_file: str | Path, *, lowercase: bool = True, model_max_length: int = 512
) -> PreTrainedTokenizerFast:
    """The bert-base-chinese tokenizer rebuilt from its ``vocab.txt`` (one piece per line)."""
    pieces = Path(vocab_file).read_text(encoding="utf-8").splitlines()
    vocab = {piece: i for i, piece in enumerate(pieces)}
    missing = [t for t in SPECIAL_TOKENS if t not in vocab]
    if missing:
        raise ValueError(f"{vocab_file}: special tokens {missing} are not in the vocabulary")
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=lowercase
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return _wrap(tokenizer, vocab, model_max_length)


def char_vocabulary(
    texts: Iterable[str], *, min_count: int = 1, max_size: int | None = None
) -> list[str]:
    """Special tokens, then the characters of ``texts`` by frequency (whitespace excluded)."""
    counts = Counter(c for text in texts for c in text if not c.isspace())
    chars = [c for c, n in counts.most_common(max_size) if n >= min_count]
    return [*SPECIAL_TOKENS, *sorted(chars)]


def char_tokenizer(
    vocabulary: list[str], *, model_max_length: int = 512
) -> PreTrainedTokenizerFast:
    """One token per character; characters outside the vocabulary become ``[UNK]``."""
    vocab = {piece: i for i, piece in enumerate(vocabulary)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split("", behavior="isolated")]
    )
    return _wrap(tokenizer, vocab, model_max_length)
