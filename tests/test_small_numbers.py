"""A percentage that rests on a handful of cases says so, and so does a council whose
neighbours DfE rates as not close: tested on the councils of DfE's data where it happens."""

from __future__ import annotations

import html
import re

import pytest

from sendlib.present import benchmarking_report
from sendlib.present import html as reports


def words(section) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", section.data))


@pytest.mark.parametrize("council", ["Isles of Scilly", "City of London"])
def test_a_percentage_of_a_few_cases_is_said_to_be_one(council):
    activity = words(
        benchmarking_report.activity_section(council, latest_census=2025, sn_model="2025")
    )
    timeliness = words(
        benchmarking_report.timeliness_section(council, latest_census=2025, sn_model="2025")
    )
    assert "too few" in activity or "(of " in activity
    assert "too few" in timeliness or "no percentage" in timeliness


@pytest.mark.parametrize("council", ["Kent", "Birmingham", "Kingston upon Thames"])
def test_a_percentage_of_many_cases_is_left_plain(council):
    activity = words(
        benchmarking_report.activity_section(council, latest_census=2025, sn_model="2025")
    )
    assert "too few" not in activity and "(of " not in activity


def test_isles_of_scilly_two_requests_are_named():
    # DfE's 2025 release: the Isles of Scilly received 2 requests in 2024 and refused 1.
    activity = words(
        benchmarking_report.activity_section("Isles of Scilly", latest_census=2025, sn_model="2025")
    )
    assert "received 2 request(s)" in activity and "50.0% (of 2)" in activity


@pytest.mark.parametrize(
    "council, model",
    [("Isles of Scilly", "2025"), ("City of London", "2025"), ("Isles of Scilly", "2021")],
)
def test_neighbours_that_are_not_close_are_said_to_be(council, model):
    assert "say less than usual" in words(reports.neighbours_table(council, model))


@pytest.mark.parametrize("council", ["Kent", "Kingston upon Thames"])
def test_close_neighbours_need_no_warning(council):
    assert "say less than usual" not in words(reports.neighbours_table(council, "2025"))


@pytest.mark.parametrize("council", ["Isles of Scilly", "City of London"])
def test_the_benchmarking_page_says_when_the_neighbours_are_not_close(council):
    section = benchmarking_report.neighbours_section(council, latest_census=2025, sn_model="2025")
    assert "say less than usual" in words(section)
