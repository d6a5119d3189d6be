"""An analyst's odd arguments: one area named several ways counts once, and anything that is not
an area, a level, a measure or a method is an ArgumentError (a SendlibError) saying what was
expected, never a bare TypeError or an answer that counts a council three times."""

from __future__ import annotations

import pytest

import sendlib
from sendlib.errors import ArgumentError, SendlibError
from sendlib.measures.benchmarks import growth
from sendlib.measures.caseload import ehcp_activity
from sendlib.measures.forecasting import forecast

ONE_COUNCIL_SEVERAL_WAYS = [
    ["Kent", 886, "E10000016"],
    ["Kent", "kent", " Kent "],
    [886, "886"],
    ["Kingston upon Thames", 314, "E09000021"],
]


@pytest.mark.parametrize("names", ONE_COUNCIL_SEVERAL_WAYS)
def test_one_council_named_several_ways_counts_once(names):
    table = sendlib.ehcp_caseload(names)
    assert table.groupby("year").size().eq(1).all()
    activity = ehcp_activity(names, "new_plans")
    assert activity.groupby(["year", "measure"]).size().eq(1).all()
    grown = growth(names, 2024, 2025)
    assert grown["council"].nunique() == 1
    assert grown["role"].eq("council").sum() == 1


def test_different_councils_stay_apart():
    table = sendlib.ehcp_caseload(["Kent", "Medway", 886])
    assert table.groupby("year").size().max() == 2


ODD = {
    "a nested list": (lambda: sendlib.ehcp_caseload([["Kent"]]), "[['Kent']]"),
    "a list with a bool": (lambda: sendlib.ehcp_caseload(["Kent", True]), "True"),
    "an empty list": (lambda: sendlib.ehcp_caseload([]), "[]"),
    "a dict": (lambda: sendlib.ehcp_caseload({"Kent": 1}), "{'Kent': 1}"),
    "a bogus level": (lambda: sendlib.ehcp_caseload("Kent", level="bogus"), "'bogus'"),
    "a bogus boundaries": (lambda: sendlib.ehcp_caseload("Kent", boundaries="x"), "'x'"),
    "a bogus measure": (lambda: ehcp_activity("Kent", measure="bogus"), "'bogus'"),
    "a bogus forecast method": (lambda: forecast("Kent", method="bogus"), "'bogus'"),
    "a year in words": (lambda: growth("Kent", "last year", 2025), "'last year'"),
    "a nested list to growth": (lambda: growth([["Kent"]], 2024, 2025), "[['Kent']]"),
}


@pytest.mark.parametrize("case", ODD)
def test_an_odd_argument_is_an_argument_error_naming_it(case):
    call, named = ODD[case]
    with pytest.raises(ArgumentError) as error:
        call()
    assert isinstance(error.value, SendlibError)
    assert named in str(error.value)
