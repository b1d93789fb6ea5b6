"""Typed run configs read from YAML, validated once, with dotted ``--set key=value`` overrides.

A config is a tree of frozen dataclasses; an unknown key or a value of the wrong type fails
with the key's full path and what was expected, before anything is trained.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.decoding import Decoding
from nlp.errors import ConfigError
from nlp.schema import LABELS


@dataclass(frozen=True)
class ModelConfig:
    # A pretrained encoder: a hub name (bert-base-chinese) or a local directory. When set,
    # the compact architecture below is ignored.
    base: str | None = None
    keep_layers: int | None = None  # keep only the base encoder's lower layers (faster, smaller)
    rule_hints: bool = False  # the rule baseline's tags as a second input (token type ids)
    # Compact BERT trained from scratch with a character vocabulary made from the data.
    layers: int = 4
    hidden: int = 256
    heads: int = 4
    intermediate: int = 1024
    max_positions: int = 512
    dropout: float = 0.1
    vocab_min_count: int = 1  # characters seen fewer times map to [UNK]
    vocab_corpus: str | None = None  # extra unlabeled text (a folder of .txt) for the vocabulary


@dataclass(frozen=True)
class DataConfig:
    annotations: str = "annotations"
    fold: int | None = None  # leave-one-document-out: the k-th document (by name) is the test set
    test_docs: tuple[str, ...] = ()
    dev_docs: tuple[str, ...] = ()
    splits: bool = False  # the gold folder's splits.json decides test and dev documents
    dev_fraction: float = (
        0.15  # without dev_docs: this share of training windows, for early stopping
    )
    max_tokens: int = 256  # window budget, special tokens included
    stride: int = 32  # overlap of windows cut from a sentence longer than the budget


@dataclass(frozen=True)
class OptimConfig:
    lr: float = 5e-4
    schedule: str = "linear"  # linear | cosine | constant_with_warmup
    warmup: float = 0.1  # a share of all steps (< 1) or a number of steps
    epochs: float = 30.0
    max_steps: int = -1  # > 0 overrides epochs (smoke runs)
    batch_size: int = 16
    grad_accum: int = 1
    # > 0: examples per optimiser step over all GPUs; grad_accum is then derived from it
    # (effective_batch / (batch_size × GPUs)), so the recipe holds on 1 GPU or 8
    effective_batch: int = 0
    weight_decay: float = 0.01
    seed: int = 42
    patience: int = 5  # epochs without dev micro-F1 gain before stopping; 0 = never stop early
    # every B-/I- tag of these labels counts `label_weight` times in the loss (1: plain
    # cross-entropy), for labels the model finds least (INDICATOR, PROJECT)
    weighted_labels: tuple[str, ...] = ()
    label_weight: float = 1.0


@dataclass(frozen=True)
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    decode: Decoding = field(default_factory=Decoding)  # the one decoding settings class
    precision: str = "auto"  # auto (bf16 on a GPU that has it, else fp32) | fp32 | bf16 | fp16
    output_dir: str = "runs/model"
    logging_steps: int = 10

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PRECISIONS = ("auto", "fp32", "bf16", "fp16")
SCHEDULES = ("linear", "cosine", "constant_with_warmup")


def _coerce(value: Any, hint: Any, path: str) -> Any:
    """Check ``value`` against a type hint, converting lists to tuples and ints to floats."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a mapping of {hint.__name__} keys, got {value!r}")
        return _build(hint, value, path)
    if origin in (types.UnionType, typing.Union):
        args = typing.get_args(hint)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, arg, path)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0])
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{path}: expected a list, got {value!r}")
        (item,) = typing.get_args(hint)[:1]
        return tuple(_coerce(v, item, f"{path}[{i}]") for i, v in enumerate(value))
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, str):
        try:  # YAML reads `1e-3` (no dot) as a string
            return float(value)
        except ValueError:
            pass
    if hint in (int, float, str, bool) and (
        not isinstance(value, hint) or (hint is int and isinstance(value, bool))
    ):
        raise ConfigError(f"{path}: expected {hint.__name__}, got {value!r}")
    return value


def _build(cls: type, values: dict[str, Any], path: str = "") -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        where = f"{path}." if path else ""
        raise ConfigError(
            f"unknown key(s) {', '.join(where + k for k in unknown)}; "
            f"valid keys here: {', '.join(sorted(names))}"
        )
    kwargs = {k: _coerce(v, hints[k], f"{path}.{k}" if path else k) for k, v in values.items()}
    try:
        return cls(**kwargs)
    except ValueError as exc:  # a section's own check (Decoding's labels)
        raise ConfigError(str(exc)) from exc


def _validate(config: TrainConfig) -> TrainConfig:
    if config.precision not in PRECISIONS:
        raise ConfigError(f"precision: {config.precision!r} is not one of {', '.join(PRECISIONS)}")
    if config.optim.schedule not in SCHEDULES:
        raise ConfigError(
            f"optim.schedule: {config.optim.schedule!r} is not one of {', '.join(SCHEDULES)}"
        )
    if config.model.hidden % config.model.heads:
        raise ConfigError("model.hidden must be a multiple of model.heads")
    if config.data.max_tokens < 8:
        raise ConfigError("data.max_tokens must be at least 8")
    unknown = sorted(set(config.optim.weighted_labels) - set(LABELS))
    if unknown:
        raise ConfigError(
            f"optim.weighted_labels: {', '.join(unknown)} not among {', '.join(LABELS)}"
        )
    if config.optim.label_weight <= 0:
        raise ConfigError("optim.label_weight must be positive")
    return config


def _set(tree: dict[str, Any], dotted: str, raw: str) -> None:
    keys = dotted.split(".")
    node = tree
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {dotted}: {key} is not a section")
    node[keys[-1]] = yaml.safe_load(raw)  # `1e-4` → float, `null` → None, `[a, b]` → list


def load_config(
    path: str | Path | None = None, overrides: typing.Sequence[str] = ()
) -> TrainConfig:
    """A validated config from a YAML file (or the defaults), with ``key.sub=value`` overrides."""
    tree: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read the config ({exc})") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        tree = loaded
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set {item!r}: expected key=value, e.g. optim.lr=3e-4")
        _set(tree, key.strip(), raw)
    try:
        return _validate(_build(TrainConfig, tree))
    except ConfigError as exc:
        raise ConfigError(f"{path or 'config'}: {exc}") from exc
