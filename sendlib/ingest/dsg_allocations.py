"""ESFA's Dedicated Schools Grant allocations: each council's High Needs Block, 2019-20 on.

Two published workbooks (OpenDocument spreadsheets, read by :mod:`sendlib.ingest.ods`): DfE's SEND and AP
dashboard team's copy of the ``Allocations_summary`` sheets for 2019-20 to 2023-24 (one sheet
a year, ``Allocations_1920`` ... ``Allocations_2324``; 2019-20 in **£ million**, later years
in £), and ESFA's final 2023-24 update (July 2024), whose ``Allocations_summary`` replaces
the summary's earlier 2023-24 figures. The amount read is column [C], the High Needs Block
*before* academy recoupment and the ESFA's direct place funding: what the council's own
finance papers call its HNB DSG allocation (Kingston's 2021-22 Q3 dashboard: £25,689,881;
ESFA: £25,689,882).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendlib.errors import DataFileError, DataFileErrors
from sendlib.ingest import ods

SUMMARY_SHEETS = {
    "2019/20": "Allocations_1920",
    "2020/21": "Allocations_2021",
    "2021/22": "Allocations_2122",
    "2022/23": "Allocations_2223",
    "2023/24": "Allocations_2324",
}
"""Financial year -> sheet of the 2019-20 to 2023-24 summary workbook."""
HNB_COLUMN = 4
"""Column [C] of an Allocations sheet: the High Needs Block before deductions."""
FIRST_ROW = 4
"""The first data row (England) of an Allocations sheet; rows 0-3 are titles and headers."""


def _sheets(path: Path, sheets: list[str]) -> dict[str, pd.DataFrame]:
    """The named sheets, read in one pass over the file (:func:`sendlib.ingest.ods.read_sheets`),
    with a :class:`DataFileError` naming the file when one cannot be read."""
    try:
        return ods.read_sheets(path, sheets)
    except FileNotFoundError:
        raise DataFileError(
            str(path),
            "file not found",
            expected="ESFA's DSG allocations workbook",
            hint="restore it (git checkout -- data/raw/finance/)",
        ) from None
    except ods.NotSpreadsheet as error:
        raise DataFileError(
            str(path),
            str(error),
            expected="ESFA's DSG allocations workbook (.ods)",
            hint="restore it (git checkout -- data/raw/finance/)",
        ) from None
    except KeyError as error:
        raise DataFileError(
            str(path),
            "a sheet sendlib reads is missing",
            expected="sheets named " + ", ".join(sheets),
            found=f"no sheet {error.args[0]}",
            hint="use ESFA's published workbook unchanged",
        ) from None


def _allocations(sheet: pd.DataFrame, year: str, file: str, name: str) -> pd.DataFrame:
    """The High Needs Block of England and every council on one Allocations sheet (£)."""
    header = str(sheet.iat[1, HNB_COLUMN]).casefold() if sheet.shape[1] > HNB_COLUMN else ""
    in_millions = "million" in header
    problems = []
    if "high needs" not in header:
        problems.append(
            DataFileError(
                file,
                f"sheet {name}: column [C] is not the High Needs Block",
                row=2,
                expected="a header naming the 'High needs block' in the fifth column",
                found=repr(header[:60]),
                hint="use ESFA's published workbook unchanged",
            )
        )
    rows = sheet.iloc[FIRST_ROW:, [0, 1, HNB_COLUMN]].set_axis(["code", "name", "hnb"], axis=1)
    codes = rows["code"].astype("string").str.strip()
    council = codes.str.fullmatch(r"\d{3}(\.0)?").fillna(False)
    england = codes.str.casefold().eq("england").fillna(False)
    kept = rows[council | england]
    amount = pd.to_numeric(kept["hnb"], errors="coerce")
    for index in kept.index[amount.isna()]:
        problems.append(
            DataFileError(
                file,
                f"sheet {name}: a High Needs Block amount is not a number",
                row=int(index) + 1,
                column="[C]",
                expected="an amount in £" + (" million" if in_millions else ""),
                found=repr(kept.at[index, "hnb"]),
                hint="use ESFA's published workbook unchanged",
            )
        )
    if problems:
        raise DataFileErrors(problems, "ESFA's DSG workbook") if len(problems) > 1 else problems[0]
    is_england = england[kept.index]
    return pd.DataFrame(
        {
            "financial_year": year,
            "level": is_england.map({True: "national", False: "council"}),
            "old_la_code": codes[kept.index].str.replace(".0", "", regex=False).mask(is_england),
            "area_name": kept["name"].astype("string").str.strip().mask(is_england, "England"),
            "hnb_allocation": amount * (1_000_000 if in_millions else 1),
            "source": f"{file}, sheet {name}",
        }
    )


def read_hnb_allocations(summary: Path | str, final_2023_24: Path | str) -> pd.DataFrame:
    """Each council's and England's High Needs Block allocation, 2019-20 to 2023-24 (£).

    Columns ``financial_year`` (``2021/22``), ``level`` (council or national),
    ``old_la_code``, ``area_name`` (as ESFA spells it), ``hnb_allocation`` (£, before academy
    recoupment and direct place funding), ``source`` (file and sheet). 2023-24 comes from the
    July 2024 update, the others from the summary workbook (they equal ESFA's own yearly
    files to the pound). City of London and the Isles of Scilly have no High Needs Block.
    """
    summary, final = Path(summary), Path(final_2023_24)
    wanted = {year: sheet for year, sheet in SUMMARY_SHEETS.items() if year != "2023/24"}
    read = _sheets(summary, list(wanted.values()))
    years = [_allocations(read[sheet], year, summary.name, sheet) for year, sheet in wanted.items()]
    last = _sheets(final, ["Allocations_summary"])["Allocations_summary"]
    years.append(_allocations(last, "2023/24", final.name, "Allocations_summary"))
    return pd.concat(years, ignore_index=True).astype(
        {
            "financial_year": "string",
            "level": "string",
            "old_la_code": "string",
            "area_name": "string",
            "hnb_allocation": "Float64",
            "source": "string",
        }
    )
