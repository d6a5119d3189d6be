"""Plans by placement, forecast: how many plans each placement group will hold each January.

A council's forecast by placement is its **total forecast** (:func:`forecasting.forecast`,
the default method) split by **placement shares** forecast from what DfE publishes of each
council's plans by placement at each January (2019 on). The groups therefore add up to the
total forecast exactly (coherent by construction). Share methods (see :data:`SHARE_METHODS`):

* ``last_share``: each group keeps its share at the origin (the naive share method);
* ``share_trend``: each group's share moves on by its mean yearly change over the last two
  years, fading by a fifth a year (damping 0.8), never below zero, shares summed to one;
* ``share_trend_shrunk``: the same change taken halfway toward England's change in that
  group's share (borrowing strength, as the total forecast does from neighbours).

The naive **count** methods the backtest scores them against (``last_value``: each group's
count held; ``last_growth``: each group's last yearly growth carried on) do not add up to a
total and are not offered as forecasts.

Intervals: a group's error is the total's error plus its share's error. The total's 80% and
95% intervals come from :func:`forecasting.forecast`; the share's from the errors the same
share method made for every council at the same horizon, whose outcome was known at the
origin (their median and 10th/90th or 2.5th/97.5th percentiles of log(actual share / forecast
share)). The two are combined on the log scale as independent (root sum of squares of each
side's width). Where fewer than :data:`MIN_SHARE_ERRORS` share errors are known at a horizon,
the furthest horizon that has them is widened by the square root of the horizon ratio; with
none, the interval is missing and the note says why. ``benchmarks/placement_backtest.py``
checks how often the intervals held.

Tried and not built (see docs/assumptions.md): a cohort model by single year of age (plans age
a year each January, new plans join at their age and placement, plans cease at rates by age).
DfE publishes plans by age *and* placement only for January 2024 and 2025, new plans by age
for 2022-2024 and ceased plans by age for 2023-2024: one origin to backtest it from, against
five for the share methods, so its accuracy could not be published as the others' is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendlib import tables
from sendlib.errors import ArgumentError, NotAvailableError
from sendlib.measures import forecasting
from sendlib.measures.arguments import each_council
from sendlib.registry import describe
from sendlib.tables import Tables
from sendlib.vocab import PLACEMENT_GROUPS

GROUPS = PLACEMENT_GROUPS
"""The placement groups (:data:`sendlib.vocab.PLACEMENT_GROUPS`)."""
SHARE_METHODS = ("last_share", "share_trend", "share_trend_shrunk")
NAIVE_METHODS = ("last_value", "last_growth")
DEFAULT_PLACEMENT_METHOD = "last_share"
"""The share method kept after the backtest (``benchmarks/placement_backtest.py``): over the
same forecasts (origins 2021-2024) holding shares erred 10.6%, 16.9% and 20.9% (median over
groups and councils) 1, 2 and 3 years ahead, the shrunk trend 10.7%, 16.4% and 19.6%, the
trend alone 11.4%, 18.3% and 23.1%; holding shares' 80% intervals held 81%, 82% and 83% of
the time, the shrunk trend's 76%, 74% and 77%. Both beat the best naive count method
(12.7-13.0% a year ahead)."""
SHARE_DAMPING, SHARE_SHRINK = 0.8, 0.5
MIN_SHARE_ERRORS = 30
FIRST_PLACEMENT_YEAR = 2019
"""The first January DfE publishes every council's plans by placement for."""
_POINT_COLUMNS = (
    "old_la_code",
    "origin",
    "horizon",
    "year",
    "placement_group",
    "point",
    "share",
    "method",
)
_COLUMNS = ["point", "lower_80", "upper_80", "lower_95", "upper_95"]


@tables.memoised
def placement_matrix(data: Tables | None = None) -> pd.DataFrame:
    """Every council's plans in each placement group at each January: one row per
    (``old_la_code``, ``year``), one column per group of :data:`GROUPS`. A council-year
    where DfE published none of a group's placements is left out whole (Hackney and
    Peterborough in 2024 have totals only, with one placement published as 0): its shares
    could not be formed, and a partial breakdown is never read as complete.

    >>> m = placement_matrix()
    >>> int(m.loc[("314", 2025), "Independent or non-maintained special"])
    107
    """
    table = (data or tables.current()).caseload_by_placement
    councils = table[table["level"].eq("council")]
    counts = (
        councils.astype({"ehcps": "Float64"})
        .groupby(["old_la_code", "year", "placement_group"])["ehcps"]
        .sum(min_count=1)
        .unstack("placement_group")
        .astype(float)
    )
    counts = counts.reindex(columns=list(GROUPS))
    return counts[counts.notna().all(axis=1)]


def council_placements(
    council: str | int, *, until: int | None = None, data: Tables | None = None
) -> pd.DataFrame:
    """The council's rows of :func:`placement_matrix`: one row per January (to ``until``),
    one column per group.

    >>> int(council_placements("Kingston upon Thames", until=2021).loc[2021].sum())
    1424
    """
    from sendlib.measures.areas import find_council

    data = data or tables.current()
    code = find_council(council, data)["old_la_code"]
    counts = placement_matrix(data)
    if code not in counts.index.get_level_values("old_la_code"):
        return counts.iloc[0:0].droplevel("old_la_code")
    rows = counts.xs(code, level="old_la_code")
    return rows if until is None else rows[rows.index <= until]


def _shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Each group's share of the council's plans placed (rows sum to 1; missing when any
    group is missing)."""
    total = counts.sum(axis=1, min_count=len(GROUPS))
    return counts.div(total, axis=0)


def _share_points(origin: int, method: str, horizons: int, data: Tables) -> pd.DataFrame:
    """Forecast shares of every council from ``origin``: rows (old_la_code, horizon), one
    column per group."""
    shares = _shares(placement_matrix(data)).dropna()
    now = shares.xs(origin, level="year") if origin in shares.index.get_level_values(1) else None
    if now is None or now.empty:
        return pd.DataFrame(columns=list(GROUPS))
    steps = np.arange(1, horizons + 1)
    if method == "last_share":
        change = now * 0.0
    else:
        before = shares.xs(origin - 2, level="year") if origin - 2 >= FIRST_PLACEMENT_YEAR else None
        if before is None:
            return pd.DataFrame(columns=list(GROUPS))
        change = (now - before.reindex(now.index)) / 2
        if method == "share_trend_shrunk":
            counts = placement_matrix(data)
            england = _shares(counts.groupby(level="year").sum(min_count=1))
            trend = (england.loc[origin] - england.loc[origin - 2]) / 2
            change = SHARE_SHRINK * change + (1 - SHARE_SHRINK) * trend
    parts = []
    for step in steps:
        moved = now + change * np.sum(SHARE_DAMPING ** np.arange(1, step + 1))
        moved = moved.clip(lower=0)
        moved = moved.div(moved.sum(axis=1), axis=0)
        parts.append(moved.assign(horizon=int(step)))
    return pd.concat(parts).dropna().set_index("horizon", append=True)


@tables.memoised
def placement_points(
    origin: int, method: str, horizons: int, sn_model: str, data: Tables
) -> pd.DataFrame:
    """Every council's point forecasts by placement group from ``origin``: ``old_la_code``,
    ``origin``, ``horizon``, ``year``, ``placement_group``, ``point``, ``share`` (share
    methods: the total forecast x the share; naive methods: the group's own count)."""
    if method in NAIVE_METHODS:
        counts = placement_matrix(data)
        now = counts.xs(origin, level="year")
        years = counts.index.get_level_values("year")
        before = (
            counts.xs(origin - 1, level="year").reindex(now.index)
            if origin - 1 in years
            else now * np.nan
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.log(now / before)
        parts = []
        for step in range(1, horizons + 1):
            rise = 0.0 if method == "last_value" else growth * step
            parts.append((now * np.exp(rise)).assign(horizon=step))
        points = pd.concat(parts).set_index("horizon", append=True)
        long = points.stack(future_stack=True).rename("point").reset_index()
        long.columns = ["old_la_code", "horizon", "placement_group", "point"]
        long["share"] = np.nan
    else:
        shares = _share_points(origin, method, horizons, data)
        if shares.empty:
            return pd.DataFrame(columns=[*_POINT_COLUMNS])
        long = shares.stack(future_stack=True).rename("share").reset_index()
        long.columns = ["old_la_code", "horizon", "placement_group", "share"]
        totals = forecasting._every_councils_points(
            origin, forecasting.DEFAULT_METHOD, horizons, sn_model, data
        )
        long = long.merge(
            totals[["old_la_code", "horizon", "point"]], on=["old_la_code", "horizon"]
        )
        long["point"] = long["point"] * long["share"]
    long = long.dropna(subset=["point"]).assign(origin=origin, method=method)
    long["year"] = origin + long["horizon"]
    return long[list(_POINT_COLUMNS)]


@tables.memoised
def placement_backtest(
    method: str, sn_model: str = "2025", data: Tables | None = None
) -> pd.DataFrame:
    """Every council's placement forecasts from every January with a breakdown (2019 on), as
    far ahead as outcomes exist, with the outcome: the columns of :func:`placement_points`
    plus ``actual`` (plans) and ``actual_share``."""
    if method not in SHARE_METHODS + NAIVE_METHODS:
        raise ArgumentError(
            f"unknown placement method {method!r}; the methods are "
            + ", ".join(SHARE_METHODS + NAIVE_METHODS)
        )
    data = data or tables.current()
    counts = placement_matrix(data)
    last = int(counts.index.get_level_values("year").max())
    parts = [
        placement_points(origin, method, last - origin, sn_model, data)
        for origin in range(FIRST_PLACEMENT_YEAR, last)
    ]
    points = pd.concat([p for p in parts if len(p)], ignore_index=True)
    actual = counts.stack(future_stack=True).rename("actual").reset_index()
    actual.columns = ["old_la_code", "year", "placement_group", "actual"]
    shares = _shares(counts).stack(future_stack=True).rename("actual_share").reset_index()
    shares.columns = ["old_la_code", "year", "placement_group", "actual_share"]
    keys = ["old_la_code", "year", "placement_group"]
    return points.merge(actual, on=keys, how="left").merge(shares, on=keys, how="left")


def _share_error_quantiles(method: str, origin: int, sn_model: str, data: Tables) -> pd.DataFrame:
    """Per (placement_group, horizon): the median and the 2.5th, 10th, 90th, 97.5th
    percentiles of log(actual share / forecast share) over every council's forecasts whose
    outcome was known at ``origin``, and how many there were (``n``)."""
    past = placement_backtest(method, sn_model, data)
    past = past[past["year"].le(origin) & past["share"].gt(0) & past["actual_share"].gt(0)]
    errors = np.log(past["actual_share"] / past["share"])
    grouped = errors.groupby([past["placement_group"], past["horizon"]])
    found = grouped.quantile([0.025, 0.10, 0.5, 0.90, 0.975]).unstack()
    return found.assign(n=grouped.size())


def _share_spread(quantiles: pd.DataFrame, group: str, horizon: int) -> pd.Series | None:
    """The share-error quantiles of ``group`` at ``horizon`` (widened from the furthest
    horizon with enough errors when this one has too few), or None when none has."""
    if group not in quantiles.index.get_level_values(0):
        return None
    rows = quantiles.loc[group]
    enough = rows[rows["n"].ge(MIN_SHARE_ERRORS)]
    if enough.empty:
        return None
    if horizon in enough.index:
        return enough.loc[horizon]
    known = int(enough.index.max())
    row = enough.loc[known].copy()
    widen = np.sqrt(horizon / known)
    for p in (0.025, 0.10, 0.90, 0.975):
        row[p] = row[0.5] + (row[p] - row[0.5]) * widen
    return row


def _combined(point, total, spread: pd.Series) -> dict:
    """A group's interval bounds (one forecast, or arrays of them): the total's (``total``:
    its ``point`` and bounds) and the share's log errors (``spread``) combined."""
    out = {}
    for level, (low, high) in {80: (0.10, 0.90), 95: (0.025, 0.975)}.items():
        down = np.log(np.asarray(total[f"lower_{level}"]) / np.asarray(total["point"]))
        up = np.log(np.asarray(total[f"upper_{level}"]) / np.asarray(total["point"]))
        centre = spread[0.5]
        out[f"lower_{level}"] = point * np.exp(centre - np.hypot(down, centre - spread[low]))
        out[f"upper_{level}"] = point * np.exp(centre + np.hypot(up, spread[high] - centre))
    return out


def _placement_origin(code: str, name: str, origin: int | None, data: Tables) -> int:
    """The January the placement forecast starts from: ``origin`` or the latest with a
    breakdown; a NotAvailableError with the reason when the council has none there."""
    years = sorted(int(y) for y in council_placements(code, data=data).index)
    start = origin if origin is not None else (max(years) if years else None)
    if start is None or start not in years:
        have = f"it has January {years[0]} to {years[-1]}" if years else "it has none"
        raise NotAvailableError(
            f"{name} has no placement breakdown for January {start}: DfE published "
            f"plans by placement from January {FIRST_PLACEMENT_YEAR} ({have})"
        )
    return int(start)


@each_council
def placement_forecast(
    council: str | int,
    *,
    horizons: int = 5,
    origin: int | None = None,
    method: str = DEFAULT_PLACEMENT_METHOD,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> pd.DataFrame:
    """A council's plans by placement group 1 to ``horizons`` Januaries after ``origin``
    (default: its latest January with a placement breakdown), with 80% and 95% intervals.

    Returns ``year``, ``placement_group`` (:data:`GROUPS`), ``point``, ``lower_80``,
    ``upper_80``, ``lower_95``, ``upper_95`` (plans), ``share`` (of the total, 0-1),
    ``method``, ``origin``, ``horizon``, ``note`` (why an interval is missing). Each year's
    points add up to :func:`forecasting.forecast`'s point for that year.

    >>> f = placement_forecast("Kingston upon Thames", origin=2021, horizons=2)
    >>> t = forecasting.forecast("Kingston upon Thames", origin=2021, horizons=2)
    >>> bool(abs(f.groupby("year")["point"].sum().to_numpy() - t["point"]).max() < 1e-6)
    True
    """
    from sendlib.measures.areas import find_council

    if method not in SHARE_METHODS:
        raise ArgumentError(
            f"unknown placement method {method!r}; a forecast by placement uses one of "
            f"{', '.join(SHARE_METHODS)} (the naive count methods do not add up to a total)"
        )
    data = data or tables.current()
    found = find_council(council, data)
    code, name = found["old_la_code"], found["area_name"]
    start = _placement_origin(code, name, origin, data)
    total = forecasting.forecast(
        code, horizons=horizons, origin=start, sn_model=sn_model, data=data
    ).set_index("year")
    points = placement_points(start, method, horizons, sn_model, data)
    points = points[points["old_la_code"].eq(code)]
    if points.empty:
        raise NotAvailableError(
            f"{name}: the {method} method needs placement shares for January {start - 2} "
            f"and {start}; use method='last_share'"
        )
    quantiles = _share_error_quantiles(method, start, sn_model, data)
    rows = []
    for row in points.itertuples():
        whole = total.loc[row.year]
        spread = _share_spread(quantiles, row.placement_group, int(row.horizon))
        bounds = dict.fromkeys(_COLUMNS[1:], np.nan)
        note = ""
        if spread is None:
            note = (
                f"no interval: fewer than {MIN_SHARE_ERRORS} past share errors known at "
                f"January {start}"
            )
        elif pd.isna(whole["lower_80"]):
            note = whole["note"]
        else:
            bounds = _combined(row.point, whole, spread)
        rows.append(
            {
                "year": int(row.year),
                "placement_group": row.placement_group,
                "point": row.point,
                **bounds,
                "share": row.share,
                "method": method,
                "origin": start,
                "horizon": int(row.horizon),
                "note": note,
            }
        )
    table = pd.DataFrame(rows).astype({"note": "string", "placement_group": "string"})
    order = {group: i for i, group in enumerate(GROUPS)}
    table = table.sort_values(
        ["year", "placement_group"], key=lambda c: c.map(order) if c.name != "year" else c
    ).reset_index(drop=True)
    plans = dict.fromkeys(_COLUMNS, "count")
    return describe(
        table,
        "forecast",
        units=plans | {"share": "share", "origin": "year", "horizon": "rank"},
        category="placement_group",
    )


def placement_accuracy(
    method: str = DEFAULT_PLACEMENT_METHOD,
    *,
    origin: int | None = None,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> pd.DataFrame:
    """How far off ``method`` was for every council, by placement group and horizon, over the
    forecasts whose outcome was known at ``origin`` (default: every one): ``placement_group``,
    ``horizon``, ``median_error_pct`` (median absolute percentage error of the group's
    plans), ``within_80_pct`` (how often the 80% interval held, where intervals could be
    given), ``forecasts``, ``method``.
    """
    data = data or tables.current()
    past = placement_backtest(method, sn_model, data).dropna(subset=["actual"])
    if origin is not None:
        past = past[past["year"].le(origin)]
    past = past[past["actual"].gt(0)]
    error = (past["point"] - past["actual"]).abs() / past["actual"] * 100
    held = _held_80(past, method, sn_model, data)
    grouped = pd.DataFrame(
        {
            "placement_group": past["placement_group"],
            "horizon": past["horizon"],
            "error": error,
            "held": held,
        }
    ).groupby(["placement_group", "horizon"])
    table = pd.DataFrame(
        {
            "median_error_pct": grouped["error"].median(),
            "within_80_pct": grouped["held"].mean() * 100,
            "forecasts": grouped["error"].size(),
        }
    ).reset_index()
    order = {group: i for i, group in enumerate(GROUPS)}
    table = table.sort_values(
        ["placement_group", "horizon"], key=lambda c: c.map(order) if c.name != "horizon" else c
    ).reset_index(drop=True)
    return table.assign(method=method)


def _held_80(past: pd.DataFrame, method: str, sn_model: str, data: Tables) -> pd.Series:
    """For each past forecast of a share method: whether the outcome fell inside the 80%
    interval the method would have given at its origin (missing where none could be)."""
    held = pd.Series(np.nan, index=past.index)
    if method not in SHARE_METHODS:
        return held
    for start, rows in past.groupby("origin"):
        quantiles = _share_error_quantiles(method, int(start), sn_model, data)
        points = forecasting._every_councils_points(
            int(start), forecasting.DEFAULT_METHOD, int(rows["horizon"].max()), sn_model, data
        )
        errors = forecasting._past_errors(forecasting.DEFAULT_METHOD, int(start), sn_model, data)
        points = points.dropna(subset=["point", "volatility"])
        totals = forecasting.with_intervals(points, errors).set_index(["old_la_code", "horizon"])
        for (group, horizon), part in rows.groupby(["placement_group", "horizon"]):
            spread = _share_spread(quantiles, group, int(horizon))
            if spread is None:
                continue
            whole = totals.reindex(list(zip(part["old_la_code"], part["horizon"], strict=True)))
            bounds = _combined(part["point"].to_numpy(), whole, spread)
            low, high = bounds["lower_80"], bounds["upper_80"]
            inside = (part["actual"].to_numpy() >= low) & (part["actual"].to_numpy() <= high)
            known = np.isfinite(low) & np.isfinite(high)
            held.loc[part.index] = np.where(known, inside.astype(float), np.nan)
    return held
