"""One training flow for both paths: a pretrained encoder (hub name or local directory) or a
compact BERT from scratch with a character vocabulary made from the data.

Stages run top to bottom: seed → data → tokenizer → datasets → model → Trainer (dev
micro-F1 each epoch, best checkpoint kept, early stopping, resume after an interrupt) →
save a self-describing model directory → score the test documents, if any.
Launch the same command with ``torchrun`` or ``accelerate launch`` for several processes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from seqeval.metrics import f1_score
from seqeval.scheme import IOB2
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    BertConfig,
    BertForTokenClassification,
    DataCollatorForTokenClassification,
    EarlyStoppingCallback,
    Trainer,
    TrainingArguments,
    set_seed,
)
from transformers.trainer_utils import get_last_checkpoint

from nlp.alignment import IGNORE
from nlp.errors import AnnotationError
from nlp.io import corpus_texts
from nlp.schema import BIO_TAGS, ID2TAG, SCHEMA_VERSION, TAG2ID
from nlp.training.annotations import Task, load_splits, load_tasks
from nlp.training.config import ModelConfig, OptimConfig, TrainConfig
from nlp.training.data import build_dataset, split_tasks
from nlp.training.tokenization import char_tokenizer, char_vocabulary
from nlp.training.validate import check

log = logging.getLogger(__name__)
CHECKPOINTS = "checkpoints"


# --- building blocks -------------------------------------------------------------------


def data_fingerprint(path: str | Path) -> str:
    """sha256 over the annotation files, so a model names the exact data it saw."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def build_tokenizer(config: ModelConfig, train_tasks: Sequence[Task]) -> Any:
    """The pretrained encoder's tokenizer, or a character vocabulary from the training text."""
    if config.base:
        return AutoTokenizer.from_pretrained(config.base, trust_remote_code=False)
    texts = [t.text for t in train_tasks] + corpus_texts(config.vocab_corpus)
    vocab = char_vocabulary(texts, min_count=config.vocab_min_count)
    return char_tokenizer(vocab, model_max_length=config.max_positions)


def build_model(config: ModelConfig, tokenizer: Any) -> torch.nn.Module:
    labels = {"num_labels": len(BIO_TAGS), "id2label": dict(ID2TAG), "label2id": dict(TAG2ID)}
    if config.base:
        # a base that already has a token-classification head with other labels gets a new one
        model = AutoModelForTokenClassification.from_pretrained(
            config.base,
            trust_remote_code=False,
            ignore_mismatched_sizes=True,
            dtype=torch.float32,  # weights may be stored in fp16; train in fp32 (or amp)
            **labels,
        )
        model = keep_lower_layers(model, config.keep_layers) if config.keep_layers else model
        return with_hint_types(model) if config.rule_hints else model
    if config.rule_hints:
        raise ValueError("model.rule_hints needs a pretrained base (model.base)")
    bert = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden,
        num_hidden_layers=config.layers,
        num_attention_heads=config.heads,
        intermediate_size=config.intermediate,
        max_position_embeddings=config.max_positions,
        hidden_dropout_prob=config.dropout,
        attention_probs_dropout_prob=config.dropout,
        pad_token_id=tokenizer.pad_token_id,
        **labels,
    )
    return BertForTokenClassification(bert)


def keep_lower_layers(model: torch.nn.Module, n: int) -> torch.nn.Module:
    """Drop all but the lower ``n`` transformer layers of a BERT-style encoder."""
    encoder = model.base_model.encoder
    if not 0 < n <= len(encoder.layer):
        raise ValueError(f"model.keep_layers={n}: the encoder has {len(encoder.layer)} layers")
    encoder.layer = encoder.layer[:n]
    model.config.num_hidden_layers = n
    return model


def with_hint_types(model: torch.nn.Module) -> torch.nn.Module:
    """One token type per rule BIO tag: the type embedding grows to ``len(TAG2ID)`` rows,
    each starting as the pretrained type 0, so the hints change nothing until trained."""
    embeddings = model.base_model.embeddings
    old = embeddings.token_type_embeddings
    new = torch.nn.Embedding(len(TAG2ID), old.embedding_dim)
    with torch.no_grad():
        new.weight.copy_(old.weight[0].expand_as(new.weight))
    embeddings.token_type_embeddings = new
    if "token_type_ids" in embeddings._buffers:  # a zero default for calls without types
        embeddings.token_type_ids = torch.zeros_like(embeddings.token_type_ids)
    model.config.type_vocab_size = len(TAG2ID)
    return model


def weighted_loss(optim: OptimConfig) -> Any:
    """The training loss when some labels weigh more (``optim.weighted_labels``): token
    cross-entropy with each B-/I- tag of those labels counted ``label_weight`` times,
    summed over the batch and divided by its labelled tokens; None for plain cross-entropy
    (the model's own loss)."""
    if not optim.weighted_labels or optim.label_weight == 1.0:
        return None
    weights = torch.tensor(
        [optim.label_weight if tag[2:] in optim.weighted_labels else 1.0 for tag in BIO_TAGS]
    )

    def loss(outputs: Any, labels: torch.Tensor, num_items_in_batch: Any = None) -> torch.Tensor:
        logits = outputs.logits
        total = torch.nn.functional.cross_entropy(
            logits.view(-1, logits.shape[-1]).float(),
            labels.view(-1),
            weight=weights.to(logits.device),
            ignore_index=IGNORE,
            reduction="sum",
        )
        count = num_items_in_batch if num_items_in_batch is not None else (labels != IGNORE).sum()
        return total / count

    return loss


def seqeval_metrics(eval_pred: Any) -> dict[str, float]:
    """Dev micro-F1 (strict IOB2) over the characters of each window."""
    logits, label_ids = eval_pred
    predicted = np.argmax(logits, axis=-1)
    gold, pred = [], []
    for p_row, l_row in zip(predicted, label_ids, strict=True):
        keep = l_row != IGNORE
        gold.append([ID2TAG[int(i)] for i in l_row[keep]])
        pred.append([ID2TAG[int(i)] for i in p_row[keep]])
    return {"micro_f1": f1_score(gold, pred, mode="strict", scheme=IOB2, zero_division=0)}


def _precision_flags(precision: str) -> dict[str, bool]:
    cuda = torch.cuda.is_available()
    if precision == "auto":
        precision = "bf16" if cuda and torch.cuda.is_bf16_supported() else "fp32"
    if precision != "fp32" and not cuda:
        raise ValueError(f"precision {precision} needs a GPU; use fp32 (or auto) on a CPU")
    return {"bf16": precision == "bf16", "fp16": precision == "fp16"}


def accumulation_steps(optim: OptimConfig, world_size: int) -> int:
    """Gradient accumulation steps: ``optim.grad_accum``, or what keeps
    ``optim.effective_batch`` examples per optimiser step on ``world_size`` processes."""
    if optim.effective_batch <= 0:
        return optim.grad_accum
    per_step = optim.batch_size * world_size
    if optim.effective_batch % per_step:
        raise ValueError(
            f"optim.effective_batch {optim.effective_batch} is not a multiple of batch_size "
            f"{optim.batch_size} × {world_size} process(es) = {per_step}"
        )
    return optim.effective_batch // per_step


def training_arguments(config: TrainConfig, *, has_dev: bool) -> TrainingArguments:
    optim = config.optim
    world_size = int(os.environ.get("WORLD_SIZE", "1"))  # set by torchrun
    per_epoch = "epoch" if has_dev else "no"
    return TrainingArguments(
        output_dir=str(Path(config.output_dir) / CHECKPOINTS),
        learning_rate=optim.lr,
        lr_scheduler_type=optim.schedule,
        warmup_steps=optim.warmup,
        num_train_epochs=optim.epochs,
        max_steps=optim.max_steps,
        per_device_train_batch_size=optim.batch_size,
        per_device_eval_batch_size=optim.batch_size * 2,
        gradient_accumulation_steps=accumulation_steps(optim, world_size),
        weight_decay=optim.weight_decay,
        seed=optim.seed,
        data_seed=optim.seed,
        eval_strategy=per_epoch,
        save_strategy="epoch",
        save_total_limit=2,
        load_best_model_at_end=has_dev,
        metric_for_best_model="micro_f1" if has_dev else None,
        greater_is_better=True,
        logging_steps=config.logging_steps,
        report_to="none",
        dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(),
        **_precision_flags(config.precision),
    )


# --- the flow --------------------------------------------------------------------------


def train(config: TrainConfig, *, resume: bool = True) -> Path:
    """Train, save the best model to ``config.output_dir`` and return that directory.

    With ``resume`` (the default), a run whose checkpoints exist continues from the last one.
    """
    out = Path(config.output_dir)
    set_seed(config.optim.seed, deterministic=False)

    # data: documents split by name, tokenizer from the training text or the base model
    tasks = load_tasks(config.data.annotations)
    problems = check(tasks)
    if problems:
        raise AnnotationError(
            f"{len(problems)} problem(s) in the gold data, the first: {problems[0]}",
            where=config.data.annotations,
            fix=f"nlp annotations check {config.data.annotations} lists them all",
        )
    test_docs, dev_docs = config.data.test_docs, config.data.dev_docs
    if config.data.splits:
        fixed = load_splits(config.data.annotations)
        test_docs = tuple(sorted(n for n, s in fixed.items() if s == "test"))
        dev_docs = tuple(sorted(n for n, s in fixed.items() if s == "dev"))
    split = split_tasks(tasks, fold=config.data.fold, test_docs=test_docs, dev_docs=dev_docs)
    tokenizer = build_tokenizer(config.model, split["train"])
    dataset = build_dataset(
        tasks,
        tokenizer,
        max_tokens=config.data.max_tokens,
        stride=config.data.stride,
        fold=config.data.fold,
        test_docs=test_docs,
        dev_docs=dev_docs,
        dev_fraction=config.data.dev_fraction,
        seed=config.optim.seed,
        rule_hints=config.model.rule_hints,
    )
    log.info("windows: %s", {k: len(v) for k, v in dataset.items()})

    # model and trainer
    model = build_model(config.model, tokenizer)
    has_dev = len(dataset["dev"]) > 0
    callbacks = (
        [EarlyStoppingCallback(early_stopping_patience=config.optim.patience)]
        if has_dev and config.optim.patience > 0
        else []
    )
    trainer = Trainer(
        model=model,
        args=training_arguments(config, has_dev=has_dev),
        train_dataset=dataset["train"],
        eval_dataset=dataset["dev"] if has_dev else None,
        data_collator=DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORE),
        compute_metrics=seqeval_metrics,
        compute_loss_func=weighted_loss(config.optim),
        callbacks=callbacks,
    )
    checkpoint = (
        get_last_checkpoint(str(out / CHECKPOINTS))
        if resume and (out / CHECKPOINTS).is_dir()
        else None
    )
    if checkpoint:
        log.info("resuming from %s", checkpoint)
    trainer.train(resume_from_checkpoint=checkpoint)

    # save: weights, tokenizer, label maps, config, data fingerprint, log, test scores
    if not trainer.is_world_process_zero():
        return out
    trainer.save_model(str(out))
    (out / "training_args.bin").unlink(missing_ok=True)  # a pickle: the model dir holds none
    tokenizer.save_pretrained(str(out))
    # dev_micro_f1: the trainer's per-window argmax score that early stopping used; "dev" and
    # "test": whole documents through the tagger with the configured decoding, as shipped
    metrics: dict[str, Any] = {"dev_micro_f1": trainer.state.best_metric}
    for name in ("dev", "test"):
        if split[name]:
            metrics[name] = evaluate_model(trainer.model, tokenizer, split[name], config)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "labels": list(BIO_TAGS),
        "config": config.to_dict(),
        "data_fingerprint": data_fingerprint(config.data.annotations),
        "split": {k: [t.name for t in v] for k, v in split.items()},
        "metrics": metrics,
        "log_history": trainer.state.log_history,
        "world_size": trainer.args.world_size,
        "grad_accum": trainer.args.gradient_accumulation_steps,
    }
    (out / "nlp.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    from nlp.training.model_card import write_model_card

    write_model_card(out, meta)
    return out


def evaluate_model(
    model: torch.nn.Module, tokenizer: Any, tasks: Sequence[Task], config: TrainConfig
) -> dict[str, Any]:
    """Span and record scores of a model on whole documents, through the inference engine
    with the configured decoding: the scores of what ships."""
    from nlp.tagger import Tagger
    from nlp.training.report import evaluate_tagger

    tagger = Tagger(
        model,
        tokenizer,
        max_tokens=config.data.max_tokens,
        stride=config.data.stride,
        decoding=config.decode,
        rule_hints=config.model.rule_hints,
    )
    report = evaluate_tagger(tagger.predict, tasks)
    return {"spans": report["spans"], "records": report["records"]}
