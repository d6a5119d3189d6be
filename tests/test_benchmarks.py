"""Benchmarking reproduces DfE's published figures and never drops a council silently."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import sendlib
from sendlib import tables
from sendlib.measures import benchmarks
from sendlib.measures.benchmarks import Comparator, benchmark

# --- the engine, on small hand-made frames ------------------------------------------------------


def members(**columns) -> pd.DataFrame:
    base = {
        "year": [2025, 2025, 2025],
        "old_la_code": ["901", "902", "903"],
        "area_name": ["Avon", "Brent", "Cray"],
        "region_name": ["R", "R", "S"],
        "subregion": [pd.NA] * 3,
    }
    return pd.DataFrame({**base, **columns})


CASES = [
    # (plans, children, group members, value, rate, mean_rate, left_out contains)
    ([10, 30, 20], [1000, 1000, 2000], ("901", "902"), 40, 20.0, 20.0, ""),
    ([10, 30, 20], [1000, 3000, 2000], ("901", "902"), 40, 10.0, 10.0, ""),  # rates differ
    ([10, 90, 20], [1000, 3000, 2000], ("901", "902"), 100, 25.0, 20.0, ""),  # sum != mean
    ([10, None, 20], [1000, 1000, 2000], ("901", "902"), None, 10.0, 10.0, "Brent: no figure"),
    ([10, 30, 20], [1000, None, 2000], ("901", "902"), 40, 10.0, 10.0, "Brent: no children"),
    ([None, None, 20], [1000, 1000, 2000], ("901", "902"), None, None, None, "Avon"),
    ([10, 30, 20], [1000, 1000, 2000], ("901", "999"), None, 10.0, 10.0, "999: no figure"),
]


@pytest.mark.parametrize(("plans", "children", "group", "value", "rate", "mean", "note"), CASES)
def test_counts_are_sums_and_rates_come_two_ways(plans, children, group, value, rate, mean, note):
    frame = members(plans=plans, children=children)
    out = benchmark(
        frame,
        [Comparator("G", "custom", group)],
        "plans",
        "children",
        scale=1000,
        denominator_label="children",
    ).iloc[0]
    for got, expected in [(out["value"], value), (out["rate"], rate), (out["mean_rate"], mean)]:
        assert pd.isna(got) if expected is None else got == pytest.approx(expected)
    assert note in out["left_out"]
    assert out["n_members"] == len(group)


def test_region_members_are_the_councils_of_the_region():
    frame = members(plans=[10, 30, 20])
    out = benchmark(
        frame, [Comparator("R", "region", None, "R"), Comparator("All", "england")], "plans"
    )
    assert list(out["value"]) == [40, 60]
    assert list(out["n_members"]) == [2, 3]


def test_one_row_per_council_and_key_is_required():
    frame = pd.concat([members(plans=[1, 2, 3])] * 2)
    with pytest.raises(ValueError, match="more than one row"):
        benchmark(frame, [Comparator("All", "england")], "plans")


# --- published figures --------------------------------------------------------------------------


def test_published_growth_england_and_kingston_2017_to_2019():
    table = benchmarks.growth("Kingston upon Thames", 2017, 2019).set_index("role")
    assert round(table.loc["england", "pct_change"], 1) == 23.2  # DfE
    assert round(table.loc["council", "pct_change"], 1) == 21.2  # DfE
    assert table.loc["council", "change"] == 1161 - 958
    assert table.loc["council", "cagr"] == pytest.approx(((1161 / 958) ** 0.5 - 1) * 100)


def test_region_and_england_sums_equal_dfe_published_totals():
    published = sendlib.ehcp_caseload()
    for council in ["Kingston upon Thames", "Camden", "Kent", "Leeds", "Cornwall"]:
        table = benchmarks.caseload_benchmark(council)
        for role in ["region", "england"]:
            rows = table[table["role"].eq(role)]
            name = rows["comparator"].iloc[0]
            expected = published[
                published["area_name"].eq(name) & published["level"].ne("council")
            ].set_index("year")["ehcps"]
            got = rows.set_index("year")["ehcps"]
            pd.testing.assert_series_equal(
                got, expected.loc[got.index], check_names=False, check_dtype=False
            )


def test_timeliness_reproduces_dfe_published_percentages_for_every_council():
    # DfE publishes each council's % within 20 weeks; sendlib computes it from the counts.
    activity = tables.load("ehcp_activity")
    councils = activity[activity["level"].eq("council")]
    wide = councils.pivot_table(
        index=["year", "old_la_code"], columns="measure", values="value", aggfunc="first"
    )
    computed = (
        wide["plans_issued_within_20_weeks_excl_exceptions"]
        / wide["plans_issued_excl_exceptions"]
        * 100
    )
    published = wide["pct_within_20_weeks_excl_exceptions"]
    both = pd.DataFrame({"computed": computed, "published": published}).dropna()
    assert len(both) > 800
    assert ((both["computed"] - both["published"]).abs() <= 0.05 + 1e-9).all()


def test_england_timeliness_2024_as_published():
    table = benchmarks.activity_benchmark("Kingston upon Thames")
    row = table[
        table["measure"].eq("pct_within_20_weeks_excl_exceptions")
        & table["role"].eq("england")
        & table["year"].eq(2024)
    ]
    assert round(row["value"].iloc[0], 1) == 46.4  # DfE, EHC plans 2025: "46.4%"


def test_rate_per_1000_children_uses_the_june_before_the_census():
    table = benchmarks.caseload_benchmark("Kingston upon Thames")
    row = table[table["year"].eq(2023) & table["role"].eq("council")].iloc[0]
    # 1,630 plans in January 2023; 36,760 children aged 0-17 at mid-2022 (ONS, 2025 revision).
    assert row["rate_0_17"] == pytest.approx(1630 / 36760 * 1000)
    early = table[table["year"].eq(2020) & table["role"].eq("council")].iloc[0]
    assert pd.isna(early["rate_0_25"])
    assert "No ONS estimate aged 0 to 25 for mid-2019" in early["population_note"]


# --- edge cases: merged and new councils -------------------------------------------------------


def test_a_neighbour_missing_from_a_year_is_named_never_dropped_silently():
    table = benchmarks.caseload_benchmark("North Northamptonshire", latest=2021)
    early = table[table["year"].eq(2020)].set_index("role")
    assert pd.isna(early.loc["council", "ehcps"])  # the council did not exist yet
    assert pd.isna(early.loc["neighbours", "ehcps"])  # no sum with a member missing
    assert "West Northamptonshire" in early.loc["neighbours", "left_out"]
    assert early.loc["neighbours", "n_members"] == 10


def test_growth_of_a_new_council_says_why_it_is_missing():
    table = benchmarks.growth("West Northamptonshire", 2019, 2025).set_index("role")
    assert pd.isna(table.loc["council", "pct_change"])
    assert "no figure for January 2019" in table.loc["council", "left_out"]
    assert pd.notna(table.loc["region", "pct_change"])  # East Midlands as DfE published it


@pytest.mark.parametrize("kind", ["age", "placement", "need"])
def test_shares_add_up_to_100(kind):
    shares = benchmarks.caseload_shares("Kingston upon Thames", kind, year=2025)
    totals = shares.groupby("comparator")["share"].sum()
    assert totals.round(6).eq(100).all()


def test_shares_for_a_year_without_the_breakdown_fail_clearly():
    with pytest.raises(ValueError, match="no need breakdown for January 2021"):
        benchmarks.caseload_shares("Kingston upon Thames", "need", year=2021)


def test_ranking_against_a_hand_made_table():
    # Kingston (314), its ten 2025 neighbours and Kent (886), with values set by hand so the
    # answer is known without sendlib: Kingston is 5th highest of 12 (ranks 1-3 are the top
    # quarter, 4-6 the second), and 5th of the 11 it is compared with.
    neighbours = ["319", "315", "919", "305", "800", "868", "358", "318", "936", "825"]
    values = pd.DataFrame(
        {
            "old_la_code": ["314", *neighbours, "886"],
            "rate": [50.0, 90, 80, 70, 60, 40, 35, 30, 25, 20, 15, 10],
        }
    )
    assert set(neighbours) == set(benchmarks.comparators("Kingston upon Thames")[1].members)
    rank = benchmarks.ranking("Kingston upon Thames", values, "rate")
    assert (rank["rank_neighbours"], rank["of_neighbours"]) == (5, 11)
    assert (rank["rank_all"], rank["of_all"], rank["quartile"]) == (5, 12, 2)


def test_custom_groups_by_name():
    table = benchmarks.growth(
        "Kingston upon Thames", 2024, 2025, custom={"South West London": ["Merton", "Sutton", 318]}
    )
    row = table[table["role"].eq("custom")].iloc[0]
    assert row["comparator"] == "South West London" and row["n_members"] == 3


# --- groups never lose a member silently --------------------------------------------------


def _councils_at(census: int, region: str | None = None) -> set[str]:
    """Councils with a row in DfE's caseload at a January census (from the processed table,
    as read from the release: not through the benchmarking code)."""
    caseload = tables.load("caseload")
    rows = caseload[caseload["level"].eq("council") & caseload["year"].eq(census)]
    if region is not None:
        rows = rows[rows["region_name"].eq(region)]
    return set(rows["old_la_code"])


def test_a_council_with_no_requests_row_is_named_in_its_region_and_england():
    table = benchmarks.activity_benchmark("Leicester", sn_model="2025")
    requests = table[table["year"].eq(2023) & table["measure"].eq("requests")]
    region = requests[requests["role"].eq("region")].iloc[0]
    england = requests[requests["role"].eq("england")].iloc[0]
    assert "Leicester" in region["left_out"]
    assert "Isle of Wight" in england["left_out"] and "Leicester" in england["left_out"]
    # Activity in 2023 was returned at the January 2024 census.
    assert region["n_members"] == len(_councils_at(2024, "East Midlands"))
    assert england["n_members"] == len(_councils_at(2024))


def test_a_zero_denominator_is_named_not_dropped():
    table = benchmarks.activity_benchmark("Reading", sn_model="2025")
    refused = table[
        table["year"].eq(2022)
        & table["measure"].eq("pct_requests_refused")
        & table["role"].eq("region")
    ].iloc[0]
    assert "West Berkshire" in refused["left_out"]


def test_england_new_plans_2022_is_dfe_published_figure_despite_yorkshire_error():
    table = benchmarks.activity_benchmark("Leeds", sn_model="2025")
    plans = table[table["year"].eq(2022) & table["measure"].eq("new_plans")].set_index("role")
    assert plans.loc["england", "value"] == 66_706  # DfE, EHCP release 2025, England 2022
    assert plans.loc["region", "value"] == 6_078  # DfE's Yorkshire and The Humber total
    assert pd.isna(plans.loc["council", "value"])  # Leeds' published 6,078 is the region's
    assert "data check" in plans.loc["council", "left_out"]


@pytest.mark.parametrize("year", ["2018/19", "2019/20", "2020/21", "2021/22"])
def test_finance_membership_follows_the_year(year):
    from sendlib.measures import finance

    table = finance.specialist_spend_benchmark("Kent", financial_year=year)
    england = table[table["role"].eq("england") & table["sector"].eq("Total")].iloc[0]
    census = int(year[:4]) + 1
    assert england["n_members"] == len(_councils_at(census))
    assert pd.notna(england["per_head"])
    left_out = england["left_out"]
    if census < 2022:
        assert "North Northamptonshire" not in left_out
    else:
        assert "Northamptonshire:" not in left_out.replace("North Northamptonshire", "")
    if census >= 2020:
        assert not re.search(r"(^|; )(Bournemouth|Poole):", left_out)


def test_finance_names_follow_the_year():
    spend = tables.load("specialist_spend")
    dorset = spend[spend["area_name"].eq("Dorset") & spend["sector"].eq("Total")]
    dorset = dorset.set_index("financial_year")["old_la_code"]
    assert dorset["2018/19"] == "835" and dorset["2021/22"] == "838"


def test_an_excluded_finance_figure_is_named_with_the_reason():
    from sendlib.measures import finance

    table = finance.specialist_spend_benchmark("Kent", financial_year="2021/22")
    england = table[table["role"].eq("england") & table["sector"].eq("Total")].iloc[0]
    assert "York: excluded" in england["left_out"]


def test_not_a_council_then_is_said_only_of_councils_that_did_not_exist():
    """Cumberland's comparators hold councils that did not exist in early years; every other
    missing figure keeps its own reason (West Berkshire's 2022 requests failed the data check),
    and a council said to be "not a council then" really had no census that year."""
    import re

    from sendlib.measures.comparators import council_years

    table = benchmarks.activity_benchmark("Cumberland")
    existed = council_years().groupby("year")["area_name"].apply(set)
    england = table[
        table["comparator"].eq("England") & table["year"].eq(2022) & table["measure"].eq("requests")
    ]
    assert "West Berkshire: excluded" in england["left_out"].iloc[0]
    for row in table[table["left_out"].str.contains("not a council then")].itertuples():
        for name in re.findall(r"(?:^|; )([^:;]+): not a council then", row.left_out):
            assert name not in existed[row.year + 1], (row.year, row.comparator, name)
