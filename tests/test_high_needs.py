"""DfE's High Needs Benchmarking Tool extract: read cell by cell, blanks kept as blanks, and a
changed sheet refused naming every cell."""

from __future__ import annotations

import openpyxl
import pytest

from sendlib import config, tables
from sendlib.errors import DataFileError
from sendlib.ingest.high_needs import read_high_needs_benchmarking

TOOL = config.RAW_DIR / config.HIGH_NEEDS_BENCHMARKING


def test_the_tools_figures_are_read_as_published():
    table = tables.current().hn_benchmarking
    kingston = table[table["old_la_code"].eq("314")].set_index("measure")["value"]
    # the extract's row for Kingston upon Thames: 458 plans in mainstream, 156 in resourced
    # provision; top-ups £2,674,595.49 primary and £7,703,100 to independent special schools
    assert kingston["plans_mainstream"] == 458
    assert kingston["plans_resourced"] == 156
    assert kingston["top_up_state_primary"] == pytest.approx(2_674_595.49)
    assert kingston["top_up_independent_special"] == 7_703_100


def test_a_blank_is_kept_blank_and_flagged():
    table = tables.current().hn_benchmarking
    west = table[table["area_name"].eq("West Northamptonshire")]
    plans = west[west["measure"].str.startswith("plans_")]
    assert plans["value"].isna().all() and plans["flag"].eq("blank").all()


def test_a_changed_sheet_is_refused_naming_every_cell(tmp_path):
    book = openpyxl.load_workbook(TOOL)
    sheet = book.worksheets[0]
    sheet.cell(row=4, column=27).value = "Primary (1)"  # a label changed
    kent = next(r for r in range(8, sheet.max_row + 1) if sheet.cell(r, 3).value in (886, "886"))
    sheet.cell(row=kent, column=8).value = "n/a"  # text where a count belongs
    path = tmp_path / "tool.xlsx"
    book.save(path)
    with pytest.raises(DataFileError) as caught:
        read_high_needs_benchmarking(path)
    text = str(caught.value)
    assert "2 problem(s) in the High Needs Benchmarking Tool extract" in text
    assert "row 4, column '27'" in text and f"row {kent}, column '8'" in text and "'n/a'" in text
