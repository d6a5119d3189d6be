"""The forecast report (notebooks/forecast): the caseload forecast with its intervals, the
backtest, and the cost of the forecast plans."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from sendlib.measures import arithmetic
from sendlib.periods import BASE_YEAR
from sendlib.present import charts
from sendlib.present import html as reports
from sendlib.present.formats import pounds_m
from sendlib.present.html import number, signed
from sendlib.registry import SOURCE_FORECAST  # noqa: F401 - the source lines

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter


def _council_caseload(council: str, first: int, last: int) -> pd.DataFrame:
    """The council's own caseload rows (:func:`sendlib.measures.caseload.ehcp_caseload`), Januaries
    ``first`` to ``last``."""
    from sendlib.measures.caseload import ehcp_caseload

    table = ehcp_caseload(council)
    return table[table["year"].between(first, last)]


def _counted_since(meeting_date: str, first: int, latest_census: int) -> tuple[int, str]:
    """The newest January DfE had counted by the meeting (0 without a date) and, where it is
    one the forecast starts at or after, the sentence saying the projections are not
    forecasts of it ("" otherwise)."""
    from datetime import date

    from sendlib.publications import UPDATE_PLAIN, census_published_by

    counted = census_published_by(date.fromisoformat(str(meeting_date))) if meeting_date else 0
    if counted < first:
        return counted, ""
    return counted, (
        f"DfE published the January {counted} census before this meeting; it is not yet in "
        f"this pack, so the projections below from January {latest_census} are not forecasts "
        f"of Januaries DfE has already counted. {UPDATE_PLAIN}"
    )


def _ceiling_chance(council, ceiling, ceiling_year, latest_census, sn_model) -> HTML:
    """The chance of more plans than the ceiling at its January, as a sentence."""
    from sendlib.measures import forecasting

    chance = forecasting.probability_above(
        council, ceiling_year, ceiling, origin=latest_census, sn_model=sn_model
    )
    return reports.sentence(
        f"The chance of more than {number(ceiling)} plans at January {ceiling_year} (the "
        f"ceiling) is about {number(chance * 100)}%."
    )


def forecast_section(
    council: str,
    *,
    latest_census: int,
    sn_model: str,
    ceiling: float = 0,
    ceiling_year: int = 0,
    meeting_date: str = "",
) -> HTML:
    """The forecast of plans 1 to 5 Januaries ahead, with its intervals, and the ceiling.

    With ``meeting_date``, a January whose census DfE had published by the meeting is not
    called a forecast: the section says the census is out and not yet in the pack."""
    from sendlib.measures import forecasting

    table = forecasting.forecast(council, origin=latest_census, sn_model=sn_model)
    history = _council_caseload(council, min(BASE_YEAR, latest_census - 5), latest_census)
    name = history["area_name"].iloc[-1]
    first = table.iloc[0]
    counted, outdated = _counted_since(meeting_date, int(first["year"]), latest_census)
    fig = charts.fan(
        history.rename(columns={"ehcps": "value"}),
        table,
        title=(
            f"{name}: plans projected from January {latest_census} (January {counted} is "
            "counted: not yet in this pack)"
            if outdated
            else f"{name}: about {number(first['point'])} plans forecast for January "
            f"{int(first['year'])}"
        ),
        ylabel="Statements and EHC plans",
        ceiling=(ceiling_year, ceiling) if ceiling else None,
        source=SOURCE_FORECAST.format(method=first["method"]),
    )
    shown = pd.DataFrame(
        {
            "January": table["year"].astype(int),
            "Forecast": table["point"].map(number),
            "80% interval": reports.number_range(table["lower_80"], table["upper_80"]),
            "95% interval": reports.number_range(table["lower_95"], table["upper_95"]),
        }
    )
    from sendlib.measures.provenance import origin_warning

    parts = [reports.sentence(outdated)] if outdated else []
    warning = origin_warning(council, latest_census)
    if warning:
        parts.append(reports.note(warning))
    if ceiling and not (outdated and ceiling_year <= counted):
        # The board's question comes first: will plans break the ceiling?
        parts.append(_ceiling_chance(council, ceiling, ceiling_year, latest_census, sn_model))
    if not outdated:
        parts.append(
            reports.sentence(
                f"In four years out of five, plans at January {int(first['year'])} should fall "
                f"between {number(first['lower_80'])} and {number(first['upper_80'])}; the "
                f"single best guess is {number(first['point'])}."
            )
        )
    parts += [
        reports.figure(fig),
        reports.table(
            shown,
            caption=(f"Plans forecast from January {latest_census}, with prediction intervals"),
        ),
    ]
    return reports.combine(*parts)


def backtest_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """How the same method would have done for this council in past years, and overall."""
    from sendlib.measures import forecasting
    from sendlib.measures.areas import find_council

    code = find_council(council)["old_la_code"]
    if latest_census <= forecasting.FIRST_TARGET:
        return reports.note(
            f"The method's past forecasts are scored from January "
            f"{forecasting.FIRST_TARGET + 1}; a pack for January {latest_census} has no past of "
            "them to show."
        )
    past = forecasting.backtest(
        [forecasting.DEFAULT_METHOD], councils=[code], last_target=latest_census
    )
    past = past[past["horizon"].eq(1)].sort_values("year")
    overall = forecasting.score(
        forecasting.backtest([forecasting.DEFAULT_METHOD], last_target=latest_census)
    )
    by_horizon = overall.set_index("horizon")
    one = by_horizon.loc[1]
    further = "".join(
        f"; {words} years ahead, {number(by_horizon.loc[h, 'median_ape'], 1, '%')} and "
        f"{number(by_horizon.loc[h, 'coverage_80'], 0, '%')}"
        for h, words in ((2, "two"), (3, "three"))
        if h in by_horizon.index
    )
    if past.empty:
        return reports.note("This council's series is too short to show past forecasts.")
    inside = past["actual"].between(past["lower_80"], past["upper_80"])
    shown = pd.DataFrame(
        {
            "January": past["year"].astype(int),
            "Forecast a year before": past["point"].map(number),
            "80% interval": reports.number_range(past["lower_80"], past["upper_80"]),
            "Outcome": past["actual"].map(number),
            "Error": arithmetic.pct_change(past["point"], past["actual"]).map(signed),
            "Inside the 80% interval": ["yes" if i else "no" for i in inside],
        }
    )
    return reports.combine(
        reports.table(shown, caption="The same method, a year ahead, in past years", cards=True),
        reports.sentence(
            f"Reading: a year ahead, the forecast was inside its 80% interval in "
            f"{int(inside.sum())} of {len(past)} years for this council. Across every council "
            f"(January {forecasting.FIRST_TARGET} to {latest_census}) its median error a year ahead was "
            f"{number(one['median_ape'], 1, '%')}, and outcomes fell inside the 80% interval "
            f"{number(one['coverage_80'], 0, '%')} of the time{further}."
        ),
    )


def _cost_per_plan(given: float, files: CouncilQuarter | None) -> tuple:
    """The cost per plan the forecast is costed at and where it comes from, or a note saying
    why it is not costed and ``None``."""
    from sendlib.errors import DataFileError
    from sendlib.measures import finance

    if given:
        return given, "as the pack definition sets it"
    if files is None or not files.rules_file:
        return reports.note(
            "No cost per plan was given for this council, so the forecast is not costed. Add "
            "the council's own figure (£ a year per plan) as cost_per_plan in the pack "
            "definition, or its files (local_dir, rules_file, quarter)."
        ), None
    quarter = files.quarter
    try:
        own = finance.council_cost_per_plan(files)
    except DataFileError as exc:
        return reports.note(
            f"The forecast is not costed: the council's files give no cost per plan for "
            f"{quarter} ({exc.problem}). Add the files for the quarter, or set "
            "cost_per_plan in the pack definition."
        ), None
    return own["cost_per_plan"], (
        f"from the council's own files: High Needs Block spend after savings at {quarter} "
        f"{own['financial_year']} ({reports.money(own['spend'])}) over the "
        f"{number(own['plans'])} plans held ({own['files'][0]}, {own['files'][1]})"
    )


def _cost_fan(council: str, table: pd.DataFrame, cost_per_plan: float, latest_census: int):
    """The cost of the forecast plans as a fan chart, in £ million a year."""
    from sendlib.measures import forecasting

    in_pounds = forecasting.forecast_cost(table, cost_per_plan)
    bounds = ["point", "lower_80", "upper_80", "lower_95", "upper_95"]
    fan_table = in_pounds.assign(**{c: in_pounds[c] / 1e6 for c in bounds})  # £ million
    now = _council_caseload(council, latest_census, latest_census)["ehcps"]
    history = pd.DataFrame(
        {"year": [latest_census], "value": [float(now.iloc[0]) * cost_per_plan / 1e6]}
    )
    return charts.fan(
        history,
        fan_table,
        title=f"Cost of plans, central price rise of "
        f"{forecasting.PRICE_SCENARIOS['central']:.0%} a year",
        ylabel="£ million a year",
        source=SOURCE_FORECAST.format(method=forecasting.DEFAULT_METHOD)
        + " Plans x cost per plan.",
        fmt="£{:,.1f}m",
    )


def cost_section(
    council: str,
    *,
    latest_census: int,
    sn_model: str,
    cost_per_plan: float,
    files: CouncilQuarter | None = None,
) -> HTML:
    """What the forecast plans would cost, under growth and price scenarios.

    The cost per plan is ``cost_per_plan`` when the pack definition gives one (more than 0);
    otherwise the council's own, from its ``files`` for the quarter
    (:func:`sendlib.measures.finance.council_cost_per_plan`); the page says which. With neither, a note says the forecast is not costed and why."""
    from sendlib.measures import forecasting

    cost_per_plan, basis = _cost_per_plan(cost_per_plan, files)
    if basis is None:  # not costed: the note says why
        return cost_per_plan
    table = forecasting.forecast(council, origin=latest_census, sn_model=sn_model)
    costs = forecasting.cost_scenarios(table, cost_per_plan)
    central = costs[costs["price"].eq("central")].pivot_table(
        index="year", columns="growth", values="cost", aggfunc="first"
    )
    fig = _cost_fan(council, table, cost_per_plan, latest_census)
    shown = pd.DataFrame(
        {
            "January": central.index.astype(int),
            "Low growth": central["low"].map(lambda v: f"{pounds_m(v, 1)}"),
            "Central": central["central"].map(lambda v: f"{pounds_m(v, 1)}"),
            "High growth": central["high"].map(lambda v: f"{pounds_m(v, 1)}"),
        }
    )
    extremes = costs[costs["year"].eq(costs["year"].min())]
    low = extremes[extremes["growth"].eq("low") & extremes["price"].eq("low")]["cost"].iloc[0]
    high = extremes[extremes["growth"].eq("high") & extremes["price"].eq("high")]["cost"].iloc[0]
    return reports.combine(
        reports.figure(fig),
        reports.table(
            shown,
            caption=(
                f"Cost of plans a year at £{cost_per_plan:,.0f} a plan at January {latest_census}, "
                f"rising {forecasting.PRICE_SCENARIOS['central']:.0%} a year; growth scenarios are "
                "the 80% interval"
            ),
        ),
        reports.sentence(
            f"Reading: at the central price rise of "
            f"{forecasting.PRICE_SCENARIOS['central']:.0%} a year, next year's plans cost between "
            f"{pounds_m(central.iloc[0]['low'], 1)} (low growth) and "
            f"{pounds_m(central.iloc[0]['high'], 1)} (high growth), as in the table. With prices "
            f"also rising from {forecasting.PRICE_SCENARIOS['low']:.0%} to "
            f"{forecasting.PRICE_SCENARIOS['high']:.0%}, the range widens to {pounds_m(low, 1)} "
            f"(low growth, low prices) to {pounds_m(high, 1)} (high growth, high prices)."
        ),
        reports.note(
            f"The cost per plan, {reports.money(cost_per_plan)}, is {basis}: the council's own "
            "spend divided by its plans, never estimated from public data."
        ),
    )


# --- the KPI dashboard and the High Needs Block ---------------------------------------------
