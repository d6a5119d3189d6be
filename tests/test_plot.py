"""sendlib.plot: one line from any table the library returns to a chart in the house style."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest

import sendlib
from sendlib.errors import ArgumentError
from sendlib.measures import benchmarks, forecasting
from sendlib.present.palette import COUNCIL, ROLES


def colours(fig) -> dict[str, str]:
    return {
        line.get_label(): mcolors.to_hex(line.get_color())
        for line in fig.axes[0].lines
        if not line.get_label().startswith("_")
    }


def test_a_benchmark_draws_each_comparator_in_its_roles_colour():
    fig = sendlib.plot(benchmarks.caseload_benchmark("Camden"), measure="rate_0_17")
    drawn = colours(fig)
    assert drawn["Camden"] == COUNCIL.lower()
    assert drawn["Statistical neighbours"] == ROLES["neighbours"].lower()
    assert drawn["Inner London"] == ROLES["region"].lower()
    assert drawn["England"] == ROLES["england"].lower()
    assert "Plans per 1,000" in fig.axes[0].get_title(loc="left")


def test_a_list_of_areas_and_an_activity_measure():
    fig = sendlib.plot(sendlib.ehcp_caseload(["Kent", "Medway", "England"]))
    assert set(colours(fig)) == {"Kent", "Medway", "England"}
    assert colours(fig)["England"] == ROLES["england"].lower()
    fig = sendlib.plot(sendlib.ehcp_activity("Kent"), measure="new_plans")
    assert "New EHC plans" in fig.axes[0].get_title(loc="left")
    with pytest.raises(ArgumentError, match="no measure 'plans'"):
        sendlib.plot(sendlib.ehcp_activity("Kent"), measure="plans")


def test_shares_forecasts_and_league_tables_get_their_own_charts():
    shares = sendlib.plot(benchmarks.caseload_shares("Kent", "age"))
    assert len(shares.axes[0].patches) >= 4 * 4  # 4 areas x at least 4 age bands
    fan = sendlib.plot(forecasting.forecast("Kent"), highlight="Kent")
    assert len(fan.axes[0].collections) == 2  # the 80% and 95% intervals
    league = sendlib.league("ehcps", 2025)
    bars = sendlib.plot(league, highlight="Kent")
    patches = bars.axes[0].patches
    assert len(patches) == league["value"].notna().sum()
    assert mcolors.to_hex(patches[0].get_facecolor()) == COUNCIL.lower()  # Kent ranks first
    assert bars.axes[0].get_title(loc="left") == "Kent: 20,635, ranked 1 of 153 (quartile 1)"


def test_a_table_it_cannot_draw_is_named():
    with pytest.raises(ArgumentError, match="has columns"):
        sendlib.plot(sendlib.statistical_neighbours("Kent"))


def test_the_trend_chart_takes_a_benchmark_table_as_it_comes():
    from sendlib.present import charts

    table = benchmarks.caseload_benchmark("Kent")
    fig = charts.trend(table, value="ehcps", highlight="Kent", title="t", ylabel="y", source="s")
    assert [line.get_label() for line in fig.axes[0].lines][-1] == "Kent"
    with pytest.raises(ArgumentError, match="naming each line"):
        charts.trend(
            table.drop(columns="comparator"),
            value="ehcps",
            highlight="Kent",
            title="t",
            ylabel="y",
            source="s",
        )


def test_every_area_asked_for_is_drawn_however_many():
    areas = ["Kent", "Medway", "Surrey", "Essex", "Hampshire", "Devon", "Leeds", "England"]
    fig = sendlib.plot(sendlib.ehcp_caseload(areas))
    assert set(colours(fig)) == set(areas)
