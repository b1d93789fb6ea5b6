"""Reading reports into text, and writing span and record lines.

The decoded text is the document: every offset the package writes points into it, so
readers never normalise newlines or strip anything.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from nlp.schema import Document, Record, Span

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ReadError(ValueError):
    """A file that cannot be read as a report; the message names the file and the reason."""


def decode(data: bytes, *, source: str = "<bytes>") -> str:
    """Bytes → text: a BOM decides, then strict UTF-8, then GB18030, then detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    if b"\x00" in data[:4096]:
        raise ReadError(f"{source}: binary file (NUL bytes), not a text report")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312: Chinese official files
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError(f"{source}: cannot detect the text encoding")
    return str(best)


def read_text(path: str | Path) -> str:
    """The decoded text of a .txt/.md report."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: {exc.strerror or exc}") from exc
    return decode(data, source=str(path))


# --- span and record lines -----------------------------------------------------------

FORMATS = ("jsonl", "csv", "parquet")


def read_span_lines(path: str | Path) -> Iterator[Document]:
    """Documents from a span-line JSONL file; a bad line raises with its line number."""
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield Document.from_span_line(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise ReadError(f"{path}:{n}: not a span line ({exc})") from exc


def record_rows(doc: str | None, records: Iterable[Record]) -> list[dict[str, Any]]:
    return [r.to_dict(doc) for r in records]


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A record line as one flat row: `amount.text` → `amount_text` and so on."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in SPAN_FIELDS or key == "sentence":
            parts = ("start", "end") if key == "sentence" else ("text", "start", "end")
            for part in parts:
                out[f"{key}_{part}"] = None if value is None else value[part]
        else:
            out[key] = value
    return out


SPAN_FIELDS = ("amount", "unit", "indicator", "date", "project")


def write_records(rows: Iterable[dict[str, Any]], path: str | Path, *, fmt: str = "jsonl") -> int:
    """Write record lines as JSONL, or flattened as CSV or Parquet; returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(rows)
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        flat = [_flat(r) for r in rows]
        columns = list(_flat(Record(amount=_EMPTY).to_dict()).keys())
        with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads Chinese
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(flat)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = list(_flat(Record(amount=_EMPTY).to_dict()).keys())
        flat = [_flat(r) for r in rows]
        table = pa.Table.from_pylist(flat, schema=_parquet_schema(columns)) if flat else None
        pq.write_table(table if table is not None else _parquet_schema(columns).empty_table(), path)
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return len(rows)


_EMPTY = Span(0, 0, "AMOUNT", "")


def _parquet_schema(columns: list[str]) -> Any:
    import pyarrow as pa

    types = {
        "approximate": pa.bool_(),
        "value": pa.float64(),
        "value_low": pa.float64(),
        "value_high": pa.float64(),
        "score": pa.float64(),
    }
    fields = []
    for name in columns:
        if name in types:
            fields.append(pa.field(name, types[name]))
        elif name.endswith(("_start", "_end")) and not name.startswith("period"):
            fields.append(pa.field(name, pa.int64()))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def read_record_lines(path: str | Path) -> Iterator[tuple[str | None, Record]]:
    """(doc, record) pairs from a record-line JSONL file."""
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                yield row.get("doc"), Record.from_dict(row)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise ReadError(f"{path}:{n}: not a record line ({exc})") from exc
