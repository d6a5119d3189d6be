"""The placement backtest: every method, every council, every placement group, every January
DfE's placement breakdowns allow (forecasts from January 2019 to 2024, outcomes to 2025).

    python benchmarks/placement_backtest.py [--json PATH]

Prints, for each method, group and horizon, the median absolute % error of the group's plans
and how often the 80% interval held (share methods only: the naive count methods give no
intervals), then each share method's median error over all groups against the best naive
method's. The share methods split the default total forecast; the naive methods
(``last_value``: each group's count held, ``last_growth``: its last growth carried on) forecast
each group on its own. With --json writes {"default": ..., "methods": {METHOD: [rows]}}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from sendlib import tables
from sendlib.measures import placements


def scores(method: str) -> pd.DataFrame:
    """:func:`placements.placement_accuracy` of ``method`` over every past forecast."""
    return placements.placement_accuracy(method, data=tables.current())


def overall(method: str) -> pd.DataFrame:
    """Median absolute % error of ``method`` over every group, by horizon."""
    past = placements.placement_backtest(method, data=tables.current()).dropna(subset=["actual"])
    past = past[past["actual"].gt(0)]
    error = (past["point"] - past["actual"]).abs() / past["actual"] * 100
    return error.groupby(past["horizon"]).median().rename(method)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the scores here")
    args = parser.parse_args()
    started = time.perf_counter()
    methods = placements.SHARE_METHODS + placements.NAIVE_METHODS
    tables_ = {method: scores(method) for method in methods}
    pd.set_option("display.width", 120)
    for method, table in tables_.items():
        wide = table.pivot(index="placement_group", columns="horizon", values="median_error_pct")
        wide = wide.reindex(list(placements.GROUPS)).round(1)
        print(f"\n{method}: median absolute % error of each group's plans, by years ahead")
        print(wide.to_string())
        if table["within_80_pct"].notna().any():
            held = table.pivot(index="placement_group", columns="horizon", values="within_80_pct")
            print(f"{method}: % of outcomes inside the 80% interval")
            print(held.reindex(list(placements.GROUPS)).round(1).to_string())
    together = pd.concat([overall(m) for m in methods], axis=1).round(2)
    print("\nMedian absolute % error over every group, by years ahead")
    print(together.to_string())
    naive = together[list(placements.NAIVE_METHODS)].min(axis=1)
    for method in placements.SHARE_METHODS:
        ratio = (together[method] / naive).round(3)
        print(f"{method} / best naive: " + ", ".join(f"{h}y {r}x" for h, r in ratio.items()))
    print(
        f"\ndefault: {placements.DEFAULT_PLACEMENT_METHOD}; {time.perf_counter() - started:.1f} s"
    )
    if args.json:
        out = {
            "default": placements.DEFAULT_PLACEMENT_METHOD,
            "methods": {m: t.to_dict(orient="records") for m, t in tables_.items()},
        }
        args.json.write_text(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
