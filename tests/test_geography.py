"""Councils are found by any name or code; neighbours match DfE's published lists."""

from __future__ import annotations

import pytest

import sendlib
from sendlib.errors import UnknownCouncilError


@pytest.mark.parametrize(
    "query",
    [
        "Kingston upon Thames",
        "kingston upon thames",
        "314",
        314,
        "E09000021",
        "e09000021",
        "  Kingston Upon Thames ",
    ],
)
def test_a_council_is_found_by_name_or_either_code(query):
    assert sendlib.find_council(query)["old_la_code"] == "314"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("St Helens", "342"),
        ("St. Helens", "342"),
        ("Bristol", "801"),
        ("Bristol, City of", "801"),
        ("Kingston upon Hull", "810"),
        ("Herefordshire", "884"),
        ("Dorset", "838"),  # the current Dorset, not the county
        ("E06000065", "815"),
        ("E10000023", "815"),  # North Yorkshire, ONS and DfE codes
        ("E06000060", "825"),
        ("E10000002", "825"),  # Buckinghamshire, both codes
        ("Bedford Borough", "822"),
    ],
)
def test_published_spellings_and_codes(query, code):
    assert sendlib.find_council(query)["old_la_code"] == code


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("Kingston upon Tames", "Kingston upon Thames"),
        ("Hartlepol", "Hartlepool"),
        ("Northumbria", "Northumberland"),
    ],
)
def test_a_misspelt_council_suggests_the_right_one(typo, suggestion):
    with pytest.raises(UnknownCouncilError) as error:
        sendlib.find_council(typo)
    assert suggestion in error.value.suggestions
    assert suggestion in str(error.value)


def test_an_unknown_code_fails():
    with pytest.raises(UnknownCouncilError):
        sendlib.find_council("999")


def test_kingston_neighbours_2025_as_published():
    neighbours = sendlib.statistical_neighbours("Kingston upon Thames")
    assert list(neighbours["area_name"]) == [
        "Sutton",
        "Merton",
        "Hertfordshire",
        "Bromley",
        "Bath and North East Somerset",
        "Windsor and Maidenhead",
        "Trafford",
        "Richmond upon Thames",
        "Surrey",
        "Buckinghamshire",
    ]
    assert set(neighbours["closeness"]) == {"Close"}  # published as "Close " with a space
    assert list(neighbours["rank"]) == list(range(1, 11))


def test_kingston_neighbours_2021_as_published():
    neighbours = sendlib.statistical_neighbours("314", model="2021")
    assert list(neighbours["area_name"]) == [
        "Barnet",
        "Sutton",
        "Merton",
        "Richmond upon Thames",
        "Windsor and Maidenhead",
        "Reading",
        "Surrey",
        "Hertfordshire",
        "Bracknell Forest",
        "Bromley",
    ]
    assert list(neighbours["closeness"]) == ["Close"] * 3 + ["Somewhat close"] * 7


def test_every_council_has_ten_neighbours_that_join_to_the_caseload():
    councils = sendlib.councils()
    current = councils[councils["current"]]
    codes = set(sendlib.ehcp_caseload(level="council")["old_la_code"])
    for code in current["old_la_code"]:
        neighbours = sendlib.statistical_neighbours(code)
        assert len(neighbours) == 10 and code not in set(neighbours["old_la_code"])
        assert set(neighbours["old_la_code"]) <= codes


def test_council_history_names_predecessors_and_successors():
    history = sendlib.council_history("Northamptonshire")
    successors = history[history["relation"].eq("successor")]
    assert set(successors["area_name"]) == {"North Northamptonshire", "West Northamptonshire"}
    assert successors["first_year"].min() == 2022
    bucks = sendlib.council_history("Buckinghamshire")
    assert set(bucks["area_code"]) == {"E10000002", "E06000060"}
