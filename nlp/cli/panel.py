"""`nlp panel`: record files in, one tidy table of facts out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlp.cli.common import console, err


def panel(
    records: Annotated[
        list[Path], typer.Argument(help="Record files of nlp extract: .jsonl, .csv or .parquet.")
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="panel.parquet, panel.csv or panel.duckdb.")
    ],
    meta: Annotated[
        Path | None,
        typer.Option(
            help="CSV of known document metadata: a doc column (path or file name) and any of "
            "region, region_level, region_code, doc_type; it replaces the detected values."
        ),
    ] = None,
) -> None:
    """One tidy row per fact: region, level, year, period, standard indicator, indicator as
    written, measure, value, base unit, change, source document and offsets. The same fact
    in several reports shares a `fact` id; `conflict` marks different values for it.

    Example: nlp panel records.jsonl -o panel.duckdb, then
    duckdb panel.duckdb "select region, year, value from panel where
    indicator_standard = 'gdp' and measure = 'growth_rate'"
    """
    from nlp.panel import panel as build
    from nlp.panel import read_meta, read_records, write_panel

    supplied = read_meta(meta) if meta else {}
    rows = build(read_records(records), supplied)
    docs = {r["doc"] for r in rows} | {Path(r["doc"] or "").name for r in rows}
    unmatched = sorted(set(supplied) - docs)
    if unmatched:
        shown = ", ".join(unmatched[:5]) + (" …" if len(unmatched) > 5 else "")
        err.print(
            f"[yellow]warning:[/] {len(unmatched)} doc(s) of {meta} are in no record file: {shown}",
            highlight=False,
            markup=True,
        )
    write_panel(rows, out)
    facts = {r["fact"] for r in rows if r["fact"] is not None}
    conflicts = {r["fact"] for r in rows if r["conflict"]}
    console.print(
        f"[green]✓[/] {len(rows)} rows; facts with a known region: {len(facts)}, "
        f"{len(conflicts)} of them with conflicting values → {out}"
    )


def register(app: typer.Typer) -> None:
    app.command("panel")(panel)
