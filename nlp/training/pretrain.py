"""Continued masked-LM pretraining of an encoder on unlabeled reports (domain adaptation).

The encoder reads the reports as fine-tuning and inference will: one position per character
(`nlp.alignment.CharEncoder`), in windows of whole sentences, with BERT's masking (15 % of
positions; of those 80 % masked, 10 % random, 10 % kept). The output layer is tied to the
input embeddings; its transform starts fresh when the base has none (e5 ships without one,
and reads at chance through a fresh one), so it is trained first with the encoder frozen,
lest its random gradients scramble the encoder, then everything is. A slice of the windows
is held out and its masked-LM loss measured before and after each phase, so a run says
whether it taught the encoder anything.

The saved directory is a plain transformers BERT encoder with its tokenizer: use it as
``model.base`` of a run config.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoTokenizer,
    BertForMaskedLM,
    DataCollatorForLanguageModeling,
    Trainer,
    TrainingArguments,
    set_seed,
)

from nlp.alignment import IGNORE, CharEncoder
from nlp.training.train import keep_lower_layers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PretrainConfig:
    """What `nlp pretrain` runs; saved beside the model in ``pretrain.json``."""

    base: str  # hub name or local directory of a BERT-style encoder
    keep_layers: int = 0  # keep only the lower N layers (0: all), as the fine-tuning will
    max_tokens: int = 128
    stride: int = 32
    mask_prob: float = 0.15
    head_steps: int = 200  # output layer alone, encoder frozen
    head_lr: float = 1e-3
    steps: int = 1000  # then everything
    batch_size: int = 16
    lr: float = 5e-5
    warmup: float = 0.06  # share of the steps
    held_out: float = 0.05  # share of the windows kept out to measure the loss
    seed: int = 42


def window_examples(texts: Sequence[str], tokenizer: Any, config: PretrainConfig) -> list[dict]:
    """Input ids of every window of every text, one position per character."""
    encoder = CharEncoder(tokenizer)
    out = []
    for text in texts:
        for start, end in encoder.windows(text, max_tokens=config.max_tokens, stride=config.stride):
            ids = encoder.encode(text[start:end])["input_ids"]
            if len(ids) > encoder.special_count + 1:
                out.append({"input_ids": ids})
    return out


def held_out_loss(model: torch.nn.Module, batches: Sequence[dict[str, Any]]) -> float:
    """Mean masked-LM loss per masked position over fixed, already masked batches."""
    model.eval()
    device = next(model.parameters()).device
    total, count = 0.0, 0
    with torch.inference_mode():
        for batch in batches:
            batch = {k: v.to(device) for k, v in batch.items()}
            masked = int((batch["labels"] != IGNORE).sum())
            if masked:
                total += float(model(**batch).loss) * masked
                count += masked
    model.train()
    return total / max(count, 1)


def _arguments(config: PretrainConfig, path: Path, *, steps: int, lr: float) -> TrainingArguments:
    return TrainingArguments(
        output_dir=str(path),
        max_steps=steps,
        per_device_train_batch_size=config.batch_size,
        learning_rate=lr,
        warmup_steps=config.warmup,
        weight_decay=0.01,
        seed=config.seed,
        data_seed=config.seed,
        save_strategy="no",
        logging_steps=max(1, steps // 10),
        report_to="none",
        dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(),
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
    )


def pretrain(config: PretrainConfig, texts: Sequence[str], out_dir: str | Path) -> Path:
    """Continue masked-LM training of ``config.base`` on ``texts``; save the encoder and its
    tokenizer to ``out_dir`` with ``pretrain.json`` (config, held-out loss after each phase)."""
    if not texts:
        raise ValueError("no texts to pretrain on")
    out = Path(out_dir)
    set_seed(config.seed, deterministic=False)
    tokenizer = AutoTokenizer.from_pretrained(config.base, trust_remote_code=False)
    if tokenizer.mask_token_id is None:
        raise ValueError(f"{config.base}: the tokenizer has no mask token")
    model = BertForMaskedLM.from_pretrained(
        config.base, trust_remote_code=False, dtype=torch.float32
    )
    if config.keep_layers:
        model = keep_lower_layers(model, config.keep_layers)

    examples = window_examples(texts, tokenizer, config)
    random.Random(config.seed).shuffle(examples)
    n_held = max(1, int(len(examples) * config.held_out))
    held, train = examples[:n_held], examples[n_held:]
    log.info("windows: %d train, %d held out", len(train), len(held))

    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=config.mask_prob)
    # the held-out windows are masked once, so every loss below reads the same masks
    torch.manual_seed(config.seed)
    held_batches = [
        collator(held[i : i + config.batch_size]) for i in range(0, len(held), config.batch_size)
    ]
    losses = {"before": held_out_loss(model, held_batches)}
    history = []
    for phase, steps, lr in (
        ("head", config.head_steps, config.head_lr),
        ("all", config.steps, config.lr),
    ):
        if not steps:
            continue
        for param in model.bert.parameters():
            param.requires_grad = phase == "all"
        trainer = Trainer(
            model=model,
            args=_arguments(config, out / "checkpoints", steps=steps, lr=lr),
            train_dataset=train,
            data_collator=collator,
        )
        trainer.train()
        history += [{"phase": phase, **row} for row in trainer.state.log_history]
        losses[f"after_{phase}"] = held_out_loss(model, held_batches)
        log.info(
            "held-out masked-LM loss after the %s phase: %.3f", phase, losses[f"after_{phase}"]
        )

    shutil.rmtree(out / "checkpoints", ignore_errors=True)  # nothing saved there: no steps kept
    model.bert.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    summary = {
        "config": asdict(config),
        "texts": len(texts),
        "windows": {"train": len(train), "held_out": len(held)},
        "held_out_loss": losses,
        "held_out_perplexity": {k: math.exp(v) for k, v in losses.items()},
        "log_history": history,
    }
    (out / "pretrain.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return out
