"""The money model's inputs: a council's rules naming placement groups, and a pack's
scenarios and goal-seeks, each checked with every problem named before anything runs."""

from __future__ import annotations

import pytest
from packs_support import GOOD, definition

from sendlib.errors import DataFileError
from sendlib.ingest.kpi_rules import read_rules
from sendlib.pipeline import packs

FORECAST = (
    GOOD
    + """
[[reports]]
notebook = "forecast"
title = "Forecast"
[reports.parameters]
"""
)


def test_the_rules_name_placement_groups_of_dfes(tmp_path):
    rules = tmp_path / "kpi_rules.csv"
    rules.write_text(
        "ref,direction,kind,role,label,placement_group,placement\n"
        "1,lower,level,placement cost,Independent,Independent special,special_independent\n"
        "2,lower,level,,,Maintained special,\n"
        "3,lower,level,placement cost,AP,Alternative provision,ap_pru_la_maintained\n"
    )
    with pytest.raises(DataFileError) as caught:
        read_rules(rules)
    text = str(caught.value)
    assert "2 problem(s) in the KPI rules" in text
    assert "row 2" in text and "'Independent special'" in text and "Maintained special;" in text
    assert "row 3" in text and "not a placement cost" in text


def test_kingstons_rules_map_seven_costs_to_four_groups():
    from sendlib import config

    rules = read_rules(config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv")
    mapped = rules[rules["placement_group"].ne("")]
    assert len(mapped) == 7
    assert set(mapped["placement_group"]) == {
        "Maintained special",
        "Independent or non-maintained special",
        "Further education",
        "Alternative provision",
    }


@pytest.mark.parametrize(
    ("parameters", "messages"),
    [
        (
            'scenarios = [{ name = "A", independent_shar = 0.1 }, { plan_growth = 2 }]',
            ["scenario 1: unknown lever 'independent_shar'", "scenario 2: plan_growth: expected"],
        ),
        ('scenarios = "fewer"', ["parameter scenarios: expected a list of tables"]),
        (
            'goals = [{ target = "debt", ceiling = 1, year = 2022, lever = "magic" }]',
            ["goal 1: target 'debt'", "goal 1: lever 'magic'"],
        ),
        (
            'goals = [{ target = "plans", year = 2022, lever = "plan_growth" }]',
            ["goal 1: expected target, ceiling, year, lever"],
        ),
    ],
)
def test_bad_scenarios_and_goals_fail_before_anything_runs(tmp_path, parameters, messages):
    with pytest.raises(packs.PackError) as caught:
        packs.read_pack(definition(tmp_path, FORECAST + parameters + "\n"))
    for message in messages:
        assert message in str(caught.value)


def test_the_default_packs_scenarios_and_goals_are_valid():
    from sendlib import config

    pack = packs.read_pack(config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml")
    forecast = next(r for r in pack.reports if r.notebook == "forecast")
    assert len(forecast.parameters["scenarios"]) == 3
    assert {g["target"] for g in forecast.parameters["goals"]} == {"plans", "deficit"}


def test_safety_valve_maxima_by_year_are_checked_and_drawn(tmp_path):
    with pytest.raises(packs.PackError) as caught:
        packs.read_pack(
            definition(tmp_path, FORECAST + 'deficit_ceilings = { "next year" = -1 }\n')
        )
    assert "'next year' is not a financial year" in str(caught.value)
    assert "expected an amount in £, found -1" in str(caught.value)


def test_a_ceiling_for_a_later_year_sits_beside_the_files_own():
    from sendlib import config
    from sendlib.ingest.council_quarter import CouncilQuarter
    from sendlib.measures import costs

    files = CouncilQuarter(
        config.RAW_DIR / "local" / "kingston-upon-thames",
        "Q3",
        rules_file=config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv",
    )
    table = costs.cost_forecast(
        "Kingston upon Thames", files=files, origin=2021, ceilings={"2023-24": 40_000_000}
    )
    ceiling = table[table["line"].eq(costs.DEFICIT)].set_index("financial_year")["ceiling"]
    assert ceiling["2021/22"] == 28_607_000 and ceiling["2023/24"] == 40_000_000
    assert ceiling[["2022/23", "2024/25"]].isna().all()
