"""Every council's comparators through every engine at once, and every spelling and code of
every area (split from test_every_area.py so the two halves run on different workers)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_every_area import (
    AREA_FUNCTIONS,
    COUNCIL_FUNCTIONS,
    ENGINES,
    canonical,
    every_councils_groups,
    explained,
    spellings,
    sweep,
)

from sendlib.measures import benchmarks, comparators, finance, funding, placement_costs

pytestmark = pytest.mark.slow


def test_every_spelling_and_code_resolves_or_fails_clearly():
    # Every spelling through the name look-up the area functions share (ehcp_caseload's and
    # find_council's); every area, once, through each of the area functions.
    first = {"ehcp_caseload": AREA_FUNCTIONS["ehcp_caseload"]}
    problems = sweep(first | {"find_council": COUNCIL_FUNCTIONS["find_council"]}, spellings())
    problems += sweep(AREA_FUNCTIONS, canonical())
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("model", ["2025", "2021"])
def test_every_councils_comparators_through_every_engine_at_once(model):
    groups = every_councils_groups(model)
    problems = []
    for name, (engine, value, reasons) in ENGINES.items():
        try:
            result = engine(groups)
        except Exception as exc:  # noqa: BLE001 - the point is to catch any
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        assert set(result["comparator"]) == {g.name for g in groups} or name == "activity_benchmark"
        problems += [
            f"{name}: a missing figure with no reason: {row}"
            for row in explained(result, value, reasons)
        ]
    assert not problems, "\n".join(problems[:20])


WRAPPERS = {
    "caseload_benchmark": lambda c: benchmarks.caseload_benchmark(c).drop(columns="index"),
    "growth": lambda c: benchmarks.growth(c, 2019, 2025),
    "shares_need": lambda c: benchmarks.caseload_shares(c, "need"),
    "activity_benchmark": benchmarks.activity_benchmark,
    "specialist_spend": finance.specialist_spend_benchmark,
    "dsg_deficit": finance.dsg_deficit_benchmark,
    "public_unit_costs": placement_costs.public_unit_costs,
    "hnb_funding": funding.hnb_funding_benchmark,
}


@pytest.mark.parametrize("name", WRAPPERS)
@pytest.mark.parametrize("council", ["Kent", "Cumberland", "City of London"])
def test_a_benchmark_function_is_its_councils_comparators_through_its_engine(name, council):
    engine = ENGINES[name][0]
    expected = engine(tuple(comparators.comparators(council))).reset_index(drop=True)
    pd.testing.assert_frame_equal(WRAPPERS[name](council).reset_index(drop=True), expected)
