"""`nlp panel`: record files in, one tidy table of facts out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlp.cli.common import console


def panel(
    records: Annotated[
        list[Path], typer.Argument(help="Record files of nlp extract: .jsonl, .csv or .parquet.")
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="panel.parquet, panel.csv or panel.duckdb.")
    ],
) -> None:
    """One tidy row per fact: region, level, year, period, standard indicator, indicator as
    written, measure, value, base unit, change, source document and offsets. The same fact
    in several reports shares a `fact` id; `conflict` marks different values for it.

    Example: nlp panel records.jsonl -o panel.duckdb, then
    duckdb panel.duckdb "select region, year, value from panel where
    indicator_standard = 'gdp' and measure = 'growth_rate'"
    """
    from nlp.panel import panel as build
    from nlp.panel import read_records, write_panel

    rows = build(read_records(records))
    write_panel(rows, out)
    facts = {r["fact"] for r in rows if r["fact"] is not None}
    conflicts = {r["fact"] for r in rows if r["conflict"]}
    console.print(
        f"[green]✓[/] {len(rows)} rows; facts with a known region: {len(facts)}, "
        f"{len(conflicts)} of them with conflicting values → {out}"
    )


def register(app: typer.Typer) -> None:
    app.command("panel")(panel)
