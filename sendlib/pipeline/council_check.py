"""A council's own files for one quarter, checked before any pack is built.

``sendlib local check COUNCIL [--quarter Q3 --year 2021-22]`` and ``sendlib pack`` (first
thing) read every file a quarter's reports need and report **every** problem at once: the
file, the row or column, what was expected and found, and the fix. A new quarter's files are
started from the template with that year's and quarter's headers (:func:`start_period`),
never over a file that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from sendlib import config
from sendlib.errors import DataFileError, DataFileErrors
from sendlib.ingest import council_files
from sendlib.ingest.kpi_rules import read_rules
from sendlib.periods import FinancialYear


def _errors(exc: DataFileError) -> list[DataFileError]:
    return list(exc.errors) if isinstance(exc, DataFileErrors) else [exc]


def latest_period(folder: str | Path) -> tuple[str, str]:
    """The financial year (``2021-22``) and quarter (``Q3``) of the latest quarter's file in
    a council's folder (by the year and quarter in the names of its KPI dashboards and
    financial models): the period ``sendlib local check`` reads when none is given."""
    path = council_files.local_folder(folder)
    periods = []
    for file in path.iterdir():
        found = council_files.file_period(file)
        if found["year"] and found["quarter"] and found["year"] != "YYYY-YY":
            periods.append((found["year"], found["quarter"]))
    if not periods:
        raise DataFileError(
            str(path),
            "no quarter's files",
            expected="files named for a year and quarter, such as kpi_dashboard_2021-22_q3.tsv",
            found=", ".join(sorted(p.name for p in path.iterdir())) or "an empty folder",
            hint="add the council's files (start them with `sendlib pack new`), or name the "
            "quarter and year",
        )
    return max(periods)


def _blank(path: Path, problem: str, expected: str, hint: str) -> DataFileError:
    return DataFileError(
        str(path),
        problem,
        expected=expected,
        found="the headers only (the blank template?)",
        hint=hint,
    )


def _empty_quarter(path: Path, quarter: str, expected: str) -> DataFileError:
    return DataFileError(
        str(path),
        f"the {quarter} column is empty",
        column=quarter,
        expected=expected,
        found="no figure in any row",
        hint=f"fill in the {quarter} figures",
    )


def check_council_files(
    folder: str | Path,
    rules_file: str | Path,
    *,
    quarter: str,
    year: str,
    names: tuple[str, ...] = council_files.PERIOD_FILES,
    chosen: dict[str, str] | None = None,
) -> list[DataFileError]:
    """Every problem with a council's files for ``quarter`` of ``year`` (``2021-22``): files
    missing or misnamed, cells that cannot be read, a blank file, a quarter's column missing
    or empty, a KPI without a rule. An empty list means the files can be used. Each kind of
    file has its check (:data:`CHECKS`), run on what its reader reads."""
    problems: list[DataFileError] = []
    try:
        files = council_files.period_files(
            folder, quarter=quarter, year=year, names=names, chosen=chosen
        )
    except DataFileError as exc:
        problems += _errors(exc)
        files = {}
        for name in names:  # check the files that are there
            try:
                files.update(
                    council_files.period_files(
                        folder, quarter=quarter, year=year, names=(name,), chosen=chosen
                    )
                )
            except DataFileError:
                pass
    wanted = {"quarter": quarter.upper(), "year": council_files.financial_year(year)}
    for name, path in files.items():
        try:
            CHECKS.get(name, _check_return)(path, name=name, rules_file=rules_file, **wanted)
        except DataFileError as exc:
            problems += _errors(exc)
        except ValueError as exc:
            problems.append(DataFileError(str(path), str(exc)))
    return problems


def _check_kpi_dashboard(path: Path, *, quarter: str, year: str, rules_file, **_) -> None:
    """The KPI dashboard: KPIs for the year, the quarter's actuals, a rule for each KPI."""
    from sendlib.measures import kpis

    table = council_files.read_kpi_dashboard(path)
    if table.empty:
        raise _blank(
            path,
            "the file has no KPIs",
            "a row per KPI under the headers",
            "fill in the council's dashboard for the quarter",
        )
    if table["financial_year"].iloc[0] != year:
        raise DataFileError(
            str(path),
            "the target column is for another year",
            column=f"Target {year[2:]}",
            expected=f"targets for {year}",
            found=f"targets for {table['financial_year'].iloc[0]}",
            hint="correct the target column's name, or the file's name",
        )
    if quarter not in set(table["period"]):
        raise DataFileError(
            str(path),
            f"no {quarter} column",
            column=quarter,
            expected=f"a column named {quarter} with the quarter's actuals",
            found=", ".join(sorted(set(table["period"]))),
            hint=f"add the {quarter} figures",
        )
    if table.loc[table["period"].eq(quarter), "value"].isna().all():
        raise _empty_quarter(path, quarter, "the quarter's actual for each KPI ('n/a' where none)")
    kpis.dashboard(table, read_rules(rules_file), quarter)


def _check_hnb_model(path: Path, *, quarter: str, **_) -> None:
    """The High Needs Block model: its lines, and an actual column for the quarter."""
    if council_files.read_hnb_model(path).empty:
        raise _blank(
            path,
            "the file has no lines",
            "the High Needs Block model, a row per line",
            "fill in the quarter's financial model",
        )
    header = council_files.read_table(path, header=("line", "rag")).columns
    actual = next((c for c in header if c.startswith("actual")), "")
    if not re.search(rf"_q{quarter[1]}_", actual):
        raise DataFileError(
            str(path),
            "the actual column is for another quarter",
            column=actual,
            expected=f"actual_q{quarter[1]}_gbp_m",
            found=actual,
            hint="rename the column, or the file, to the quarter it holds",
        )


def _check_deficit_history(path: Path, **_) -> None:
    """The DSG deficit history: some rows."""
    if council_files.read_deficit_history(path).empty:
        raise _blank(
            path,
            "the file has no rows",
            "the DSG deficit as reported over the years",
            "fill in the deficit history",
        )


def _check_return(path: Path, *, name: str, quarter: str, **_) -> None:
    """A return by quarter (Safety Valve KPIs, plans issued and ceased, partners; the DSG
    outturn by line): some rows and, but for the outturn, figures for the quarter."""
    key = {"partner_contributions": "Partner", "dsg_outturn": None}.get(name, "KPI")
    table = council_files.read_table(path, header=(key,) if key else ())
    key = key or (table.columns[0] if len(table.columns) else "")
    wide = council_files.read_wide(path, key)
    if wide.empty:
        raise _blank(
            path, "the file has no rows", "a row per line of the return", "fill in the file"
        )
    if name != "dsg_outturn":
        council_files.require_quarter(wide, quarter, path)
        in_quarter = wide[wide["column"].str.contains(rf"\b{quarter}\b", case=False)]
        if in_quarter["value"].isna().all():
            raise _empty_quarter(path, quarter, "the quarter's figures")


CHECKS = {
    "kpi_dashboard": _check_kpi_dashboard,
    "hnb_financial_model": _check_hnb_model,
    "dsg_deficit_history": _check_deficit_history,
}
"""The check of each kind of council file (any other is a return by quarter:
:func:`_check_return`)."""


def _headers(name: str, year: str, quarter: str) -> list[str]:
    """The header row of a quarter's file, for ``year`` (``2022-23``) and ``quarter``."""
    start = int(year[:4])
    short = FinancialYear(start).short
    quarters = [f"Q{n}" for n in range(1, int(quarter[1]) + 1)]
    return {
        "kpi_dashboard": [
            "Ref",
            "Key Performance Indicator",
            f"Baseline 31st March {start}",
            f"Target {short}",
            *quarters,
            "RAG",
            "Comment",
            "Target Derivation",
            "KPI Category",
        ],
        "hnb_financial_model": [
            "line",
            "financial_model_gbp_m",
            f"actual_q{quarter[1]}_gbp_m",
            "variance_gbp_m",
            "rag",
        ],
        "dsg_outturn": [
            f"{FinancialYear(start).slashed} DSG Outturn",
            "Budget £m",
            "Outturn £m",
            "Variance £m",
        ],
        "safety_valve_kpis": ["KPI", "SVA Target", *quarters],
        "plans_issued_ceased": ["KPI", "SVA Target", *quarters, "Total YTD"],
        "partner_contributions": ["Partner", *quarters],
        "dsg_deficit_history": ["financial_year", "measure", "value_gbp_m", "as_at", "note"],
    }[name]


def start_period(folder: str | Path, *, year: str, quarter: str) -> dict[str, list[str]]:
    """Start a quarter's files in a council's folder from the template: each file the quarter
    needs and the folder lacks is written with that year's and quarter's headers (and no
    rows). Nothing that exists is touched. Returns ``written`` (file names) and ``to_extend``
    (a year's files that exist: add the quarter's column to them)."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[str]] = {"written": [], "to_extend": []}
    for name in council_files.PERIOD_FILES:
        try:
            existing = council_files.find_file(path, name, quarter=quarter, year=year)
        except DataFileError:
            existing = None
        if existing is not None:
            if "quarter" not in council_files.NAMES[name] and name != "dsg_deficit_history":
                columns = council_files.read_table(existing).columns
                if not any(re.search(rf"\b{quarter.upper()}\b", str(c), re.I) for c in columns):
                    out["to_extend"].append(existing.name)
            continue
        target = path / council_files.file_name(name, year, quarter)
        if target.exists():
            continue
        with open(target, "x", encoding="utf-8", newline="") as handle:
            handle.write("\t".join(_headers(name, year, quarter)) + "\n")
        out["written"].append(target.name)
    return out


def council_folder(council_name: str) -> Path:
    """Where a council's own files live: ``data/raw/local/<council-slug>/``."""
    from sendlib.pipeline.definitions import slugify

    return config.RAW_DIR / "local" / slugify(council_name)


def check_pack(pack) -> list[str]:
    """Every problem with the council's files a pack's reports read (see
    :func:`check_council_files`), as text, each once; empty when the pack can be built.
    The KPI dashboard needs its dashboard and rules; the finance report every file of the
    quarter. (The forecast only costs plans from them where it can, and says so where not.)"""
    from sendlib.pipeline.board import effective_parameters

    seen: list[str] = []
    for report in pack.reports:
        if report.notebook not in ("kpi_dashboard", "high_needs_finance"):
            continue
        p = effective_parameters(pack, report)
        if not (p.get("local_dir") and p.get("quarter")):
            continue
        year = p.get("financial_year") or ""
        if not year:
            try:
                year = latest_period(p["local_dir"])[0]
            except DataFileError as exc:
                seen.append(str(exc))
                continue
        names = ("kpi_dashboard",) if report.notebook == "kpi_dashboard" else None
        chosen = {"kpi_dashboard": p["kpi_file"]} if p.get("kpi_file") else None
        problems = check_council_files(
            p["local_dir"],
            p["rules_file"],
            quarter=p["quarter"],
            year=year,
            names=names or council_files.PERIOD_FILES,
            chosen=chosen,
        )
        for problem in problems:
            if str(problem) not in seen:
                seen.append(str(problem))
    return seen
