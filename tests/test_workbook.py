"""sendlib.to_excel: a workbook an analyst can hand on, read back with openpyxl."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

import sendlib
from sendlib.errors import ArgumentError
from sendlib.measures import benchmarks


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    tables = {
        "Camden: benchmark": benchmarks.caseload_benchmark("Camden"),
        "Plans per 1,000, 2025": sendlib.league("rate_0_17", 2025),
    }
    path = sendlib.to_excel(tables, tmp_path_factory.mktemp("xl") / "camden.xlsx")
    return tables, path, load_workbook(path)


def test_one_named_sheet_per_table_and_notes(workbook):
    _, path, book = workbook
    assert book.sheetnames == ["Camden benchmark", "Plans per 1,000, 2025", "Notes"]
    assert not list(path.parent.glob(".*partial*"))  # written whole, nothing left beside it


def test_every_value_is_kept_whole_with_its_format(workbook):
    tables, _, book = workbook
    table, sheet = tables["Camden: benchmark"], book["Camden benchmark"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    header = [c.value for c in sheet[1]]
    assert header == list(table.columns)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(table)
    column = header.index("rate_0_17")
    read = pd.Series([r[column] for r in rows], dtype="Float64")
    pd.testing.assert_series_equal(
        read, table["rate_0_17"].reset_index(drop=True), check_names=False
    )
    formats = {h: sheet.cell(row=2, column=i + 1).number_format for i, h in enumerate(header)}
    assert formats["ehcps"] == "#,##0" and formats["rate_0_17"] == "#,##0.0"
    assert formats["year"] == "0" and formats["comparator"] == "General"


def test_long_notes_are_listed_once_on_the_notes_sheet(workbook):
    tables, _, book = workbook
    notes = list(book["Notes"].iter_rows(min_row=2, values_only=True))
    sources = [n for n in notes if n[0] == "Sources"]
    assert any("education-health-and-care-plans_2025" in n[1] for n in sources)
    assert ("Data", "latest January census", "January 2025") in notes
    long = {t for t in tables["Camden: benchmark"]["population_note"].dropna() if len(t) > 60}
    listed = [n[2] for n in notes if n[1] == "population_note"]
    assert sorted(listed) == sorted(long)  # each once
    column = [c.value for c in book["Camden benchmark"][1]].index("population_note")
    cells = {r[column] for r in book["Camden benchmark"].iter_rows(min_row=2, values_only=True)}
    assert not cells & long and any(str(c).startswith("see Notes, ") for c in cells)


def test_a_wrong_path_or_table_is_refused(tmp_path):
    with pytest.raises(ArgumentError, match="xlsx"):
        sendlib.to_excel(sendlib.ehcp_caseload("Kent"), tmp_path / "kent.csv")
    with pytest.raises(ArgumentError):
        sendlib.to_excel({"x": [1, 2]}, tmp_path / "x.xlsx")
