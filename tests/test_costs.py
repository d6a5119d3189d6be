"""The money model: unit costs reproduced from their sources, the cost forecast's arithmetic,
the deficit path from the council's files, scenarios as data, and a goal-seek whose answer
meets its ceiling when fed back."""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from sendlib import config
from sendlib.errors import ArgumentError, NotAvailableError
from sendlib.ingest.council_quarter import CouncilQuarter
from sendlib.measures import costs, forecasting, goals
from sendlib.vocab import PLACEMENT_GROUPS

KINGSTON = config.RAW_DIR / "local" / "kingston-upon-thames"
RULES = config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv"
RELEASE = config.RAW_DIR / config.EHCP_RELEASE_2025


@pytest.fixture(scope="module")
def files() -> CouncilQuarter:
    return CouncilQuarter(KINGSTON, "Q3", year="2021-22", rules_file=RULES)


@pytest.fixture(scope="module")
def kingston(files) -> costs.Model:
    return costs.model("Kingston upon Thames", files=files, origin=2021, sn_model="2021")


@pytest.fixture(scope="module")
def kent() -> costs.Model:
    return costs.model("Kent", origin=2025)


def published(council: str, year: int) -> dict:
    """DfE's caseload.csv row (all plans) for ``council`` at January ``year``, read with csv."""
    with zipfile.ZipFile(RELEASE) as archive:
        text = archive.read("data/caseload.csv").decode("utf-8-sig")
    period = f"{year - 1}{year % 100:02d}"
    for row in csv.DictReader(io.StringIO(text)):
        if row["la_name"] == council and row["time_period"] == period:
            if row["breakdown_topic"] == "All EHC plans":
                return row
    raise AssertionError(council)


def specialist_spend(council: str, year: str, sector: str) -> float:
    """The dashboard's specialist top-up spend, read with csv."""
    text = (config.RAW_DIR / config.SPECIALIST_SPEND).read_text(encoding="utf-8-sig")
    for row in csv.DictReader(io.StringIO(text)):
        if row["la_name"] == council and row["year"] == year and row["category"] == sector:
            return float(row["total_spend"])
    raise AssertionError(council)


def test_council_unit_costs_are_its_published_figures(files):
    table = costs.unit_costs("Kingston upon Thames", files=files).set_index("placement_group")
    # the Q3 dashboard (kpi_dashboard_2021-22_q3.tsv): AP £16,768; special in/out borough
    # £29,008 and £30,035 (averaged: their mix is not in the files)
    assert table.loc["Alternative provision", "unit_cost"] == 16768
    assert table.loc["Maintained special", "unit_cost"] == (29008 + 30035) / 2
    assert table.loc["Independent or non-maintained special", "unit_cost"] == (34208 + 37096) / 2
    # FE colleges £2,806 and ISPs £36,916, weighted by DfE's counts at January 2022
    row = published("Kingston upon Thames", 2022)
    fe, isp = int(row["general_fe_tertiary_colleges"]), int(row["specialist_post_16_institutions"])
    assert table.loc["Further education", "unit_cost"] == pytest.approx(
        (fe * 2806 + isp * 36916) / (fe + isp)
    )
    assert set(table["source"]) == {"council", "public", "none"}
    assert table.loc["Mainstream", "source"] == "public"  # the tool's: the files give none
    assert "no public figure" in table.loc["Other or not in education", "note"]


def test_public_unit_costs_are_spend_over_the_matching_plans():
    table = costs.unit_costs("Kent").set_index("placement_group")
    row = published("Kent", 2022)
    independent = int(row["special_independent"]) + int(row["special_non_maintained"])
    state = (
        int(row["special_la_maintained"])
        + int(row["special_academy_free"])
        + int(row["ap_pru_total"])
    )
    spend_i = specialist_spend("Kent", "2021-22", "Independent or non-maintained")
    spend_s = specialist_spend("Kent", "2021-22", "State")
    assert table.loc["Independent or non-maintained special", "unit_cost"] == pytest.approx(
        spend_i / independent
    )
    assert table.loc["Maintained special", "unit_cost"] == pytest.approx(spend_s / state)
    assert table.loc["Alternative provision", "unit_cost"] == pytest.approx(spend_s / state)
    assert set(table.loc[table["source"].eq("public"), "source_detail"].str[:24]) == {
        "DfE section 251 outturn ",
        "DfE High Needs Benchmark",
    }


def tool_row(code: str) -> list:
    """The council's row of the High Needs Benchmarking Tool extract, read with openpyxl."""
    import openpyxl

    book = openpyxl.load_workbook(config.RAW_DIR / config.HIGH_NEEDS_BENCHMARKING, read_only=True)
    for row in book.worksheets[0].iter_rows(values_only=True):
        if str(row[2]).removesuffix(".0") == code:
            book.close()
            return list(row)
    raise AssertionError(code)


def test_mainstream_and_post_16_public_costs_are_the_tools_budget_over_its_plans():
    row = tool_row("886")  # Kent
    # columns 8-13: plans in mainstream, resourced, ..., post 16 (January 2021); 24-29 and
    # 32-37: budget top-ups to state and to independent providers, by phase
    mainstream = (row[23] + row[24] + row[25]) / (row[7] + row[8])
    post_16 = (row[28] + row[36]) / row[12]
    table = costs.unit_costs("Kent").set_index("placement_group")
    assert table.loc["Mainstream", "unit_cost"] == pytest.approx(mainstream)
    assert table.loc["Resourced provision or SEN unit", "unit_cost"] == pytest.approx(mainstream)
    assert table.loc["Further education", "unit_cost"] == pytest.approx(post_16)
    assert "High Needs Benchmarking Tool" in table.loc["Further education", "source_detail"]


def test_every_unit_cost_names_its_source_or_why_there_is_none(files):
    for table in (costs.unit_costs("Kent"), costs.unit_costs("Kingston upon Thames", files=files)):
        assert list(table["placement_group"]) == list(PLACEMENT_GROUPS)
        costed = table["unit_cost"].notna()
        assert table.loc[costed, "source"].isin(["council", "public"]).all()
        assert table.loc[costed, "source_detail"].str.len().gt(20).all()
        assert table.loc[~costed, "source"].eq("none").all()
        assert table.loc[~costed, "note"].str.len().gt(20).all()


def test_a_later_year_uses_the_latest_public_year_and_says_so():
    table = costs.unit_costs("Kent", financial_year="2025/26").set_index("placement_group")
    row = table.loc["Maintained special"]
    assert row["financial_year"] == "2021/22"
    assert "published to 2021/22" in row["note"]


def test_spend_is_plans_times_uprated_unit_costs(kingston):
    table = costs.evaluate(kingston)
    unit = kingston.costs.set_index("placement_group")["unit_cost"]
    for year, part in table.groupby("financial_year"):
        groups = part[part["line"].isin(PLACEMENT_GROUPS)].set_index("line")
        years_on = int(year[:4]) - 2021
        for group in ("Maintained special", "Alternative provision"):
            expected = groups.loc[group, "plans"] * unit[group] * 1.04**years_on
            assert groups.loc[group, "point"] == pytest.approx(expected)
        spend = part[part["line"].eq(costs.SPEND_ON_PLANS)].iloc[0]
        assert spend["point"] == pytest.approx(groups["point"].sum(skipna=True))


def test_the_plans_costed_are_the_placement_forecast(kingston):
    table = costs.evaluate(kingston)
    plans = table[table["line"].isin(PLACEMENT_GROUPS)].groupby("census_year")["plans"].sum()
    total = forecasting.forecast("Kingston upon Thames", origin=2021, sn_model="2021")
    assert np.allclose(plans.to_numpy(), total.set_index("year").loc[plans.index, "point"])


def test_the_deficit_path_starts_from_the_councils_files(kingston):
    table = costs.evaluate(kingston)
    line = lambda name: table[table["line"].eq(name)].set_index("financial_year")["point"]  # noqa: E731
    deficit, funding, spend = line(costs.DEFICIT), line(costs.FUNDING), line(costs.HIGH_NEEDS_SPEND)
    # the Q3 model: cumulative deficit before Safety Valve £28.363m, total budget £26.353m,
    # spend after savings £32.201m
    assert deficit["2021/22"] == 28_363_000
    assert funding["2021/22"] == 26_353_000
    assert spend["2021/22"] == pytest.approx(32_201_000)
    # ESFA's High Needs Block for Kingston: £23,286,831 in 2019/20, £25,689,882 in 2021/22
    growth = (25_689_882 / 23_286_831.260728) ** 0.5 - 1
    assert funding["2022/23"] == pytest.approx(26_353_000 * (1 + growth))
    for before, after in zip(deficit.index[:-1], deficit.index[1:], strict=True):
        assert deficit[after] == pytest.approx(deficit[before] + spend[after] - funding[after])
    ceiling = table[table["line"].eq(costs.DEFICIT)].set_index("financial_year")["ceiling"]
    assert ceiling["2021/22"] == 28_607_000  # the Safety Valve return's maximum


def test_public_data_alone_gives_spend_but_no_deficit_path(kent):
    table = costs.evaluate(kent)
    assert costs.DEFICIT not in set(table["line"])
    assert "own files" in kent.base_note
    spend = table[table["line"].eq(costs.SPEND_ON_PLANS)]
    assert spend["point"].gt(0).all()
    assert spend["note"].str.contains("Other or not in education").all()  # named: not costed


def test_scenarios_move_what_they_say_and_nothing_else(kingston):
    central = costs.evaluate(kingston)
    fewer = costs.evaluate(kingston, {"name": "fewer", "independent_share": 0.1})
    by = lambda t: t[t["line"].isin(PLACEMENT_GROUPS)].set_index(["census_year", "line"])["plans"]  # noqa: E731
    a, b = by(central), by(fewer)
    assert a.groupby(level=0).sum().to_numpy() == pytest.approx(b.groupby(level=0).sum().to_numpy())
    independent = (slice(None), "Independent or non-maintained special")
    assert (b.loc[independent] < a.loc[independent]).all()
    assert b.loc[(slice(None), "Mainstream")].equals(a.loc[(slice(None), "Mainstream")])
    slower = by(costs.evaluate(kingston, {"plan_growth": -0.05}))
    assert (slower.groupby(level=0).sum() < a.groupby(level=0).sum()).all()
    dearer = costs.evaluate(kingston, {"price_growth": 0.08})
    spend = lambda t: t[t["line"].eq(costs.SPEND_ON_PLANS)]["point"].to_numpy()  # noqa: E731
    assert (spend(dearer)[1:] > spend(central)[1:]).all()
    assert fewer["scenario"].eq("fewer").all()


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"independent_shar": 0.1}, "unknown lever 'independent_shar'"),
        ({"independent_share": 1.5}, "independent_share: expected a number from 0.0 to 1.0"),
        ({"plan_growth": "fast", "price_growth": float("nan")}, "plan_growth.*; price_growth"),
        ("fewer", "a scenario is a table of levers"),
    ],
)
def test_a_bad_scenario_says_every_problem(scenario, message):
    with pytest.raises(ArgumentError, match=message):
        costs.check_scenario(scenario)


GOALS = [
    ("kingston", {"target": "plans", "ceiling": 1537, "year": 2022, "lever": "plan_growth"}),
    (
        "kingston",
        {"target": "plans", "ceiling": 1537, "year": 2022, "lever": "plan_growth", "chance": 0.8},
    ),
    ("kingston", {"target": "spend", "ceiling": 27e6, "year": "2022/23", "lever": "price_growth"}),
    ("kingston", {"target": "deficit", "ceiling": 40e6, "year": "2023/24", "lever": "plan_growth"}),
    (
        "kingston",
        {"target": "deficit", "ceiling": 47.9e6, "year": "2023/24", "lever": "independent_share"},
    ),
    ("kent", {"target": "spend", "ceiling": 210e6, "year": "2026/27", "lever": "plan_growth"}),
    ("kent", {"target": "plans", "ceiling": 23_000, "year": 2027, "lever": "plan_growth"}),
]


@pytest.mark.parametrize(("who", "goal"), GOALS)
def test_the_goal_seeks_answer_meets_its_ceiling_when_fed_back(who, goal, request):
    m = request.getfixturevalue(who)
    answer = costs.goal_seek(m.council, model_=m, **goal).iloc[0]
    assert answer["status"] == "reachable", answer["sentence"]
    scenario = {goal["lever"]: answer["value"]}
    if goal["target"] == "plans":
        plans = costs.evaluate(m, scenario)
        got = plans[plans["line"].isin(PLACEMENT_GROUPS) & plans["census_year"].eq(goal["year"])]
        outcome = got["plans"].sum()
    else:
        table = costs.evaluate(m, scenario)
        line = costs.TARGETS[goal["target"]]
        outcome = table[table["line"].eq(line) & table["financial_year"].eq(goal["year"])]["point"]
        outcome = float(outcome.iloc[0])
    assert outcome <= goal["ceiling"] * (1 + 1e-9)
    assert answer["chance_inside"] >= goal.get("chance", 0.5) - 1e-6
    # the smallest change: a little less of it breaks the ceiling (or the chance)
    nearer = answer["baseline"] + (answer["value"] - answer["baseline"]) * 0.98
    again = goals._target_value(
        m,
        goal["target"],
        answer["year"] if goal["target"] != "plans" else goal["year"],
        {goal["lever"]: nearer},
    )
    assert float(again["point"]) > goal["ceiling"] or costs.chance_inside(
        again, goal["ceiling"]
    ) < goal.get("chance", 0.5)
    assert "%" in answer["sentence"]


def test_no_change_needed_and_not_reachable_are_said(kingston, kent):
    easy = costs.goal_seek(
        "Kent", model_=kent, target="spend", ceiling=1e12, year="2026/27", lever="price_growth"
    ).iloc[0]
    assert easy["status"] == "no change needed"
    assert easy["sentence"].startswith("No change is needed")
    prices = costs.goal_seek(
        "Kingston upon Thames",
        model_=kingston,
        target="plans",
        ceiling=1000,
        year=2022,
        lever="price_growth",
    ).iloc[0]
    assert prices["status"] == costs.NOT_REACHABLE
    assert "does not change the number of plans" in prices["sentence"]
    hard = costs.goal_seek(
        "Kingston upon Thames",
        model_=kingston,
        target="deficit",
        ceiling=28_607_000,
        year="2022/23",
        lever="independent_share",
    ).iloc[0]
    assert hard["status"] == costs.NOT_REACHABLE
    assert "even with none of the growth placed in independent schools" in hard["sentence"]


def test_a_deficit_goal_without_the_councils_files_is_refused(kent):
    with pytest.raises(NotAvailableError, match="no deficit path"):
        costs.goal_seek(
            "Kent", model_=kent, target="deficit", ceiling=1, year="2026/27", lever="plan_growth"
        )


def test_a_goal_outside_the_forecast_says_which_years_it_reaches(kent):
    for target, year in (("plans", 2040), ("spend", "2035/36"), ("spend", "next year")):
        with pytest.raises(NotAvailableError, match="the forecast reaches"):
            costs.goal_seek(
                "Kent", model_=kent, target=target, ceiling=1, year=year, lever="plan_growth"
            )


def test_bad_goal_arguments_are_named():
    for kwargs, message in (
        ({"target": "debt"}, "unknown target 'debt'"),
        ({"lever": "magic"}, "unknown lever 'magic'"),
        ({"ceiling": "lots"}, "a ceiling is a number"),
        ({"chance": 0.3}, "chance is a probability from 0.5"),
    ):
        goal = {"target": "spend", "ceiling": 1e6, "year": "2026/27", "lever": "plan_growth"}
        with pytest.raises(ArgumentError, match=message):
            costs.goal_seek("Kent", **(goal | kwargs))


def test_a_merged_council_is_costed_from_its_own_start():
    table = costs.cost_forecast("North Northamptonshire")
    spend = table[table["line"].eq(costs.SPEND_ON_PLANS)]
    assert len(spend) == 5 and spend["point"].gt(0).all()
    assert pd.Series(table["financial_year"]).iloc[0] == "2025/26"


def test_forecasts_from_a_flagged_january_say_so_beside_them():
    """Newham's January 2025 caseload (1,199, down from 2,705) is flagged by the data check:
    every forecast and cost from it says so, on the page and in the board's lines."""
    from sendlib.measures import headlines
    from sendlib.present import forecast_report, money_report

    for figures in (
        headlines.forecast_figures("Newham", latest_census=2025, sn_model="2025"),
        headlines.money_figures("Newham", latest_census=2025, sn_model="2025"),
    ):
        assert "from a January 2025 caseload the data check flagged" in figures["label"].iloc[0]
    for section in (
        forecast_report.forecast_section("Newham", latest_census=2025, sn_model="2025"),
        money_report.placement_section("Newham", latest_census=2025, sn_model="2025"),
        money_report.money_section("Newham", latest_census=2025, sn_model="2025"),
    ):
        assert "1,199, down from 2705 the year before) was flagged" in section.data
    kent = headlines.forecast_figures("Kent", latest_census=2025, sn_model="2025")
    assert kent["label"].iloc[0] == "Plans forecast"


def test_a_public_unit_cost_far_from_englands_is_flagged_not_dropped():
    """Newham's public costs: the tool's budget over its 949 plans gives mainstream £26,571, 3.2
    times England's; post-16 £276 against £6,588. Used, and flagged beside the figure."""
    table = costs.unit_costs("Newham").set_index("placement_group")
    for group in ("Mainstream", "Further education"):
        assert table.loc[group, "unit_cost"] > 0
        assert table.loc[group, "note"].startswith("flagged:")
    assert not table.loc["Maintained special", "note"].startswith("flagged:")
    kent = costs.unit_costs("Kent")
    assert not kent["note"].str.startswith("flagged:").any()
