"""The money: what the forecast plans will cost, where that leaves the council's High Needs
Block and DSG deficit, what a scenario changes, and what change keeps it inside a ceiling.

* :func:`unit_costs` (from :mod:`sendlib.measures.placement_costs`): a cost a year per plan in
  each placement group, naming its source;
* :func:`cost_forecast`: each placement group's forecast plans x its unit cost, uprated by
  the price growth, summed to the **spend on plans**; where the council's files give its High
  Needs model and Safety Valve return, the **High Needs spend** (spend on plans and the rest),
  **funding** and **cumulative DSG deficit** year by year against the ceiling;
* a **scenario** is data: a dict of :data:`LEVERS` (``plan_growth``, ``independent_share``,
  ``price_growth``) and a ``name``, as a pack definition gives it;
* :func:`~sendlib.measures.goals.goal_seek` (also ``costs.goal_seek``): the smallest change
  in one lever that keeps the deficit, the plans or the spend inside a ceiling in a year, with
  the chance of staying inside.

Years: the financial year ``2022/23`` holds the January 2023 census, so its plans are the
forecast for January 2023. Amounts in £ a year. Intervals: a group's spend carries its plans'
interval (:func:`~sendlib.measures.placements.placement_forecast`) and the price range of
:data:`PRICES`; the spend on plans carries the total forecast's interval (every group moving
with the total) and the price range; the deficit cumulates the High Needs spend's bounds (a
high year tends to be followed by a high year), against the central funding.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sendlib import tables
from sendlib.errors import ArgumentError
from sendlib.measures import forecasting, placements
from sendlib.measures.placement_costs import (  # noqa: F401 - the money's API, in one place
    PRICES,
    council_unit_costs,
    public_unit_costs,
    public_unit_costs_for,
    unit_costs,
)
from sendlib.periods import FinancialYear
from sendlib.registry import describe
from sendlib.tables import Tables
from sendlib.vocab import PLACEMENT_GROUPS

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter

SPEND_ON_PLANS = "Spend on plans"
REST_OF_SPEND = "Rest of High Needs spend"
HIGH_NEEDS_SPEND = "High Needs spend"
FUNDING = "High Needs funding"
IN_YEAR = "In-year High Needs deficit"
DEFICIT = "Cumulative DSG deficit"
LINES = (
    *PLACEMENT_GROUPS,
    SPEND_ON_PLANS,
    REST_OF_SPEND,
    HIGH_NEEDS_SPEND,
    FUNDING,
    IN_YEAR,
    DEFICIT,
)
"""The lines of :func:`cost_forecast`, in order."""
BOUNDS = ("point", "lower_80", "upper_80", "lower_95", "upper_95")
LEVERS = {
    "plan_growth": "growth in plans held, a year, beside the forecast's (-0.02: 2 points less)",
    "independent_share": "share of the growth in special school plans placed in independent or "
    "non-maintained special schools (0 to 1; the rest go to maintained special)",
    "price_growth": f"yearly rise in every unit cost (default {PRICES['central']:.0%})",
}
"""What a scenario may change, and what each number means."""
_LIMITS = {"plan_growth": (-0.5, 0.5), "independent_share": (0.0, 1.0), "price_growth": (-0.1, 0.3)}
CENTRAL = "Central (present trends)"
INDEPENDENT = "Independent or non-maintained special"
MAINTAINED = "Maintained special"


# --- scenarios ------------------------------------------------------------------------------


def check_scenario(scenario: dict | None, where: str = "scenario") -> dict:
    """``scenario`` checked: only :data:`LEVERS` and ``name``, each lever a finite number in
    its range. Every problem at once, in one :class:`ArgumentError`.

    >>> check_scenario({"name": "Fewer independent", "independent_share": 0.2})
    {'name': 'Fewer independent', 'independent_share': 0.2}
    """
    if scenario is None:
        return {}
    if not isinstance(scenario, dict):
        raise ArgumentError(f"{where}: a scenario is a table of levers, found {scenario!r}")
    problems = []
    for key, value in scenario.items():
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                problems.append(f"name: expected text, found {value!r}")
            continue
        if key not in LEVERS:
            problems.append(f"unknown lever {key!r}; the levers are {', '.join(LEVERS)}")
            continue
        low, high = _LIMITS[key]
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not low <= value <= high:
            problems.append(f"{key}: expected a number from {low} to {high}, found {value!r}")
    if problems:
        raise ArgumentError(f"{where}: " + "; ".join(problems))
    return dict(scenario)


def scenario_name(scenario: dict | None) -> str:
    """A scenario's name, or a description of its levers ("central" for none)."""
    if not scenario:
        return CENTRAL
    if scenario.get("name"):
        return str(scenario["name"])
    return ", ".join(f"{k} {v:+.1%}" for k, v in scenario.items() if k in LEVERS)


# --- the model ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Base:
    """The High Needs figures of the council's files for their financial year."""

    year: FinancialYear
    funding: float  # allocation + transfers (the total budget), £
    spend: float  # spend after savings, £
    deficit: float  # cumulative deficit before Safety Valve funding at the year's end, £
    ceiling: float | None  # the Safety Valve's maximum for that year, £
    funding_growth: float  # yearly, from ESFA's allocations up to the year
    growth_years: str


@dataclasses.dataclass(frozen=True)
class Model:
    """What :func:`cost_forecast` needs, gathered once (a goal-seek evaluates it many times):
    the placement forecast, the council's plans by group at the origin, the unit costs and,
    with the council's files, the base year of its High Needs Block."""

    council: str
    plans: pd.DataFrame
    at_origin: dict
    costs: pd.DataFrame
    total: pd.DataFrame
    base: _Base | None
    base_note: str
    ceilings: dict
    price: float
    rest_of_spend: float = float("nan")


@tables.memoised
def model(
    council: str | int,
    *,
    files: CouncilQuarter | None = None,
    origin: int | None = None,
    horizons: int = 5,
    ceilings: dict[str, float] | None = None,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> Model:
    """Gather what :func:`cost_forecast` needs for ``council`` (see there), once per build
    of the tables and set of arguments (a goal-seek's repeated calls reuse it)."""
    from sendlib.measures.areas import find_council

    data = data or tables.current()
    name = find_council(council, data)["area_name"]
    plans = placements.placement_forecast(
        council, horizons=horizons, origin=origin, sn_model=sn_model, data=data
    )
    start = int(plans["origin"].iloc[0])
    total = forecasting.forecast(
        council, horizons=horizons, origin=start, sn_model=sn_model, data=data
    )
    code = find_council(council, data)["old_la_code"]
    at_origin = placements.placement_matrix(data).loc[(code, start)].to_dict()
    # costs for the financial year of the first January forecast (a public cost of an
    # earlier year is used where DfE's end sooner, and says so)
    costs = unit_costs(council, financial_year=FinancialYear(start).slashed, files=files, data=data)
    base, note = _base(files, start, horizons, data, code) if files is not None else (None, "")
    if files is None:
        note = "no High Needs funding or Safety Valve figures: the council's own files give them"
    for frame in (plans, costs, total):  # plain frames: a goal-seek does arithmetic on them
        frame.attrs = {}
    m = Model(
        name, plans, at_origin, costs, total, base, note, _ceilings(ceilings), PRICES["central"]
    )
    if base is not None:  # the rest of the High Needs spend, from the central case, once
        rest = base.spend - _central_spend_on_plans(m, base.year)
        m = dataclasses.replace(m, rest_of_spend=rest)
    return m


def _ceilings(given: dict | None) -> dict:
    out = {}
    for year, amount in (given or {}).items():
        try:
            key = FinancialYear.parse(year).slashed
        except ValueError as error:
            raise ArgumentError(f"ceilings: {error}") from None
        if not isinstance(amount, int | float) or not math.isfinite(amount):
            raise ArgumentError(f"ceilings: {year} must be an amount in £, found {amount!r}")
        out[key] = float(amount)
    return out


def _base(files: CouncilQuarter, origin: int, horizons: int, data: Tables, code: str):
    """The base year of the deficit path from the council's files, or None and why not."""
    from sendlib.errors import DataFileError
    from sendlib.measures.finance import _line

    try:
        year = FinancialYear.parse(files.financial_year)
        model_ = files.hnb_model
    except (DataFileError, ValueError) as error:
        problem = getattr(error, "problem", str(error)).splitlines()[0]
        return None, f"the council's files give no High Needs model for {files.quarter} ({problem})"
    if not origin < year.census_year <= origin + horizons:
        return None, (
            f"the files are for {year.slashed}, whose January ({year.census_year}) is not "
            f"forecast from January {origin}: no deficit path"
        )
    try:
        funding = _line(model_, "total_budget", "actual")
        spend = _line(model_, "spend_after_savings", "actual")
        deficit = _line(model_, "cumulative_before_safety_valve", "actual")
    except ValueError as error:
        return None, f"{files.path('hnb_financial_model').name}: {error}; no deficit path"
    ceiling = _safety_valve_maximum(files)
    growth, years = _funding_growth(code, year, data)
    return _Base(year, funding, spend, deficit, ceiling, growth, years), ""


def _safety_valve_maximum(files: CouncilQuarter) -> float | None:
    """:func:`finance.safety_valve_maximum` of the files' return, or None without one."""
    from sendlib.errors import DataFileError
    from sendlib.measures.finance import safety_valve_maximum

    try:
        return safety_valve_maximum(files.safety_valve)
    except DataFileError:
        return None


def _funding_growth(code: str, year: FinancialYear, data: Tables) -> tuple[float, str]:
    """The council's mean yearly growth in its High Needs Block allocation over ESFA's
    published years up to ``year`` (and the years it spans)."""
    funding = data.hnb_funding
    rows = funding[funding["old_la_code"].eq(code)].copy()
    rows["start"] = rows["financial_year"].map(lambda y: FinancialYear.parse(y).start)
    rows = rows[rows["start"].le(year.start)].sort_values("start")
    if len(rows) < 2:
        return float("nan"), ""
    first, last = rows.iloc[0], rows.iloc[-1]
    span = int(last["start"] - first["start"])
    growth = (float(last["hnb_allocation"]) / float(first["hnb_allocation"])) ** (1 / span) - 1
    return growth, f"{first['financial_year']} to {last['financial_year']}"


def _scenario_plans(m: Model, scenario: dict) -> pd.DataFrame:
    """The placement forecast with the scenario's plan levers applied: ``plan_growth``
    scales every group by exp(x x years ahead); ``independent_share`` puts that share of the
    growth in special school plans since the origin in independent schools, the rest in
    maintained special schools. Bounds move with their point."""
    plans = m.plans.copy()
    factor = pd.Series(1.0, index=plans.index)
    if scenario.get("plan_growth"):
        factor *= np.exp(scenario["plan_growth"] * plans["horizon"])
    new_point = plans["point"] * factor
    share = scenario.get("independent_share")
    if share is not None:
        wide = new_point.groupby([plans["year"], plans["placement_group"]]).sum().unstack()
        grown = (
            wide[MAINTAINED]
            + wide[INDEPENDENT]
            - m.at_origin[MAINTAINED]
            - m.at_origin[INDEPENDENT]
        )
        grown = grown.clip(lower=0)
        independent = m.at_origin[INDEPENDENT] + share * grown
        maintained = wide[MAINTAINED] + wide[INDEPENDENT] - independent
        for group, values in ((INDEPENDENT, independent), (MAINTAINED, maintained)):
            rows = plans["placement_group"].eq(group)
            new_point[rows] = plans.loc[rows, "year"].map(values).to_numpy()
    ratio = (new_point / plans["point"]).where(plans["point"] > 0, 1.0)
    for column in BOUNDS:
        plans[column] = plans[column] * ratio
    return plans


def baseline_independent_share(m: Model, year: int) -> float:
    """The forecast's own share of the growth in special school plans from the origin to
    the January ``year`` that goes to independent schools (nan when they do not grow)."""
    rows = m.plans[m.plans["year"].eq(year)].set_index("placement_group")["point"]
    grown = (
        rows[MAINTAINED] + rows[INDEPENDENT] - m.at_origin[MAINTAINED] - m.at_origin[INDEPENDENT]
    )
    if grown <= 0:
        return float("nan")
    return float((rows[INDEPENDENT] - m.at_origin[INDEPENDENT]) / grown)


def evaluate(m: Model, scenario: dict | None = None) -> pd.DataFrame:
    """:func:`cost_forecast`'s table from a gathered :class:`Model` (quick: a goal-seek's
    step)."""
    scenario = check_scenario(scenario)
    price = scenario.get("price_growth", m.price)
    plans = _scenario_plans(m, scenario)
    groups = _group_rows(plans, m.costs, price, m.price)
    table = pd.concat(
        [groups.drop(columns=["_low", "_high"]), _spend_on_plans(groups, m)], ignore_index=True
    )
    if m.base is not None:
        table = pd.concat([table, _deficit_rows(table, plans, m, price)], ignore_index=True)
    table["scenario"] = scenario_name(scenario)
    table["ceiling"] = [
        _ceiling_of(m, year) if line == DEFICIT else np.nan
        for year, line in zip(table["financial_year"], table["line"], strict=True)
    ]
    order = {line: i for i, line in enumerate(LINES)}
    table = table.sort_values(
        ["census_year", "line"], key=lambda c: c.map(order) if c.name == "line" else c
    ).reset_index(drop=True)
    money = dict.fromkeys(BOUNDS, "GBP") | {"unit_cost": "GBP per plan", "ceiling": "GBP"}
    return describe(
        table.astype({"line": "string", "note": "string", "scenario": "string"}),
        "finance",
        category="line",
        units=money | {"plans": "count", "census_year": "year"},
    )


def _ceiling_of(m: Model, year: str) -> float:
    if year in m.ceilings:
        return m.ceilings[year]
    if m.base is not None and year == m.base.year.slashed and m.base.ceiling is not None:
        return m.base.ceiling
    return np.nan


def _price_range(price: float, central: float) -> dict[str, float]:
    """The yearly rises of the point and of the lower and upper bounds: the price range of
    :data:`PRICES` moved with the scenario's price."""
    return {
        "point": price,
        "low": min(price, PRICES["low"] - central + price),
        "high": max(price, PRICES["high"] - central + price),
    }


def _group_rows(plans: pd.DataFrame, costs: pd.DataFrame, price: float, central: float):
    """Each group's plans x its unit cost uprated to the year, every bound (in £)."""
    unit = plans["placement_group"].map(costs.set_index("placement_group")["unit_cost"])
    start = plans["placement_group"].map(
        costs.set_index("placement_group")["financial_year"].map(
            lambda y: FinancialYear.parse(y).start
        )
    )
    years_on = (plans["year"] - 1 - start).to_numpy(dtype=float)
    rises = _price_range(price, central)
    up = {k: (1 + r) ** years_on for k, r in rises.items()}
    notes = costs.set_index("placement_group")["note"]
    return pd.DataFrame(
        {
            "financial_year": [FinancialYear(int(y) - 1).slashed for y in plans["year"]],
            "census_year": plans["year"].astype(int).to_numpy(),
            "line": plans["placement_group"].to_numpy(),
            "plans": plans["point"].to_numpy(),
            "unit_cost": (unit * up["point"]).to_numpy(),
            "point": (plans["point"] * unit * up["point"]).to_numpy(),
            "lower_80": (plans["lower_80"] * unit * up["low"]).to_numpy(),
            "upper_80": (plans["upper_80"] * unit * up["high"]).to_numpy(),
            "lower_95": (plans["lower_95"] * unit * up["low"]).to_numpy(),
            "upper_95": (plans["upper_95"] * unit * up["high"]).to_numpy(),
            "note": [
                "" if pd.notna(u) else f"not costed: {notes[g]}"
                for g, u in zip(plans["placement_group"], unit, strict=True)
            ],
            "_low": (plans["point"] * unit * up["low"]).to_numpy(),
            "_high": (plans["point"] * unit * up["high"]).to_numpy(),
        }
    )


def _spend_on_plans(groups: pd.DataFrame, m: Model) -> pd.DataFrame:
    """The sum over costed groups each year, with the total forecast's interval (every group
    moving with the total) and the price range."""
    costed = groups[groups["unit_cost"].notna()]
    sums = costed.groupby("census_year")[["plans", "point", "_low", "_high"]].sum()
    total = m.total.set_index("year")
    ratio = {b: (total[b] / total["point"]).reindex(sums.index) for b in BOUNDS[1:]}
    uncosted = groups[groups["unit_cost"].isna()].groupby("census_year")["line"].agg(", ".join)
    years = sums.index
    out = pd.DataFrame(
        {
            "financial_year": [FinancialYear(int(y) - 1).slashed for y in years],
            "census_year": years.to_numpy(),
            "line": SPEND_ON_PLANS,
            "plans": sums["plans"].to_numpy(),
            "unit_cost": np.nan,
            "point": sums["point"].to_numpy(),
            "lower_80": (sums["_low"] * ratio["lower_80"]).to_numpy(),
            "upper_80": (sums["_high"] * ratio["upper_80"]).to_numpy(),
            "lower_95": (sums["_low"] * ratio["lower_95"]).to_numpy(),
            "upper_95": (sums["_high"] * ratio["upper_95"]).to_numpy(),
            "note": [
                f"groups without a unit cost left out: {uncosted[y]}" if y in uncosted else ""
                for y in years
            ],
        }
    )
    return pd.concat([groups.drop(columns=["_low", "_high"]).iloc[0:0], out], ignore_index=True)


def _deficit_rows(table: pd.DataFrame, plans: pd.DataFrame, m: Model, price: float) -> pd.DataFrame:
    """High Needs spend, funding, in-year and cumulative deficit from the base year on."""
    base = m.base
    spend = table[table["line"].eq(SPEND_ON_PLANS)].set_index("financial_year")
    uncosted = table[table["line"].isin(PLACEMENT_GROUPS) & table["unit_cost"].isna()]
    uncosted = uncosted.groupby("financial_year")["plans"].sum()
    first = base.year.slashed
    # The rest is taken from the central case so a scenario moves only what it changes.
    rest = m.rest_of_spend
    rows, cumulative = [], {b: base.deficit for b in BOUNDS}
    for fy_text, row in spend.iterrows():
        fy = FinancialYear.parse(fy_text)
        if fy < base.year:
            continue
        years = fy.start - base.year.start
        grow = uncosted.get(fy_text, 0) / uncosted.get(first, 1) if uncosted.get(first, 0) else 1.0
        rest_now = rest * (1 + price) ** years * grow
        funding = base.funding * (1 + base.funding_growth) ** years
        hn = {b: row[b] + rest_now for b in BOUNDS}
        if fy == base.year:  # the council's own forecast at the quarter: no interval
            hn = dict.fromkeys(BOUNDS, row["point"] + rest_now)
        in_year = {b: hn[b] - funding for b in BOUNDS}
        cumulative = (
            dict.fromkeys(BOUNDS, base.deficit)
            if fy == base.year
            else {b: cumulative[b] + in_year[b] for b in BOUNDS}
        )
        note_rest = (
            f"{first}: the council's High Needs spend after savings (£{base.spend:,.0f}) less "
            f"the modelled spend on plans; later years with prices and the plans not costed"
        )
        note_funding = (
            f"{first}: the council's total High Needs budget (allocation and transfers); "
            f"later years rise {base.funding_growth:.1%} a year, the council's mean growth in "
            f"ESFA's High Needs Block allocations {base.growth_years}"
        )
        note_deficit = (
            f"{first}: the council's forecast at the quarter (£{base.deficit:,.0f}); later "
            "years add the in-year High Needs deficit (other DSG blocks and General Fund "
            "contributions taken as nil)"
        )
        for line, values, note in (
            (REST_OF_SPEND, dict.fromkeys(BOUNDS, rest_now), note_rest),
            (HIGH_NEEDS_SPEND, hn, ""),
            (FUNDING, dict.fromkeys(BOUNDS, funding), note_funding),
            (IN_YEAR, in_year, ""),
            (DEFICIT, cumulative, note_deficit),
        ):
            rows.append(
                {
                    "financial_year": fy.slashed,
                    "census_year": fy.census_year,
                    "line": line,
                    "plans": np.nan,
                    "unit_cost": np.nan,
                    **values,
                    "note": note,
                }
            )
    return pd.DataFrame(rows)


def _central_spend_on_plans(m: Model, year: FinancialYear) -> float:
    groups = _group_rows(m.plans, m.costs, m.price, m.price)
    spend = _spend_on_plans(groups, m).set_index("census_year")["point"]
    return float(spend[year.census_year])


def cost_forecast(
    council: str | int,
    scenario: dict | None = None,
    *,
    files: CouncilQuarter | None = None,
    origin: int | None = None,
    horizons: int = 5,
    ceilings: dict[str, float] | None = None,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> pd.DataFrame:
    """What the forecast plans cost, each financial year, and (with the council's files)
    where that leaves its High Needs Block and DSG deficit.

    One row per (financial year, ``line``): each placement group (its ``plans``, ``unit_cost``
    uprated to the year, and spend), ``Spend on plans`` (the costed groups), and where
    ``files`` give the High Needs model and Safety Valve return for a year the forecast
    reaches: ``Rest of High Needs spend``, ``High Needs spend``, ``High Needs funding``,
    ``In-year High Needs deficit`` and ``Cumulative DSG deficit`` (before Safety Valve
    funding) with its ``ceiling`` (the Safety Valve maximum in the files for their year;
    ``ceilings`` adds others, {"2022/23": 28_607_000}). Columns: ``financial_year``,
    ``census_year``, ``line``, ``plans``, ``unit_cost``, ``point``, ``lower_80``,
    ``upper_80``, ``lower_95``, ``upper_95`` (£), ``ceiling``, ``scenario``, ``note``.

    ``scenario`` (see :data:`LEVERS`): {"name": "Fewer independent", "independent_share":
    0.2}; None is the central case.

    >>> t = cost_forecast("Kent", origin=2024, horizons=2)
    >>> sorted(set(t["line"]) - set(PLACEMENT_GROUPS))
    ['Spend on plans']
    """
    m = model(
        council,
        files=files,
        origin=origin,
        horizons=horizons,
        ceilings=ceilings,
        sn_model=sn_model,
        data=data,
    )
    return evaluate(m, scenario)


# --- goal-seek (in sendlib.measures.goals, found here too) --------------------------------

_GOALS = ("goal_seek", "pack_goal", "chance_inside", "goal_sentence", "TARGETS", "NOT_REACHABLE")


def __getattr__(name: str):
    """``costs.goal_seek`` and its companions (:mod:`sendlib.measures.goals`, which builds
    on this module), found on first use."""
    if name in _GOALS:
        from sendlib.measures import goals

        return getattr(goals, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
