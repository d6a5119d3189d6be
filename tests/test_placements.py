"""Plans by placement: DfE's published counts read to the unit, a forecast whose groups add up
to the total forecast, intervals that held in the past, and clear refusals."""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pytest

from sendlib import config
from sendlib.errors import ArgumentError, NotAvailableError
from sendlib.measures import forecasting, placements
from sendlib.vocab import PLACEMENT_GROUPS

RELEASE = config.RAW_DIR / config.EHCP_RELEASE_2025
COUNCILS = ("Kingston upon Thames", "Kent", "North Northamptonshire")
"""A council with its own files, a county on public data only, a council made in 2021."""


def published_placements(council: str, year: int) -> dict[str, int]:
    """DfE's caseload.csv row of ``council`` at January ``year``, read with the csv module
    (not sendlib's reader): every placement column as published."""
    with zipfile.ZipFile(RELEASE) as archive:
        text = archive.read("data/caseload.csv").decode("utf-8-sig")
    period = f"{year - 1}{year % 100:02d}"
    for row in csv.DictReader(io.StringIO(text)):
        if (
            row["la_name"] == council
            and row["time_period"] == period
            and row["breakdown_topic"] == "All EHC plans"
        ):
            return row
    raise AssertionError(f"no published row for {council} {year}")


@pytest.mark.parametrize(("council", "year"), [("Kingston upon Thames", 2025), ("Kent", 2022)])
def test_groups_are_dfe_placements_summed_to_the_unit(council, year):
    row = published_placements(council, year)
    code = row["old_la_code"]
    matrix = placements.placement_matrix()
    independent = int(row["special_independent"]) + int(row["special_non_maintained"])
    maintained = int(row["special_la_maintained"]) + int(row["special_academy_free"])
    assert matrix.loc[(code, year), "Independent or non-maintained special"] == independent
    assert matrix.loc[(code, year), "Maintained special"] == maintained
    assert matrix.loc[(code, year), "Further education"] == int(row["fe_total"])


def test_a_council_without_a_breakdown_has_no_row_not_zeros():
    matrix = placements.placement_matrix()
    # Hackney's January 2024 total has no breakdown in DfE's release (see data/raw/README.md)
    assert ("204", 2024) not in matrix.index
    assert ("204", 2025) in matrix.index


@pytest.mark.parametrize("council", COUNCILS)
def test_the_groups_add_up_to_the_total_forecast(council):
    table = placements.placement_forecast(council)
    origin = int(table["origin"].iloc[0])
    total = forecasting.forecast(council, origin=origin).set_index("year")["point"]
    summed = table.groupby("year")["point"].sum()
    assert np.allclose(summed.to_numpy(), total.loc[summed.index].to_numpy(), rtol=1e-9)
    assert set(table["placement_group"]) == set(PLACEMENT_GROUPS)


@pytest.mark.parametrize("council", COUNCILS)
def test_intervals_hold_the_point_and_widen(council):
    table = placements.placement_forecast(council).dropna(subset=["lower_80"])
    assert len(table) > 0
    assert (table["lower_95"] <= table["lower_80"]).all()
    assert (table["lower_80"] <= table["point"]).all()
    assert (table["point"] <= table["upper_80"]).all()
    assert (table["upper_80"] <= table["upper_95"]).all()


def test_shares_are_held_from_the_origin():
    table = placements.placement_forecast("Kingston upon Thames", origin=2021, horizons=2)
    row = published_placements("Kingston upon Thames", 2021)
    placed = sum(
        int(row[c])
        for c in placements_columns()
        if row[c] not in ("x", "z", "c", "")  # not collected that year
    )
    independent = int(row["special_independent"]) + int(row["special_non_maintained"])
    first = table[table["placement_group"].eq("Independent or non-maintained special")]
    assert first["share"].iloc[0] == pytest.approx(independent / placed)


def placements_columns() -> list[str]:
    """DfE's placement columns (the totals and percentages left out)."""
    row = published_placements("Kingston upon Thames", 2021)
    skip = ("_total", "_pc", "ed_elsewhere", "ehcplans")
    first = list(row).index("mainstream_la_maintained")
    return [c for c in list(row)[first:] if not c.endswith(skip) and c not in skip]


def test_no_breakdown_at_the_origin_is_refused_with_the_reason():
    with pytest.raises(NotAvailableError, match="placement breakdown for January 2018"):
        placements.placement_forecast("Kent", origin=2018)
    with pytest.raises(NotAvailableError, match="Hackney has no placement breakdown"):
        placements.placement_forecast("Hackney", origin=2024)


def test_a_naive_method_is_not_offered_as_a_forecast():
    with pytest.raises(ArgumentError, match="do not add up to a total"):
        placements.placement_forecast("Kent", method="last_value")


def test_the_default_beats_the_naive_count_methods_and_its_intervals_held():
    """What benchmarks/placement_backtest.py prints, and the default's docstring says."""
    past = {
        m: placements.placement_backtest(m).dropna(subset=["actual"])
        for m in ("last_share", "last_value", "last_growth")
    }

    def median_error(table, horizon):
        rows = table[table["horizon"].eq(horizon) & table["actual"].gt(0)]
        return float(((rows["point"] - rows["actual"]).abs() / rows["actual"]).median())

    for horizon in (1, 2, 3):
        default = median_error(past["last_share"], horizon)
        naive = min(median_error(past[m], horizon) for m in ("last_value", "last_growth"))
        assert default < naive
    scores = placements.placement_accuracy("last_share")
    for horizon in (1, 2, 3):
        rows = scores[scores["horizon"].eq(horizon)].dropna(subset=["within_80_pct"])
        held = (rows["within_80_pct"] * rows["forecasts"]).sum() / rows["forecasts"].sum()
        assert 75 <= held <= 88


@pytest.mark.parametrize("origin", [2021, 2025])
def test_every_councils_groups_add_up_to_its_total_forecast(origin):
    """Every council with a breakdown at the origin, at once: the placement points sum to the
    total forecast's; a council without one is absent, never zero (it gets the reason)."""
    from sendlib import tables

    data = tables.current()
    points = placements.placement_points(origin, "last_share", 5, "2025", data)
    totals = forecasting._every_councils_points(origin, forecasting.DEFAULT_METHOD, 5, "2025", data)
    summed = points.groupby(["old_la_code", "horizon"])["point"].sum()
    expected = totals.set_index(["old_la_code", "horizon"])["point"].reindex(summed.index)
    assert np.allclose(summed.to_numpy(), expected.to_numpy(), rtol=1e-9)
    with_breakdown = set(placements.placement_matrix(data).xs(origin, level="year").index)
    forecast = set(totals.dropna(subset=["point"])["old_la_code"])
    assert set(points["old_la_code"]) == with_breakdown & forecast
    for code in sorted(forecast - with_breakdown)[:3]:
        with pytest.raises(NotAvailableError, match="no placement breakdown"):
            placements.placement_forecast(code, origin=origin)


def test_the_forecasting_module_offers_it_too():
    assert forecasting.placement_forecast is placements.placement_forecast
