"""The registry of measures, and result tables that say what they are (sendlib.registry)."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

import sendlib
from sendlib import registry
from sendlib.measures import activity, benchmarks, finance, forecasting, league
from sendlib.registry import MEASURES, UNITS, describe, described

RESULTS = {
    "ehcp_caseload": lambda: sendlib.ehcp_caseload("Kent"),
    "caseload_by_age": lambda: sendlib.caseload_by_age("Kent"),
    "ehcp_activity": lambda: sendlib.ehcp_activity("Kent"),
    "caseload_benchmark": lambda: benchmarks.caseload_benchmark("Kent"),
    "growth": lambda: benchmarks.growth("Kent", 2019, 2025),
    "caseload_shares": lambda: benchmarks.caseload_shares("Kent", "placement"),
    "activity_benchmark": lambda: activity.activity_benchmark("Kent"),
    "league": lambda: league.league("rate_0_17", 2025),
    "forecast": lambda: forecasting.forecast("Kent"),
    "specialist_spend": lambda: finance.specialist_spend_benchmark("Kent"),
    "dsg_deficit": lambda: finance.dsg_deficit_benchmark("Kent"),
    "two councils": lambda: benchmarks.caseload_benchmark(["Kent", "Medway"]),
}


@pytest.mark.parametrize("name", RESULTS)
def test_every_result_table_says_what_it_is(name):
    table = RESULTS[name]()
    told = described(table)
    assert told is not None, f"{name} does not say what it is"
    assert told["kind"] in registry.KINDS
    assert told["area"] is None or told["area"] in table.columns
    assert set(told["units"]) <= set(table.columns)
    assert set(told["units"].values()) <= set(UNITS)
    numeric = [c for c in told["units"] if pd.api.types.is_numeric_dtype(table[c])]
    assert numeric == list(told["units"]), "a unit given to a column of words"


def test_a_table_keeps_what_it_is_through_filtering_and_sorting():
    table = benchmarks.caseload_benchmark("Kent")
    kept = table[table["year"].ge(2020)].sort_values("ehcps").reset_index(drop=True).copy()
    assert described(kept) == described(table)


def test_the_workbook_formats_a_column_by_its_unit_not_its_name(tmp_path):
    # "pct_points" reads as a percentage; the table says it is pounds.
    table = describe(
        pd.DataFrame({"year": [2025], "pct_points": [1234.5], "plans": [1.5]}),
        "finance",
        units={"pct_points": "GBP", "plans": "count"},
    )
    path = sendlib.to_excel({"Told": table}, tmp_path / "t.xlsx")
    told = load_workbook(path)["Told"]
    assert told["B2"].number_format == "£#,##0" and told["C2"].number_format == "#,##0"
    # The same figures without the description fall back to reading the names.
    plain = pd.DataFrame({"year": [2025], "pct_points": [1234.5], "plans": [1.5]})
    path = sendlib.to_excel(plain, tmp_path / "plain.xlsx")
    sheet = load_workbook(path)["Table"]
    assert sheet["B2"].number_format == "#,##0.0" and sheet["C2"].number_format == "#,##0.0"


def test_plot_is_told_the_kind_of_table():
    shares = benchmarks.caseload_shares("Kent", "need")
    # Without "share" among its columns the old guess would draw lines; the table says shares.
    renamed = shares.rename(columns={"share": "share"})
    fig = sendlib.plot(renamed)
    assert fig.alt_text.lower().startswith(("stacked", "bar")) or "share" in fig.alt_text.lower()
    table = league.league("ehcps", 2025)
    told = table.drop(columns="rank").rename(columns={"of": "ranked"})
    with pytest.raises(Exception) as error:  # told it is a league table: drawn as one
        sendlib.plot(told)
    assert "rank" in str(error.value)


def test_league_measures_and_activity_read_the_registry():
    ranked = [n for n, m in MEASURES.items() if m.ranked]
    assert list(league.MEASURES) == ranked
    assert list(sendlib.measures.table()["measure"]) == ranked
    for name, (label, numerator, denominator) in activity.ACTIVITY.items():
        measure = MEASURES[name]
        assert (measure.label, measure.numerator, measure.denominator) == (
            label,
            numerator,
            denominator,
        )
        assert (measure.unit == "count") == (numerator is None)


def test_describe_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        describe(pd.DataFrame({"a": [1]}), "chart")
