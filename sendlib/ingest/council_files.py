"""Reading a council's own files: the KPI dashboard, the High Needs Block financial model, the
DSG outturn forecast and the Safety Valve tables, as a programme office keeps them.

A council's files live in ``data/raw/local/<council>/`` (see the template in
``data/raw/local/_template/``): tab-separated (``.tsv``), comma-separated (``.csv``) or Excel
(``.xlsx``, first sheet). Every cell goes through :func:`sendlib.ingest.cells.parse_council_value`,
so a cell sendlib cannot read fails with the file, row, column and the text found. Readers
return new tidy frames; values are in pounds, plans or percentage points, with a ``unit``
column.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sendlib import config
from sendlib.errors import DataFileError, DataFileErrors
from sendlib.ingest.cells import parse_council_value, require_columns
from sendlib.ingest.spreadsheets import read_table, read_text  # noqa: F401 - read here
from sendlib.periods import QUARTERS, FinancialYear

FILES = {
    "kpi_dashboard": "kpi_dashboard_*",
    "hnb_financial_model": "hnb_financial_model_*",
    "dsg_outturn": "dsg_outturn_*",
    "safety_valve_kpis": "safety_valve_deficit_and_ehcp_kpis_*",
    "plans_issued_ceased": "safety_valve_plans_issued_ceased_*",
    "partner_contributions": "partner_contributions_*",
    "dsg_deficit_history": "dsg_deficit_history*",
}
"""The files of a council's folder, by the start of their names (any of .tsv, .csv, .xlsx)."""


def local_folder(folder: str | Path) -> Path:
    """A council's folder, relative to the project root unless absolute; it must exist."""
    path = Path(folder)
    path = path if path.is_absolute() else config.PROJECT_ROOT / path
    if not path.is_dir():
        known = sorted(p.name for p in (config.RAW_DIR / "local").glob("*") if p.is_dir())
        raise DataFileError(
            str(path),
            "no such folder of council files",
            expected="data/raw/local/<council>/",
            found="nothing there",
            hint=f"the folders are: {', '.join(known)}; `sendlib pack new COUNCIL DATE --local-files` "
            "starts one from the template",
        )
    return path


NAMES = {
    "kpi_dashboard": r"kpi_dashboard_(?P<year>\d{4}-\d{2}|YYYY-YY)_q(?P<quarter>[1-4]|N)",
    "hnb_financial_model": r"hnb_financial_model_(?P<year>\d{4}-\d{2}|YYYY-YY)_q(?P<quarter>[1-4]|N)",
    "dsg_outturn": r"dsg_outturn_(?P<year>\d{4}-\d{2}|YYYY-YY)_forecast_q(?P<quarter>[1-4]|N)",
    "safety_valve_kpis": r"safety_valve_deficit_and_ehcp_kpis_(?P<year>\d{4}-\d{2}|YYYY-YY)",
    "plans_issued_ceased": r"safety_valve_plans_issued_ceased_(?P<year>\d{4}-\d{2}|YYYY-YY)",
    "partner_contributions": r"partner_contributions_(?P<year>\d{4}-\d{2}|YYYY-YY)",
    "dsg_deficit_history": r"dsg_deficit_history",
}
"""The exact name of each file (without its extension): the financial year as ``2021-22``
and, for a quarter's figures, the quarter as ``q3`` (the blank template's ``YYYY-YY`` and
``qN`` too). A file that starts like one of these
but does not fit (``kpi_dashboard_2021-22_q3_OLD.tsv``) is never read: it is an error, so a
backup copy cannot be used by mistake."""

SUFFIXES = (".tsv", ".csv", ".xlsx")


def find_file(
    folder: str | Path, name: str, *, quarter: str | None = None, year: str | None = None
) -> Path:
    """The council file called ``name`` (a key of :data:`FILES`) in ``folder``, for the
    ``quarter`` (``Q3``) and financial ``year`` (``2021-22`` or ``2021/22``) when given.

    The rule, the same every time: the file named exactly for that year and quarter (see
    :data:`NAMES`). Without a year, the folder must hold files of one year only; a file for
    another quarter is never used in place of the one asked for. Anything else (no file, two
    files for one period, a stray copy such as ``..._OLD.tsv``) raises
    :class:`~sendlib.errors.DataFileError` naming the files and the fix.
    """
    path = local_folder(folder)
    pattern = re.compile(NAMES[name] + r"\.(tsv|csv|xlsx)$")
    candidates = sorted(p for p in path.iterdir() if p.name.startswith(FILES[name][:-1]))
    strays = [p.name for p in candidates if not pattern.fullmatch(p.name)]
    if strays:
        raise DataFileError(
            str(path / strays[0]),
            f"a file that looks like a {name} file but is not named as one",
            expected=f"a name exactly like {file_name(name)} (with the file's own year and quarter)",
            found=", ".join(strays),
            hint="rename it, or move copies and backups into a subfolder (sendlib reads only "
            "files named exactly, so a backup is never used by mistake)",
        )
    matches = [(p, pattern.fullmatch(p.name)) for p in candidates]
    wanted_year = _dashed(year) if year else None
    if wanted_year and "year" in pattern.groupindex:
        matches = [(p, m) for p, m in matches if m["year"] == wanted_year]
    if quarter and "quarter" in pattern.groupindex:
        wanted = str(quarter).upper().removeprefix("Q")
        matches = [(p, m) for p, m in matches if m["quarter"] == wanted]
    periods = {(m.groupdict().get("year"), m.groupdict().get("quarter")) for _, m in matches}
    if not matches:
        asked = " ".join(x for x in (wanted_year, quarter) if x)
        raise DataFileError(
            str(path),
            f"no {name} file" + (f" for {asked}" if asked else ""),
            expected=f"a file named {file_name(name, wanted_year, quarter)} (or .csv, .xlsx)",
            found=", ".join(p.name for p in candidates) or "no such file",
            hint="add the council's file for that period (copy the template from "
            "data/raw/local/_template/), or ask for a period the folder has",
        )
    if len(matches) > 1:
        raise DataFileError(
            str(path),
            f"more than one {name} file"
            + (" for one period" if len(periods) == 1 else ": say which period"),
            expected="one file per period (pass the quarter and year)",
            found=", ".join(p.name for p, _ in matches),
            hint="keep one file per period (move the others into a subfolder), or give the "
            "quarter and year",
        )
    return _inside(path, matches[0][0])


def _dashed(year: str) -> str:
    """A financial year as file names write it ("2021/22", "2021-2022" -> "2021-22"); text
    that names none is kept as typed (no file will match it, and the error says so)."""
    try:
        return FinancialYear.parse(year).dashed
    except ValueError:
        return year


def _inside(path: Path, found: Path) -> Path:
    """``found``, refused where it is a link to a file outside the council's folder: a pack
    records and reads the council's own folder, so that it can be rebuilt from it."""
    if found.is_symlink() or found.resolve().parent != path.resolve():
        raise DataFileError(
            str(found),
            "a link to a file outside the council's folder",
            expected=f"the file itself, in {path}",
            found=f"a link to {found.resolve()}",
            hint="copy the file into the folder: a pack records and reads the council's own "
            "folder, so that it can be rebuilt from what the folder holds",
        )
    return found


PERIOD_FILES = (
    "kpi_dashboard",
    "hnb_financial_model",
    "dsg_outturn",
    "safety_valve_kpis",
    "plans_issued_ceased",
    "partner_contributions",
    "dsg_deficit_history",
)
"""The files one quarter's KPI and finance reports read, in the order they are checked."""


def period_files(
    folder: str | Path,
    *,
    quarter: str,
    year: str | None = None,
    names: tuple[str, ...] = PERIOD_FILES,
    chosen: dict[str, str] | None = None,
) -> dict[str, Path]:
    """The council's file of each of ``names`` for ``quarter`` of financial ``year``, by the
    rule of :func:`find_file`; ``chosen`` names a file outright (``{"kpi_dashboard":
    "data/raw/local/<council>/kpi_dashboard_2021-22_q3.tsv"}``, relative to the project),
    as a pack definition may. Every file missing or misnamed is reported at once, in one
    :class:`~sendlib.errors.DataFileErrors`.
    """
    found, problems = {}, []
    for name in names:
        given = (chosen or {}).get(name)
        try:
            if given:
                path = Path(given)
                path = path if path.is_absolute() else config.PROJECT_ROOT / path
                if not path.is_file():
                    raise DataFileError(
                        str(path),
                        f"no such {name} file",
                        expected="a file of the council's folder, named in the pack definition",
                        found="nothing there",
                        hint="correct the path in the pack definition (relative to the project)",
                    )
                found[name] = path
            else:
                found[name] = find_file(folder, name, quarter=quarter, year=year)
        except DataFileErrors as exc:
            problems.extend(exc.errors)
        except DataFileError as exc:
            problems.append(exc)
    if problems:
        raise DataFileErrors(problems)
    return found


def file_period(path: Path) -> dict:
    """The financial year (``"2021-22"``) and quarter (``"Q3"``, or None for a year's file)
    a council file is named for.

    >>> file_period(Path("kpi_dashboard_2021-22_q3.tsv"))
    {'year': '2021-22', 'quarter': 'Q3'}
    """
    for pattern in NAMES.values():
        match = re.fullmatch(pattern + r"\.(tsv|csv|xlsx)", path.name)
        if match:
            parts = match.groupdict()
            quarter = parts.get("quarter")
            return {
                "year": parts.get("year"),
                "quarter": f"Q{quarter}" if quarter and quarter.isdigit() else None,
            }
    return {"year": None, "quarter": None}


def file_name(name: str, year: str | None = None, quarter: str | None = None) -> str:
    """The exact name (as .tsv) of the council file ``name`` for financial ``year``
    (``2021-22``) and ``quarter`` (``Q3``): the one :func:`find_file` looks for.

    >>> file_name("kpi_dashboard", "2022-23", "Q1"), file_name("dsg_deficit_history")
    ('kpi_dashboard_2022-23_q1.tsv', 'dsg_deficit_history.tsv')
    """
    text = NAMES[name]
    text = re.sub(r"\(\?P<year>[^)]*\)", year or "2021-22", text)
    text = re.sub(r"\(\?P<quarter>[^)]*\)", str(quarter or "Q3").lower().removeprefix("q"), text)
    return text + ".tsv"


def _require_unique(path: Path, table: pd.DataFrame, key: str) -> None:
    """Refuse a table whose ``key`` (a KPI's ref, a row's label) is on two rows: which of them
    to read would be a guess."""
    keys = table[key].str.strip()
    repeated = keys[keys.ne("") & keys.duplicated(keep=False)]
    if repeated.empty:
        return
    rows = {k: [int(i) + 2 for i in repeated.index[repeated.eq(k)]] for k in repeated.unique()}
    raise DataFileErrors(
        [
            DataFileError(
                str(path),
                f"{key} {k!r} is on {len(at)} rows",
                column=key,
                expected=f"each {key} once",
                found=f"rows {', '.join(map(str, at))}",
                hint="keep one row for it (sendlib never picks one of two rows for you)",
            )
            for k, at in rows.items()
        ]
    )


def _parse(path: Path, table: pd.DataFrame, column: str, unit: str | None = None) -> pd.DataFrame:
    """Parse one column of council cells (see :func:`parse_council_value`); every cell that
    cannot be read is reported at once, in one :class:`~sendlib.errors.DataFileErrors`."""
    parsed, problems = [], []
    for index, cell in table[column].items():
        try:
            parsed.append(
                parse_council_value(
                    cell, file=path.name, row=int(index) + 2, column=column, unit=unit
                )
            )
        except DataFileError as exc:
            problems.append(exc)
            parsed.append({"value": None, "unit": None, "change": None, "flag": "unreadable"})
    if problems:
        raise DataFileErrors(problems)
    frame = pd.DataFrame(parsed, index=table.index, columns=["value", "unit", "change", "flag"])
    return frame.assign(text=table[column].astype(str))


def _parse_all(path: Path, table: pd.DataFrame, columns: list[str], unit=None) -> dict:
    """:func:`_parse` for several columns, gathering every problem of the file at once."""
    out, problems = {}, []
    for column in columns:
        try:
            out[column] = _parse(path, table, column, unit)
        except DataFileErrors as exc:
            problems.extend(exc.errors)
    if problems:
        raise DataFileErrors(problems)
    return out


def _is_year(text: str) -> bool:
    try:
        financial_year(text)
    except ValueError:
        return False
    return True


def financial_year(text: str) -> str:
    """A financial year written any usual way, as ``2021/22`` (:class:`FinancialYear`).

    >>> financial_year("Target 21/22"), financial_year("2021-22"), financial_year("2021/2022")
    ('2021/22', '2021/22', '2021/22')
    """
    return FinancialYear.parse(text).slashed


def read_kpi_dashboard(path: Path) -> pd.DataFrame:
    """The demand and finance dashboard: one row per (KPI, period).

    Columns: ``ref``, ``kpi``, ``category``, ``target_basis`` (as typed: Pro rata, Annual, In
    Plan...), ``reported_rag`` (the officers' R/A/G, as typed), ``comment``, ``period``
    (``baseline``, ``target``, ``Q1``...), ``value``, ``unit``, ``change``, ``flag``, ``text``
    (the cell as typed), and ``financial_year`` (from the target column, e.g. 2021/22).
    """
    table = read_table(path, header=("Ref", "Key Performance Indicator", "RAG"))
    columns = list(table.columns)
    require_columns(columns, ["Ref", "Key Performance Indicator", "RAG"], file=path.name)
    _require_unique(path, table, "Ref")
    baseline = next((c for c in columns if c.lower().startswith("baseline")), None)
    target = next((c for c in columns if c.lower().startswith("target ") and _is_year(c)), None)
    if baseline is None or target is None:
        raise DataFileError(
            path.name,
            "no baseline or target column",
            expected="columns named 'Baseline ...' and 'Target 21/22'",
            found=", ".join(columns),
        )
    quarters = [c for c in columns if c in QUARTERS]
    periods = {baseline: "baseline", target: "target", **{q: q for q in quarters}}
    year = financial_year(target)
    parsed_columns = _parse_all(path, table, list(periods))
    _check_units(path, table, parsed_columns)
    words = _kpi_words(table)
    tidy = pd.concat(
        [
            words.assign(period=period, row=words.index + 2).join(parsed_columns[column])
            for column, period in periods.items()
        ],
        ignore_index=True,
    )
    if tidy.empty:
        columns = ["value", "unit", "change", "flag", "text"]
        return tidy.reindex(columns=[*tidy.columns, *columns]).assign(financial_year=year)
    units = (
        tidy.dropna(subset=["value"])
        .groupby("ref")["unit"]
        .agg(
            lambda u: "GBP" if "GBP" in set(u) else "percent" if "percent" in set(u) else u.iloc[0]
        )
    )
    tidy["unit"] = tidy["ref"].map(units).fillna("number")
    return tidy.assign(financial_year=year).astype({c: "string" for c in _KPI_TEXT})


_KPI_TEXT = (*"ref kpi category target_basis reported_rag comment".split(), "period", "unit")
_KPI_TEXT += ("flag", "text", "financial_year")  # the dashboard's columns of words


def _kpi_words(table: pd.DataFrame) -> pd.DataFrame:
    """Each KPI's words, as typed but trimmed (a RAG in capitals, blank as missing)."""

    def column(name: str) -> pd.Series:
        return table.get(name, pd.Series("", index=table.index)).str.strip()

    return pd.DataFrame(
        {
            "ref": table["Ref"].str.strip(),
            "kpi": table["Key Performance Indicator"].str.strip(),
            "category": column("KPI Category"),
            "target_basis": column("Target Derivation"),
            "reported_rag": table["RAG"].str.strip().str.upper().replace("", pd.NA),
            "comment": column("Comment"),
        }
    )


def _check_units(path: Path, table: pd.DataFrame, parsed: dict[str, pd.DataFrame]) -> None:
    """Every KPI row keeps one unit: a row of plan counts with a £ amount in one cell (or a
    % in a row of pounds) is an error naming the cells, never a relabelled row."""
    problems = []
    if table.empty:
        return
    units = pd.DataFrame({c: p["unit"] for c, p in parsed.items()})
    for index, row in units.iterrows():
        explicit = {u for u in row.dropna() if u in ("GBP", "percent", "count")}
        if len(explicit) > 1:
            cells = "; ".join(
                f"{c}: {table.loc[index, c]!r} ({row[c]})"
                for c in units.columns
                if row[c] in explicit
            )
            problems.append(
                DataFileError(
                    path.name,
                    "cells of one KPI in different units",
                    row=int(index) + 2,
                    expected="one unit on a row (all £, all %, or all counts)",
                    found=cells,
                    hint="correct the cell that is in the wrong unit",
                )
            )
    if problems:
        raise DataFileErrors(problems)


HNB_LINES = [
    (r"^HNB allocation", "allocation"),
    (r"^Budget additions|transfer", "transfer"),
    (r"^Total budget", "total_budget"),
    (r"expenditure before savings", "spend_before_savings"),
    (r"expenditure after savings", "spend_after_savings"),
    (r"^Net HNB deficit", "net_hnb_deficit"),
    (r"^Net DSG Deficit \(incl", "net_dsg_deficit"),
    (r"cumulative before safety valve", "cumulative_before_safety_valve"),
    (r"cumulative after", "cumulative_after_safety_valve"),
    (r"^Variance in other DSG blocks", "other_blocks"),
    (r"^General Fund", "general_fund"),
]
"""How a financial model line is recognised (first match wins); any other line between
spend before and after savings is a savings line."""


def read_hnb_model(path: Path) -> pd.DataFrame:
    """The High Needs Block financial model against the quarter's actual, £.

    Columns: ``order``, ``line``, ``kind`` (``allocation``, ``transfer``, ``total_budget``,
    ``spend_before_savings``, ``saving``, ``spend_after_savings``, ``net_hnb_deficit``,
    ``other_blocks``, ``general_fund``, ``net_dsg_deficit``, ``cumulative_before_safety_valve``,
    ``cumulative_after_safety_valve``), ``model``, ``actual``, ``variance`` (pounds),
    ``reported_rag``.
    """
    table = read_table(path, header=("line", "rag"))
    columns = list(table.columns)
    require_columns(columns, ["line", "rag"], file=path.name)
    model = next((c for c in columns if c.startswith("financial_model")), None)
    actual = next((c for c in columns if c.startswith("actual")), None)
    variance = next((c for c in columns if c.startswith("variance")), None)
    if not (model and actual and variance):
        raise DataFileError(
            path.name,
            "missing model, actual or variance column",
            expected="financial_model_gbp_m, actual_q3_gbp_m, variance_gbp_m",
            found=", ".join(columns),
        )
    unit = "gbp_m" if model.endswith("_gbp_m") else "gbp"
    parsed = _parse_all(path, table, [model, actual, variance], unit)
    kinds = []
    in_savings = False
    for line in table["line"]:
        kind = next((k for pattern, k in HNB_LINES if re.search(pattern, line, re.I)), None)
        if kind == "spend_before_savings":
            in_savings = True
        elif kind is not None:
            in_savings = False
        kinds.append(kind or ("saving" if in_savings else "other"))
    return pd.DataFrame(
        {
            "order": range(len(table)),
            "line": table["line"].str.strip().to_numpy(),
            "kind": kinds,
            "model": parsed[model]["value"].to_numpy(),
            "actual": parsed[actual]["value"].to_numpy(),
            "variance": parsed[variance]["value"].to_numpy(),
            "reported_rag": table["rag"].str.strip().str.upper().to_numpy(),
        }
    ).astype(
        {
            "line": "string",
            "kind": "string",
            "reported_rag": "string",
            "model": "Float64",
            "actual": "Float64",
            "variance": "Float64",
        }
    )


def read_wide(path: Path, key: str, unit: str | None = None) -> pd.DataFrame:
    """A small table of labelled rows and value columns (Safety Valve KPIs, plans issued and
    ceased, partner contributions, DSG outturn) as one row per (row label, column).

    Columns: ``label``, ``column``, ``value``, ``unit``, ``change``, ``flag``, ``text``.
    """
    table = read_table(path, header=(key,))
    columns = list(table.columns)
    require_columns(columns, [key], file=path.name)
    _require_unique(path, table, key)
    parts = []
    values = [c for c in columns if c != key]
    parsed_columns = _parse_all(path, table, values, unit)
    for column in values:
        parsed = parsed_columns[column]
        parts.append(parsed.assign(label=table[key].str.strip(), column=column))
    tidy = pd.concat(parts, ignore_index=True)
    return tidy[["label", "column", "value", "unit", "change", "flag", "text"]].astype(
        {
            "label": "string",
            "column": "string",
            "unit": "string",
            "flag": "string",
            "text": "string",
            "value": "Float64",
            "change": "Float64",
        }
    )


def read_deficit_history(path: Path) -> pd.DataFrame:
    """The DSG deficit as reported over the years: ``financial_year``, ``measure``,
    ``value`` (£), ``as_at``, ``note``."""
    table = read_table(path, header=("financial_year", "measure", "value_gbp_m", "as_at"))
    require_columns(
        table.columns, ["financial_year", "measure", "value_gbp_m", "as_at"], file=path.name
    )
    parsed = _parse(path, table, "value_gbp_m", "gbp_m")
    return pd.DataFrame(
        {
            "financial_year": table["financial_year"].map(financial_year).to_numpy(),
            "measure": table["measure"].to_numpy(),
            "value": parsed["value"].to_numpy(),
            "as_at": table["as_at"].to_numpy(),
            "note": table.get("note", pd.Series("", index=table.index)).to_numpy(),
        }
    ).astype(
        {
            "value": "Float64",
            "financial_year": "string",
            "measure": "string",
            "as_at": "string",
            "note": "string",
        }
    )


def require_quarter(table: pd.DataFrame, quarter: str, path: Path) -> None:
    """Fail naming the file when a table read by :func:`read_wide` has no column for
    ``quarter`` (a Q4 pack from files that stop at Q3 must not show Q3's figures as Q4's)."""
    columns = list(dict.fromkeys(table["column"]))
    if not any(re.search(rf"\b{re.escape(quarter)}\b", str(c), re.I) for c in columns):
        raise DataFileError(
            str(path),
            f"no {quarter} column",
            expected=f"a column for {quarter} of the year",
            found=", ".join(map(str, columns)),
            hint=f"add the {quarter} figures to the file, or build the pack for a quarter the "
            "file has",
        )
