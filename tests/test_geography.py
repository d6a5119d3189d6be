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


# --- one area per name (issue: "City of London" returned the London region) ---------------


@pytest.mark.parametrize(
    ("query", "level", "name"),
    [
        ("City of London", "council", "City of London"),
        ("London, City of", "council", "City of London"),
        ("city of london", "council", "City of London"),
        ("201", "council", "City of London"),
        ("London", "region", "London"),
        ("E12000007", "region", "London"),
        ("Inner London", "inner_outer_london", "Inner London"),
        ("England", "national", "England"),
        ("Hull", "council", "Kingston upon Hull, City of"),
        ("BCP", "council", "Bournemouth, Christchurch and Poole"),
        ("Durham", "council", "County Durham"),
        ("Bristol", "council", "Bristol, City of"),
        ("Herefordshire", "council", "Herefordshire, County of"),
        ("Kingston upon Hull", "council", "Kingston upon Hull, City of"),
        ("Brighton", "council", "Brighton and Hove"),
    ],
)
def test_a_name_means_exactly_one_area(query, level, name):
    rows = sendlib.ehcp_caseload(query)
    assert set(rows["level"]) == {level} and set(rows["area_name"]) == {name}


def test_city_of_london_is_not_the_london_region():
    city = sendlib.ehcp_caseload("City of London").set_index("year")["ehcps"]
    region = sendlib.ehcp_caseload("London").set_index("year")["ehcps"]
    assert city[2025] < 1_000 < region[2025]


@pytest.mark.parametrize(
    "call",
    [
        lambda: sendlib.statistical_neighbours("London"),
        lambda: sendlib.find_council("London"),
        lambda: sendlib.council_history("England"),
    ],
)
def test_a_region_where_a_council_is_needed_is_a_clear_error(call):
    from sendlib.errors import NotACouncilError

    with pytest.raises(NotACouncilError, match="not a council"):
        call()


def test_benchmarks_and_forecasts_refuse_a_region_for_a_council():
    from sendlib.errors import NotACouncilError
    from sendlib.measures import benchmarks, forecasting

    for call in (benchmarks.caseload_benchmark, forecasting.forecast):
        with pytest.raises(NotACouncilError):
            call("London")


def test_a_name_of_two_councils_lists_both():
    from sendlib.errors import AmbiguousAreaError

    with pytest.raises(AmbiguousAreaError) as error:
        sendlib.ehcp_caseload("Kingston")
    assert "Kingston upon Thames" in str(error.value)
    assert "Kingston upon Hull" in str(error.value)


@pytest.mark.parametrize(
    ("query", "first"),
    [("Kingstn upon Hull", "Kingston upon Hull, City of"), ("Berkshire", "West Berkshire")],
)
def test_suggestions_put_whole_word_matches_first(query, first):
    from sendlib.errors import UnknownAreaError

    with pytest.raises(UnknownAreaError) as error:
        sendlib.ehcp_caseload(query)
    assert error.value.suggestions[0] == first


def test_a_council_outside_a_neighbour_model_says_which_model_has_it():
    from sendlib.errors import NotAvailableError

    with pytest.raises(NotAvailableError, match="in the 2021 model"):
        sendlib.statistical_neighbours("Cumbria", model="2025")
    with pytest.raises(NotAvailableError, match="models are 2021, 2025"):
        sendlib.statistical_neighbours("Kent", model="2019")
