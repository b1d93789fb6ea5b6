"""`nlp annotations …`: check, count, pre-annotate and edit gold annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nlp.cli.common import ExistingPath, ModelOption, console, err, load_extractor, load_tasks
from nlp.schema import LABELS

app = typer.Typer(
    help="Gold annotations: check, count, pre-annotate and edit them.", no_args_is_help=True
)


@app.command("check")
def check(path: ExistingPath) -> None:
    """Validate a Label Studio JSON export (a file or a directory of them).

    Reports every problem with its task and reason: offsets that do not match the text,
    unknown labels, overlapping spans, relations to missing or wrong-label spans, and
    AMOUNT spans without a record. Exits 1 when there is any.
    """
    from nlp.training.annotations import load_tasks as load
    from nlp.training.validate import check as check_tasks

    unreadable: list = []
    tasks = load(path, errors=unreadable)
    problems = [*map(str, unreadable), *map(str, check_tasks(tasks))]
    for problem in problems:
        console.print(f"[red]✗[/] {escape(problem)}", highlight=False)
    spans = sum(len(t.spans) for t in tasks)
    if problems:
        err.print(f"{len(problems)} problem(s) in {len(tasks)} task(s), {spans} spans")
        raise typer.Exit(1)
    console.print(f"[green]✓[/] {len(tasks)} task(s), {spans} spans: no problems")


@app.command("stats")
def stats(path: ExistingPath) -> None:
    """Count spans per label, records and characters, per document and in total; with a
    splits.json beside the exports, also per split × register."""
    from nlp.training.annotations import load_splits
    from nlp.training.validate import split_stats
    from nlp.training.validate import stats as count

    tasks = load_tasks(path)
    rows = count(tasks)
    columns = ["task", "chars", *LABELS, "records", "relations"]
    table = Table(*columns, title=f"Annotations in {path}")
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    totals = {c: sum(r[c] for r in rows) for c in columns[1:]}
    table.add_row("total", *(str(totals[c]) for c in columns[1:]), style="bold")
    console.print(table)
    splits = load_splits(path) if path.is_dir() else {}
    if splits:
        columns = ["split", "register", "documents", "chars", *LABELS, "records"]
        table = Table(*columns, title="per split × register (splits.json)")
        for row in split_stats(tasks, splits):
            table.add_row(*(str(row[c]) for c in columns))
        console.print(table)


@app.command("preannotate")
def preannotate(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Report files.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Directory for the markup files.")],
    model: ModelOption = None,
) -> None:
    """Tag reports with a model (default: the bundled one; 'rules' for the regex) and write
    editable markup, one NAME.ann.txt each, records and change/approximate included.

    The markup is described in `nlp.training.markup`; fix it by reading, then `annotations
    build`. Example: nlp annotations preannotate reports/*.txt -o markup/
    """
    from nlp.io import read_document
    from nlp.training.markup import preannotate as to_markup

    extractor = load_extractor(model, "auto", 32)
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        text = read_document(path)
        spans = extractor.tag(text)
        target = out / f"{path.stem}.ann.txt"
        target.write_text(to_markup(text, spans, meta={"source": path.name}), encoding="utf-8")
        console.print(f"{path} → {target} ({len(spans)} spans)")


@app.command("build")
def build(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Markup files (.ann.txt).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Label Studio JSON file to write.")],
    year: Annotated[
        list[str], typer.Option(help="Document year per file, as STEM=YEAR (repeatable).")
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
) -> None:
    """Turn markup files into one Label Studio JSON export, checked before it is written:
    nothing is written while any file has a problem."""
    from nlp.errors import UsageError
    from nlp.training.annotations import save_tasks
    from nlp.training.markup import build as build_tasks

    years = {}
    for item in year:
        stem, sep, value = item.partition("=")
        if not sep or not value.isdigit():
            raise UsageError(f"--year {item!r}: write STEM=YEAR, e.g. --year report-7=2021")
        years[stem] = int(value)
    tasks, problems = build_tasks(paths, years)
    for problem in problems:
        err.print(f"[red]✗[/] {escape(problem)}", highlight=False)
    if problems:
        raise typer.Exit(1)
    save_tasks(tasks, out)
    console.print(f"[green]✓[/] {len(tasks)} task(s) → {out}")


@app.command("to-markup")
def to_markup(
    path: ExistingPath,
    out: Annotated[Path, typer.Option("-o", "--out", help="Directory for the markup files.")],
) -> None:
    """Write each task of an export as a markup file, for editing by hand, and each task's
    meta (source, year, register) to OUT/meta.json, which `annotations build` reads back."""
    import json

    from nlp.training.markup import META_FILE, file_stem, render

    out.mkdir(parents=True, exist_ok=True)
    metas = {}
    for task in load_tasks(path):
        target = out / f"{file_stem(task)}.ann.txt"
        target.write_text(render(task), encoding="utf-8")
        metas[file_stem(task)] = task.meta
        console.print(f"task {task.name} → {target}")
    meta_json = json.dumps(metas, ensure_ascii=False, indent=1)
    (out / META_FILE).write_text(meta_json + "\n", encoding="utf-8")
