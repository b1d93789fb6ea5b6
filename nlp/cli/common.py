"""What the command modules share: consoles, option types, model loading, progress, tables."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nlp.errors import UsageError
from nlp.schema import LABELS

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ExistingPath = Annotated[Path, typer.Argument(exists=True, help="A file or a directory.")]
GoldPath = Annotated[
    Path, typer.Argument(exists=True, help="Gold annotations: Label Studio JSON file or directory.")
]
JsonOut = Annotated[Path | None, typer.Option("--json", help="Also write the full report here.")]
Format = Annotated[
    str, typer.Option("--format", "-f", help="Output format: jsonl, csv or parquet.")
]
Inputs = Annotated[
    list[str],
    typer.Argument(help="Report files, directories (walked recursively) or - for stdin."),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model directory or hub name (org/name); 'rules' for the regex baseline "
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
AllSpans = Annotated[
    bool,
    typer.Option(
        help="Tag every sentence. By default only what records can draw on is tagged (sentences "
        "where an amount may stand; headings, title and paragraph openers): faster, and spans "
        "far from any figure are left out."
    ),
]
Overrides = Annotated[
    list[str],
    typer.Option("--set", help="Override a config key, e.g. --set optim.lr=3e-4 (repeatable)."),
]


def check_format(fmt: str) -> str:
    from nlp.write import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def load_extractor(
    model: str | None,
    device: str,
    batch_size: int | None,
    dtype: str = "auto",
    *,
    all_spans: bool = False,
) -> Any:
    from nlp.extractor import Extractor

    return Extractor.load(
        model, device=device, dtype=dtype, batch_size=batch_size, all_spans=all_spans
    )


def load_tasks(path: Path) -> list[Any]:
    from nlp.training.annotations import load_tasks as load

    return load(path)


@contextlib.contextmanager
def progress(total: int | None = None, what: str = "extracting") -> Iterator[Any]:
    """A progress bar on stderr over ``total`` documents (with an ETA when known), the
    ``on_document(doc, chars)`` callback that moves it, and ``on_batch(done, chars)``
    that shows how far the tagger is inside long documents."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TextColumn("docs{task.fields[inside]} · {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(what, total=total, rate="", inside="")
        counts = {"docs": 0, "chars": 0}

        def on_document(doc: str, chars: int) -> None:
            counts["docs"] += 1
            counts["chars"] += chars
            elapsed = max(bar.tasks[0].elapsed or 1e-9, 1e-9)
            rate = f"{counts['chars'] / elapsed:,.0f} chars/s"
            bar.update(task, advance=1, rate=rate, description=doc[-40:], inside="")

        def on_batch(done: int, chars: int) -> None:  # inside a long group of documents
            if chars > 20_000:
                bar.update(task, inside=f" (+{done / chars:.0%} of the next)")

        yield bar, on_document, on_batch


def print_span_scores(scores: dict) -> None:
    table = Table(
        "label", "precision", "recall", "F1", "support", title="spans (seqeval, strict IOB2)"
    )
    for name in (*LABELS, "micro", "macro"):
        row = scores[name]
        table.add_row(
            name, *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")), str(row["support"])
        )
    console.print(table)


def print_record_scores(scores: dict) -> None:
    table = Table("score", "precision", "recall", "F1", "right", "predicted", "gold")
    for name in ("amount", "core", "full"):
        row = scores[name]
        table.add_row(
            name,
            *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")),
            *(str(row[k]) for k in ("right", "predicted", "gold")),
        )
    console.print(table)
    fields = Table("field", "accuracy", "scored", title="fields of matched records")
    for name, acc in scores["field_accuracy"].items():
        shown = "—" if acc is None else f"{acc:.3f}"
        fields.add_row(name, shown, str(scores.get("field_scored", {}).get(name, "")))
    console.print(fields)


def print_register_scores(rows: dict) -> None:
    columns = [*LABELS, "micro", "micro_overlap", "record_core_f1", "all_fields_f1"]
    table = Table("register", "docs", *columns, title="by register (F1)")
    for name, row in rows.items():
        cells = (f"{row[c]:.3f}" if c in row else "—" for c in columns)
        table.add_row(name, str(row["documents"]), *cells)
    console.print(table)


def write_json(payload: dict, path: Path | None) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"report → {path}")
