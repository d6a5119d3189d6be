"""Speed of every public call an analyst makes, cold (first call in this process) and warm
(the median of repeats after it), measured side by side in one run; where a plain-pandas
equivalent exists (reading the processed table and filtering or ranking it by hand) its time
is beside it, with the ratio. No timed assertions in tests: this prints, you read.

    python benchmarks/analyst_calls.py [--repeat N]

Aim (issue 22): every call under 1 s on its first call after ``import sendlib`` (the
tables built and read, as in any session) and under 0.2 s warm, forecast(method="damped_trend")
included. Each cold figure is the call's first in a process that has made the calls listed
above it (as an analyst's session would); ``--fresh`` runs each call cold in a new process.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

import sendlib
from sendlib import config, tables
from sendlib.measures import benchmarks, costs, forecasting, funding, placements


def plain_caseload(names: list[str]) -> pd.DataFrame:
    table = pd.read_parquet(config.processed_dir() / "caseload.parquet")
    return table[table["area_name"].isin(names)]


def plain_league() -> pd.DataFrame:
    table = pd.read_parquet(config.processed_dir() / "caseload.parquet")
    rows = table[table["level"].eq("council") & table["year"].eq(2025)].copy()
    rows["rank"] = rows["ehcps"].rank(ascending=False, method="min")
    return rows.sort_values("rank")


CALLS = {
    "ehcp_caseload('Kent')": (
        lambda: sendlib.ehcp_caseload("Kent"),
        lambda: plain_caseload(["Kent"]),
    ),
    "ehcp_caseload([Kent, Medway, England])": (
        lambda: sendlib.ehcp_caseload(["Kent", "Medway", "England"]),
        lambda: plain_caseload(["Kent", "Medway", "England"]),
    ),
    "ehcp_caseload(consistent)": (
        lambda: sendlib.ehcp_caseload("North Northamptonshire", boundaries="consistent"),
        None,
    ),
    "caseload_benchmark('Camden')": (lambda: benchmarks.caseload_benchmark("Camden"), None),
    "growth('Kent', '2019', '2025')": (lambda: benchmarks.growth("Kent", "2019", "2025"), None),
    "activity_benchmark('Kent')": (lambda: benchmarks.activity_benchmark("Kent"), None),
    "caseload_shares('Kent', 'age')": (lambda: benchmarks.caseload_shares("Kent", "age"), None),
    "league('ehcps', 2025)": (lambda: sendlib.league("ehcps", 2025), plain_league),
    "league('rate_0_17', 2025)": (lambda: sendlib.league("rate_0_17", 2025), None),
    "measures.table()": (sendlib.measures.table, None),
    "forecast('Kent')": (lambda: forecasting.forecast("Kent"), None),
    "forecast('Kent', damped_trend)": (
        lambda: forecasting.forecast("Kent", method="damped_trend"),
        None,
    ),
    "forecast('Medway', damped_trend)": (
        lambda: forecasting.forecast("Medway", method="damped_trend"),
        None,
    ),
    "placement_forecast('Kent')": (lambda: placements.placement_forecast("Kent"), None),
    "unit_costs('Kent')": (lambda: costs.unit_costs("Kent"), None),
    "public_unit_costs('Kent')": (lambda: costs.public_unit_costs("Kent"), None),
    "cost_forecast('Kent')": (lambda: costs.cost_forecast("Kent"), None),
    "goal_seek('Kent', spend, plan_growth)": (
        lambda: costs.goal_seek(
            "Kent", target="spend", ceiling=210e6, year="2026/27", lever="plan_growth"
        ),
        None,
    ),
    "hnb_funding_benchmark('Kent')": (lambda: funding.hnb_funding_benchmark("Kent"), None),
    "plot(caseload of 3 areas)": (
        lambda: sendlib.plot(sendlib.ehcp_caseload(["Kent", "Medway", "England"])),
        None,
    ),
    "plot(league)": (lambda: sendlib.plot(sendlib.league("ehcps", 2025), highlight="Kent"), None),
}


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def fresh_cold(name: str) -> float:
    """The call's first time in a new process (``import sendlib``, the tables read, the call)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm repeats (median)")
    parser.add_argument("--fresh", action="store_true", help="each cold time in a new process")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    tables.load("caseload")  # the tables are built and read once, as in any session
    if args.one:
        print(timed(CALLS[args.one][0]))
        return
    rows = []
    for name, (call, plain) in CALLS.items():
        cold = fresh_cold(name) if args.fresh else timed(call)
        warm = statistics.median(timed(call) for _ in range(args.repeat))
        base = statistics.median(timed(plain) for _ in range(args.repeat)) if plain else None
        rows.append((name, cold, warm, base))
    with tempfile.TemporaryDirectory() as folder:
        workbook = {"Camden": benchmarks.caseload_benchmark("Camden")}
        cold = timed(lambda: sendlib.to_excel(workbook, Path(folder) / "a.xlsx"))
        warm = statistics.median(
            timed(lambda: sendlib.to_excel(workbook, Path(folder) / "a.xlsx"))
            for _ in range(args.repeat)
        )
        rows.append(("to_excel(Camden benchmark)", cold, warm, None))
    print(
        f"{'call':42} {'cold s':>8} {'warm s':>8} {'pandas s':>9} {'ratio':>7}"
        "  cold < 1 s  warm < 0.2 s"
    )
    for name, cold, warm, base in rows:
        ratio = f"{warm / base:6.1f}x" if base else "      -"
        shown = f"{base:9.3f}" if base else "        -"
        print(
            f"{name:42} {cold:8.3f} {warm:8.3f} {shown} {ratio}  {'yes' if cold < 1 else 'NO':>10}"
            f"  {'yes' if warm < 0.2 else 'NO':>12}"
        )


if __name__ == "__main__":
    main()
