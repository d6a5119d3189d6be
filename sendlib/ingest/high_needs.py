"""DfE's High Needs Benchmarking Tool, 2021-22 (an extract of its data sheet): each council's
plans by placement at January 2021 and its section 251 *budget* for 2021-22 of top-up funding
by phase, to state and to non-maintained or independent providers.

The sheet is formatted for people: title rows 0-6 (the labels sendlib checks are in rows 3
and 5), then one row a council under region headings, amounts in £. sendlib reads the seven
placement counts (columns 7-13) and the fourteen top-up lines (columns 23-28 and 31-36) and
refuses a sheet whose labels differ, naming the cell.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendlib.errors import DataFileError, DataFileErrors

PLACEMENTS = {
    7: ("plans_mainstream", "Mainstream schools"),
    8: ("plans_resourced", "Resourced provision"),
    9: ("plans_maintained_special", "Maintained special schools"),
    10: ("plans_independent_special", "NMSS or"),
    11: ("plans_ap", "Hospital schools or"),
    12: ("plans_post_16", "Post 16"),
    13: ("plans_other", "Other"),
}
"""Column -> (measure, the start of its label in row 5): plans by placement, January 2021."""
PHASES = ("early_years", "primary", "secondary", "special", "ap", "post_school")
_LABELS = ("Early Years", "Primary", "Secondary", "Special schools", "PRUs and AP", "Post School")
TOP_UPS = {
    **{
        23 + i: (f"top_up_state_{p}", f"{label}|(1)")
        for i, (p, label) in enumerate(zip(PHASES, _LABELS, strict=True))
    },
    **{
        31 + i: (f"top_up_independent_{p}", f"{label}|(2)")
        for i, (p, label) in enumerate(zip(PHASES, _LABELS, strict=True))
    },
}
"""Column -> (measure, the start of its label in row 3): 2021-22 budget top-ups, £ (state:
maintained schools, academies, free schools and colleges; independent: non-maintained and
independent schools and colleges)."""
FIRST_ROW = 7


def _label_problems(sheet: pd.DataFrame, file: str) -> list[DataFileError]:
    problems = []
    for columns, row in ((PLACEMENTS, 5), (TOP_UPS, 3)):
        for column, (_, label) in columns.items():
            found = str(sheet.iat[row, column]) if sheet.shape[1] > column else ""
            start, _, end = label.partition("|")
            if not (found.startswith(start) and found.endswith(end)):
                problems.append(
                    DataFileError(
                        file,
                        "a column is not where the High Needs Benchmarking Tool puts it",
                        row=row + 1,
                        column=str(column + 1),
                        expected=repr(label.replace("|", "... ")),
                        found=repr(found[:40]),
                        hint="use DfE's 2021-22 tool extract unchanged",
                    )
                )
    return problems


def read_high_needs_benchmarking(path: Path | str) -> pd.DataFrame:
    """The tool's plans by placement (January 2021) and 2021-22 budget top-ups, one row per
    (council, measure): ``old_la_code``, ``area_name``, ``financial_year`` (``2021/22``),
    ``measure`` (:data:`PLACEMENTS` and :data:`TOP_UPS`), ``value`` (plans or £), ``flag``
    (``blank``: the tool gives none). A cell of text is refused, every one at once."""
    path = Path(path)
    try:
        sheet = pd.read_excel(path, header=None, keep_default_na=False, na_values=[])
    except FileNotFoundError:
        raise DataFileError(
            str(path),
            "file not found",
            expected="DfE's High Needs Benchmarking Tool extract",
            hint="restore it (git checkout -- data/raw/finance/)",
        ) from None
    problems = _label_problems(sheet, path.name)
    rows = sheet.iloc[FIRST_ROW:]
    codes = rows[2].astype("string").str.strip().str.replace(".0", "", regex=False)
    rows = rows[codes.str.fullmatch(r"\d{3}").fillna(False)]
    parts = []
    for column, (measure, _) in (PLACEMENTS | TOP_UPS).items():
        values = pd.to_numeric(rows[column], errors="coerce")
        blank = rows[column].isna() | rows[column].astype("string").str.strip().eq("")
        for index in values.index[values.isna() & ~blank]:
            problems.append(
                DataFileError(
                    path.name,
                    f"{measure} is not a number",
                    row=int(index) + 1,
                    column=str(column + 1),
                    expected="a count of plans or an amount in £",
                    found=repr(rows.at[index, column]),
                    hint="use DfE's 2021-22 tool extract unchanged",
                )
            )
        parts.append(
            pd.DataFrame(
                {
                    "old_la_code": codes[rows.index],
                    "area_name": rows[3].astype("string").str.strip(),
                    "financial_year": "2021/22",
                    "measure": measure,
                    "value": values,
                    "flag": blank.map({True: "blank", False: pd.NA}),
                }
            )
        )
    if problems:
        raise (
            DataFileErrors(problems, "the High Needs Benchmarking Tool extract")
            if len(problems) > 1
            else problems[0]
        )
    table = pd.concat(parts, ignore_index=True)
    return table.astype(
        {
            "old_la_code": "string",
            "area_name": "string",
            "financial_year": "string",
            "measure": "string",
            "value": "Float64",
            "flag": "string",
        }
    )
