"""`nlp extract`, `tag`, `assemble`, `review`: reports in, spans and records out."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from nlp.cli.common import (
    AllSpans,
    DeviceOption,
    DtypeOption,
    Format,
    Glob,
    Inputs,
    ModelOption,
    check_format,
    console,
    err,
    load_extractor,
    progress,
)
from nlp.errors import UsageError

DocYear = Annotated[
    int | None, typer.Option(help="Year for relative dates \\[default: from each title].")
]
BatchSize = Annotated[
    int | None,
    typer.Option(
        min=1, help="Windows per model call \\[default: 8 on ONNX Runtime int8, 32 on PyTorch]."
    ),
]
TextField = Annotated[
    str | None,
    typer.Option(
        help="JSONL inputs: the field holding each report \\[default: content, else text]."
    ),
]
IdField = Annotated[
    str | None,
    typer.Option(
        help="JSONL inputs: the field naming each report (PATH#ID) \\[default: line number]."
    ),
]


def _report(summary: Any, out: Path) -> None:
    """What a batch run did, its failures, and exit code 1 when any input failed."""
    found = f"{summary.spans} spans" if summary.spans else f"{summary.records} records"
    console.print(
        f"{summary.documents} documents, {found}, {summary.characters:,} characters → {out}"
        + (f"; {summary.skipped} already done (--resume)" if summary.skipped else "")
    )
    if summary.no_year:
        shown = ", ".join(summary.no_year[:5]) + (" …" if len(summary.no_year) > 5 else "")
        err.print(
            f"[yellow]warning:[/] {len(summary.no_year)} document(s) with no year found, so "
            f"their relative dates (上半年, 1-6月) have no period: {escape(shown)} "
            "(give --doc-year, or a year field in JSONL inputs)",
            highlight=False,
        )
    for _, reason in summary.failures:
        err.print(f"[red]failed:[/] {escape(reason)}", highlight=False)
    if summary.failures:
        err.print(f"{len(summary.failures)} input(s) failed; the others are written")
        raise typer.Exit(1)


def _run_batch(paths: list[str], out: Path, extractor: Any, **options: Any) -> None:
    """One batch run with a progress bar over all the documents (counted first: a walk of
    the folders and a count of JSONL lines), then its report."""
    from nlp.batch import run
    from nlp.io import count_documents, iter_inputs

    names = list(iter_inputs(paths, glob=options.pop("glob", "*")))
    if out.exists() and not options.get("resume"):
        err.print(
            f"[yellow]note:[/] {escape(str(out))} exists and is replaced (--resume continues it)"
        )
    what = "tagging" if options.get("fmt") == "spans" else "extracting"
    with progress(count_documents(names), what) as (_, on_document, on_batch):
        tagger = getattr(extractor, "tagger", None)
        if hasattr(tagger, "on_batch"):  # a model, not the rules
            tagger.on_batch = on_batch
        summary = run(names, out, extractor, on_document=on_document, **options)
    _report(summary, out)


def _run_ray(paths: list[str], out: Path, model: str | None, **options: Any) -> None:
    try:
        from nlp.ray_engine import run_ray
    except ImportError as exc:
        raise UsageError("the ray engine needs Ray", fix="pip install 'nlp[ray]'") from exc
    with progress() as (_, on_document, _on_batch):
        summary = run_ray(paths, out, model, on_document=on_document, **options)
    _report(summary, out)


def extract(
    paths: Inputs,
    out: Annotated[
        Path,
        typer.Option("-o", "--out", help="Output file (with --engine ray: a shard directory)."),
    ],
    fmt: Format = "jsonl",
    model: ModelOption = None,
    batch_size: BatchSize = None,
    device: DeviceOption = "auto",
    doc_year: DocYear = None,
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
    text_field: TextField = None,
    id_field: IdField = None,
    verbose: Annotated[
        bool, typer.Option(help="With --engine ray: show Ray's own log lines too.")
    ] = False,
) -> None:
    """Extract statistical records from reports.

    One record line per AMOUNT: indicator, amount, unit, date, project, normalised value,
    base unit and period, with character offsets into the decoded text. Records are written
    as each document finishes, beside a manifest (OUT.manifest.jsonl) that --resume reads.
    Exit code 0: every input succeeded; 1: some failed (the others are written); 2: usage;
    3: the model, config or output cannot be used.

    With --engine ray (pip install 'nlp\\[ray]'), OUT is a directory of jsonl or parquet
    shards with the same record lines, written by the actors; see docs/scaling.md.

    Inputs: .txt/.md/.html/.docx/.pdf reports, folders of them, - (stdin), and JSONL files
    of reports, one per line (--text-field, --id-field; a line's "year" is its year).

    Examples:
      nlp extract reports/ -o records.jsonl
      nlp extract national.jsonl --id-field year -o records.jsonl
      nlp extract /archive -o shards/ -f parquet --engine ray --address auto \\
        --num-gpus-per-worker 1
    """
    check_format(fmt)
    if engine not in ("local", "ray"):
        raise UsageError(f"--engine {engine!r}: choose local or ray")
    if engine == "ray":
        if emit_text:
            raise UsageError("--emit-text is for the local engine (ray reads the files)")
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
            verbose=verbose,
        )
        return
    from nlp.batch import Reading

    extractor = load_extractor(model, device, batch_size, dtype)
    _run_batch(
        paths,
        out,
        extractor,
        fmt=fmt,
        glob=glob,
        doc_year=doc_year,
        resume=resume,
        emit_text=emit_text,
        reading=Reading(text_field, id_field),
    )


def tag(
    paths: Inputs,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output file for the span lines.")],
    model: ModelOption = None,
    batch_size: BatchSize = None,
    device: DeviceOption = "auto",
    resume: Annotated[bool, typer.Option(help="Skip documents already complete in OUT.")] = False,
    glob: Glob = "*",
    doc_year: DocYear = None,
    text_field: TextField = None,
    id_field: IdField = None,
    all_spans: AllSpans = False,
) -> None:
    """Tag reports with spans only: one span line per document ({"doc","text","doc_year",
    "doc_year_source","spans"}), the input of `nlp assemble`."""
    from nlp.batch import Reading
    from nlp.write import SPAN_LINES

    extractor = load_extractor(model, device, batch_size, all_spans=all_spans)
    _run_batch(
        paths,
        out,
        extractor,
        fmt=SPAN_LINES,
        glob=glob,
        resume=resume,
        doc_year=doc_year,
        reading=Reading(text_field, id_field),
    )


def assemble(
    spans: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Span lines (JSONL).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Where to write the records.")],
    fmt: Format = "jsonl",
    doc_year: DocYear = None,
) -> None:
    """Assemble tagged spans into normalised records (one per AMOUNT).

    Reads span lines ({"doc", "text", "doc_year", "spans"}) and writes record lines.
    A document without doc_year (and no --doc-year) gets the year from its title or
    opening lines.
    """
    from nlp.io import read_span_lines
    from nlp.layout import Layout
    from nlp.meta import detect_doc_type, detect_region
    from nlp.records import assemble as assemble_records
    from nlp.schema import Document
    from nlp.write import write_records

    check_format(fmt)

    def rows_of(doc: Document) -> list[dict]:
        layout = Layout.of(doc.text)  # once per document: assembler, region and kind
        year = doc_year if doc_year is not None else doc.doc_year
        records = assemble_records(doc.text, doc.spans, doc_year=year, layout=layout)
        return dataclasses.replace(
            doc,
            records=tuple(records),
            region=detect_region(doc.text, layout),
            doc_type=detect_doc_type(doc.text, layout),
        ).record_rows()

    rows = (row for doc in read_span_lines(spans) for row in rows_of(doc))
    n = write_records(rows, out, fmt=fmt)
    console.print(f"[green]✓[/] {n} records → {out}")


def review(
    paths: Inputs,
    out: Annotated[Path, typer.Option("-o", "--out", help="The HTML page to write.")],
    model: ModelOption = None,
    device: DeviceOption = "auto",
    glob: Glob = "*",
    doc_year: DocYear = None,
    text_field: TextField = None,
    id_field: IdField = None,
    all_spans: AllSpans = False,
) -> None:
    """Write one self-contained HTML page showing each document with its spans highlighted
    by label and a table of its records, for a person checking the output."""
    from nlp.batch import Reading, read_inputs
    from nlp.io import iter_inputs
    from nlp.review import render
    from nlp.write import check_writable

    check_writable(out)  # before the work, not after it
    extractor = load_extractor(model, device, 32, all_spans=all_spans)
    items, failed = [], 0
    for name in iter_inputs(paths, glob=glob):
        for doc, text, year in read_inputs(name, Reading(text_field, id_field)):
            if isinstance(text, str):
                items.append((doc, text, year))
                continue
            err.print(f"[red]failed:[/] {escape(str(text))}", highlight=False)
            failed += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render(
        extractor.extract_many(items, doc_year=doc_year),
        title=f"nlp review: {len(items)} documents",
    )
    out.write_text(page, encoding="utf-8")
    console.print(f"{len(items)} documents → {out}")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    for command in (extract, tag, assemble, review):
        app.command(command.__name__)(command)
