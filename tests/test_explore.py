"""sendlib.explore(): the widgets drive the table and chart; export writes a workbook."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

import sendlib
from sendlib.measures import benchmarks


def test_the_table_follows_the_widgets(tmp_path):
    ex = sendlib.explore(["Camden", "Kent"], measure="rate_0_17", export_dir=tmp_path)
    lines = set(ex.table["line"])
    assert {"Camden", "Kent", "Inner London", "South East", "England"} <= lines
    assert {"Camden: statistical neighbours", "Kent: statistical neighbours"} <= lines
    camden = benchmarks.caseload_benchmark("Camden").query("role == 'council'")
    shown = ex.table.query("line == 'Camden'").set_index("year")["value"]
    pd.testing.assert_series_equal(
        shown, camden.set_index("year")["rate_0_17"].astype("Float64"), check_names=False
    )
    ex.comparators.value = ("england",)
    assert set(ex.table["role"]) == {"council", "england"}
    ex.measure.value = "pct_within_20_weeks_excl_exceptions"
    assert set(ex.table["measure"]) == {"pct_within_20_weeks_excl_exceptions"}
    assert ex.figure is not None and ex.message == ""
    ex.areas.value = ()
    assert ex.figure is None and "pick at least one council" in ex.message


def test_export_writes_the_shown_table(tmp_path):
    ex = sendlib.explore("Kent", measure="new_plans", export_dir=tmp_path)
    path = ex.export()
    book = load_workbook(path)
    assert book.sheetnames == ["New EHC plans", "Notes"]
    rows = list(book["New EHC plans"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(ex.table) and str(path) in ex.status.value


def test_an_area_that_is_not_a_council_is_refused_with_the_reason():
    import pytest

    from sendlib.errors import NotACouncilError

    with pytest.raises(NotACouncilError, match="is England, the country, not a council"):
        sendlib.explore("England")
    assert list(sendlib.explore("E09000007").areas.value) == ["Camden"]  # a code works
