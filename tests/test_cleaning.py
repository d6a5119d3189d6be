"""Suppression codes become missing values with a flag, never zeros; bad cells fail clearly."""

import pandas as pd
import pytest

from sendlib.errors import DataFileError
from sendlib.ingest.cells import describe_flag, january_census_year, parse_measure

CASES = [
    # cell, value, flag
    ("0", 0, None),
    ("1161", 1161, None),
    (" 42 ", 42, None),
    ("1,204", 1204, None),
    ("x", None, "x"),
    ("z", None, "z"),
    ("c", None, "c"),
    ("C", None, "c"),
    (":", None, ":"),
    ("..", None, ".."),
    ("low", None, "low"),
    ("u", None, "u"),
    ("", None, "blank"),
]


@pytest.mark.parametrize(("cell", "value", "flag"), CASES)
def test_each_published_cell_parses_to_value_and_flag(cell, value, flag):
    parsed = parse_measure(pd.Series([cell]), file="f.csv", column="n")
    got_value, got_flag = parsed["value"].iloc[0], parsed["flag"].iloc[0]
    assert pd.isna(got_value) if value is None else got_value == value
    assert pd.isna(got_flag) if flag is None else got_flag == flag


def test_suppressed_cells_are_never_zero():
    parsed = parse_measure(pd.Series(["x", "c", "z", "5"]), file="f.csv", column="n")
    assert parsed["value"].isna().sum() == 3
    assert parsed["value"].sum() == 5


def test_percentages_keep_their_decimals():
    parsed = parse_measure(
        pd.Series(["57.900000000000", "x"]), file="f.csv", column="pc", integer=False
    )
    assert parsed["value"].iloc[0] == pytest.approx(57.9)
    assert parsed["flag"].iloc[1] == "x"


@pytest.mark.parametrize("cell", ["n/a", "12a", "-", "N/A", "twelve"])
def test_unknown_text_fails_naming_file_column_row_and_value(cell):
    cells = pd.Series(["1", "2", cell], index=[10, 11, 12])
    with pytest.raises(DataFileError) as error:
        parse_measure(cells, file="caseload.csv", column="ehcplans")
    message = str(error.value)
    assert "caseload.csv" in message and "'ehcplans'" in message
    assert "row 14" in message  # index label 12 + header line + 1-based
    assert repr(cell.strip()) in message


def test_a_fraction_in_a_count_column_fails():
    with pytest.raises(DataFileError, match="fractional"):
        parse_measure(pd.Series(["1.5"]), file="f.csv", column="n")


@pytest.mark.parametrize(
    ("period", "year"), [("2019", 2019), ("201819", 2019), (202425, 2025), ("200910", 2010)]
)
def test_time_periods_of_both_layouts_mean_the_same_january(period, year):
    assert january_census_year(period) == year


@pytest.mark.parametrize("period", ["201820", "19", "2019/20", "abcd"])
def test_bad_time_periods_fail(period):
    with pytest.raises(ValueError, match="time_period"):
        january_census_year(period)


def test_every_flag_has_words():
    assert describe_flag("x") == "not available"
    assert describe_flag("incomplete").startswith("not every member")
