"""Every public function and command, over every area DfE has published: a result with a
reason beside every missing figure, or a documented SendlibError. Never another exception,
never a silent gap.

Read once, checked in bulk: the benchmark functions are a council's comparators put through
an engine (``caseload_for``, ``activity_for``, ``shares_for``, ``growth_for``, ``spend_for``,
``deficit_for``), so every area goes through :func:`comparators` one by one and every
council's comparators go through each engine in one call (each group named for its council),
which checks every figure of every council at a fraction of the cost of a call a council."""

from __future__ import annotations

import pandas as pd
import pytest

import sendlib
from sendlib import cli, tables
from sendlib.errors import SendlibError
from sendlib.measures import (
    benchmarks,
    caseload,
    comparators,
    finance,
    forecasting,
    funding,
    placement_costs,
)

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

AREA_FUNCTIONS = {
    # name: (call, value column, reason columns)
    "ehcp_caseload": (sendlib.ehcp_caseload, "ehcps", ["ehcps_flag"]),
    "caseload_by_age": (sendlib.caseload_by_age, "ehcps", ["ehcps_flag"]),
    "caseload_by_placement": (sendlib.caseload_by_placement, "ehcps", ["ehcps_flag"]),
    "caseload_by_need": (sendlib.caseload_by_need, "ehcps", ["ehcps_flag"]),
    "ehcp_activity": (sendlib.ehcp_activity, "value", ["flag"]),
}
COUNCIL_FUNCTIONS = {
    # name: (call, value column, reason columns); run for every area, one by one
    "find_council": (sendlib.find_council, None, []),
    "council_history": (sendlib.council_history, None, []),
    "statistical_neighbours": (sendlib.statistical_neighbours, None, []),
    "comparators": (comparators.council_region_england, None, []),
    "comparators_2025": (comparators.comparators, None, []),
    "caseload_with_comparators": (caseload.caseload_with_comparators, "ehcps", ["ehcps_flag"]),
    "forecast": (forecasting.forecast, "lower_80", ["note"]),
}
ENGINES = {
    # name: (engine of every council's groups at once, value column, reason columns)
    "caseload_benchmark": (lambda g: benchmarks.caseload_for(g), "ehcps", ["left_out"]),
    "growth": (lambda g: benchmarks.growth_for(g, 2019, 2025), "pct_change", ["left_out"]),
    "shares_age": (lambda g: benchmarks.shares_for(g, "age"), "share", ["left_out"]),
    "shares_placement": (lambda g: benchmarks.shares_for(g, "placement"), "share", ["left_out"]),
    "shares_need": (lambda g: benchmarks.shares_for(g, "need"), "share", ["left_out"]),
    "activity_benchmark": (lambda g: benchmarks.activity_for(g), "value", ["left_out"]),
    "specialist_spend": (lambda g: finance.spend_for(g, "2021/22"), "per_head", ["left_out"]),
    "dsg_deficit": (lambda g: finance.deficit_for(g), "deficit_pct", ["left_out", "note"]),
    "public_unit_costs": (
        lambda g: placement_costs.public_unit_costs_for(g, "2021/22"),
        "unit_cost",
        ["left_out"],
    ),
    "hnb_funding": (lambda g: funding.funding_for(g), "per_plan", ["left_out"]),
}
"""The engines behind caseload_benchmark, growth, caseload_shares, activity_benchmark,
specialist_spend_benchmark, dsg_deficit_benchmark, public_unit_costs and
hnb_funding_benchmark (each is ``comparators`` then its engine: a test in
test_every_area_engines.py checks they give the engine's rows)."""


def spellings() -> list[str]:
    """Every name and code DfE has published for any area (council, region, Inner/Outer
    London, England), each once."""
    areas = tables.load("areas")
    found = set()
    for row in areas.itertuples():
        found |= set(row.names.split("|")) | set(row.codes.split("|"))
        if pd.notna(row.old_la_code):
            found.add(row.old_la_code)
    return sorted(found)


def canonical() -> list[str]:
    """One name for each area: councils by their 3-digit code (names may be shared), other
    areas by name."""
    areas = tables.load("areas")
    return [r.old_la_code if pd.notna(r.old_la_code) else r.area_name for r in areas.itertuples()]


def explained(result: object, value: str | None, reasons: list[str]) -> list[str]:
    """Rows of a result whose figure is missing with no reason beside it (empty: fine)."""
    if not isinstance(result, pd.DataFrame) or value is None or value not in result:
        return []
    missing = result[value].isna()
    if not missing.any():
        return []
    why = pd.Series(False, index=result.index)
    for column in reasons:
        if column in result:
            text = result[column].astype("string").fillna("").str.strip()
            why |= text.ne("")
    bad = result[missing & ~why]
    return [str(row) for row in bad.head(3).to_dict("records")]


def sweep(functions: dict, queries: list[str]) -> list[str]:
    """Every function on every query: the problems found (empty: none)."""
    problems = []
    for query in queries:
        for name, (call, value, reasons) in functions.items():
            try:
                result = call(query)
            except SendlibError:
                continue
            except Exception as exc:  # noqa: BLE001 - the point is to catch any other
                problems.append(f"{name}({query!r}): {type(exc).__name__}: {exc}")
                continue
            for row in explained(result, value, reasons):
                problems.append(f"{name}({query!r}): a missing figure with no reason: {row}")
    return problems


def test_every_area_through_every_council_function():
    problems = sweep(COUNCIL_FUNCTIONS, canonical())
    assert not problems, "\n".join(problems[:20])


def every_councils_groups(model: str) -> tuple[comparators.Comparator, ...]:
    """Every council's comparators in ``model``, each named for its council ("Kent:
    Statistical neighbours"), regions and England once: the groups of one engine call."""
    groups, seen = [], set()
    for code in tables.load("councils")["old_la_code"]:
        try:
            found = comparators.comparators(code, model)
        except SendlibError:  # a council the model predates: said by comparators itself
            found = comparators.council_region_england(code)
        for g in found:
            if g.members is None:
                if g.name not in seen:
                    seen.add(g.name)
                    groups.append(g)
            else:
                groups.append(comparators.Comparator(f"{code}: {g.name}", g.role, g.members))
    return tuple(groups)


def test_the_council_command_for_every_area(capsys):
    problems = []
    for query in canonical():
        try:
            code = cli.main(["council", query])
        except Exception as exc:  # noqa: BLE001
            problems.append(f"sendlib council {query}: {type(exc).__name__}: {exc}")
            continue
        if code not in (0, 2):
            problems.append(f"sendlib council {query}: exit {code}")
        capsys.readouterr()
    assert not problems, "\n".join(problems[:20])
