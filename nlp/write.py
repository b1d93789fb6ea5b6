"""The one writer of record lines (and span lines): JSONL, CSV or Parquet, written as
documents finish, used by `nlp extract`, `nlp tag`, `nlp assemble` and the Ray shards.

Rows go first to a staging file beside the output, ``OUT.partial``: the format itself for
JSONL and CSV, flat JSON lines for Parquet. It is flushed after every document, so it is the
log a resumed run reads back after a crash. `RecordWriter.close` turns it into ``OUT``: a
rename for JSONL and CSV; for Parquet a conversion streamed in row groups, so memory stays
flat in the number of records. Either way ``OUT`` appears whole, by an atomic rename after
an fsync, or not at all, and the staging file goes only once ``OUT`` is in place.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nlp.errors import OutputError, UsageError

FORMATS = ("jsonl", "csv", "parquet")
SPAN_LINES = "spans"  # span lines, one per document: the output kind of `nlp tag`
ROW_GROUP = 5_000  # Parquet rows per row group: memory is one group, whatever the total

SPAN_FIELDS = ("amount", "unit", "indicator", "date", "project")
RECORD_COLUMNS: tuple[str, ...] = (
    "doc", "region", "region_level", "region_code", "doc_type",
    *(f"{f}_{p}" for f in SPAN_FIELDS for p in ("text", "start", "end", "score")),
    "change", "approximate", "measure", "indicator_standard", "value", "value_low", "value_high",
    "base_unit", "period_start", "period_end", "sentence_start", "sentence_end", "score",
)  # fmt: skip


def flat_record(row: dict[str, Any]) -> dict[str, Any]:
    """A record line as one flat row of `RECORD_COLUMNS`: `amount.text` → `amount_text`;
    a row that is flat already is returned as it is."""
    if "amount_text" in row:
        return row
    out: dict[str, Any] = dict.fromkeys(RECORD_COLUMNS)
    for key, value in row.items():
        if key in SPAN_FIELDS or key == "sentence":
            parts = ("start", "end") if key == "sentence" else ("text", "start", "end", "score")
            for part in parts:
                out[f"{key}_{part}"] = None if value is None else value.get(part)
        elif key in out:
            out[key] = value
    return out


def _parquet_schema() -> Any:
    import pyarrow as pa

    fields = []
    for name in RECORD_COLUMNS:
        if name == "approximate":
            kind = pa.bool_()
        elif name in ("value", "value_low", "value_high") or name.endswith("score"):
            kind = pa.float64()
        elif name.endswith(("_start", "_end")) and not name.startswith("period"):
            kind = pa.int64()
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def staging_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


def _fsync_replace(src: Path, dst: Path) -> None:
    with src.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(src, dst)


def _output_error(exc: OSError, path: Path) -> OutputError:
    return OutputError(
        f"cannot write ({exc.strerror or exc})",
        where=str(path),
        fix="check the folder exists and is writable and the disk has room",
    )


def check_writable(out: Path) -> None:
    """Fail before any work when ``out`` cannot be written: a folder in the way, a folder
    that cannot be made or written to."""
    if out.is_dir():
        raise OutputError("is a folder", where=str(out), fix="give a file name with -o")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(exc, out) from exc
    if not os.access(out.parent, os.W_OK):
        raise OutputError(
            "the folder is not writable", where=str(out.parent), fix="choose another -o"
        )


class RecordWriter:
    """Rows of one output, appended document by document; ``keep`` rows (a resumed run's
    finished documents, read by `read_rows`) are written first."""

    def __init__(self, out: Path, fmt: str, *, keep: Iterable[dict[str, Any]] = ()) -> None:
        if fmt not in (*FORMATS, SPAN_LINES):
            raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
        check_writable(out)
        self.out, self.fmt, self.count = out, fmt, 0
        self.staging = staging_path(out)
        fresh = self.staging.with_name(self.staging.name + f".{os.getpid()}")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            self.file = fresh.open(
                "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline=""
            )
        except OSError as exc:
            raise _output_error(exc, out) from exc
        self.csv: csv.DictWriter | None = None
        if fmt == "csv":
            self.csv = csv.DictWriter(self.file, fieldnames=RECORD_COLUMNS)
            self.csv.writeheader()
        self.write(keep)
        # the finished rows are safe in the fresh staging file before the old one goes
        self.file.flush()
        os.fsync(self.file.fileno())
        os.replace(fresh, self.staging)

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append rows (record lines, or span lines for `SPAN_LINES`) and flush them."""
        try:
            for row in rows:
                if self.csv is not None:
                    self.csv.writerow(flat_record(row))
                else:
                    flat = flat_record(row) if self.fmt == "parquet" else row
                    self.file.write(json.dumps(flat, ensure_ascii=False) + "\n")
                self.count += 1
            self.file.flush()
        except OSError as exc:
            raise _output_error(exc, self.staging) from exc

    def close(self) -> None:
        """Make ``OUT`` from the staging file: whole, or not at all."""
        try:
            self.file.close()
            if self.fmt == "parquet":
                tmp = self.out.with_name(f".{self.out.name}.{os.getpid()}.tmp")
                _staging_to_parquet(self.staging, tmp)
                _fsync_replace(tmp, self.out)
                self.staging.unlink()
            else:
                _fsync_replace(self.staging, self.out)
        except OSError as exc:
            raise _output_error(exc, self.out) from exc

    def __enter__(self) -> RecordWriter:
        return self

    def abort(self) -> None:
        """Stop without making ``OUT``: the staging file keeps what was written."""
        with contextlib.suppress(OSError):
            self.file.close()

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.abort()


def _staging_to_parquet(staging: Path, target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    with pq.ParquetWriter(target, schema) as writer, staging.open(encoding="utf-8") as f:
        batch: list[dict[str, Any]] = []
        for line in f:
            batch.append(json.loads(line))
            if len(batch) == ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or writer is not None:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


def read_rows(out: Path, fmt: str) -> Iterator[dict[str, Any]]:
    """The rows of an earlier run: its staging file after a crash, else its output. A line
    cut by a crash (or a full disk, inside a character) is skipped: its document is not in
    the manifest as finished, so it is redone."""
    staging = staging_path(out)
    source = staging if staging.exists() else out
    if not source.exists():
        return
    if fmt == "parquet" and source == out:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(out).iter_batches(batch_size=ROW_GROUP):
            yield from batch.to_pylist()
    elif fmt == "csv":
        with source.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            yield from csv.DictReader(f)
    else:
        with source.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def write_records(rows: Iterable[dict[str, Any]], path: str | Path, *, fmt: str = "jsonl") -> int:
    """Write record lines as JSONL, or flattened as CSV or Parquet; returns the count."""
    with RecordWriter(Path(path), fmt) as writer:
        writer.write(rows)
    return writer.count
