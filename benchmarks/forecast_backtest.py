"""The forecasting backtest over every council: rolling origin, horizons 1 to 3 years.

    python benchmarks/forecast_backtest.py [--json PATH]

Each method forecasts every January from 2015 to 2025 from data up to its origin only, with
intervals from the errors known at that origin. Prints, per method and horizon, the median and
mean absolute % error, how often the outcome fell inside the 80% and 95% intervals, and the
number of forecasts; with --json writes the same as
{"default": METHOD, "methods": {METHOD: {"1": {"median_ape": ..., "mean_ape": ...,
"coverage_80": ..., "coverage_95": ..., "n": ...}, "2": ..., "3": ...}}}.
Goal for the default, a year ahead: median error under 2.5%, 80% coverage between 75 and 85%.
Last, it prints bounds (see :func:`england_oracle` and :func:`fitted_bounds`): the error of
forecasts that are told England's actual growth over the coming year, and of models fitted to
the outcomes themselves.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sendlib import tables
from sendlib.measures import forecasting


def england_oracle(first_target: int = 2015, last_target: int = 2025) -> pd.DataFrame:
    """A bound, not a method: forecasts a year ahead that are *told* England's growth over
    the coming year (which no forecaster knows) and add how far the default's growth (the
    council's three-year growth shrunk toward its neighbours') is above or below England's
    three-year growth. If even this scores
    above 2.5%, no method built on the published counts alone is likely to reach the goal.
    Returns median absolute % error by target January, and overall (year 0)."""
    data = tables.current()
    matrix = forecasting.caseload_matrix(data)
    rows = []
    for origin in range(first_target - 1, last_target):
        now = forecasting._features(matrix, origin, "2025", data)
        totals = matrix[[origin, origin + 1]].dropna()
        england_next = np.log(totals[origin + 1].sum() / totals[origin].sum())
        weight = forecasting.SHRINK_WEIGHT
        shrunk = weight * now["three"] + (1 - weight) * now["neighbour"]
        growth = england_next + (shrunk - now["england"])
        actual = matrix[origin + 1]
        ape = (now["level"] * np.exp(growth) / actual - 1).abs() * 100
        rows.append(pd.DataFrame({"year": origin + 1, "ape": ape}).dropna())
    table = pd.concat(rows)
    by_year = table.groupby("year")["ape"].median()
    by_year.loc[0] = table["ape"].median()
    return by_year.rename("median_ape").reset_index()


def fitted_bounds(windows: tuple[tuple[int, int], ...] = ((2015, 2025), (2019, 2025))):
    """Bounds, not methods: each council's growth a year at a time, explained by models
    fitted by least squares to the very outcomes they explain (so they know the future):
    England's growth each year (a year effect); plus each council's own pull above or below it
    over the whole window (a council effect); plus last year's growth; plus a trend of each
    council's own. Returns the median absolute % error of each over each window of target
    Januaries. A forecast has to estimate, from the past alone, what these models are handed,
    so it is unlikely to do better than they do; the richer ones flatter themselves (the
    council trend spends two parameters on every seven outcomes over 2019-2025)."""
    matrix = forecasting.caseload_matrix()
    growth = np.log(matrix).diff(axis=1)
    long = growth.stack().rename("growth").reset_index()
    long.columns = ["council", "year", "growth"]
    last = long.assign(year=long["year"] + 1).rename(columns={"growth": "last"})
    long = long.merge(last, on=["council", "year"], how="left")
    models = {
        "year": ["year"],
        "year + council": ["year", "council"],
        "year + council + last year's growth": ["year", "council", "last"],
        "year + council + council trend": ["year", "council", "trend"],
    }
    rows = []
    for first, last_year in windows:
        window = long[long["year"].between(first, last_year)].dropna(subset=["growth"])
        for name, terms in models.items():
            data = window.dropna(subset=["last"]) if "last" in terms else window
            columns = [np.ones(len(data))]
            for term in terms:
                if term in ("year", "council"):
                    dummies = pd.get_dummies(data[term], drop_first=True, dtype=float)
                    columns.extend(dummies.to_numpy().T)
                elif term == "last":
                    columns.append(data["last"].to_numpy())
                else:  # a slope in time for each council
                    councils = pd.get_dummies(data["council"], dtype=float).to_numpy()
                    centred = (data["year"] - data["year"].mean()).to_numpy()
                    columns.extend((councils * centred[:, None]).T)
            design = np.column_stack(columns)
            coefficients, *_ = np.linalg.lstsq(design, data["growth"].to_numpy(), rcond=None)
            residual = data["growth"].to_numpy() - design @ coefficients
            rows.append(
                {
                    "targets": f"{first}-{last_year}",
                    "fitted to the outcomes": name,
                    "median_ape": float(np.median(np.abs(np.expm1(residual))) * 100),
                    "n": len(data),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the table as JSON to this path")
    args = parser.parse_args()
    tables.build()
    started = time.perf_counter()
    table = forecasting.score(forecasting.backtest(forecasting.METHODS))
    seconds = time.perf_counter() - started
    print(
        f"backtest of {len(forecasting.METHODS)} methods over every council, January "
        f"2015-2025, in {seconds:.0f} s (default: {forecasting.DEFAULT_METHOD})"
    )
    print(table.round(2).to_string(index=False))
    best = table[table["horizon"].eq(1)].sort_values("median_ape").iloc[0]["method"]
    print(f"best a year ahead by median error: {best}")
    oracle = england_oracle()
    overall = oracle.loc[oracle["year"].eq(0), "median_ape"].item()
    print(
        f"bound: told England's actual growth for the coming year, a forecast a year ahead "
        f"would still err by {overall:.2f}% (median) - the goal of 2.5% is below it"
        if overall > 2.5
        else f"bound: told England's growth for the coming year: {overall:.2f}% (median)"
    )
    print(
        "bounds: models fitted to the outcomes themselves (they know the future), median "
        "absolute % error a year ahead:"
    )
    print(fitted_bounds().round(2).to_string(index=False))
    if args.json:
        result = {"default": forecasting.DEFAULT_METHOD, "methods": {}}
        for row in table.itertuples():
            result["methods"].setdefault(row.method, {})[str(row.horizon)] = {
                "median_ape": round(row.median_ape, 2),
                "mean_ape": round(row.mean_ape, 2),
                "coverage_80": round(row.coverage_80, 1),
                "coverage_95": round(row.coverage_95, 1),
                "n": int(row.n),
            }
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written to {args.json}")


if __name__ == "__main__":
    main()
