"""The batch job behind `nlp extract` and `nlp tag`: many inputs → one output, written as
each document finishes, resumable, and never stopped by one bad file.

Beside the output ``OUT`` a manifest ``OUT.manifest.jsonl`` gets one line per finished
document (its path as given, content hash, record count, or the error). ``resume`` keeps
the documents the manifest lists as done with the same hash, drops any rows a crash left
behind for other documents, and processes the rest.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.errors import InputError, OutputError, UsageError
from nlp.extractor import DOC_CHARS_PER_CALL, Extractor
from nlp.io import (
    JSONL_SUFFIXES,
    iter_inputs,
    jsonl_documents,
    read_bytes,
    read_document,
    text_sha256,
)
from nlp.schema import Document
from nlp.write import SPAN_LINES, RecordWriter, read_rows


@dataclass
class Summary:
    documents: int = 0
    skipped: int = 0
    records: int = 0
    spans: int = 0  # span lines (`nlp tag`): the spans written
    characters: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    # documents with no year found, whose relative dates (上半年) get no period
    no_year: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Input:
    doc: str
    text: str
    sha256: str
    year: int | None = None  # the document's own year (a JSONL line's `year`)


@dataclass(frozen=True, slots=True)
class Reading:
    """How inputs are read: the fields of JSONL lines (`io.jsonl_documents`)."""

    text_field: str | None = None
    id_field: str | None = None


def read_inputs(
    name: str, reading: Reading = Reading()
) -> Iterator[tuple[str, str | InputError, int | None]]:
    """``(doc, text or its error, year)`` for one input name: a report file, stdin (``-``)
    or a JSONL file of reports (one document per line)."""
    try:
        if name == "-":
            yield name, read_bytes(sys.stdin.buffer.read(), source="<stdin>"), None
        elif Path(name).suffix.lower() in JSONL_SUFFIXES:
            yield from jsonl_documents(
                name, text_field=reading.text_field, id_field=reading.id_field
            )
        else:
            yield name, read_document(name), None
    except InputError as exc:
        yield name, exc, None


def manifest_path(out: Path) -> Path:
    return out.with_name(out.name + ".manifest.jsonl")


def read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    """Documents finished without error: path → its last manifest line."""
    done: dict[str, dict[str, Any]] = {}
    path = manifest_path(out)
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by a crash
        if row.get("error") is None:
            done[row["doc"]] = row
        else:
            done.pop(row["doc"], None)
    return done


def _same_settings(done: dict[str, dict[str, Any]], settings: dict[str, Any], out: Path) -> None:
    """--resume continues a run only with the model and options that made its rows."""
    for row in done.values():
        for key, value in settings.items():
            if key in row and row[key] != value:
                raise UsageError(
                    f"--resume: {out} was made with {key} {row[key]!r}, this run has {value!r}; "
                    "rows of two configurations would mix",
                    fix=f"run with the same {key}, or without --resume to start over",
                )


def _source(doc: str) -> str:
    """The input a document came from: `reports.jsonl#7` → `reports.jsonl`."""
    name, _, _ = doc.rpartition("#")
    return name if Path(name).suffix.lower() in JSONL_SUFFIXES else doc


def still_current(
    done: dict[str, dict[str, Any]], reading: Reading = Reading()
) -> dict[str, dict[str, Any]]:
    """The finished documents whose input still has the content that was extracted
    (stdin is always read anew)."""
    files = {_source(doc) for doc in done if doc != "-"}
    hashes = {
        doc: text_sha256(text)
        for name in sorted(files)
        for doc, text, _ in read_inputs(name, reading)
        if isinstance(text, str)
    }
    return {doc: row for doc, row in done.items() if hashes.get(doc) == row["sha256"]}


class _Sink:
    """The output (one `RecordWriter`) and its manifest, a line per finished document."""

    def __init__(
        self, out: Path, fmt: str, *, keep: dict[str, Any] | None, settings: dict[str, Any]
    ) -> None:
        self.out, self.settings = out, settings
        counts: Counter[str] = Counter()

        def kept() -> Iterator[dict[str, Any]]:
            for row in read_rows(out, fmt) if keep else ():
                if row.get("doc") in keep:
                    counts[row["doc"]] += 1
                    yield row

        self.writer = RecordWriter(out, fmt, keep=kept())
        missing = [d for d, row in (keep or {}).items() if counts[d] != row.get("rows", 0)]
        if missing:
            doc = missing[0]
            raise OutputError(
                f"the manifest lists {len(missing)} document(s) as finished whose rows are "
                f"not in the output (e.g. {doc}: {keep[doc].get('rows')} rows listed, "
                f"{counts[doc]} found)",
                where=str(out),
                fix=f"restore the output, or delete {manifest_path(out).name} to start over",
            )
        self.manifest = manifest_path(out).open("a" if keep is not None else "w", encoding="utf-8")

    def write(self, doc: str, sha256: str, rows: list[dict[str, Any]]) -> None:
        self.writer.write(rows)
        self._log({"doc": doc, "sha256": sha256, "rows": len(rows), "error": None})

    def fail(self, doc: str, sha256: str | None, reason: str) -> None:
        self._log({"doc": doc, "sha256": sha256, "rows": 0, "error": reason})

    def _log(self, row: dict[str, Any]) -> None:
        row = {**row, **self.settings}  # which model and options made the rows
        try:
            self.manifest.write(json.dumps(row, ensure_ascii=False) + "\n")
            self.manifest.flush()
        except OSError as exc:
            raise OutputError(
                f"cannot write the manifest ({exc.strerror or exc})",
                where=str(manifest_path(self.out)),
                fix="free some space, then run again with --resume",
            ) from exc

    def close(self) -> None:
        self.manifest.close()
        self.writer.close()

    def abort(self) -> None:
        """Stop without making OUT: what is finished stays in the staging file and the
        manifest, for --resume (a full disk may refuse even the last flush)."""
        with contextlib.suppress(OSError):
            self.manifest.close()
        self.writer.abort()


def _inputs(
    names: Iterable[str],
    summary: Summary,
    sink: _Sink,
    reading: Reading,
    on_document: Callable[[str, int], None],
) -> Iterator[Input]:
    for name in names:
        for doc, text, year in read_inputs(name, reading):
            if isinstance(text, InputError):
                summary.failures.append((doc, str(text)))
                sink.fail(doc, None, str(text))
                on_document(doc, 0)
                continue
            yield Input(doc, text, text_sha256(text), year)


def run(
    paths: Iterable[str],
    out: Path,
    extractor: Extractor,
    *,
    fmt: str = "jsonl",
    glob: str = "*",
    doc_year: int | None = None,
    resume: bool = False,
    emit_text: bool = False,
    reading: Reading = Reading(),
    chars_per_call: int = DOC_CHARS_PER_CALL,
    on_document: Callable[[str, int], None] | None = None,
) -> Summary:
    """Extract records (or, with ``fmt="spans"``, span lines) from every input into ``out``.

    Documents are tagged together in groups of about ``chars_per_call`` characters, and
    ``on_document(doc, characters)`` is called as each input is done with: written, failed
    (0 characters) or skipped by ``resume`` (0), so that a progress bar reaches its total.
    """
    names = list(iter_inputs(paths, glob=glob))
    if any(name != "-" and Path(name).resolve() == out.resolve() for name in names):
        raise UsageError(
            f"-o {out} is one of the inputs: writing it would destroy it",
            fix="write the records to another file",
        )
    summary = Summary()
    on_document = on_document or (lambda doc, chars: None)
    settings = {"model": getattr(extractor, "version", None), "doc_year": doc_year, "fmt": fmt}
    done = still_current(read_manifest(out), reading) if resume else None
    if done:
        _same_settings(done, settings, out)
    sink = _Sink(out, fmt, keep=done, settings=settings)
    texts = out.with_name(out.name + ".texts.jsonl") if emit_text else None
    text_file = texts.open("a" if resume else "w", encoding="utf-8") if texts else None
    try:
        pending = []
        for item in _inputs(names, summary, sink, reading, on_document):
            if done is not None and item.doc in done and done[item.doc]["sha256"] == item.sha256:
                summary.skipped += 1
                on_document(item.doc, 0)
                continue
            pending.append(item)
            if sum(len(p.text) for p in pending) >= chars_per_call:
                _flush(pending, extractor, sink, summary, fmt, doc_year, text_file, on_document)
                pending = []
                _release_memory()
        _flush(pending, extractor, sink, summary, fmt, doc_year, text_file, on_document)
    except BaseException:  # Ctrl-C, a full disk: no final OUT that is not complete
        sink.abort()
        raise
    else:
        sink.close()
    finally:
        if text_file:
            text_file.close()
    return summary


def _release_memory() -> None:
    """Hand freed heap back to the system between groups: PyTorch's CPU kernels allocate
    many differently sized buffers, and glibc otherwise keeps the peak for the whole run."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def extract_group(
    extractor: Extractor, pending: list[Input], doc_year: int | None
) -> list[tuple[Input, Document | None, str | None]]:
    """(input, document, None) or (input, None, reason) for each input, in order: the group
    is extracted together, and one by one when that fails, so that one bad document fails
    alone."""
    try:
        documents = list(
            extractor.extract_many([(p.doc, p.text, p.year) for p in pending], doc_year=doc_year)
        )
        return [(p, d, None) for p, d in zip(pending, documents, strict=True)]
    except Exception as exc:  # one failing document must not stop the run
        if len(pending) > 1:
            return [r for p in pending for r in extract_group(extractor, [p], doc_year)]
        return [(pending[0], None, f"{pending[0].doc}: {type(exc).__name__}: {exc}")]


def _flush(
    pending: list[Input],
    extractor: Extractor,
    sink: _Sink,
    summary: Summary,
    fmt: str,
    doc_year: int | None,
    text_file: Any,
    on_document: Callable[[str, int], None],
) -> None:
    if not pending:
        return
    for item, document, reason in extract_group(extractor, pending, doc_year):
        if document is None:
            summary.failures.append((item.doc, reason))
            sink.fail(item.doc, item.sha256, reason)
            on_document(item.doc, 0)
            continue
        if document.doc_year is None:
            summary.no_year.append(item.doc)
        if fmt == SPAN_LINES:
            rows = [document.to_span_line()]
            summary.spans += len(document.spans)
        else:
            rows = document.record_rows()
            summary.records += len(rows)
        if text_file is not None:  # the text first: a document the manifest calls done has it
            line = {"doc": item.doc, "sha256": item.sha256, "text": item.text}
            text_file.write(json.dumps(line, ensure_ascii=False) + "\n")
            text_file.flush()
        sink.write(item.doc, item.sha256, rows)
        summary.documents += 1
        summary.characters += len(item.text)
        on_document(item.doc, len(item.text))
