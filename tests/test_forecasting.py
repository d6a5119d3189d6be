"""Forecast methods give known answers on small series, never peek past their origin, and
the default method wins the backtest with honest intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendlib import tables
from sendlib.measures import forecasting, intervals
from sendlib.measures.forecasting import point_forecasts

YEARS = list(range(2010, 2021))
KINGSTON, NEIGHBOURS = (
    "314",
    ["319", "315", "919", "305", "800", "868", "358", "318", "936", "825"],
)  # the 2025 model's neighbours of Kingston


def synthetic(growth: float = 0.10, neighbour_growth: float = 0.02) -> pd.DataFrame:
    """A small synthetic matrix: Kingston growing 10% a year, its neighbours 2%."""
    rows = {KINGSTON: [1000 * np.exp(growth * i) for i in range(len(YEARS))]}
    for code in NEIGHBOURS:
        rows[code] = [500 * np.exp(neighbour_growth * i) for i in range(len(YEARS))]
    return pd.DataFrame(rows, index=YEARS).T


def kingston(matrix: pd.DataFrame, method: str, origin: int = 2020) -> np.ndarray:
    table = point_forecasts(matrix, origin, method, horizons=3)
    return table[table["old_la_code"].eq(KINGSTON)].sort_values("horizon")["point"].to_numpy()


def test_last_value_repeats_the_last_figure():
    assert kingston(synthetic(), "last_value") == pytest.approx([1000 * np.exp(1.0)] * 3)


def test_growth_methods_carry_a_constant_growth_on():
    level = 1000 * np.exp(1.0)
    expected = [level * np.exp(0.1 * h) for h in (1, 2, 3)]
    assert kingston(synthetic(), "last_growth") == pytest.approx(expected)
    assert kingston(synthetic(), "mean_growth_3") == pytest.approx(expected)


def test_neighbour_shrunk_moves_halfway_to_the_neighbours_and_damps():
    level = 1000 * np.exp(1.0)
    rate = 0.5 * 0.10 + 0.5 * 0.02
    steps = np.cumsum([1, 0.8, 0.64])
    assert kingston(synthetic(), "neighbour_shrunk") == pytest.approx(level * np.exp(rate * steps))


def test_damped_trend_follows_a_steady_trend_roughly():
    points = kingston(synthetic(), "damped_trend")
    level = 1000 * np.exp(1.0)
    assert level < points[0] < points[1] < points[2] <= level * np.exp(0.3) * 1.01


@pytest.mark.parametrize("method", forecasting.METHODS)
def test_no_method_peeks_past_its_origin(method):
    matrix = synthetic()
    spoiled = matrix.copy()
    spoiled[[2019, 2020]] = spoiled[[2019, 2020]] * 7  # change only years after 2018
    assert kingston(matrix, method, origin=2018) == pytest.approx(
        kingston(spoiled, method, origin=2018)
    )


# One forecast of 100 plans, made in January 2020 for January 2021, volatility 0.05.
ONE_POINT = pd.DataFrame(
    {
        "old_la_code": ["1"],
        "origin": [2020],
        "horizon": [1],
        "year": [2021],
        "point": [100.0],
        "volatility": [0.05],
    }
)


def past_errors(years: list[int], z: list[float], common: list[float]) -> pd.DataFrame:
    """Past one-year errors in the shape of ``intervals.scaled_errors``: one row per
    forecast, each made the January before its ``year``."""
    return pd.DataFrame(
        {"horizon": 1, "year": years, "origin": [y - 1 for y in years], "z": z, "common": common}
    )


def test_intervals_use_only_errors_known_at_the_origin():
    past = past_errors(
        [2019] * 40 + [2021] * 40,
        z=list(np.linspace(-1, 1, 40)) + [50.0] * 40,
        common=[0.0] * 40 + [3.0] * 40,  # a huge surprise in 2021, after the origin
    )
    out = intervals.with_intervals(ONE_POINT, past).iloc[0]
    assert out["n_past_errors"] == 40
    assert out["upper_95"] < 100 * np.exp(1.0 * 0.05) + 1e-9
    assert out["lower_95"] > 100 * np.exp(-1.0 * 0.05) - 1e-9


def test_too_few_past_errors_give_no_interval():
    past = past_errors([2019] * 5, z=[0.1] * 5, common=[0.0] * 5)
    assert pd.isna(intervals.with_intervals(ONE_POINT, past).iloc[0]["lower_80"])


def test_the_error_common_to_every_council_widens_with_the_horizon():
    # Councils' own errors all zero; England-wide surprises of -5%, 0 and +5% in past years
    # (median 0, median absolute deviation 0.05): a normal spread of 1.4826 x 0.05 a year
    # ahead, twice that two years ahead, the same for a steady and a volatile council.
    years = [2017] * 20 + [2018] * 20 + [2019] * 20
    past = past_errors(years, z=[0.0] * 60, common=[-0.05] * 20 + [0.0] * 20 + [0.05] * 20)
    past = pd.concat([past, past.assign(horizon=2, origin=past["origin"] - 1)])
    points = pd.concat(
        [
            ONE_POINT,
            ONE_POINT.assign(horizon=2, year=2022),
            ONE_POINT.assign(old_la_code="2", volatility=0.30),
        ]
    )
    out = intervals.with_intervals(points, past)
    half_width = np.log(out["upper_80"] / out["point"])
    expected = 1.2816 * 1.4826 * 0.05 * out["horizon"]
    assert half_width.to_numpy() == pytest.approx(expected.to_numpy(), rel=0.02)
    assert np.log(out["point"] / out["lower_80"]).to_numpy() == pytest.approx(
        expected.to_numpy(), rel=0.02
    )


def test_a_biased_method_keeps_its_bias_in_its_intervals():
    # Every council's outcome came in 10% above the forecast, every year: the interval is
    # centred 10% above the point, not on it.
    past = past_errors([2017] * 20 + [2018] * 20, z=[0.0] * 40, common=[0.10] * 40)
    out = intervals.with_intervals(ONE_POINT, past).iloc[0]
    assert out["lower_80"] == pytest.approx(100 * np.exp(0.10))
    assert out["upper_80"] == pytest.approx(100 * np.exp(0.10))


def test_interval_quantiles_match_the_exact_distribution():
    rng = np.random.default_rng(5)
    own = rng.standard_t(3, size=800)
    scale = np.linspace(0.02, 0.30, 40)
    found = intervals.log_error_quantiles([0.1, 0.975], own, scale, 0.03, 0.01)
    for p, quantile in found.items():
        exact = intervals.log_error_cdf(quantile, own, scale, 0.03, 0.01)
        assert exact == pytest.approx(np.full(len(scale), p), abs=0.004)


def test_a_forecast_always_has_its_intervals():
    table = forecasting.forecast("Kingston upon Thames")
    assert list(table["year"]) == [2026, 2027, 2028, 2029, 2030]
    assert (table["lower_95"] <= table["lower_80"]).all()
    assert (table["lower_80"] <= table["point"]).all() and (
        table["point"] <= table["upper_80"]
    ).all()
    assert (table["upper_80"] <= table["upper_95"]).all()


def test_kingston_ceiling_of_2022():
    # Safety Valve: at most 1,537 plans at January 2022. DfE published 1,550.
    table = forecasting.forecast("Kingston upon Thames", origin=2021, horizons=1)
    assert table.loc[0, "lower_95"] < 1550 < table.loc[0, "upper_95"]
    chance = forecasting.probability_above("Kingston upon Thames", 2022, 1537, origin=2021)
    assert 0.5 < chance < 1


def test_cost_scenarios_multiply_plans_by_cost_and_prices():
    table = forecasting.forecast("Kingston upon Thames", horizons=2)
    costs = forecasting.cost_scenarios(table, 20_000)
    row = costs[costs["year"].eq(2027) & costs["growth"].eq("high") & costs["price"].eq("low")]
    assert row["cost"].item() == pytest.approx(table.loc[1, "upper_80"] * 20_000 * 1.02**2)
    with pytest.raises(ValueError, match="positive"):
        forecasting.cost_scenarios(table, 0)


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    cheap = [m for m in forecasting.METHODS if m != "damped_trend"]
    return forecasting.score(forecasting.backtest(cheap))


def test_the_default_wins_the_backtest_a_year_ahead(scores):
    # The full backtest with damped_trend is in benchmarks/forecast_backtest.py (slow).
    one = scores[scores["horizon"].eq(1)].set_index("method")
    assert one["median_ape"].idxmin() == forecasting.DEFAULT_METHOD
    assert one.loc["last_growth", "n"] > 1500  # every council, 2015-2025


def test_the_default_80_percent_interval_holds_about_80_percent_of_the_time(scores):
    one = scores[scores["horizon"].eq(1)].set_index("method").loc[forecasting.DEFAULT_METHOD]
    assert 75 <= one["coverage_80"] <= 85
    assert 92 <= one["coverage_95"] <= 98


def test_neighbours_growth_is_the_mean_over_the_neighbours_with_a_figure():
    matrix = forecasting.caseload_matrix()
    features = forecasting._features(matrix, 2021, "2021", tables.current())
    lists = forecasting._neighbour_lists("2021", tables.current())
    for code in ["314", "873", "839", "201"]:
        growth = features["three"].reindex(lists.get(code, []))
        expected = growth.mean() if growth.notna().any() else features.loc[code, "england"]
        assert features.loc[code, "neighbour"] == pytest.approx(expected)


def test_the_report_gives_coverage_at_every_horizon_it_scored():
    import re

    from sendlib.present import forecast_report as report
    from sendlib.present.html import number

    page = report.backtest_section("Kingston upon Thames", latest_census=2021, sn_model="2025")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.data))
    scored = forecasting.score(forecasting.backtest([forecasting.DEFAULT_METHOD], last_target=2021))
    scored = scored.set_index("horizon")
    for horizon, words in ((2, "two"), (3, "three")):
        median, coverage = scored.loc[horizon, ["median_ape", "coverage_80"]]
        expected = f"{words} years ahead, {number(median, 1, '%')} and {number(coverage, 0, '%')}"
        assert expected in text


# --- a forecast is given with its reason, or refused with it ---------------------------------


def test_a_council_with_too_short_a_series_is_refused_with_the_reason():
    from sendlib.errors import NotAvailableError

    with pytest.raises(NotAvailableError, match="2 published January figure"):
        forecasting.forecast("Cumberland")


def test_probability_above_reaches_every_year_of_the_forecast():
    table = forecasting.forecast("Kent")
    origin = int(table["origin"].iloc[0])
    two = forecasting.probability_above("Kent", origin + 2, 25_000)
    assert two == forecasting.probability_above("Kent", origin + 2, 25_000, origin=origin)
    assert 0 < two < 1
    # A higher ceiling is less likely to be breached.
    assert forecasting.probability_above("Kent", origin + 2, 30_000) < two


@pytest.mark.parametrize("year", [2040, 2025, 2031])
def test_a_ceiling_year_outside_the_forecast_is_refused(year):
    from sendlib.errors import NotAvailableError

    with pytest.raises(NotAvailableError, match="reaches 1 to 5"):
        forecasting.probability_above("Kent", year, 25_000)


def test_a_forecast_says_why_an_interval_is_missing():
    table = forecasting.forecast("Kent")
    assert "note" in table and table["note"].eq("").all()
    early = forecasting.forecast("Kent", origin=2013)
    assert early["lower_80"].isna().all() and early["note"].str.contains("past errors").all()


@pytest.mark.parametrize("council", ["North Northamptonshire", "West Northamptonshire"])
def test_a_council_with_no_past_forecast_to_score_gets_a_note_not_a_failure(council):
    """Made in 2021: a forecast from January 2025, but none of its own to score before it."""
    from sendlib.present import forecast_report

    scored = forecasting.backtest([forecasting.DEFAULT_METHOD], councils=["940", "941"])
    assert scored.empty and "lower_80" in scored
    page = forecast_report.backtest_section(council, latest_census=2025, sn_model="2025").data
    assert "too short to show past forecasts" in page
