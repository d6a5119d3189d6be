"""Financial years, quarters and census years (sendlib.periods), each conversion once."""

from __future__ import annotations

from datetime import date

import pytest

from sendlib.periods import FinancialYear, Quarter


@pytest.mark.parametrize(
    "text", ["2021-22", "2021/22", "Target 21/22", "2021/2022", "21-22", " 2021 / 22 "]
)
def test_a_financial_year_is_read_however_it_is_written(text):
    assert FinancialYear.parse(text) == FinancialYear(2021)


@pytest.mark.parametrize("text", ["2021-23", "2021", "Q3", "", "2021/2023"])
def test_what_names_no_financial_year_is_refused(text):
    with pytest.raises(ValueError, match="names no financial year"):
        FinancialYear.parse(text)


def test_names_and_census_year():
    assert (FinancialYear(1999).dashed, FinancialYear(1999).slashed) == ("1999-00", "1999/00")
    assert FinancialYear(2021).census_year == 2022  # January 2022 is inside 2021-22


@pytest.mark.parametrize(
    ("day", "year", "quarter"),
    [
        (date(2022, 3, 31), 2021, 4),
        (date(2022, 4, 1), 2022, 1),
        (date(2021, 6, 30), 2021, 1),
        (date(2021, 7, 1), 2021, 2),
        (date(2021, 12, 16), 2021, 3),
        (date(2022, 1, 1), 2021, 4),
    ],
)
def test_the_quarter_of_a_day(day, year, quarter):
    assert Quarter.of(day) == Quarter(FinancialYear(year), quarter)
    assert Quarter.of(day).end >= day


@pytest.mark.parametrize(
    ("quarter", "end"),
    [
        ("Q1", date(2021, 6, 30)),
        ("Q2", date(2021, 9, 30)),
        ("Q3", date(2021, 12, 31)),
        ("Q4", date(2022, 3, 31)),
    ],
)
def test_a_quarters_end_and_months(quarter, end):
    found = Quarter.parse("2021/22", quarter)
    assert found.end == end
    assert found.months == 3 * int(quarter[1])
    assert found.label == f"2021/22 {quarter}"


@pytest.mark.parametrize("quarter", ["Q5", "Q0", "third", ""])
def test_a_quarter_that_is_not_one_is_refused(quarter):
    with pytest.raises(ValueError):
        Quarter.parse("2021-22", quarter)
