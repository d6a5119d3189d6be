"""Every public function and command, over every area DfE has published: a result with a
reason beside every missing figure, or a documented SendlibError. Never another exception,
never a silent gap."""

from __future__ import annotations

import pandas as pd
import pytest

import sendlib
from sendlib import cli, tables
from sendlib.errors import SendlibError
from sendlib.measures import benchmarks, caseload, comparators, finance, forecasting

AREA_FUNCTIONS = {
    # name: (call, value column, reason columns)
    "ehcp_caseload": (sendlib.ehcp_caseload, "ehcps", ["ehcps_flag"]),
    "caseload_by_age": (sendlib.caseload_by_age, "ehcps", ["ehcps_flag"]),
    "caseload_by_placement": (sendlib.caseload_by_placement, "ehcps", ["ehcps_flag"]),
    "caseload_by_need": (sendlib.caseload_by_need, "ehcps", ["ehcps_flag"]),
    "ehcp_activity": (sendlib.ehcp_activity, "value", ["flag"]),
}
COUNCIL_FUNCTIONS = {
    "find_council": (sendlib.find_council, None, []),
    "council_history": (sendlib.council_history, None, []),
    "statistical_neighbours": (sendlib.statistical_neighbours, None, []),
    "comparators": (comparators.council_region_england, None, []),
    "caseload_with_comparators": (caseload.caseload_with_comparators, "ehcps", ["ehcps_flag"]),
    "caseload_benchmark": (benchmarks.caseload_benchmark, "ehcps", ["left_out"]),
    "growth": (lambda a: benchmarks.growth(a, 2019, 2025), "pct_change", ["left_out"]),
    "shares_age": (lambda a: benchmarks.caseload_shares(a, "age"), "share", ["left_out"]),
    "shares_placement": (
        lambda a: benchmarks.caseload_shares(a, "placement"),
        "share",
        ["left_out"],
    ),
    "shares_need": (lambda a: benchmarks.caseload_shares(a, "need"), "share", ["left_out"]),
    "activity_benchmark": (benchmarks.activity_benchmark, "value", ["left_out"]),
    "specialist_spend": (finance.specialist_spend_benchmark, "per_head", ["left_out"]),
    "dsg_deficit": (finance.dsg_deficit_benchmark, "deficit_pct", ["left_out", "note"]),
    "forecast": (forecasting.forecast, "lower_80", ["note"]),
}


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
    """Every function on every query, in two processes where the OS can fork (the sweep is
    the slowest test), else in this one."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or len(queries) < 20:
        return _sweep(functions, queries)
    for name in tables.TABLES:  # read once, before the fork
        tables.load(name)
    halves = [queries[0::2], queries[1::2]]
    global _FUNCTIONS
    _FUNCTIONS = functions
    with multiprocessing.get_context("fork").Pool(2) as pool:
        parts = pool.map(_sweep_part, halves)
    return [p for part in parts for p in part]


_FUNCTIONS: dict = {}


def _sweep_part(queries: list[str]) -> list[str]:
    return _sweep(_FUNCTIONS, queries)


def _sweep(functions: dict, queries: list[str]) -> list[str]:
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


def test_every_spelling_and_code_resolves_or_fails_clearly():
    problems = sweep(
        AREA_FUNCTIONS | {"find_council": COUNCIL_FUNCTIONS["find_council"]}, spellings()
    )
    assert not problems, "\n".join(problems[:20])


def test_every_area_through_every_council_function():
    problems = sweep(COUNCIL_FUNCTIONS, canonical())
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("model", ["2021"])
def test_the_older_neighbour_model_for_every_council(model):
    functions = {
        "caseload_benchmark": (
            lambda a: benchmarks.caseload_benchmark(a, sn_model=model),
            "ehcps",
            ["left_out"],
        ),
        "activity_benchmark": (
            lambda a: benchmarks.activity_benchmark(a, sn_model=model),
            "value",
            ["left_out"],
        ),
    }
    problems = sweep(functions, canonical())
    assert not problems, "\n".join(problems[:20])


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
