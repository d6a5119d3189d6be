"""A council's file as a table of text cells, as people really make them: tab- or comma-separated
text in UTF-8 or UTF-16, or an Excel workbook saved by Excel, LibreOffice, pandas or openpyxl.

What :func:`read_table` takes in its stride, and what it refuses (every problem at once, each
with the file, sheet, row and column, what was expected, what was found, and the fix):

* a **title row** (or several) above the header, and a **cover sheet** before the data: the
  header is the first row, on the first sheet, holding every column the reader needs;
* **merged cells** (a category merged over its block of KPIs): the value stands for every cell
  the merge covers, as on screen;
* a workbook whose **stored sheet size is wrong** (exporters write one): every row is read,
  not the number the file claims;
* a **number format with a literal %** (``0.00"%"`` or ``0.00\\%``) shows 6.72 as "6.72%", and
  is read so; a real percent format (``0.00%``) shows 0.0672 as "6.72%", and is read so;
* refused: **formula cells saved without their value** (openpyxl, pandas and many exporters
  write formulas Excel computes only on opening), **two columns of one name** (pandas would
  rename the second ``Q3.1``), an **empty file**, text in an encoding other than UTF-8/UTF-16.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sendlib.errors import DataFileError, DataFileErrors

HEADER_SEARCH = 20
"""How many rows of each sheet are searched for the header row."""

_LITERAL = re.compile(r'"[^"]*"|\\.')


def read_text(path: Path) -> str:
    """A text file's contents: UTF-8 (with or without a byte-order mark) or UTF-16 (with
    one, as Excel's "Unicode text" writes). Anything else (a Windows-1252 export) raises
    :class:`~sendlib.errors.DataFileError` naming the line and how to save the file."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataFileError(
                str(path), "the file is not valid UTF-16 text", found=str(exc)
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        text = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace").strip()
        raise DataFileError(
            str(path),
            "the file is not UTF-8 text",
            row=line,
            expected="UTF-8 text (or UTF-16 with a byte-order mark)",
            found=f"byte {data[exc.start : exc.start + 1]!r} in line {line}: {text[:80]!r}",
            hint="save the file as UTF-8 (in Excel: File > Save As > 'CSV UTF-8' or "
            "'Unicode Text'); the file in data/raw is never changed by sendlib",
        ) from exc


def cell_text(value: object, number_format: str = "") -> str:
    """An Excel cell as the text it shows, so a % cell reads as 6.72% (not 0.0672) and an
    error such as #N/A stays visible (and fails) rather than becoming a blank.

    >>> cell_text(0.0672, "0.00%"), cell_text(6.72, '0.00"%"'), cell_text(6.72, "0.00\\\\%")
    ('6.72%', '6.72%', '6.72%')
    >>> cell_text(1500, "£#,##0"), cell_text(None), cell_text(True)
    ('£1500', '', 'TRUE')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, int | float):
        fmt = str(number_format or "")
        scaling = _LITERAL.sub("", fmt)  # a quoted "%" or an escaped \% is only text
        text = f"{value:.15g}"
        if "%" in scaling:
            return f"{value * 100:.10g}%"
        if "%" in fmt:
            return f"{text}%"
        return f"£{text}" if "£" in fmt else text
    return str(value)


def _label(path: Path, sheet: str | None) -> str:
    return f"{path} (sheet {sheet!r})" if sheet else str(path)


def _sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of a workbook as rows of shown text (merged cells filled, every row read
    whatever size the file claims); formula cells without a saved value are refused."""
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DataFileError(
            str(path),
            "the workbook cannot be read",
            expected="an .xlsx workbook",
            found=f"{type(exc).__name__}: {exc}",
            hint="open it in Excel and save it again as .xlsx, or save the sheet as CSV UTF-8",
        ) from exc
    sheets, unsaved = [], []
    for sheet, coded in zip(values.worksheets, formulas.worksheets, strict=True):
        rows = [
            [cell_text(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()
        ]
        for merged in sheet.merged_cells.ranges:
            shown = rows[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    rows[r - 1][c - 1] = shown
        for row in coded.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    if sheet[cell.coordinate].value is None:
                        unsaved.append(f"{cell.coordinate} ({cell.value[:40]})")
        if unsaved:
            raise DataFileError(
                _label(path, sheet.title),
                f"{len(unsaved)} formula cell(s) saved without their value",
                expected="each cell's value, as Excel saves it",
                found=", ".join(unsaved[:12]) + (" ..." if len(unsaved) > 12 else ""),
                hint="open the file in Excel (or LibreOffice) and save it, so the values are "
                "stored; or type the values instead of formulas. The file was written by a "
                "program that stores formulas only",
            )
        sheets.append((sheet.title, rows))
    return sheets


def _separator(text: str, suffix: str) -> str:
    r"""The separator of a text table: a tab for .tsv; for .csv a comma, or the semicolon
    Excel writes in locales whose decimal mark is a comma, or a tab, whichever the first
    lines use most.

    >>> _separator("Ref;KPI;Q3\n1;Plans;1512\n", ".csv"), _separator("Ref,KPI\n1,2\n", ".csv")
    (';', ',')
    """
    if suffix == ".tsv":
        return "\t"
    head = [line for line in text.splitlines() if line.strip()][:5]
    counts = {sep: sum(line.count(sep) for line in head) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _text_rows(path: Path) -> list[list[str]]:
    text = read_text(path)
    separator = _separator(text, path.suffix)
    return [list(row) for row in csv.reader(io.StringIO(text), "excel", delimiter=separator)]


def _header_at(rows: list[list[str]], header: Sequence[str]) -> int | None:
    """The index of the first row holding every name of ``header`` (the first non-blank row
    when ``header`` is empty)."""
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        cells = {str(c).strip() for c in row}
        if header and set(header) <= cells:
            return index
        if not header and any(cells - {""}):
            return index
    return None


def read_table(path: Path, header: Sequence[str] = ()) -> pd.DataFrame:
    """A council file as text cells, whatever its format (see the module); blank rows dropped.

    ``header`` names columns the header row must hold: the first such row of the first sheet
    that has one is the header (rows above it, a title, are skipped). The frame's index is the
    file's row number less 2, so ``index + 2`` is the row a person sees. Every cell is kept as
    typed: ``#N/A``, ``NULL`` and the like are never turned into blanks.
    """
    path = Path(path)
    if path.suffix == ".xlsx":
        sheets = _sheets(path)
    else:
        sheets = [(None, _text_rows(path))]
    if not any(any(str(c).strip() for c in row) for _, rows in sheets for row in rows):
        raise DataFileError(
            str(path),
            "the file is empty",
            expected="a header row and a row per line of the table",
            found="no cells",
            hint="fill it in from the template in data/raw/local/_template/",
        )
    for sheet, rows in sheets:
        at = _header_at(rows, header)
        if at is not None:
            return _table(path, sheet, rows, at)
    looked = "; ".join(
        (f"sheet {sheet!r}: " if sheet else "")
        + " | ".join(",".join(c for c in row if c)[:60] for row in rows[:3] if any(row))
        for sheet, rows in sheets
    )
    raise DataFileError(
        str(path),
        "no header row",
        expected=f"a row holding the columns {', '.join(header)} (within the first "
        f"{HEADER_SEARCH} rows of a sheet)",
        found=f"first rows of each sheet: {looked}",
        hint="put the column names of the template (data/raw/local/_template/) in one row",
    )


def _table(path: Path, sheet: str | None, rows: list[list[str]], at: int) -> pd.DataFrame:
    names = [str(c).strip() for c in rows[at]]
    while names and not names[-1]:
        names.pop()
    seen: dict[str, int] = {}
    problems = []
    for position, name in enumerate(names):
        if name and name in seen:
            problems.append(
                DataFileError(
                    _label(path, sheet),
                    "two columns of one name",
                    row=at + 1,
                    column=name,
                    expected="each column named once",
                    found=f"{name!r} in columns {seen[name] + 1} and {position + 1}",
                    hint="rename or delete one of them (a quarter's column is added once)",
                )
            )
        seen.setdefault(name, position)
    if problems:
        raise problems[0] if len(problems) == 1 else DataFileErrors(problems)
    width = len(names)
    body = [
        (number, [str(c) for c in (row + [""] * width)[:width]])
        for number, row in enumerate(rows[at + 1 :], start=at + 2)
    ]
    body = [(n, cells) for n, cells in body if any(c.strip() for c in cells)]
    table = pd.DataFrame(
        [cells for _, cells in body],
        columns=names,
        index=pd.Index([n - 2 for n, _ in body]),
        dtype=str,
    )
    table.attrs["sheet"] = sheet
    return table.fillna("")
