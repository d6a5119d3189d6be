"""A council's own files: every way officers write a figure, read right or refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendlib import config, local_sources
from sendlib.cleaning import parse_council_value
from sendlib.errors import DataFileError

KINGSTON = config.RAW_DIR / "local" / "kingston-upon-thames"

CELLS = [
    # text, unit hint, value, unit, change, flag
    ("£28,607,000", None, 28_607_000, "GBP", None, None),
    ("-£111k", None, -111_000, "GBP", None, None),
    ("+79k", None, 79_000, "GBP", None, None),
    ("+£226k", None, 226_000, "GBP", None, None),
    ("£5.4m", None, 5_400_000, "GBP", None, None),
    ("-£871,000", None, -871_000, "GBP", None, None),
    ("(0.215)", "gbp_m", -215_000, "GBP", None, None),
    ("(12.401)", "gbp_m", -12_401_000, "GBP", None, None),
    ("50.403", "gbp_m", 50_403_000, "GBP", None, None),
    ("6.72%", None, 6.72, "percent", None, None),
    ("-30.09%", None, -30.09, "percent", None, None),
    ("1,537 (+101)", None, 1537, "count", 101, None),
    ("1533 (+97)", None, 1533, "count", 97, None),
    ("+100", "count", 100, "count", None, None),
    ("-41", None, -41, "number", None, None),
    ("1429", "count", 1429, "count", None, None),
    ("n/a", None, None, None, None, "n/a"),
    ("N/A", None, None, None, None, "n/a"),
    ("", None, None, None, None, "blank"),
    ("  ", None, None, None, None, "blank"),
]


@pytest.mark.parametrize(("text", "hint", "value", "unit", "change", "flag"), CELLS)
def test_what_officers_type(text, hint, value, unit, change, flag):
    parsed = parse_council_value(text, file="f.tsv", row=2, column="Q1", unit=hint)
    assert parsed["value"] == (None if value is None else pytest.approx(value))
    if value is not None:
        assert parsed["unit"] == unit
    assert parsed["change"] == change
    assert parsed["flag"] == flag


@pytest.mark.parametrize(
    "text", ["about 5", "£", "12/13", "five", "1,537 (+10l)", "--5", "£5.4mn", "+-3"]
)
def test_an_unreadable_cell_names_the_file_row_column_and_text(text):
    with pytest.raises(DataFileError) as error:
        parse_council_value(text, file="kpi_dashboard.tsv", row=7, column="Q2")
    message = str(error.value)
    assert "kpi_dashboard.tsv, row 7, column 'Q2'" in message
    assert repr(text.strip()) in message


def test_an_unreadable_cell_in_a_real_file_points_at_its_row(tmp_path):
    lines = (KINGSTON / "kpi_dashboard_2021-22_q3.tsv").read_text().splitlines()
    lines[5] = lines[5].replace("\t101\t", "\tabout 100\t")  # New EHCPs, Q3, file line 6
    broken = tmp_path / "kpi_dashboard_2021-22_q3.tsv"
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError) as error:
        local_sources.read_kpi_dashboard(broken)
    assert "kpi_dashboard_2021-22_q3.tsv, row 6, column 'Q3'" in str(error.value)
    assert "'about 100'" in str(error.value)


def test_the_kingston_files_are_read_unchanged():
    table = local_sources.read_kpi_dashboard(local_sources.find_file(KINGSTON, "kpi_dashboard"))
    assert table["ref"].nunique() == 39 and table["financial_year"].iloc[0] == "2021/22"
    q3 = table[table["period"].eq("Q3")].set_index("ref")
    assert q3.loc["1", "value"] == 1512 and q3.loc["14", "value"] == 28_363_000
    assert q3.loc["14", "unit"] == "GBP" and q3.loc["2", "unit"] == "percent"
    assert q3.loc["36", "flag"] == "n/a"


def test_a_missing_file_says_what_is_expected(tmp_path):
    with pytest.raises(DataFileError, match="kpi_dashboard_"):
        local_sources.find_file(tmp_path, "kpi_dashboard")
    with pytest.raises(DataFileError, match="kingston-upon-thames"):
        local_sources.local_folder(tmp_path / "nowhere")


def test_csv_and_excel_read_like_tsv(tmp_path):
    import pandas as pd

    source = local_sources.read_table(KINGSTON / "partner_contributions_2021-22.tsv")
    source.to_csv(tmp_path / "partner_contributions_2021-22.csv", index=False)
    source.to_excel(tmp_path / "partner.xlsx", index=False)
    for path in [tmp_path / "partner_contributions_2021-22.csv", tmp_path / "partner.xlsx"]:
        table = local_sources.read_wide(Path(path), "Partner", "gbp")
        total = table[table["label"].eq("Total") & table["column"].str.contains("Q3")]
        assert total["value"].iloc[0] == 226_000
    assert isinstance(source, pd.DataFrame)


def test_the_blank_template_reads_as_empty_tables():
    template = config.RAW_DIR / "local" / "_template"
    for name in local_sources.FILES:
        assert local_sources.find_file(template, name).exists()
    table = local_sources.read_kpi_dashboard(local_sources.find_file(template, "kpi_dashboard"))
    assert table.empty
