"""Council files as Excel and people make them. Each workbook here is Kingston's real Q3 2021/22
KPI dashboard (data/raw/local/kingston-upon-thames) written as an .xlsx the way an exporter, a
colleague or Excel itself would write it; what sendlib reads from it is compared with what it
reads from the council's own tab-separated file."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sendlib import config
from sendlib.errors import DataFileError
from sendlib.ingest import council_files
from sendlib.ingest.kpi_rules import read_rules
from sendlib.pipeline import packs

KINGSTON = config.RAW_DIR / "local" / "kingston-upon-thames"
DASHBOARD = KINGSTON / "kpi_dashboard_2021-22_q3.tsv"
NAME = "kpi_dashboard_2021-22_q3"


def rows() -> list[list[str]]:
    with open(DASHBOARD, encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.reader(handle, dialect="excel-tab") if any(row)]


def as_typed(text: str) -> tuple[object, str]:
    """A cell as a person types it into Excel: its value and the format Excel gives it
    (6.72% is 0.0672 shown as a percent; £1,200 is 1200 shown in pounds)."""
    plain = text.replace(",", "").replace("£", "").removesuffix("%")
    try:
        number = float(plain) if "." in plain else int(plain)
    except ValueError:
        return text, "General"
    if text.endswith("%"):
        return number / 100, "0.00%"
    if "£" in text:
        return number, "£#,##0"
    return number, "General"


def workbook(path: Path, table: list[list[str]], *, before=None, edit=None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "KPIs"
    if before:
        before(book, sheet)
    start = sheet.max_row + 1 if sheet.max_row > 1 or sheet["A1"].value else 1
    for r, row in enumerate(table, start=start):
        for c, text in enumerate(row, start=1):
            cell = sheet.cell(r, c)
            cell.value, cell.number_format = as_typed(text) if r > start else (text, "General")
    if edit:
        edit(book, sheet, start)
    book.save(path)
    return path


def expected() -> pd.DataFrame:
    return council_files.read_kpi_dashboard(DASHBOARD)[["ref", "period", "value", "unit"]]


def read(path: Path) -> pd.DataFrame:
    return council_files.read_kpi_dashboard(path)[["ref", "period", "value", "unit"]]


def test_a_workbook_as_typed_reads_as_the_councils_file(tmp_path):
    pd.testing.assert_frame_equal(read(workbook(tmp_path / f"{NAME}.xlsx", rows())), expected())


def title_rows(book, sheet):
    sheet["A1"] = "Royal Borough of Kingston upon Thames: SEND dashboard"
    sheet["A2"] = "Q3 2021/22, prepared for the SEND Partnership Board"


def cover_sheet(book, sheet):
    cover = book.create_sheet("Cover", 0)
    cover["A1"] = "SEND dashboard"
    cover["A3"] = "Contents: KPIs"


@pytest.mark.parametrize("before", [title_rows, cover_sheet], ids=["title rows", "cover sheet"])
def test_a_title_row_or_a_cover_sheet_is_passed_over(before, tmp_path):
    path = workbook(tmp_path / f"{NAME}.xlsx", rows(), before=before)
    got = read(path)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected())


def test_rows_are_numbered_as_a_person_sees_them_below_a_title(tmp_path):
    table = rows()
    table[3][4] = "lots"  # Q1 of the third KPI
    path = workbook(tmp_path / f"{NAME}.xlsx", table, before=title_rows)
    with pytest.raises(DataFileError) as error:
        council_files.read_kpi_dashboard(path)
    assert "row 6" in str(error.value) and "'lots'" in str(error.value)


def formulas(book, sheet, start):
    for r in range(start + 1, start + 12):  # eleven Q3 actuals as formulas, no saved value
        sheet.cell(r, 7, f"=E{r}+1")


def test_formula_cells_saved_without_values_are_refused_by_cell(tmp_path):
    path = workbook(tmp_path / f"{NAME}.xlsx", rows(), edit=formulas)
    with pytest.raises(DataFileError) as error:
        council_files.read_kpi_dashboard(path)
    message = str(error.value)
    assert "11 formula cell(s) saved without their value" in message
    assert "G2 (=E2+1)" in message and "sheet 'KPIs'" in message


def shrink_dimension(path: Path) -> None:
    """Rewrite the sheet's stored size to A1:K10, as some exporters get it wrong."""
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'<dimension ref="[^"]+"\s*/>', b'<dimension ref="A1:K10"/>', parts[sheet]
    )
    assert b'ref="A1:K10"' in parts[sheet]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_wrong_stored_sheet_size_loses_no_row(tmp_path):
    path = workbook(tmp_path / f"{NAME}.xlsx", rows())
    shrink_dimension(path)
    got = read(path)
    assert got["ref"].nunique() == expected()["ref"].nunique() == 39
    pd.testing.assert_frame_equal(got, expected())


@pytest.mark.parametrize(
    "stored, number_format",
    [(6.72, '0.00"%"'), (6.72, "0.00\\%"), (0.0672, "0.00%"), (0.0672, "0%")],
)
def test_a_percent_reads_as_shown_whatever_its_format(stored, number_format, tmp_path):
    def percent(book, sheet, start):
        cell = sheet.cell(start + 2, 3)  # KPI 2's baseline, 6.72% in the council's file
        cell.value, cell.number_format = stored, number_format

    got = read(workbook(tmp_path / f"{NAME}.xlsx", rows(), edit=percent))
    baseline = got[got["ref"].eq("2") & got["period"].eq("baseline")].iloc[0]
    assert baseline["unit"] == "percent"
    assert baseline["value"] == pytest.approx(6.72 if number_format != "0%" else 6.72)


def merge_categories(book, sheet, start):
    """Merge each run of one category into one cell, as a person tidies a dashboard."""
    column, first = 11, start + 1
    values = [sheet.cell(r, column).value for r in range(first, sheet.max_row + 1)]
    run = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[run]:
            if i - run > 1:
                sheet.merge_cells(
                    start_row=first + run,
                    start_column=column,
                    end_row=first + i - 1,
                    end_column=column,
                )
            run = i


def test_merged_category_cells_stand_for_every_kpi_they_cover(tmp_path):
    path = workbook(tmp_path / f"{NAME}.xlsx", rows(), edit=merge_categories)
    assert openpyxl.load_workbook(path).active.merged_cells.ranges  # the test merged some
    got = council_files.read_kpi_dashboard(path)
    want = council_files.read_kpi_dashboard(DASHBOARD)
    assert got["category"].tolist() == want["category"].tolist()


def duplicate_ref_tsv(path: Path) -> Path:
    lines = DASHBOARD.read_text(encoding="utf-8-sig").splitlines()
    lines.insert(12, lines[5])  # KPI 5's row again, further down
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def duplicate_q3_tsv(path: Path) -> Path:
    lines = DASHBOARD.read_text(encoding="utf-8-sig").splitlines()
    lines = ["\t".join([*line.split("\t"), line.split("\t")[6]]) for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def duplicate_q3_xlsx(path: Path) -> Path:
    table = [[*row, row[6]] for row in rows()]
    return workbook(path.with_suffix(".xlsx"), table)


@pytest.mark.parametrize(
    "make, words",
    [
        (duplicate_ref_tsv, "Ref '5' is on 2 rows"),
        (duplicate_q3_tsv, "two columns of one name"),
        (duplicate_q3_xlsx, "two columns of one name"),
    ],
    ids=["a ref on two rows", "two Q3 columns (tsv)", "two Q3 columns (xlsx)"],
)
def test_a_repeated_kpi_or_column_is_refused_naming_both(make, words, tmp_path):
    path = make(tmp_path / f"{NAME}.tsv")
    with pytest.raises(DataFileError) as error:
        council_files.read_kpi_dashboard(path)
    message = str(error.value)
    assert words in message
    assert "rows 6, 13" in message or "columns 7 and 12" in message


@pytest.mark.parametrize("suffix", [".tsv", ".csv", ".xlsx"])
def test_an_empty_file_says_so(suffix, tmp_path):
    path = tmp_path / f"{NAME}{suffix}"
    if suffix == ".xlsx":
        openpyxl.Workbook().save(path)
    else:
        path.write_bytes(b"")
    with pytest.raises(DataFileError, match="the file is empty"):
        council_files.read_kpi_dashboard(path)


def test_no_header_anywhere_names_the_sheets_and_rows_read(tmp_path):
    table = [row for row in rows()]
    table[0] = ["Reference", *table[0][1:]]
    path = workbook(tmp_path / f"{NAME}.xlsx", table, before=cover_sheet)
    with pytest.raises(DataFileError) as error:
        council_files.read_kpi_dashboard(path)
    message = str(error.value)
    assert "no header row" in message and "sheet 'Cover'" in message and "sheet 'KPIs'" in message


RULES = config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv"


def test_a_rules_file_in_windows_1252_is_named_not_the_dashboard(tmp_path):
    path = tmp_path / "kpi_rules.csv"
    text = RULES.read_text(encoding="utf-8-sig")
    path.write_bytes((text.rstrip("\n") + "\n99,lower,stock,,Café budget\n").encode("cp1252"))
    with pytest.raises(DataFileError) as error:
        read_rules(path)
    assert "kpi_rules.csv" in str(error.value) and "not UTF-8" in str(error.value)


def test_one_kpi_with_two_rules_is_refused(tmp_path):
    path = tmp_path / "kpi_rules.csv"
    lines = RULES.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        read_rules(path)
    assert "kpi_rules.csv" in str(error.value) and "rules" in str(error.value)


PACK = config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_definition_saved_with_a_byte_order_mark_or_utf16_is_read_or_named(encoding, tmp_path):
    path = tmp_path / "2021-12-16.toml"
    path.write_bytes(PACK.read_text(encoding="utf-8").encode(encoding))
    if encoding == "utf-8-sig":
        assert packs.read_pack(path).council_name == "Kingston upon Thames"
    else:
        with pytest.raises(packs.PackError, match="not UTF-8"):
            packs.read_pack(path)


def test_a_definition_in_windows_1252_names_its_line(tmp_path):
    path = tmp_path / "2021-12-16.toml"
    text = PACK.read_text(encoding="utf-8").replace('title = "', 'title = "Comité ', 1)
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(packs.PackError) as error:
        packs.read_pack(path)
    assert "not UTF-8" in str(error.value) and "line" in str(error.value)
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("separator", [";", "\t", ","], ids=["semicolons", "tabs", "commas"])
def test_a_csv_saved_with_any_separator_excel_writes_reads_as_the_councils_file(
    separator, tmp_path
):
    path = tmp_path / f"{NAME}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=separator).writerows(rows())
    pd.testing.assert_frame_equal(read(path), expected())
