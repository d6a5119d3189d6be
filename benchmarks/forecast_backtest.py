"""The forecasting backtest over every council: rolling origin, horizons 1 to 3 years.

    python benchmarks/forecast_backtest.py [--json PATH]

Each method forecasts every January from 2015 to 2025 from data up to its origin only, with
intervals from the errors known at that origin. Prints, per method and horizon, the median and
mean absolute % error, how often the outcome fell inside the 80% and 95% intervals, and the
number of forecasts; with --json writes the same as
{"default": METHOD, "methods": {METHOD: {"1": {"median_ape": ..., "mean_ape": ...,
"coverage_80": ..., "coverage_95": ..., "n": ...}, "2": ..., "3": ...}}}.
Goal for the default, a year ahead: median error under 2.5%, 80% coverage between 75 and 85%.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sendlib import forecasting, processed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the table as JSON to this path")
    args = parser.parse_args()
    processed.build()
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
