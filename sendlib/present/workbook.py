"""``sendlib.to_excel``: tables as a workbook an analyst can hand on.

One named sheet per table, its header row frozen and bold, each number in its format (counts
``#,##0``, percentages and rates to one decimal place, £ with thousands), columns as wide as
what they hold, and a Notes sheet: the sources (each DfE file with its release), the date of
the data, and every reason a figure is missing or was left out, once each (the sheets say
"see Notes, n" where a long note would repeat on every row). The workbook is written beside
its place and moved there whole, so a failed write leaves no half-file.

>>> import sendlib, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = sendlib.to_excel({"Kent caseload": sendlib.ehcp_caseload("Kent")}, folder / "kent.xlsx")
>>> from openpyxl import load_workbook
>>> load_workbook(path).sheetnames
['Kent caseload', 'Notes']
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sendlib.errors import ArgumentError
from sendlib.outputs import writable, written_whole
from sendlib.registry import UNITS, described

LONG_NOTE = 60
"""A text longer than this (characters) that repeats down a column goes to the Notes sheet."""
COUNT = "#,##0"
ONE_PLACE = "#,##0.0"
POUNDS = "£#,##0"
PERCENT_WORDS = ("pct", "percent", "share", "rate", "index", "cagr")
POUND_WORDS = ("spend", "cost", "per_head", "£", "top_up", "deficit_gbp", "budget")


def to_excel(tables: dict[str, pd.DataFrame] | pd.DataFrame, path: str | Path) -> Path:
    """Write ``tables`` (a name -> table dict, or one table) to the workbook ``path``
    (``.xlsx``) and return its path; see the module's note for what the workbook holds."""
    named = {"Table": tables} if isinstance(tables, pd.DataFrame) else dict(tables)
    if not named or not all(isinstance(t, pd.DataFrame) for t in named.values()):
        raise ArgumentError("to_excel needs a table, or a dict of names and tables")
    path = writable(path, "the workbook")
    if path.suffix.lower() != ".xlsx":
        raise ArgumentError(f"to_excel writes an .xlsx workbook; got {path.name!r}")
    sheets, notes = {}, []
    for name, table in named.items():
        sheet = _sheet_name(name, sheets)
        sheets[sheet] = _with_notes(table.reset_index(drop=True), sheet, notes)
    with written_whole(path, "the workbook") as part:
        _write_workbook(part, sheets, notes)
    return path


def _write_workbook(partial: Path, sheets: dict[str, pd.DataFrame], notes: list) -> None:
    """Write the sheets and the Notes sheet to ``partial`` (see :func:`to_excel`)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(partial, engine="openpyxl") as writer:
        for sheet, table in sheets.items():
            table.to_excel(writer, sheet_name=sheet, index=False)
            cells = writer.sheets[sheet]
            cells.freeze_panes = "A2"
            units = (described(table) or {}).get("units", {})
            for column, (label, values) in enumerate(table.items(), start=1):
                letter = get_column_letter(column)
                cells[f"{letter}1"].font = Font(bold=True)
                style = _number_format(str(label), values, units.get(label))
                if style:
                    for row in range(2, len(table) + 2):
                        cells[f"{letter}{row}"].number_format = style
                shown = [str(label), *(_shown(v, style) for v in values.head(500))]
                cells.column_dimensions[letter].width = min(60, max(map(len, shown)) + 2)
        _notes_sheet(notes).to_excel(writer, sheet_name="Notes", index=False)
        sheet = writer.sheets["Notes"]
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABC", (24, 28, 100), strict=True):
            sheet[f"{letter}1"].font = Font(bold=True)
            sheet.column_dimensions[letter].width = width


def _sheet_name(name: str, taken: dict) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    clean = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\]", " ", str(name))).strip()[:31]
    clean = clean or "Table"
    candidate, n = clean, 2
    while candidate in taken or candidate == "Notes":
        candidate = f"{clean[:28]} {n}"
        n += 1
    return candidate


def _with_notes(table: pd.DataFrame, sheet: str, notes: list) -> pd.DataFrame:
    """The table with each long repeated text replaced by "see Notes, n" (the text listed once
    in ``notes``)."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        texts = values.dropna().astype(str)
        long = sorted({t for t in texts if len(t) > LONG_NOTE}, key=list(texts).index)
        if not long:
            continue
        numbers = {}
        for text in long:
            notes.append((sheet, str(column), text))
            numbers[text] = f"see Notes, {len(notes)}"
        out[column] = values.map(lambda v, n=numbers: n.get(v, v) if isinstance(v, str) else v)
    return out


def _notes_sheet(notes: list) -> pd.DataFrame:
    """The sources, the data date and the notes of the sheets, as rows of the Notes sheet."""
    from sendlib.measures.provenance import data_facts, inputs

    rows = [("Sources", name, description) for name, description, _ in inputs()]
    rows += [("Data", item, text) for item, text in data_facts()]
    rows.append(
        ("Data", "licence", "Figures are Crown copyright, under the Open Government Licence v3.0")
    )
    rows += [
        (f"Note {i}: {sheet}", column, text) for i, (sheet, column, text) in enumerate(notes, 1)
    ]
    return pd.DataFrame(rows, columns=["About", "Item", "Text"])


def _number_format(label: str, values: pd.Series, unit: str | None = None) -> str | None:
    """The Excel format of a column: its unit's (:data:`sendlib.registry.UNITS`) where the
    table says what it is (every table sendlib returns does); for a table of the analyst's
    own, read from its name: counts with thousands, £ with thousands, other decimals to one
    place; None for text.

    >>> _number_format("value", pd.Series([1.5]), "count"), _number_format("value", pd.Series([1.5]))
    ('#,##0', '#,##0.0')
    """
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    if unit in UNITS:
        return UNITS[unit].excel
    lower = label.lower()
    if lower in ("year", "rank", "of", "quartile", "horizon", "origin") or lower.endswith("year"):
        return "0"
    if any(word in lower for word in POUND_WORDS):
        return POUNDS
    if any(word in lower for word in PERCENT_WORDS):
        return ONE_PLACE
    whole = values.dropna()
    if len(whole) and (whole.astype(float) % 1 == 0).all():
        return COUNT
    return ONE_PLACE


def _shown(value: object, style: str | None) -> str:
    """The text a cell shows, for its column's width."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if style in (COUNT, POUNDS):
        return f"£{float(value):,.0f}" if style == POUNDS else f"{float(value):,.0f}"
    if style == ONE_PLACE:
        return f"{float(value):,.1f}"
    return str(value)
