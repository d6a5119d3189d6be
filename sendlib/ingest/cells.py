"""Turning the text of published cells into numbers, without ever inventing a zero.

DfE marks a cell it cannot give with a code instead of a number. Each code becomes a missing
value, and the code itself is kept in a flag column so that a report can say *why* a number is
missing. The codes, as DfE's data guidance and the older releases define them:

=======  ==========================================================
code     meaning
=======  ==========================================================
``x``    not available
``z``    not applicable (e.g. statements after 2018)
``c``    confidential (small numbers suppressed)
``:``    not available (older releases)
``..``   not available (older releases)
``low``  rounds to zero but is not zero
``u``    low reliability
(blank)  the cell was empty (flag ``blank``)
=======  ==========================================================
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import pandas as pd

from sendlib.errors import DataFileError
from sendlib.vocab import SUPPRESSION_CODES, describe_flag  # noqa: E402, F401 - the flags' words


def parse_measure(
    cells: pd.Series, *, file: str, column: str, integer: bool = True, first_row: int = 2
) -> pd.DataFrame:
    """Parse one column of published cells into a value and a flag.

    ``cells`` is the column as text. Returns a new frame with the same index and two columns:
    ``value`` (nullable ``Int64`` when ``integer``, else ``Float64``) and ``flag`` (the
    suppression code where the value is missing, else missing). A cell that is neither a
    number nor a known code raises :class:`DataFileError` naming the file, column and row
    (the row is the file's line: ``first_row`` plus the index label, so keep the index of the
    frame as read; ``first_row`` is 2 for a file with one header line).

    >>> parse_measure(pd.Series(["12", "x", "", "1,204"]), file="f.csv", column="n")
       value  flag
    0     12  <NA>
    1   <NA>     x
    2   <NA> blank
    3   1204  <NA>
    >>> parse_measure(pd.Series(["7", "n/a"]), file="f.csv", column="n")
    Traceback (most recent call last):
    ...
    sendlib.errors.DataFileError: f.csv, row 3, column 'n': a value that is neither a number nor a DfE suppression code
      expected: a number, or one of x, z, c, :, .., low, u, or an empty cell
      found:    'n/a'
      fix:      correct the cell, or check the file is the release sendlib expects
    """
    text = cells.astype("string").str.strip()
    lowered = text.str.lower()
    is_blank = text.isna() | (text == "")
    is_code = lowered.isin(
        [c for c in SUPPRESSION_CODES if c not in ("blank", "incomplete", "absent", "condemned")]
    )
    # Commas only as thousands separators: "1,204" is a number, "15,12" and "1,2,3" are not.
    grouped = text.str.fullmatch(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?")
    numeric = pd.to_numeric(
        text.str.replace(",", "", regex=False).where(~is_code & ~is_blank & grouped.fillna(False)),
        errors="coerce",
    )
    bad = numeric.isna() & ~is_code & ~is_blank
    if integer:
        bad |= numeric.notna() & (numeric % 1 != 0)
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise DataFileError(
            file,
            "a value that is neither a number nor a DfE suppression code"
            if not (integer and pd.notna(numeric.iloc[position]))
            else "a fractional value in a column of counts",
            column=column,
            row=first_row + _label_number(cells.index[position], position),
            expected="a number, or one of x, z, c, :, .., low, u, or an empty cell"
            if not (integer and pd.notna(numeric.iloc[position]))
            else "a whole number",
            found=repr(str(text.iloc[position])),
            hint="correct the cell, or check the file is the release sendlib expects",
        )
    flag = lowered.where(is_code).astype("string")
    flag = flag.mask(is_blank, "blank")
    value = numeric.round().astype("Int64") if integer else numeric.astype("Float64")
    return pd.DataFrame({"value": value, "flag": flag}, index=cells.index)


def _label_number(label: object, position: int) -> int:
    return int(label) if isinstance(label, int) or hasattr(label, "__index__") else position


def january_census_year(time_period: str | int) -> int:
    """The year of the January census a DfE ``time_period`` refers to.

    Older releases give the calendar year (``2019``); newer ones the academic year
    (``201819``). Both mean the census of January 2019.

    >>> january_census_year("201819"), january_census_year("2019"), january_census_year(202425)
    (2019, 2019, 2025)
    """
    text = str(time_period).strip()
    if len(text) == 4 and text.isdigit():
        return int(text)
    if len(text) == 6 and text.isdigit() and int(text[4:]) == (int(text[:4]) + 1) % 100:
        return int(text[:4]) + 1
    raise ValueError(f"time_period {text!r} is neither a year (2019) nor an academic year (201819)")


def require_columns(
    found: Iterable[str], required: Iterable[str], *, file: str, hint: str | None = None
) -> None:
    """Fail clearly when a file lacks a column, suggesting the closest one it has.

    >>> require_columns(["time_period", "ehcplan"], ["time_period", "ehcplans"], file="c.csv")
    Traceback (most recent call last):
    ...
    sendlib.errors.DataFileError: c.csv, column 'ehcplans': a column sendlib needs is missing
      expected: a column named 'ehcplans'
      found:    no such column; the closest is 'ehcplan'
      fix:      the release layout may have changed: check the file against its data guidance
    """
    found = list(found)
    for column in required:
        if column not in found:
            close = difflib.get_close_matches(column, found, n=1, cutoff=0.6)
            raise DataFileError(
                file,
                "a column sendlib needs is missing",
                column=column,
                expected=f"a column named {column!r}",
                found="no such column" + (f"; the closest is {close[0]!r}" if close else ""),
                hint=hint
                or "the release layout may have changed: check the file against its data guidance",
            )


_MISSING_WORDS = {"n/a", "na", "n.a.", "-", "–", "tbc", "nil return"}
_SCALE = {"k": 1e3, "m": 1e6, "bn": 1e9}
_NUMBER = re.compile(
    r"""^(?P<sign>[+-])?\s*(?P<gbp>£)?\s*(?P<sign2>[+-])?\s*(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)
        \s*(?P<scale>k|m|bn)?\s*(?P<percent>%)?$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_council_value(
    text: object, *, file: str, row: int, column: str, unit: str | None = None
) -> dict:
    """Parse one cell of a council's own spreadsheet into a value with its unit.

    Understands what officers type: ``£28,607,000``, ``-£111k``, ``+79k``, ``£5.4m``,
    ``(0.215)`` (a negative), ``6.72%``, ``1,537 (+101)`` (a count and its change), ``n/a`` and
    blanks (missing, never zero). ``unit`` says what a plain number means: ``gbp``, ``gbp_m``
    (£ million, as in a finance model), ``count`` or ``percent``; a ``£``, ``k``/``m`` or ``%``
    in the cell overrides it (``k`` and ``m`` mean thousands and millions of pounds).

    Returns ``{"value", "unit", "change", "flag"}``: ``value`` in pounds, plans or percentage
    points; ``unit`` one of ``GBP``, ``count``, ``percent``, ``number``; ``change`` the
    bracketed change of a count, if any; ``flag`` why the value is missing.

    >>> parse_council_value("-£111k", file="f", row=2, column="Q1")["value"]
    -111000.0
    >>> parse_council_value("(0.215)", file="f", row=2, column="Variance", unit="gbp_m")
    {'value': -215000.0, 'unit': 'GBP', 'change': None, 'flag': None}
    >>> parse_council_value("1,537 (+101)", file="f", row=3, column="SVA Target")
    {'value': 1537.0, 'unit': 'count', 'change': 101.0, 'flag': None}
    >>> parse_council_value("£5.4m", file="f", row=2, column="x")["value"]
    5400000.0

    A cell it cannot read is a :class:`DataFileError` naming the file, row and column (see
    :func:`_unreadable`).
    """
    raw = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    cell = raw.strip().replace("\u2212", "-").replace("\u00a0", " ")
    empty = {"value": None, "unit": _unit_name(unit), "change": None}
    if cell == "":
        return {**empty, "flag": "blank"}
    if cell.lower() in _MISSING_WORDS:
        return {**empty, "flag": cell.lower()}
    change = None
    bracketed = re.fullmatch(r"(.+?)\s*\(\s*([+-](?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*\)", cell)
    if bracketed and not cell.startswith("("):
        cell, change = bracketed.group(1), float(bracketed.group(2).replace(",", ""))
    negative = cell.startswith("(") and cell.endswith(")")
    if negative:
        cell = cell[1:-1].strip()
    match = _NUMBER.match(cell)
    if not match or (match["sign"] and match["sign2"]):
        raise _unreadable(raw, file=file, row=row, column=column)
    value = float(match["number"].replace(",", ""))
    if (match["sign"] or match["sign2"]) == "-" or negative:
        value = -value
    kind, value = _in_unit(match, value, unit, change)
    return {"value": round(value, 6), "unit": kind, "change": change, "flag": None}


def _unreadable(raw: str, *, file: str, row: int, column: str) -> DataFileError:
    """The error for a cell of a council's file that is not a number sendlib reads.

    >>> parse_council_value("15,12", file="f", row=2, column="x")["flag"]
    Traceback (most recent call last):
    ...
    sendlib.errors.DataFileError: f, row 2, column 'x': a value sendlib cannot read
    ...
    >>> parse_council_value("about 5", file="kpi.tsv", row=7, column="Q2")
    Traceback (most recent call last):
    ...
    sendlib.errors.DataFileError: kpi.tsv, row 7, column 'Q2': a value sendlib cannot read
      expected: a number such as 1,537, £28,607,000, -£111k, £5.4m, (0.215), 6.72%, 1,537 (+101), or n/a
      found:    'about 5'
      fix:      correct the cell in the council's file (the file in data/raw is never changed by sendlib)
    """
    return DataFileError(
        file,
        "a value sendlib cannot read",
        column=column,
        row=row,
        expected="a number such as 1,537, £28,607,000, -£111k, £5.4m, (0.215), 6.72%, "
        "1,537 (+101), or n/a",
        found=repr(raw.strip()),
        hint="correct the cell in the council's file (the file in data/raw is never "
        "changed by sendlib)",
    )


def _in_unit(match: re.Match, value: float, unit: str | None, change) -> tuple[str, float]:
    """A cell's unit and its value in it: a ``%`` or ``£``/``k``/``m`` in the cell wins over
    the column's ``unit`` (``gbp_m``: £ million); a bare number with a change is a count."""
    if match["percent"]:
        return "percent", value
    if match["gbp"] or match["scale"]:
        return "GBP", value * _SCALE.get((match["scale"] or "").lower(), 1.0)
    if unit == "gbp_m":
        return "GBP", value * 1e6
    return _unit_name(unit) or ("count" if change is not None else "number"), value


def _unit_name(unit: str | None) -> str | None:
    return {"gbp": "GBP", "gbp_m": "GBP", "count": "count", "percent": "percent"}.get(
        unit or "", None
    )
