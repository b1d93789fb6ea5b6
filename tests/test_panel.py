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


def test_metadata_from_a_csv_replaces_the_detected(records, tmp_path):
    import pyarrow.parquet as pq

    _, records = records
    meta = tmp_path / "meta.csv"
    meta.write_text(
        "doc,region,region_level,region_code\n"
        "sichuan2021.txt,成都市,prefecture,510100000000\n"
        "gansu2022.txt,,,\n"
        "elsewhere.txt,某县,county,\n",
        encoding="utf-8",
    )
    out = tmp_path / "panel.parquet"
    result = runner.invoke(app, ["panel", str(records), "-o", str(out), "--meta", str(meta)])
    assert result.exit_code == 0, result.output
    assert "1 doc(s)" in result.output and "elsewhere.txt" in result.output
    by_doc = {}
    for row in pq.read_table(out).to_pylist():
        by_doc.setdefault(row["doc"].rsplit("/", 1)[-1], set()).add(
            (row["region"], row["region_level"], row["region_code"], row["doc_type"])
        )
    assert by_doc["sichuan2021.txt"] == {
        ("成都市", "prefecture", "510100000000", "government_work_report")  # doc_type kept
    }
    assert by_doc["gansu2022.txt"] == {(None, None, None, "government_work_report")}
    assert by_doc["gansu2021.txt"] == {
        ("甘肃省", "province", "620000000000", "government_work_report")
    }


@pytest.mark.parametrize(
    ("csv_text", "says"),
    [
        ("doc,region_level\na.txt,city\n", "line 2: region_level 'city'"),
        ("name,region\na.txt,x\n", "a `doc` column"),
        ("doc,region,province\na.txt,x,y\n", "unknown: province"),
    ],
)
def test_a_bad_metadata_csv_is_a_clear_error(records, tmp_path, csv_text, says):
    _, records = records
    meta = tmp_path / "meta.csv"
    meta.write_text(csv_text, encoding="utf-8")
    result = runner.invoke(
        app, ["panel", str(records), "-o", str(tmp_path / "p.csv"), "--meta", str(meta)]
    )
    assert result.exit_code != 0
    assert "meta.csv" in result.output and says in result.output
    assert not (tmp_path / "p.csv").exists()
