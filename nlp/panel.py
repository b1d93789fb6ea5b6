"""A tidy panel from record files: one row per fact, with who reported it, which standard
indicator, what kind of figure and when, each traceable to its characters in its report.

The same fact stated in several reports (a region's 2020 GDP in its 2020 and 2021 reports)
shares a `fact` id; `conflict` marks a fact whose reports give different values. Metadata an
analyst knows better than the title lines (`--meta FILE.csv`) replaces the detected one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from nlp.errors import InputError, UsageError
from nlp.meta import DOC_TYPES, LEVELS
from nlp.write import flat_record, read_rows

PANEL_COLUMNS = (
    "region", "region_level", "region_code", "doc_type", "year", "period_start", "period_end",
    "indicator_standard", "indicator", "measure", "value", "base_unit", "change",
    "doc", "amount_start", "amount_end", "fact", "reports", "conflict",
)  # fmt: skip
PANEL_FORMATS = (".parquet", ".csv", ".duckdb")
_READ_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def fact_row(record: dict[str, Any]) -> dict[str, Any]:
    """One record line (nested or flat) as a panel row, before facts are grouped."""
    flat = flat_record(record)
    start, end = flat.get("period_start") or None, flat.get("period_end") or None
    same_year = start and end and start[:4] == end[:4]
    return {
        "region": flat.get("region") or None,
        "region_level": flat.get("region_level") or None,
        "region_code": flat.get("region_code") or None,
        "doc_type": flat.get("doc_type") or None,
        "year": int(start[:4]) if same_year else None,
        "period_start": start,
        "period_end": end,
        "indicator_standard": flat.get("indicator_standard") or None,
        "indicator": flat.get("indicator_text") or None,
        "measure": flat.get("measure") or None,
        "value": _number(flat.get("value")),
        "base_unit": flat.get("base_unit") or None,
        "change": flat.get("change") or None,
        "doc": flat.get("doc"),
        "amount_start": _int(flat.get("amount_start")),
        "amount_end": _int(flat.get("amount_end")),
    }


def read_records(paths: Iterable[str | Path]) -> Iterator[dict[str, Any]]:
    """The record rows of `nlp extract` outputs (.jsonl, .csv or .parquet)."""
    for path in map(Path, paths):
        fmt = _READ_FORMATS.get(path.suffix)
        if fmt is None or not path.is_file():
            raise UsageError(
                f"{path}: expected a record file (.jsonl, .csv or .parquet) of nlp extract"
            )
        yield from read_rows(path, fmt)


META_COLUMNS = ("region", "region_level", "region_code", "doc_type")
_META_VALUES = {"region_level": LEVELS, "doc_type": DOC_TYPES}


def read_meta(path: Path) -> dict[str, dict[str, str | None]]:
    """Document metadata supplied by hand: a CSV with a `doc` column (the record files' doc,
    or its file name) and any of `META_COLUMNS`; an empty cell says unknown (null)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            columns = set(reader.fieldnames or ())
            lines = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read the metadata CSV ({exc})") from exc
    unknown = columns - {"doc", *META_COLUMNS}
    if "doc" not in columns or unknown or columns == {"doc"}:
        raise UsageError(
            f"{path}: a metadata CSV has a `doc` column and some of {', '.join(META_COLUMNS)}"
            + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else "")
        )
    meta: dict[str, dict[str, str | None]] = {}
    for number, line in enumerate(lines, start=2):
        doc = (line.get("doc") or "").strip()
        if not doc:
            raise UsageError(f"{path}, line {number}: no doc")
        values = {c: (line[c] or "").strip() or None for c in META_COLUMNS if c in line}
        for column, allowed in _META_VALUES.items():
            if values.get(column) not in (None, *allowed):
                raise UsageError(
                    f"{path}, line {number}: {column} {values[column]!r} is not one of "
                    f"{', '.join(allowed)}"
                )
        meta[doc] = values
    return meta


def _supplied(row: dict[str, Any], meta: Mapping[str, Mapping[str, str | None]]) -> None:
    doc = row["doc"] or ""
    values = meta.get(doc) or meta.get(Path(doc).name)
    if values is not None:
        row.update(values)


def panel(
    records: Iterable[dict[str, Any]],
    meta: Mapping[str, Mapping[str, str | None]] | None = None,
) -> list[dict[str, Any]]:
    """Panel rows: a fact is one (region, standard indicator, measure, period) stated by one
    or more reports; rows missing any of those are facts of their own (``fact`` null).
    ``meta`` (`read_meta`) replaces the detected metadata of the documents it names."""
    rows = [fact_row(r) for r in records]
    for row in rows:
        _supplied(row, meta or {})
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        key = (
            row["region_code"] or row["region"],
            row["indicator_standard"],
            row["measure"],
            row["period_start"],
            row["period_end"],
            row["base_unit"],
        )
        if all(part is not None for part in key[:5]):
            groups.setdefault(key, []).append(row)
    for row in rows:
        row.update(fact=None, reports=1, conflict=False)
    for number, members in enumerate(groups.values(), start=1):
        values = {m["value"] for m in members if m["value"] is not None}
        docs = {m["doc"] for m in members}
        for member in members:
            member.update(fact=number, reports=len(docs), conflict=len(values) > 1)
    return rows


def write_panel(rows: list[dict[str, Any]], out: Path) -> None:
    """Parquet, CSV, or a DuckDB database with one table `panel`, by the file's suffix."""
    import pyarrow as pa

    if out.suffix not in PANEL_FORMATS:
        raise UsageError(f"{out}: write the panel as {', '.join(PANEL_FORMATS)}")
    table = pa.Table.from_pylist(rows, schema=_schema())
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, out)
    elif out.suffix == ".csv":
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, out)
    else:
        try:
            import duckdb
        except ImportError as exc:
            raise UsageError(
                "a .duckdb panel needs DuckDB", fix='pip install "nlp[panel]"'
            ) from exc
        out.unlink(missing_ok=True)
        with duckdb.connect(str(out)) as db:
            db.register("rows", table)
            db.execute("CREATE TABLE panel AS SELECT * FROM rows")


def _schema() -> Any:
    import pyarrow as pa

    kinds = {
        "year": pa.int64(), "value": pa.float64(), "amount_start": pa.int64(),
        "amount_end": pa.int64(), "fact": pa.int64(), "reports": pa.int64(),
        "conflict": pa.bool_(),
    }  # fmt: skip
    return pa.schema([pa.field(c, kinds.get(c, pa.string())) for c in PANEL_COLUMNS])
