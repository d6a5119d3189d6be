"""A council's own files: every way officers write a figure, read right or refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendlib import config
from sendlib.errors import DataFileError
from sendlib.ingest import council_files as local_sources
from sendlib.ingest.cells import parse_council_value

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


# --- council files read as typed, or refused with the row and the fix -----------------------


def kpi_file(tmp_path: Path, rows: list[list[str]], name="kpi_dashboard_2021-22_q3") -> Path:
    header = ["Ref", "Key Performance Indicator", "Baseline 20/21", "Target 21/22", "Q1", "RAG"]
    path = tmp_path / f"{name}.tsv"
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_an_excel_percentage_reads_as_shown_not_as_a_fraction(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Ref", "Key Performance Indicator", "Baseline 20/21", "Target 21/22", "Q1", "RAG"]
    )
    sheet.append(["2", "% increase", 0.0672, 0.05, 0.061, "A"])
    for cell in sheet[2][2:5]:
        cell.number_format = "0.00%"
    path = tmp_path / "kpi_dashboard_2021-22_q1.xlsx"
    book.save(path)
    table = local_sources.read_kpi_dashboard(path).set_index("period")
    assert table.loc["baseline", "value"] == pytest.approx(6.72)
    assert table.loc["baseline", "unit"] == "percent"


@pytest.mark.parametrize("error_text", ["#N/A", "NULL"])
def test_an_excel_error_or_null_is_refused_like_the_tsv(tmp_path, error_text):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Ref", "Key Performance Indicator", "Baseline 20/21", "Target 21/22", "Q1", "RAG"]
    )
    sheet.append(["1", "Plans", 1429, 1496, error_text, "G"])
    path = tmp_path / "kpi_dashboard_2021-22_q1.xlsx"
    book.save(path)
    with pytest.raises(DataFileError, match=f"(?s)row 2, column 'Q1'.*{error_text}"):
        local_sources.read_kpi_dashboard(path)
    tsv = kpi_file(tmp_path, [["1", "Plans", "1429", "1496", error_text, "G"]])
    with pytest.raises(DataFileError, match=error_text):
        local_sources.read_kpi_dashboard(tsv)


def test_a_pound_amount_in_a_row_of_counts_is_refused_not_relabelled(tmp_path):
    path = kpi_file(tmp_path, [["1", "Plans", "1,429", "1,496 (+67)", "£1.2bn", "G"]])
    with pytest.raises(DataFileError, match="row 2.*different units"):
        local_sources.read_kpi_dashboard(path)


@pytest.mark.parametrize("text", ["15,12", " 1,2,3 ", "1,2345"])
def test_commas_only_as_thousands_separators(text):
    with pytest.raises(DataFileError):
        parse_council_value(text, file="f.tsv", row=2, column="Q1")


def test_every_unreadable_cell_of_a_file_is_reported_at_once(tmp_path):
    path = kpi_file(
        tmp_path,
        [["1", "Plans", "about 5", "1,496", "12", "G"], ["2", "Cost", "£1", "£2", "lots", "G"]],
    )
    with pytest.raises(DataFileError) as error:
        local_sources.read_kpi_dashboard(path)
    message = str(error.value)
    assert "2 problem(s)" in message and "'about 5'" in message and "'lots'" in message


def test_a_windows_1252_file_names_the_line_and_how_to_save_it(tmp_path):
    path = kpi_file(tmp_path, [["1", "Plans", "1", "2", "3", "G"]])
    path.write_bytes(path.read_bytes().replace(b"Plans", "Plans \u2013 all".encode("cp1252")))
    with pytest.raises(DataFileError) as error:
        local_sources.read_kpi_dashboard(path)
    assert "row 2" in str(error.value) and "UTF-8" in str(error.value)


def test_a_utf16_export_reads_like_utf8(tmp_path):
    path = kpi_file(tmp_path, [["1", "Plans – all", "1,429", "1,496", "1,450", "G"]])
    plain = local_sources.read_kpi_dashboard(path)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    again = local_sources.read_kpi_dashboard(path)
    assert again["value"].tolist() == plain["value"].tolist()
    assert again["kpi"].iloc[0] == "Plans – all"


def test_a_stray_backup_beside_the_real_file_is_refused(tmp_path):
    real = kpi_file(tmp_path, [["1", "Plans", "1", "2", "3", "G"]])
    (tmp_path / "kpi_dashboard_2021-22_q3_OLD.tsv").write_text(real.read_text())
    with pytest.raises(DataFileError, match="kpi_dashboard_2021-22_q3_OLD.tsv"):
        local_sources.find_file(tmp_path, "kpi_dashboard", quarter="Q3")


def test_a_quarter_the_files_do_not_have_is_an_error_naming_the_file():
    with pytest.raises(DataFileError) as error:
        local_sources.find_file(KINGSTON, "hnb_financial_model", quarter="Q4")
    message = str(error.value)
    assert "for Q4" in message and "hnb_financial_model_2021-22_q4.tsv" in message
    assert "hnb_financial_model_2021-22_q3.tsv" in message


def test_two_files_for_one_period_are_an_error(tmp_path):
    real = kpi_file(tmp_path, [["1", "Plans", "1", "2", "3", "G"]])
    (tmp_path / "kpi_dashboard_2021-22_q3.csv").write_text(real.read_text().replace("\t", ","))
    with pytest.raises(DataFileError, match="more than one"):
        local_sources.find_file(tmp_path, "kpi_dashboard", quarter="Q3")
