"""Consistent boundaries: councils joined across reorganisations where the sum is exact, in
the caseload and the benchmarks, checked against DfE's release read with pandas alone."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

import sendlib
from sendlib import config
from sendlib.errors import ArgumentError
from sendlib.measures import benchmarks

RELEASE = config.RAW_DIR / "dfe-ehcp" / "education-health-and-care-plans_2025.zip"


def published(code: str, period: str) -> int:
    """Plans of one council at one census in DfE's 2025 release, read with pandas alone."""
    with zipfile.ZipFile(RELEASE) as archive:
        table = pd.read_csv(archive.open("data/caseload.csv"), dtype=str)
    row = table[
        table["old_la_code"].eq(code)
        & table["breakdown"].eq("All EHC plans")
        & table["time_period"].eq(period)
        & table["geographic_level"].eq("Local authority")
    ]
    return int(row["ehcplans"].iloc[0])


@pytest.mark.parametrize(
    ("council", "before", "after", "first"),
    [
        ("North Northamptonshire", ["928"], ["940", "941"], 2022),
        ("Cumberland", ["909"], ["942", "943"], 2024),
        ("Dorset", ["835", "836", "837"], ["838", "839"], 2020),
    ],
)
def test_consistent_boundaries_join_merged_councils_exactly(council, before, after, first):
    """Each joined series is the sum of the councils before the change up to its last January
    and of those after from its first, as DfE's release gives them; named for what it joins."""
    series = sendlib.ehcp_caseload(council, boundaries="consistent").set_index("year")
    assert series.index.min() <= 2019 and series.index.max() == 2025
    last, new = f"{first - 2}{(first - 1) % 100:02d}", f"{first - 1}{first % 100:02d}"
    assert series.loc[first - 1, "ehcps"] == sum(published(c, last) for c in before)
    assert series.loc[first, "ehcps"] == sum(published(c, new) for c in after)
    assert series["area_name"].nunique() == 1 and "from January" in series["area_name"].iloc[0]
    assert series.loc[first, "joined_from"].count("+") == len(after) - 1


def test_consistent_boundaries_keep_every_plan_and_the_default_as_published():
    joined = sendlib.ehcp_caseload(level="council", boundaries="consistent")
    published_ = sendlib.ehcp_caseload(level="council")
    assert "joined_from" not in published_  # the default stays as published
    assert (
        joined.groupby("year")["ehcps"].sum().to_dict()
        == published_.groupby("year")["ehcps"].sum().to_dict()
    )
    assert joined.groupby("year").size().nunique() == 1  # the same councils every year
    with pytest.raises(ArgumentError, match="boundaries must be"):
        sendlib.ehcp_caseload("Kent", boundaries="2023")


def test_the_benchmarks_join_a_merged_council_and_its_neighbours():
    """North Northamptonshire's benchmark with consistent boundaries: one series 2010-2025 for
    the council, the caseload's own; region and England as published; growth from 2019 to
    2025 readable (Northamptonshire in 2019, North + West Northamptonshire in 2025)."""
    table = benchmarks.caseload_benchmark("North Northamptonshire", boundaries="consistent")
    council = table[table["role"].eq("council")].set_index("year")
    caseload = sendlib.ehcp_caseload("North Northamptonshire", boundaries="consistent")
    assert council["ehcps"].to_dict() == caseload.set_index("year")["ehcps"].to_dict()
    published_ = benchmarks.caseload_benchmark("North Northamptonshire")
    for role in ("region", "england"):
        joined = table[table["role"].eq(role)].set_index("year")["ehcps"]
        as_published = published_[published_["role"].eq(role)].set_index("year")["ehcps"]
        assert joined.to_dict() == as_published.to_dict()
    growth = benchmarks.growth("North Northamptonshire", 2019, 2025, boundaries="consistent")
    mine = growth[growth["role"].eq("council")].iloc[0]
    before = published("928", "201819")
    after = published("940", "202425") + published("941", "202425")
    assert (mine["start"], mine["end"]) == (before, after)
    assert mine["pct_change"] == pytest.approx((after / before - 1) * 100)


def test_activity_and_shares_join_a_merged_council_too():
    """Requests for Northamptonshire as one series: calendar 2020 returned by the county (at
    January 2021), 2021 by North + West Northamptonshire (at January 2022), as DfE's release
    gives them; the joined BCP + Dorset placement shares of January 2019 add up to 100%."""
    with zipfile.ZipFile(RELEASE) as archive:
        raw = pd.read_csv(archive.open("data/requests.csv"), dtype=str)
    raw = raw[raw["breakdown"].eq("All requests for EHC needs assessments")]
    received = raw.set_index(["time_period", "old_la_code"])["requests_received_in_year"]
    activity = benchmarks.activity_benchmark("North Northamptonshire", boundaries="consistent")
    requests = activity[activity["role"].eq("council") & activity["measure"].eq("requests")]
    got = requests.set_index("year")["value"]
    assert got[2020] == int(received[("2020", "928")])
    assert got[2021] == int(received[("2021", "940")]) + int(received[("2021", "941")])
    shares = benchmarks.caseload_shares("Dorset", "placement", boundaries="consistent")
    joined = shares[shares["role"].eq("council") & shares["year"].eq(2019)]
    assert "from January 2020" in joined["comparator"].iloc[0]
    assert joined["share"].sum() == pytest.approx(100)
