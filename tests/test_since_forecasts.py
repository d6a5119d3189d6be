"""'Since the last meeting' compares a forecast only with a forecast of the same January, and
tells an earlier meeting (however far back) how its forecast did once that January is counted."""

from __future__ import annotations

import html
import re
import zipfile
from types import SimpleNamespace

import pandas as pd
import pytest

from sendlib import config
from sendlib.measures import headlines
from sendlib.pipeline import board as pipeline_board
from sendlib.present import board

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow


def figures(*rows) -> pd.DataFrame:
    return headlines.frame(
        [
            dict(zip(("figure", "label", "unit", "when", "value", "low", "high"), r, strict=True))
            for r in rows
        ]
    )


def text(now, before, outcomes=None) -> str:
    page = board.since_last_meeting(
        {"data": {}, "key_figures": now, "kpi_ratings": None},
        {"meeting_date": "2022-07-14", "data": {}, "key_figures": before.to_dict("records")},
        council="Kent",
        outcomes=outcomes,
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


FORECAST = "Plans forecast"


@pytest.mark.parametrize(
    "then, now",
    [
        ("January 2023", "January 2026"),
        ("January 2025", "January 2026"),
        ("January 2026", "January 2027"),
    ],
)
def test_forecasts_of_different_januaries_are_not_subtracted(then, now):
    before = figures(("forecast", FORECAST, "plans", then, 3753.0, 3500.0, 4000.0))
    current = figures(("forecast", FORECAST, "plans", now, 4879.0, 4500.0, 5200.0))
    said = text(current, before)
    assert "+1,126" not in said
    assert f"not comparable: {then} then, {now} now" in said


def test_forecasts_of_the_same_january_are_compared():
    before = figures(("forecast", FORECAST, "plans", "January 2026", 4700.0, 4400.0, 5000.0))
    current = figures(("forecast", FORECAST, "plans", "January 2026", 4879.0, 4500.0, 5200.0))
    assert "+179" in text(current, before)


def test_a_meeting_further_back_is_told_how_its_forecast_did():
    before = figures(("forecast", FORECAST, "plans", "January 2023", 3753.0, 3500.0, 4000.0))
    current = figures(
        ("plans", "EHC plans maintained", "plans", "January 2025", 20635.0, None, None)
    )
    said = text(current, before, outcomes={"January 2023": 3900.0})
    assert (
        "The last meeting's forecast for January 2023 was 3,753; the census counted 3,900" in said
    )
    assert "inside its 80% interval (3,500 to 4,000)" in said
    assert "makes them again with today's data and method" in said


def kent_published(year: int) -> int:
    """Kent's plans at a January as DfE's 2025 release prints them, read with pandas alone."""
    with zipfile.ZipFile(config.RAW_DIR / config.EHCP_RELEASE_2025) as archive:
        rows = pd.read_csv(archive.open("data/caseload.csv"), dtype=str, encoding="utf-8-sig")
    period = f"{year - 1}{str(year)[2:]}"
    row = rows[
        rows["la_name"].eq("Kent")
        & rows["time_period"].eq(period)
        & rows["breakdown_topic"].eq("All EHC plans")
    ]
    return int(row["ehcplans"].iloc[0])


@pytest.mark.parametrize("january", [2021, 2023, 2024])
def test_the_outcome_of_an_earlier_forecast_is_read_from_the_census(january):
    pack = SimpleNamespace(council="Kent", data={"latest_census": 2025})
    earlier = {"key_figures": [{"figure": "forecast", "when": f"January {january}", "value": 1.0}]}
    found = pipeline_board.forecast_outcomes(pack, earlier)
    assert found == {f"January {january}": float(kent_published(january))}


def test_no_outcome_for_a_january_not_yet_counted():
    pack = SimpleNamespace(council="Kent", data={"latest_census": 2025})
    earlier = {"key_figures": [{"figure": "forecast", "when": "January 2026", "value": 1.0}]}
    assert pipeline_board.forecast_outcomes(pack, earlier) == {}


FIRST_JANUARIES = [
    ("West Northamptonshire", 2022, "2021"),
    ("Bournemouth, Christchurch and Poole", 2020, "2021"),
    ("Cumberland", 2024, "2025"),
    ("Dorset", 2020, "2021"),
]
"""Councils at their first January after a reorganisation, with a neighbour model they are in."""


@pytest.mark.parametrize("council, census, model", FIRST_JANUARIES)
def test_a_key_figure_that_cannot_be_worked_out_says_why(council, census, model):
    """A council's first January after a reorganisation has no growth: the summary says why."""
    row = headlines.growth_figure(council, latest_census=census, sn_model=model).iloc[0]
    assert pd.isna(row["value"])
    said = board.figure_sentence(row)
    assert "()" not in said and f"no figure for January {census - 1}" in said


@pytest.mark.parametrize("council, census, model", FIRST_JANUARIES)
def test_a_councils_first_january_is_reported_without_a_growth_and_says_why(council, census, model):
    from sendlib.present import benchmarking_report

    summary = text_of(benchmarking_report.summary(council, latest_census=census, sn_model=model))
    assert "No growth over the year can be given" in summary
    assert f"no figure for January {census - 1}" in summary
    growth = text_of(
        benchmarking_report.growth_section(council, latest_census=census, sn_model=model)
    )
    assert f"no growth can be given for {council}" in growth


def text_of(section) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section.data)).split())
