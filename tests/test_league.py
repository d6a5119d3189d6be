"""League tables and the measures they rank, checked against DfE's release read here with
pandas alone; and the arguments an analyst may pass (years as text, lists of areas)."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

import sendlib
from sendlib import config
from sendlib.errors import ArgumentError, SendlibError
from sendlib.measures import benchmarks, forecasting

RELEASE = config.RAW_DIR / "dfe-ehcp" / "education-health-and-care-plans_2025.zip"


@pytest.fixture(scope="module")
def published_2025() -> pd.DataFrame:
    """Every row of DfE's 2025 caseload file for January 2025, all EHC plans."""
    with zipfile.ZipFile(RELEASE) as archive:
        table = pd.read_csv(archive.open("data/caseload.csv"), dtype=str)
    return table[table["breakdown"].eq("All EHC plans") & table["time_period"].eq("202425")]


def test_the_league_of_plans_ranks_and_bands_every_council_as_computed_here(published_2025):
    """Ranks (1 = most plans, ties sharing the better rank) and LAIT quartiles computed from the
    release itself, for every council; region and England as DfE published them."""
    councils = published_2025[published_2025["geographic_level"].eq("Local authority")].copy()
    councils["plans"] = pd.to_numeric(councils["ehcplans"], errors="coerce")
    ranked = councils.dropna(subset=["plans"])
    n = len(ranked)
    rank = ranked["plans"].rank(ascending=False, method="min").astype(int)
    expected = pd.DataFrame(
        {
            "old_la_code": ranked["old_la_code"],
            "value": ranked["plans"].astype(float),
            "rank": rank,
            "quartile": [1 + (4 * (r - 1)) // n for r in rank],
        }
    ).set_index("old_la_code")
    got = sendlib.league("ehcps", 2025).set_index("old_la_code")
    assert set(got.index) == set(councils["old_la_code"])
    assert got["of"].iloc[0] == n
    shown = got.loc[expected.index, ["value", "rank", "quartile"]].astype(float)
    pd.testing.assert_frame_equal(
        shown, expected.astype(float), check_names=False, check_index_type=False
    )
    regions = published_2025[published_2025["geographic_level"].eq("Regional")]
    london = int(regions.loc[regions["region_name"].eq("London"), "ehcplans"].iloc[0])
    england = int(
        published_2025.loc[published_2025["geographic_level"].eq("National"), "ehcplans"].iloc[0]
    )
    camden = got.loc["202"]
    assert camden["region"] == "London"  # the whole of London for a London borough
    assert camden["region_value"] == london and camden["england_value"] == england


def test_the_neighbours_mean_is_the_mean_of_their_figures(published_2025):
    plans = published_2025.set_index("old_la_code")["ehcplans"]
    neighbours = sendlib.statistical_neighbours("Kent")["old_la_code"]
    mean = plans.loc[neighbours].astype(int).mean()
    kent = sendlib.league("ehcps", 2025).set_index("area_name").loc["Kent"]
    assert kent["neighbours_mean"] == pytest.approx(mean)
    assert kent["neighbours_used"] == 10 and kent["neighbours_left_out"] == ""


def test_polarity_sets_which_end_ranks_first():
    """Timeliness (high is good) ranks the highest first; the DSG deficit (low is good) the
    lowest first; every quartile 1 figure is at least as good as every quartile 4 figure."""
    timely = sendlib.league("pct_within_20_weeks_excl_exceptions", 2024)
    deficit = sendlib.league("dsg_deficit_pct", 2022)
    for table, best in ((timely, max), (deficit, min)):
        ranked = table.dropna(subset=["value"])
        assert ranked.iloc[0]["value"] == best(ranked["value"])
        first = ranked[ranked["quartile"].eq(1)]["value"]
        last = ranked[ranked["quartile"].eq(4)]["value"]
        assert (first.min() >= last.max()) if best is max else (first.max() <= last.min())


def test_a_missing_figure_has_its_reason_and_no_rank():
    growth = sendlib.league("growth", 2020).set_index("area_name")
    dorset = growth.loc["Bournemouth, Christchurch and Poole"]
    assert pd.isna(dorset["value"]) and pd.isna(dorset["rank"])
    assert dorset["missing_because"] == "no figure for January 2019"
    assert (growth["missing_because"].ne("") == growth["value"].isna()).all()


def test_the_measures_say_what_they_are():
    table = sendlib.measures.table()
    assert {"measure", "definition", "unit", "polarity", "source"} <= set(table.columns)
    assert set(table["polarity"]) <= {"high is good", "low is good", "neither"}
    for name in table["measure"]:
        assert len(sendlib.league(name, 2022 if name == "dsg_deficit_pct" else 2023)) > 140
    with pytest.raises(ArgumentError, match="the measures are"):
        sendlib.league("plans", 2025)


def test_years_may_be_text_and_areas_a_list(published_2025):
    plans = published_2025.set_index("la_name")["ehcplans"].astype(int)
    both = benchmarks.growth(["Kent", "Medway"], "2024", "2025")
    councils = both[both["role"].eq("council")].set_index("council")["end"]
    assert councils.to_dict() == {"Kent": plans["Kent"], "Medway": plans["Medway"]}
    caseload = sendlib.ehcp_caseload(["Kent", "Medway", "England"])
    latest = caseload[caseload["year"].eq(2025)].set_index("area_name")["ehcps"]
    assert latest.to_dict() == {
        "Kent": plans["Kent"],
        "Medway": plans["Medway"],
        "England": int(
            published_2025.loc[published_2025["geographic_level"].eq("National"), "ehcplans"].iloc[
                0
            ]
        ),
    }
    forecasts = forecasting.forecast(["Kent", "Medway"], horizons=1)
    assert list(forecasts["council"]) == ["Kent", "Medway"]


@pytest.mark.parametrize(
    "call",
    [
        lambda: benchmarks.growth("Kent", "twenty", 2025),
        lambda: benchmarks.growth("Kent", 2025, 2019),
        lambda: sendlib.ehcp_caseload(["Kent", 3.5]),
        lambda: sendlib.league("ehcps", "last year"),
    ],
)
def test_a_wrong_argument_says_what_was_expected(call):
    with pytest.raises(SendlibError) as raised:
        call()
    assert "must be" in str(raised.value)
