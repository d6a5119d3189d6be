"""Where a report's figures come from: the raw inputs of the tables in words, the release a
page uses, and the data check's findings that touch a report (read from the tables' manifest
and ``findings`` table, so pages need not open either).

>>> describe_input("dfe-ehcp/education-health-and-care-plans_2026.zip")
'DfE, Education, health and care plans, reporting year 2026'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from sendlib import config, quality, tables
from sendlib.tables import Tables

RELEASES = {
    config.EHCP_RELEASE_2022: "DfE, Education, health and care plans, reporting year 2022 "
    "(January 2010-2022)",
    config.EHCP_RELEASE_2025: "DfE, Education, health and care plans, reporting year 2025, "
    "published 26 June 2025 (January 2019-2025)",
    config.SN_MODEL_2025: "DfE, Children's services statistical neighbour benchmarking tool, "
    "May 2025 model",
    config.SN_LOOKUP_2025: "DfE LAIT, local authority lookup used with the 2025 model",
    config.SN_MODEL_2021: "DfE, Statistical neighbour groupings, April 2021 model",
    config.POPULATION_MID_2024: "ONS, mid-2024 population estimates by single year of age "
    "(published 2025)",
    config.LA_CHANGES: "sendlib, table of council mergers, splits and re-codings 2019-2025 "
    "(compiled from DfE and ONS lookups)",
}


def describe_input(name: str) -> str:
    """What a raw input is, in words (a release zip sendlib was not shipped with is named by
    its reporting year)."""
    if name in RELEASES:
        return RELEASES[name]
    year = re.search(r"education-health-and-care-plans_(\d{4})\.zip$", name)
    if year:
        return f"DfE, Education, health and care plans, reporting year {year.group(1)}"
    return name


def ehcp_release_years(data: Tables | None = None) -> str:
    """The reporting years of the EHCP releases the tables were built from, in words.

    >>> ehcp_release_years()
    'reporting years 2022 and 2025'
    """
    years = sorted(
        found.group(1)
        for name in (data or tables.current()).manifest["inputs"]
        if (found := re.search(r"education-health-and-care-plans_(\d{4})\.zip$", name))
    )
    if len(years) == 1:
        return f"reporting year {years[0]}"
    return f"reporting years {', '.join(years[:-1])} and {years[-1]}"


def inputs(data: Tables | None = None) -> list[tuple[str, str, str]]:
    """Each raw input of the tables: its path under data/raw, what it is, and its sha256."""
    manifest = (data or tables.current()).manifest
    return [
        (name, describe_input(name), seen["sha256"]) for name, seen in manifest["inputs"].items()
    ]


def data_facts(data: Tables | None = None) -> list[tuple[str, str]]:
    """The latest January census in the tables and the sendlib version that built them."""
    data = data or tables.current()
    return [
        ("latest January census", f"January {int(data.caseload['year'].max())}"),
        ("sendlib version", data.manifest["sendlib_version"]),
    ]


def findings_touching(
    codes: Sequence[str],
    areas: set[str],
    tables_read: Sequence[str],
    latest_census: int | None = None,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The data check's findings (:mod:`sendlib.quality`) in ``tables_read`` up to
    ``latest_census`` that touch a report: every figure excluded (each council counts in
    England's figures), and figures flagged for the councils ``codes`` or the areas
    ``areas`` (by name)."""
    findings = (data or tables.current()).findings
    rows = findings[findings["table"].isin(list(tables_read))]
    if latest_census is not None:
        year = rows["period"].str.slice(0, 4).astype(int)
        rows = rows[year.le(latest_census)]
    touches = rows["action"].eq(quality.EXCLUDED) | rows["old_la_code"].isin(list(codes))
    touches |= rows["old_la_code"].isna() & rows["area_name"].isin(areas)
    return rows[touches]


def origin_warning(council: str | int, origin: int, data: Tables | None = None) -> str:
    """Why forecasts from the January ``origin`` may mislead: the data check's finding on the
    council's caseload that January, in a sentence ("" when there is none).

    >>> origin_warning("Newham", 2025)[:62]
    'The January 2025 caseload these forecasts start from (1,199, d'
    >>> origin_warning("Kingston upon Thames", 2021)
    ''
    """
    from sendlib.measures.areas import find_council

    data = data or tables.current()
    code = find_council(council, data)["old_la_code"]
    findings = data.findings
    rows = findings[
        findings["table"].isin(["caseload", "caseload_releases"])
        & findings["old_la_code"].eq(code)
        & findings["measure"].eq("ehcps")
        & findings["period"].eq(str(origin))
    ]
    if rows.empty:
        return ""
    row = rows.iloc[0]
    return (
        f"The January {origin} caseload these forecasts start from ({row['value']:,.0f}, "
        f"{row['found']}) was {row['action']} by sendlib's data check: the forecasts and "
        "costs carry it forward; read them with it (see the data check below)."
    )
