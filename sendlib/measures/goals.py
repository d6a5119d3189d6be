"""Goal-seek: the smallest change in one lever of the money model (:mod:`sendlib.measures.costs`)
that keeps the cumulative DSG deficit, the spend on plans or the plans inside a ceiling in a
year, with the chance of staying inside; and its answer in one sentence.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sendlib.errors import ArgumentError, NotAvailableError
from sendlib.measures.costs import (
    BOUNDS,
    DEFICIT,
    LEVERS,
    SPEND_ON_PLANS,
    Model,
    _group_rows,
    _scenario_plans,
    _spend_on_plans,
    baseline_independent_share,
    check_scenario,
    evaluate,
    model,
)
from sendlib.periods import FinancialYear
from sendlib.tables import Tables

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter

_Z80 = 1.2815515655446004
"""The 90th percentile of the standard normal: an 80% interval's half-width in sigmas."""
FURTHEST_PLAN_GROWTH = -0.5
"""The largest cut in yearly growth a goal-seek tries (50 points a year)."""


TARGETS = {"deficit": DEFICIT, "spend": SPEND_ON_PLANS, "plans": "plans"}


def _target_value(m: Model, target: str, year, scenario: dict) -> pd.Series:
    """The target's point and bounds in ``year`` under ``scenario``."""
    if target == "plans":
        plans = _scenario_plans(m, scenario)
        rows = plans[plans["year"].eq(int(year))]
        total = m.total.set_index("year").loc[int(year)]
        point = float(rows["point"].sum())
        ratio = point / float(total["point"])
        return pd.Series({b: float(total[b]) * ratio for b in BOUNDS})
    if target == "spend":  # the spend on plans needs no deficit path: quicker for a goal-seek
        scenario = check_scenario(scenario)
        price = scenario.get("price_growth", m.price)
        groups = _group_rows(_scenario_plans(m, scenario), m.costs, price, m.price)
        table = _spend_on_plans(groups, m)
    else:
        table = evaluate(m, scenario)
    row = table[table["line"].eq(TARGETS[target]) & table["financial_year"].eq(year)]
    if row.empty:
        raise NotAvailableError(f"no {TARGETS[target].lower()} for {year} in the forecast")
    return row.iloc[0][list(BOUNDS)].astype(float)


def chance_inside(values: pd.Series, ceiling: float) -> float:
    """The chance (0-1) that the outcome is at or below ``ceiling``, reading the 80%
    interval as a normal distribution on each side of the point (a split normal).

    >>> round(chance_inside(pd.Series({"point": 100.0, "lower_80": 90.0, "upper_80": 110.0}),
    ...                     100.0), 2)
    0.5
    """
    point = float(values["point"])
    side = values["upper_80"] if ceiling >= point else values["lower_80"]
    sigma = abs(float(side) - point) / _Z80
    if not math.isfinite(sigma):
        return float("nan")
    if sigma == 0:
        return 1.0 if point <= ceiling else 0.0
    return 0.5 * (1 + math.erf((ceiling - point) / (sigma * math.sqrt(2))))


def _lever_range(m: Model, lever: str, year) -> tuple[float, float]:
    """The lever's value in the forecast (its baseline) and the furthest value sought."""
    if lever == "plan_growth":
        return 0.0, FURTHEST_PLAN_GROWTH
    if lever == "price_growth":
        return m.price, 0.0
    census = int(year) if isinstance(year, int) else FinancialYear.parse(year).census_year
    return baseline_independent_share(m, census), 0.0


def goal_seek(
    council: str | int,
    *,
    target: str,
    ceiling: float,
    year: str | int,
    lever: str,
    files: CouncilQuarter | None = None,
    origin: int | None = None,
    horizons: int = 5,
    ceilings: dict[str, float] | None = None,
    sn_model: str = "2025",
    data: Tables | None = None,
    chance: float = 0.5,
    model_: Model | None = None,
) -> pd.DataFrame:
    """The smallest change in one ``lever`` (:data:`LEVERS`) that keeps ``target``
    (``deficit``: the cumulative DSG deficit at the end of financial ``year``; ``spend``: the
    spend on plans in financial ``year``; ``plans``: the plans at the January ``year``)
    at or below ``ceiling`` (£ or plans) with at least the ``chance`` (0.5 to 0.99) of
    staying inside, by bisection (0.5: the central forecast at the ceiling). ``model_``: a
    :func:`model` already gathered (the other arguments but ``target``... are then unused).

    Returns one row: ``target``, ``year``, ``lever``, ``ceiling``, ``status`` (``no change
    needed``, ``reachable`` or ``not reachable with this lever alone``), ``baseline`` (the
    lever's value in the forecast), ``value`` (the value that meets the ceiling; missing when
    not reachable), ``outcome`` (the target's central value with it), ``chance_inside`` (0-1,
    from the target's 80% interval read as a split normal), ``sentence``. Feeding ``{lever:
    value}`` back into :func:`cost_forecast` meets the ceiling.
    """
    _check_goal(target, lever, ceiling, chance)
    m = model_ or model(
        council,
        files=files,
        origin=origin,
        horizons=horizons,
        ceilings=ceilings,
        sn_model=sn_model,
        data=data,
    )
    year = _goal_year(m, target, year)
    baseline, furthest = _lever_range(m, lever, year)

    def meets(values: pd.Series) -> bool:
        point = float(values["point"])
        return point <= ceiling and chance_inside(values, ceiling) >= chance - 1e-9

    def at(value: float) -> pd.Series:
        return _target_value(m, target, year, {lever: value})

    now = _target_value(m, target, year, {})
    result = {
        "target": target,
        "year": str(year),
        "lever": lever,
        "ceiling": float(ceiling),
        "chance": float(chance),
        "baseline": baseline,
    }
    if meets(now):
        found = {"status": "no change needed", "value": baseline, "values": now}
    elif target == "plans" and lever != "plan_growth":
        found = {"status": NOT_REACHABLE, "value": np.nan, "values": None}
    elif not math.isfinite(baseline) or not meets(at(furthest)):
        best = at(furthest) if math.isfinite(baseline) else None
        found = {"status": NOT_REACHABLE, "value": np.nan, "values": best, "furthest": furthest}
    else:
        inside, outside = furthest, baseline
        while abs(outside - inside) > 1e-4 * abs(baseline - furthest):  # 14 halvings
            middle = (inside + outside) / 2
            if meets(at(middle)):
                inside = middle
            else:
                outside = middle
        found = {"status": "reachable", "value": inside, "values": at(inside)}
    values = found.pop("values")
    result |= found | {
        "outcome": float(values["point"]) if values is not None else np.nan,
        "chance_inside": chance_inside(values, ceiling) if values is not None else np.nan,
    }
    return _answer(result, m)


NOT_REACHABLE = "not reachable with this lever alone"


def _goal_year(m: Model, target: str, year: object) -> str | int:
    """The goal's year as the forecast names it (a January for plans, a financial year
    otherwise), or a NotAvailableError saying which years the forecast reaches."""
    januaries = sorted(int(y) for y in set(m.plans["year"]))
    years = [FinancialYear(y - 1).slashed for y in januaries]
    try:
        found = int(year) if target == "plans" else FinancialYear.parse(str(year)).slashed
    except (TypeError, ValueError):
        found = None
    if target == "deficit" and m.base is None:
        raise NotAvailableError(f"{m.council}: no deficit path ({m.base_note})")
    allowed = januaries if target == "plans" else years
    if found not in allowed:
        what = "January" if target == "plans" else "financial year"
        raise NotAvailableError(
            f"no forecast for {what} {year!r}: the forecast reaches {allowed[0]} to {allowed[-1]}"
        )
    return found


def pack_goal(m: Model, goal: dict) -> pd.DataFrame:
    """:func:`goal_seek` of a goal as a pack definition gives it (a table of ``target``,
    ``ceiling``, ``year``, ``lever`` and, optionally, ``chance``), on a gathered model."""
    return goal_seek(
        m.council,
        target=goal.get("target", ""),
        ceiling=goal.get("ceiling"),
        year=goal.get("year", ""),
        lever=goal.get("lever", ""),
        chance=goal.get("chance", 0.5),
        model_=m,
    )


def _check_goal(target: str, lever: str, ceiling: object, chance: object) -> None:
    """A goal-seek's arguments, checked (an :class:`ArgumentError` saying what is wrong)."""
    if target not in TARGETS:
        raise ArgumentError(f"unknown target {target!r}; the targets are {', '.join(TARGETS)}")
    if lever not in LEVERS:
        raise ArgumentError(f"unknown lever {lever!r}; the levers are {', '.join(LEVERS)}")
    if (
        isinstance(ceiling, bool)
        or not isinstance(ceiling, int | float)
        or not math.isfinite(ceiling)
    ):
        raise ArgumentError(f"a ceiling is a number (£ or plans), found {ceiling!r}")
    if isinstance(chance, bool) or not isinstance(chance, int | float) or not 0.5 <= chance <= 0.99:
        raise ArgumentError(f"chance is a probability from 0.5 to 0.99, found {chance!r}")


def _answer(result: dict, m: Model) -> pd.DataFrame:
    return pd.DataFrame([result | {"sentence": goal_sentence(result, m.council)}])


def _amount(target: str, value: float) -> str:
    if target == "plans":
        return f"{value:,.0f} plans"
    return f"£{value / 1e6:,.1f}m"


def goal_sentence(result: dict, council: str) -> str:
    """The goal-seek's answer in one sentence."""
    target, year, lever = result["target"], result["year"], result["lever"]
    what = {
        "deficit": f"the cumulative DSG deficit inside {_amount(target, result['ceiling'])} "
        f"at the end of {year}",
        "spend": f"the spend on plans inside {_amount(target, result['ceiling'])} in {year}",
        "plans": f"the plans at January {year} inside {_amount(target, result['ceiling'])}",
    }[target]
    if result["status"] == "no change needed":
        return (
            f"No change is needed: the forecast keeps {what} (central "
            f"{_amount(target, result['outcome'])}, a {result['chance_inside']:.0%} chance of "
            "staying inside)."
        )
    if result["status"] != "reachable":
        if target == "plans" and lever != "plan_growth":
            return (
                f"Keeping {what} is not reachable by {_lever_words(lever)} alone: it does not "
                "change the number of plans."
            )
        furthest = {
            "plan_growth": f"with growth {abs(result.get('furthest', 0)):.0%} a year lower",
            "independent_share": "with none of the growth placed in independent schools",
            "price_growth": "with prices held flat",
        }[lever]
        outcome = result.get("outcome")
        at = f" the central forecast is {_amount(target, outcome)}" if pd.notna(outcome) else ""
        return (
            f"Keeping {what} is not reachable by {_lever_words(lever)} alone: even {furthest},{at}."
        )
    change = {
        "plan_growth": f"Plans growing {abs(result['value']):.1%} a year less than forecast",
        "independent_share": f"Placing {result['value']:.0%} of the growth in special school "
        f"plans in independent schools, instead of {result['baseline']:.0%},",
        "price_growth": f"Placement prices rising {result['value']:.1%} a year, instead of "
        f"{result['baseline']:.1%},",
    }[lever]
    return (
        f"{change} keeps {what} (central {_amount(target, result['outcome'])}), with a "
        f"{result['chance_inside']:.0%} chance of staying inside."
    )


def _lever_words(lever: str) -> str:
    return {
        "plan_growth": "slowing the growth in plans",
        "independent_share": "placing fewer of the new special school plans in independent schools",
        "price_growth": "holding down placement prices",
    }[lever]
