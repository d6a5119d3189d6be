"""Forecasting a council's EHCP caseload 1 to 5 Januaries ahead, with honest intervals.

Every method gives a **point forecast** from the council's series up to the forecast origin
(and, for the methods that borrow strength, other councils' series up to the same origin,
never later). Every method gets its **prediction intervals** the same way, from the errors the
same method made in earlier years across every council (only errors whose outcome was known
at the origin), split in two:

* the error **common to every council** that year (the median over councils: a surprise in
  England's growth), taken as normal, centred and spread as the one-year common errors were
  (median, and 1.4826 x median absolute deviation), centre and spread growing in proportion
  to the horizon, because such a surprise carries on into later years;
* each council's **own error** beyond it, at the same horizon, scaled by the council's
  volatility (the standard deviation of its last six years' growth, at least 2%).

So an 80% interval is one that held about 80% of the time in the past, and the backtest
checks that it still does: a year ahead the default's held 82.9% over January 2015-2025, two
and three years ahead 79.9% and 89.8%. (Scaling the whole error by the council's volatility,
as sendlib did first, held 80.0%, 75.1% and 68.9%: the years of transfer from statements to
plans, 2015-2018, taught it skewed errors that did not recur.)

Methods (see :data:`METHODS`):

* ``last_value``: no change;
* ``last_growth``: last year's growth carried on;
* ``mean_growth_3``: the mean growth of the last three years carried on;
* ``damped_trend``: exponential smoothing with a damped additive trend on log counts
  (statsmodels' Holt);
* ``neighbour_shrunk``: the council's three-year growth shrunk halfway toward its statistical
  neighbours' three-year growth (2025 model; 2021 model for councils that no longer exist;
  England's where a council has no neighbours with data), damped by 0.8 a year ahead. It
  borrows strength from similar councils, and wins the backtest.

Tried and dropped (see docs/assumptions.md): a pooled regression across councils of next
year's growth on the council's, its neighbours' and England's growth (and on new plans per
plan held), by least squares and by a robust (Huber) fit, refitted at each origin: it did no
better than the simple shrinkage (3.7% to 4.3% median error a year ahead, against 3.4%). A
rate-times-population method is not offered: the data holds no population projections.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from sendlib import tables
from sendlib.errors import ArgumentError
from sendlib.measures.arguments import each_council, year
from sendlib.measures.intervals import (
    ERROR_HORIZONS,
    MIN_ERRORS,
    error_model,
    log_error_cdf,
    scaled_errors,
    volatility_scale,
    with_intervals,
)
from sendlib.registry import describe
from sendlib.tables import Tables

METHODS = ("last_value", "last_growth", "mean_growth_3", "damped_trend", "neighbour_shrunk")
DEFAULT_METHOD = "neighbour_shrunk"
"""The method that won the backtest (see benchmarks/forecast_backtest.py and the README)."""
LEVELS = (80, 95)
VOLATILITY_FLOOR = 0.02
SHRINK_WEIGHT, DAMPING = 0.5, 0.8
MAX_HORIZON = 5
"""Furthest ahead a forecast (and a chance of breaching a ceiling) is given, in Januaries."""


@tables.memoised
def caseload_matrix(data: Tables | None = None) -> pd.DataFrame:
    """Statements + EHC plans, one row per council (3-digit code), one column per January.

    Councils are as DfE published them (a merged council's series starts at its creation).
    """
    caseload = (data or tables.current()).caseload
    councils = caseload[caseload["level"].eq("council")]
    return councils.pivot_table(
        index="old_la_code", columns="year", values="ehcps", aggfunc="first"
    ).astype(float)


@tables.memoised
def _neighbour_lists(sn_model: str, data: Tables) -> dict[str, list[str]]:
    neighbours = data.statistical_neighbours
    lists = {}
    other = "2021" if sn_model == "2025" else "2025"
    for model in (other, sn_model):  # the chosen model wins where a council is in both
        rows = neighbours[neighbours["model"].eq(model)]
        ranked = rows.sort_values(["old_la_code", "rank"])
        lists.update(ranked.groupby("old_la_code")["neighbour_old_la_code"].agg(list).to_dict())
    return lists


@tables.memoised
def _neighbour_weights(codes: tuple[str, ...], sn_model: str, data: Tables) -> np.ndarray:
    """A councils x councils matrix: 1 where the column is a statistical neighbour of the row."""
    lists = _neighbour_lists(sn_model, data)
    position = {code: i for i, code in enumerate(codes)}
    weights = np.zeros((len(codes), len(codes)))
    for row, code in enumerate(codes):
        for neighbour in lists.get(code, []):
            if neighbour in position:
                weights[row, position[neighbour]] = 1.0
    return weights


def _features(matrix: pd.DataFrame, year: int, sn_model: str, data: Tables) -> pd.DataFrame:
    """Growth features of every council at ``year``, from columns up to ``year`` only."""
    known = matrix.loc[:, [c for c in matrix.columns if c <= year]]
    growth = np.log(known).diff(axis=1)
    last = growth[year] if year in growth else pd.Series(np.nan, index=matrix.index)
    recent = [y for y in (year - 2, year - 1, year) if y in growth]
    three = growth[recent].mean(axis=1, skipna=False) if len(recent) == 3 else last * np.nan
    weights = _neighbour_weights(tuple(matrix.index), sn_model, data)
    known_three = three.notna().to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        neighbour = pd.Series(
            (weights @ three.fillna(0).to_numpy()) / (weights @ known_three), index=matrix.index
        )
    totals = known.sum(axis=0, min_count=1)
    england = np.log(totals[year] / totals[year - 3]) / 3 if year - 3 in totals.index else np.nan
    volatility = growth.iloc[:, -6:].std(axis=1, ddof=1).clip(lower=VOLATILITY_FLOOR)
    volatility = volatility.where(growth.iloc[:, -6:].count(axis=1) >= 3)
    return pd.DataFrame(
        {
            "level": known[year],
            "last": last,
            "three": three,
            "neighbour": neighbour.fillna(england),
            "england": england,
            "volatility": volatility,
        }
    )


def point_forecasts(
    matrix: pd.DataFrame,
    origin: int,
    method: str,
    horizons: int = ERROR_HORIZONS,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> pd.DataFrame:
    """Point forecasts of every council from the January ``origin``, using only columns up
    to ``origin``: ``old_la_code``, ``origin``, ``horizon``, ``year``, ``point``,
    ``volatility``.
    """
    if method not in METHODS:
        raise ArgumentError(f"unknown method {method!r}; the methods are {', '.join(METHODS)}")
    matrix = matrix.loc[:, [c for c in matrix.columns if c <= origin]]
    now = _features(matrix, origin, sn_model, data or tables.current())
    steps = np.arange(1, horizons + 1)
    if method == "last_value":
        growth = np.zeros((len(now), horizons))
    elif method == "last_growth":
        growth = np.outer(now["last"], steps)
    elif method == "mean_growth_3":
        growth = np.outer(now["three"], steps)
    elif method == "neighbour_shrunk":
        rate = SHRINK_WEIGHT * now["three"] + (1 - SHRINK_WEIGHT) * now["neighbour"]
        growth = np.outer(rate, np.cumsum(DAMPING ** (steps - 1)))
    elif method == "damped_trend":
        growth = np.vstack([_damped_trend(matrix.loc[code], horizons) for code in matrix.index])
    else:
        raise AssertionError(method)
    level = now["level"].to_numpy()[:, None]
    points = pd.DataFrame(level * np.exp(growth), index=now.index, columns=steps)
    long = points.stack(future_stack=True).rename("point").reset_index()
    long.columns = ["old_la_code", "horizon", "point"]
    long = long.merge(now[["volatility"]], left_on="old_la_code", right_index=True)
    long = long.assign(origin=origin, year=origin + long["horizon"])
    return long[["old_la_code", "origin", "horizon", "year", "point", "volatility"]]


@tables.memoised
def _every_councils_points(
    origin: int, method: str, horizons: int, sn_model: str, data: Tables
) -> pd.DataFrame:
    """:func:`point_forecasts` of every council from ``origin`` (computed once for all the
    councils that ask)."""
    return point_forecasts(caseload_matrix(data), origin, method, horizons, sn_model, data)


def _damped_trend(series: pd.Series, horizons: int) -> np.ndarray:
    values = np.log(series.dropna())
    if len(values) < 5 or values.index[-1] != series.index[-1]:
        return np.full(horizons, np.nan)
    return _holt_fit(tuple(values.to_numpy())).forecast(horizons) - values.iloc[-1]


@functools.lru_cache(maxsize=8192)
def _holt_fit(log_values: tuple[float, ...]):
    """statsmodels' damped Holt fit of one series of log counts, fitted once per series (the
    same series recurs in every call that forecasts from the same January; any horizon is
    then read from the one fit)."""
    from statsmodels.tsa.holtwinters import Holt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Holt(
            np.array(log_values), damped_trend=True, initialization_method="estimated"
        ).fit()


@tables.memoised
def backtest_points(
    method: str,
    first_origin: int = 2012,
    last_origin: int = 2024,
    horizons: int = ERROR_HORIZONS,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> pd.DataFrame:
    """Every council's forecasts from each origin, with the outcome where it is known."""
    data = data or tables.current()
    matrix = caseload_matrix(data)
    parts = [
        point_forecasts(matrix, origin, method, horizons, sn_model, data)
        for origin in range(first_origin, last_origin + 1)
    ]
    table = pd.concat(parts, ignore_index=True).dropna(subset=["point"])
    actual = matrix.stack().rename("actual").reset_index()
    actual.columns = ["old_la_code", "year", "actual"]
    return table.merge(actual, on=["old_la_code", "year"], how="left").assign(method=method)


@tables.memoised
def _past_errors(method: str, origin: int, sn_model: str, data: Tables) -> pd.DataFrame:
    """The method's errors whose outcome was known at the January ``origin``."""
    points = backtest_points(method, sn_model=sn_model, data=data)
    errors = scaled_errors(points[points["origin"].lt(origin)])
    return errors[errors["year"].le(origin)]


FIRST_TARGET = 2015
"""The first January the backtest scores (forecast from origins 2012 onwards)."""


def backtest(
    methods: Iterable[str] = METHODS,
    councils: Iterable[str] | None = None,
    first_target: int = FIRST_TARGET,
    last_target: int = 2025,
    data: Tables | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest: each method's forecasts, 1 to 3 years ahead, of every January
    from ``first_target`` to ``last_target``, made from data up to the origin only, with the
    outcome and the intervals as they would have been given at the time.

    ``councils`` (3-digit codes) limits which councils are scored (the intervals still learn
    from every council's past errors).
    """
    parts = []
    for method in methods:
        points = backtest_points(method, data=data or tables.current())
        errors = scaled_errors(points)
        scored = points[
            points["year"].between(first_target, last_target) & points["actual"].notna()
        ]
        if councils is not None:
            scored = scored[scored["old_la_code"].isin(list(councils))]
        parts.append(with_intervals(scored, errors))
    return pd.concat(parts, ignore_index=True)


def score(backtested: pd.DataFrame) -> pd.DataFrame:
    """Accuracy of each method and horizon: ``median_ape`` and ``mean_ape`` (absolute %
    error), ``coverage_80`` and ``coverage_95`` (% of outcomes inside the interval, over
    forecasts that had one), ``n`` (forecasts scored)."""
    table = backtested.assign(ape=(backtested["point"] / backtested["actual"] - 1).abs() * 100)
    rows = []
    for (method, horizon), group in table.groupby(["method", "horizon"], sort=False):
        row = {
            "method": method,
            "horizon": int(horizon),
            "median_ape": group["ape"].median(),
            "mean_ape": group["ape"].mean(),
            "n": len(group),
        }
        for level in LEVELS:
            has = group.dropna(subset=[f"lower_{level}"])
            inside = has["actual"].between(has[f"lower_{level}"], has[f"upper_{level}"])
            row[f"coverage_{level}"] = inside.mean() * 100 if len(has) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _require_method_and_horizons(method: str, horizons: object) -> None:
    """A known method, and 1 to :data:`MAX_HORIZON` whole Januaries ahead."""
    from sendlib.errors import NotAvailableError

    if method not in METHODS:
        raise ArgumentError(f"no forecast method {method!r}; the methods are {', '.join(METHODS)}")
    if (
        not isinstance(horizons, int)
        or isinstance(horizons, bool)
        or not 1 <= horizons <= MAX_HORIZON
    ):
        raise NotAvailableError(
            f"horizons must be a whole number of Januaries from 1 to {MAX_HORIZON}; got {horizons!r}"
        )


def _too_few(name: str, used: pd.Series, origin: int, method: str, created: bool):
    """The error for a series too short to forecast from (a council ``created`` in a
    reorganisation is told where its predecessors' series are)."""
    from sendlib.errors import NotAvailableError

    return NotAvailableError(
        f"{name} has {len(used)} published January figure(s) up to {origin} "
        f"({int(used.index.min())}-{origin}): too few for the {method} forecast, which "
        "needs the growth of earlier years. "
        + (
            "The council was created in a reorganisation; its predecessors are "
            "separate series (see sendlib.council_history)."
            if created
            else ""
        )
    )


@each_council
def forecast(
    council: str | int,
    *,
    horizons: int = 5,
    method: str = DEFAULT_METHOD,
    origin: int | None = None,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> pd.DataFrame:
    """A council's caseload forecast 1 to ``horizons`` Januaries after ``origin`` (default:
    its latest January), with 80% and 95% prediction intervals.

    Returns ``year``, ``point``, ``lower_80``, ``upper_80``, ``lower_95``, ``upper_95``,
    ``method``, ``origin``, ``horizon``, ``note`` (why an interval is missing; empty when
    complete). Beyond 3 years ahead the councils' own errors are the 3-year ones widened by
    the square root of the horizon (the backtest has no longer outcomes); the common error
    keeps growing in proportion to the horizon.

    A council whose published series is too short (Cumberland, created in 2023, has two
    Januaries) raises :class:`~sendlib.errors.NotAvailableError` saying so, never a table of
    missing values.
    """
    from sendlib.errors import NotAvailableError
    from sendlib.measures.areas import find_council

    _require_method_and_horizons(method, horizons)
    data = data or tables.current()
    found = find_council(council, data)
    code, name = found["old_la_code"], found["area_name"]
    matrix = caseload_matrix(data)
    series = matrix.loc[code].dropna() if code in matrix.index else pd.Series(dtype=float)
    if series.empty:
        raise NotAvailableError(f"{name} has no published caseload to forecast from")
    origin = int(series.index.max()) if origin is None else year(origin, "origin")
    if origin not in series.index:
        raise NotAvailableError(
            f"{name} has no caseload figure for January {origin}; it has January "
            f"{int(series.index.min())} to {int(series.index.max())}"
        )
    points = _every_councils_points(origin, method, horizons, sn_model, data)
    points = points[points["old_la_code"].eq(code)]
    if points["point"].isna().all():
        created = int(found["first_year"]) > int(matrix.columns.min())
        raise _too_few(name, series[series.index <= origin], origin, method, created)
    errors = _past_errors(method, origin, sn_model, data)
    out = with_intervals(points, errors)
    missing = out["lower_80"].isna() & out["point"].notna()
    note = pd.Series("", index=out.index, dtype="string").mask(
        missing,
        f"no interval: fewer than {MIN_ERRORS} past errors of this method known at "
        f"January {origin}",
    )
    table = (
        out[["year", "point", "lower_80", "upper_80", "lower_95", "upper_95", "origin", "horizon"]]
        .assign(method=method, note=note)
        .reset_index(drop=True)
    )
    plans = {c: "count" for c in ("point", "lower_80", "upper_80", "lower_95", "upper_95")}
    return describe(table, "forecast", units=plans | {"origin": "year", "horizon": "rank"})


def probability_above(
    council: str | int,
    year: int,
    ceiling: float,
    *,
    method: str = DEFAULT_METHOD,
    origin: int | None = None,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> float:
    """The chance (0 to 1) that the council's caseload at the January ``year`` exceeds
    ``ceiling``, from the same past errors that give the intervals. ``year`` may be 1 to
    :data:`MAX_HORIZON` Januaries after the origin (default: the latest published); further
    ahead, or not after the origin, raises :class:`~sendlib.errors.NotAvailableError`.

    >>> p = probability_above("Kingston upon Thames", 2022, 1537, origin=2021)
    >>> 0 < p < 1
    True
    """
    import math

    from sendlib.errors import NotAvailableError
    from sendlib.measures.areas import find_council

    if (
        isinstance(ceiling, bool)
        or not isinstance(ceiling, int | float)
        or not (math.isfinite(ceiling) and ceiling > 0)
    ):
        raise NotAvailableError(f"a ceiling must be a positive number of plans; got {ceiling!r}")
    data = data or tables.current()
    if origin is None:
        code = find_council(council, data)["old_la_code"]
        matrix = caseload_matrix(data)
        known = matrix.loc[code].dropna() if code in matrix.index else pd.Series(dtype=float)
        origin = int(known.index.max()) if len(known) else None
    if origin is None:
        raise NotAvailableError(f"{council} has no published caseload to forecast from")
    horizon = int(year) - int(origin)
    if not 1 <= horizon <= MAX_HORIZON:
        raise NotAvailableError(
            f"no forecast for January {year} from January {origin}: the forecast reaches 1 to "
            f"{MAX_HORIZON} Januaries ahead ({origin + 1}-{origin + MAX_HORIZON})"
        )
    table = forecast(
        council, horizons=horizon, method=method, origin=origin, sn_model=sn_model, data=data
    )
    row = table[table["year"].eq(year)].iloc[0]
    code = find_council(council, data)["old_la_code"]
    horizon, start = int(row["horizon"]), int(row["origin"])
    volatility = point_forecasts(caseload_matrix(data), start, method, 1, sn_model, data)
    volatility = volatility.set_index("old_la_code").loc[code, "volatility"]
    own, centre, spread = error_model(_past_errors(method, start, sn_model, data), horizon, start)
    if len(own) < MIN_ERRORS or not np.isfinite(spread):
        return float("nan")
    below = log_error_cdf(
        np.array([np.log(ceiling / row["point"])]),
        own,
        volatility_scale(volatility, horizon),
        spread,
        centre,
    )
    return float(1 - below[0])


PRICE_SCENARIOS = {"low": 0.02, "central": 0.04, "high": 0.06}
"""Yearly rises in the cost of a plan (fractions) for the cost scenarios."""


def forecast_cost(
    table: pd.DataFrame, cost_per_plan: float, *, price: str = "central"
) -> pd.DataFrame:
    """The forecast (``table``, from :func:`forecast`) in pounds: the point and every interval
    bound times the cost of a plan, rising by the ``price`` scenario of
    :data:`PRICE_SCENARIOS` each year ahead. The same columns as ``table``, in £ a year.

    >>> t = pd.DataFrame({"year": [2026], "point": [100.0], "lower_80": [90.0],
    ...                   "upper_80": [110.0], "lower_95": [80.0], "upper_95": [120.0],
    ...                   "horizon": [1]})
    >>> forecast_cost(t, 20000)["point"].item()
    2080000.0
    """
    if not np.isfinite(cost_per_plan) or cost_per_plan <= 0:
        raise ArgumentError(
            f"cost_per_plan must be a positive amount of pounds, got {cost_per_plan}"
        )
    rise = PRICE_SCENARIOS[price]
    return table.assign(
        **{
            column: table[column] * cost_per_plan * (1 + rise) ** table["horizon"]
            for column in ["point", "lower_80", "upper_80", "lower_95", "upper_95"]
        }
    )


def cost_scenarios(
    table: pd.DataFrame, cost_per_plan: float, *, prices: dict[str, float] | None = None
) -> pd.DataFrame:
    """What the forecast plans cost: plans x cost per plan, under growth and price scenarios.

    ``table`` is a :func:`forecast`; ``cost_per_plan`` is the cost of one plan for a year at
    the origin (£). Growth scenarios: ``low`` (lower end of the 80% interval), ``central``
    (point forecast), ``high`` (upper end); price scenarios rise by :data:`PRICE_SCENARIOS`
    a year. One row per (year, growth, price): ``plans``, ``cost_per_plan``, ``cost``.

    >>> t = pd.DataFrame({"year": [2026], "point": [100.0], "lower_80": [90.0],
    ...                   "upper_80": [110.0], "horizon": [1]})
    >>> c = cost_scenarios(t, 20000)
    >>> c.loc[c["growth"].eq("central") & c["price"].eq("central"), "cost"].item()
    2080000.0
    """
    if not np.isfinite(cost_per_plan) or cost_per_plan <= 0:
        raise ArgumentError(
            f"cost_per_plan must be a positive amount of pounds, got {cost_per_plan}"
        )
    prices = prices or PRICE_SCENARIOS
    growths = {"low": "lower_80", "central": "point", "high": "upper_80"}
    rows = []
    for row in table.itertuples():
        for growth, column in growths.items():
            for price, rise in prices.items():
                unit = cost_per_plan * (1 + rise) ** row.horizon
                plans = getattr(row, column)
                rows.append(
                    {
                        "year": row.year,
                        "growth": growth,
                        "price": price,
                        "plans": plans,
                        "cost_per_plan": unit,
                        "cost": plans * unit,
                    }
                )
    return pd.DataFrame(rows)


def __getattr__(name: str):
    """``forecasting.placement_forecast``: plans by placement (defined in
    :mod:`sendlib.measures.placements`, which builds on this module), found on first use."""
    if name == "placement_forecast":
        from sendlib.measures.placements import placement_forecast

        return placement_forecast
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
