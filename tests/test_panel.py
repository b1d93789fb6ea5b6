"""`nlp panel` on constructed reports: facts by region and year, the same fact in two
reports grouped, different values for it flagged, and a DuckDB file that answers at once."""

import pytest
from typer.testing import CliRunner

from nlp.cli import app

runner = CliRunner()
REPORTS = {
    "gansu2021.txt": "2021年甘肃省政府工作报告\n各位代表：\n2020年，全省地区生产总值增长3.9%。",
    "gansu2022.txt": (
        "2022年甘肃省政府工作报告\n各位代表：\n"
        "2021年，全省地区生产总值增长6.9%。2020年，全省地区生产总值增长4.0%。"
    ),
    "sichuan2021.txt": "2021年四川省政府工作报告\n各位代表：\n2020年，全省地区生产总值增长3.8%。",
}


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = folder.parent / "records.jsonl"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return folder, out


def test_gdp_growth_by_region_and_year_from_duckdb(records, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    _, records = records
    out = tmp_path / "panel.duckdb"
    result = runner.invoke(app, ["panel", str(records), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(out)) as db:
        rows = db.sql(
            "select region, year, value, reports, conflict from panel "
            "where indicator_standard = 'gdp' and measure = 'growth_rate' "
            "order by region, year, value"
        ).fetchall()
    assert rows == [
        ("四川省", 2020, 3.8, 1, False),
        ("甘肃省", 2020, 3.9, 2, True),  # stated by both Gansu reports, with different values
        ("甘肃省", 2020, 4.0, 2, True),
        ("甘肃省", 2021, 6.9, 1, False),
    ]


def test_panel_as_parquet_keeps_each_fact_traceable(records, tmp_path):
    import pyarrow.parquet as pq

    folder, records = records
    out = tmp_path / "panel.parquet"
    assert runner.invoke(app, ["panel", str(records), "-o", str(out)]).exit_code == 0
    rows = pq.read_table(out).to_pylist()
    for row in rows:
        text = REPORTS[row["doc"].rsplit("/", 1)[-1]]
        assert float(text[row["amount_start"] : row["amount_end"]]) == row["value"]
    # the same records written as CSV give the same panel
    as_csv = tmp_path / "records.csv"
    assert (
        runner.invoke(app, ["extract", str(folder), "-o", str(as_csv), "-f", "csv"]).exit_code == 0
    )
    again = tmp_path / "again.parquet"
    assert runner.invoke(app, ["panel", str(as_csv), "-o", str(again)]).exit_code == 0
    assert pq.read_table(again).to_pylist() == rows
    result = runner.invoke(app, ["panel", str(records), "-o", str(tmp_path / "panel.xlsx")])
    assert result.exit_code == 2 and "panel.xlsx" in result.output
