"""Reading DfE's published files as they are published: zips of CSVs, never unzipped by hand.

One reader per release layout, each driven by the release's own column names:

* the **2022 layout** ("calendar year" files such as ``sen2_age_caseload.csv``: ``Total_st``,
  ``Total_ehc``, ``Total_all``; ``time_period`` is the census year, ``2019``), which carries the
  history of statements and EHC plans from January 2010 to January 2022;
* the **2025 layout** (``caseload.csv``, ``newplans.csv``...: ``ehcplans``; ``time_period`` is
  the academic year, ``201819`` for January 2019), January 2019 onwards.

Readers return new frames with published values parsed (see :mod:`sendlib.ingest.cells`) and the
area described by the same columns everywhere (see :data:`AREA_COLUMNS`). Councils that merged,
split or were re-coded are kept exactly as published (Bournemouth, Poole and Dorset county to
January 2019, BCP and Dorset council from 2020; Northamptonshire to 2021, North and West
Northamptonshire from 2022; Cumbria to 2023, Cumberland and Westmorland and Furness from 2024):
:func:`sendlib.geography.council_history` says which codes a council had when.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sendlib.errors import DataFileError
from sendlib.ingest.cells import january_census_year, parse_measure, require_columns
from sendlib.vocab import (
    AGE_BANDS,
    AREA_COLUMNS,
    LEVELS,
    PLACEMENTS,
    PRIMARY_NEEDS,
)

_RELEASE_AREA = [
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
]


def read_release_csv(zip_path: Path | str, member: str, columns: Sequence[str]) -> pd.DataFrame:
    """Read ``columns`` of the CSV ``member`` of a release zip, every cell as text.

    Fails with :class:`DataFileError` naming the zip (and member, and column) when the zip is
    missing, truncated or corrupt, lacks the member, or lacks a column.
    """
    zip_path = Path(zip_path)
    label = f"{zip_path.name}:{member}"
    restore = (
        f"restore the published file (git checkout -- data/raw/{zip_path.parent.name}/"
        f"{zip_path.name}) or download it again from explore-education-statistics"
    )
    if not zip_path.exists():
        raise DataFileError(
            str(zip_path),
            "the release file is missing",
            expected="the DfE release zip",
            found="no file",
            hint=restore,
        )
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
            if member not in names:
                csvs = ", ".join(n for n in names if n.endswith(".csv")) or "no CSV files"
                raise DataFileError(
                    str(zip_path),
                    f"the zip has no member {member!r}",
                    expected=member,
                    found=csvs,
                    hint=restore,
                )
            with archive.open(member) as handle:
                header = pd.read_csv(handle, nrows=0, encoding="utf-8-sig").columns
                require_columns(header, columns, file=label)
            with archive.open(member) as handle:
                return pd.read_csv(
                    handle,
                    usecols=list(columns),
                    dtype=str,
                    keep_default_na=False,
                    encoding="utf-8-sig",
                )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise DataFileError(
            str(zip_path),
            "the zip is truncated or corrupt",
            expected="a readable zip archive",
            found=f"{type(exc).__name__}: {exc}",
            hint=restore,
        ) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFileError(
            label, "the CSV cannot be parsed", expected="a UTF-8 CSV", found=str(exc), hint=restore
        ) from exc


def area_columns(raw: pd.DataFrame, file: str) -> pd.DataFrame:
    """The standard area columns for each row of a release file (a new frame)."""
    unknown = set(raw["geographic_level"]) - set(LEVELS)
    if unknown:
        first = raw.index[raw["geographic_level"].isin(unknown)][0]
        raise DataFileError(
            file,
            "an unknown geographic level",
            column="geographic_level",
            row=int(first) + 2,
            expected=", ".join(LEVELS),
            found=repr(sorted(unknown)[0]),
        )
    level = raw["geographic_level"].map(LEVELS)
    blank = lambda s: s.replace("", pd.NA).astype("string")  # noqa: E731
    region_code, region_name = blank(raw["region_code"]), blank(raw["region_name"])
    area_code = blank(raw["new_la_code"]).fillna(region_code).fillna(blank(raw["country_code"]))
    area_name = blank(raw["la_name"]).fillna(region_name).fillna("England")
    return pd.DataFrame(
        {
            "level": level.astype("string"),
            "area_code": area_code,
            "old_la_code": blank(raw["old_la_code"]),
            "area_name": area_name,
            "region_code": region_code,
            "region_name": region_name,
        },
        index=raw.index,
    )


def _census_years(raw: pd.DataFrame, file: str) -> pd.Series:
    try:
        years = {p: january_census_year(p) for p in raw["time_period"].unique()}
    except ValueError as exc:
        raise DataFileError(
            file, str(exc), column="time_period", expected="2019 or 201819"
        ) from exc
    return raw["time_period"].map(years).astype("int64")


def _measures(
    raw: pd.DataFrame, columns: dict[str, str], file: str, integer: bool = True
) -> pd.DataFrame:
    """Parse published columns into ``<name>`` and ``<name>_flag`` pairs (new frame)."""
    parts = {}
    for column, name in columns.items():
        parsed = parse_measure(raw[column], file=file, column=column, integer=integer)
        parts[name], parts[f"{name}_flag"] = parsed["value"], parsed["flag"]
    return pd.DataFrame(parts, index=raw.index)


# --- the 2022 layout ---------------------------------------------------------------------------

_AGE_2022 = {
    "Under 5": "Under 5",
    "Age 5 to 10": "5 to 10",
    "Age 11 to 15": "11 to 15",
    "Age 16 to 19": "16 to 19",
    "Age 20 to 25": "20 to 25",
    "Total": "Total",
}


def read_caseload_2022_layout(zip_path: Path | str) -> pd.DataFrame:
    """Statements and EHC plans by age band at each January, from a 2022-layout release.

    Returns one row per (year, area, age_band) with :data:`AREA_COLUMNS`, ``year`` (January
    census), ``age_band`` (``Total`` or one of :data:`AGE_BANDS`), and counts ``statements``,
    ``ehc_plans``, ``ehcps`` (statements + EHC plans, DfE's ``Total_all``), each with a
    ``_flag`` column.
    """
    member = "data/sen2_age_caseload.csv"
    file = f"{Path(zip_path).name}:{member}"
    raw = read_release_csv(
        zip_path,
        member,
        _RELEASE_AREA + ["characteristic_age", "Total_st", "Total_ehc", "Total_all"],
    )
    unknown = set(raw["characteristic_age"]) - set(_AGE_2022)
    if unknown:
        raise DataFileError(
            file,
            "an unknown age band",
            column="characteristic_age",
            expected=", ".join(_AGE_2022),
            found=repr(sorted(unknown)[0]),
        )
    measures = _measures(
        raw, {"Total_st": "statements", "Total_ehc": "ehc_plans", "Total_all": "ehcps"}, file
    )
    return pd.concat(
        [
            pd.DataFrame({"year": _census_years(raw, file)}, index=raw.index),
            area_columns(raw, file),
            pd.DataFrame({"age_band": raw["characteristic_age"].map(_AGE_2022).astype("string")}),
            measures,
        ],
        axis=1,
    )


# --- the 2025 layout ---------------------------------------------------------------------------


def _single_age_band(breakdown: str) -> str | None:
    """Age band of the 2025 layout's single-year ages ('under 3', 'age 3' ... 'age 25')."""
    if breakdown == "under 3":
        return "Under 5"
    age = int(breakdown.removeprefix("age "))
    for band, top in zip(AGE_BANDS, [4, 10, 15, 19, 25], strict=True):
        if age <= top:
            return band
    return None


def complete_categories(
    table: pd.DataFrame, category: str, categories: list[str], totals: pd.DataFrame
) -> pd.DataFrame:
    """Add the rows DfE leaves out of a breakdown when a category is empty.

    Small councils (City of London, Isles of Scilly) have no row at all for an age band with
    no plans. Where a council's published categories add up exactly to its published total,
    a missing category is zero, and is added with ``ehcps`` 0 and flag ``absent``; otherwise
    it is added as missing (flag ``blank``). Returns a new frame.
    """
    keys = ["year", *AREA_COLUMNS]
    present = (
        table.groupby(keys, dropna=False, sort=False)["ehcps"].sum().rename("present").reset_index()
    )
    grid = table[keys].drop_duplicates().merge(pd.DataFrame({category: categories}), how="cross")
    full = grid.merge(table, on=[*keys, category], how="left")
    total = totals[[*keys, "ehcps"]].rename(columns={"ehcps": "total"})
    check = full[keys].merge(present, on=keys, how="left").merge(total, on=keys, how="left")
    absent = full["ehcps"].isna() & full["ehcps_flag"].isna()
    adds_up = check["present"].astype("Int64").eq(check["total"]).fillna(False)
    full["ehcps"] = full["ehcps"].mask(absent & adds_up, 0).astype("Int64")
    full["ehcps_flag"] = (
        full["ehcps_flag"]
        .astype("string")
        .mask(absent & adds_up, "absent")
        .mask(absent & ~adds_up, "blank")
    )
    return full.astype({category: "string"})


def read_caseload_2025_layout(
    zip_path: Path | str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """EHC plans at each January from a 2025-layout release: totals, by age band, by placement.

    Returns three new frames, each with ``year`` (January census) and :data:`AREA_COLUMNS`:

    * totals: ``ehcps`` and ``ehcps_flag``;
    * by age: ``age_band`` (one of :data:`AGE_BANDS`), ``ehcps``, ``ehcps_flag`` (single years
      of age added up to bands; a band is missing if any of its ages is);
    * by placement: ``placement`` (the DfE column), ``placement_label``, ``placement_group``
      (see :data:`PLACEMENTS`), ``ehcps``, ``ehcps_flag``.
    """
    member = "data/caseload.csv"
    file = f"{Path(zip_path).name}:{member}"
    raw = read_release_csv(
        zip_path, member, _RELEASE_AREA + ["breakdown_topic", "breakdown", "ehcplans", *PLACEMENTS]
    )
    head = pd.concat(
        [
            pd.DataFrame({"year": _census_years(raw, file)}, index=raw.index),
            area_columns(raw, file),
        ],
        axis=1,
    )

    totals_mask = raw["breakdown_topic"].eq("All EHC plans")
    totals = pd.concat(
        [head[totals_mask], _measures(raw[totals_mask], {"ehcplans": "ehcps"}, file)], axis=1
    )

    age_mask = raw["breakdown_topic"].eq("Child or young persons age")
    ages = pd.concat(
        [head[age_mask], _measures(raw[age_mask], {"ehcplans": "ehcps"}, file)], axis=1
    ).assign(age_band=raw.loc[age_mask, "breakdown"].map(_single_age_band))
    keys = ["year", *AREA_COLUMNS, "age_band"]
    grouped = ages.assign(missing=ages["ehcps"].isna()).groupby(keys, dropna=False, sort=False)
    by_age = grouped.agg(
        ehcps=("ehcps", "sum"), missing=("missing", "sum"), ehcps_flag=("ehcps_flag", "first")
    ).reset_index()
    by_age = by_age.assign(
        ehcps=by_age["ehcps"].astype("Int64").mask(by_age["missing"] > 0),
        ehcps_flag=by_age["ehcps_flag"].astype("string"),
        age_band=by_age["age_band"].astype("string"),
    ).drop(columns="missing")
    by_age = complete_categories(by_age, "age_band", AGE_BANDS, totals)

    placements = _measures(raw[totals_mask], {c: c for c in PLACEMENTS}, file)
    long = []
    for column, (label, group) in PLACEMENTS.items():
        long.append(
            head[totals_mask].assign(
                placement=column,
                placement_label=label,
                placement_group=group,
                ehcps=placements[column],
                ehcps_flag=placements[f"{column}_flag"],
            )
        )
    by_placement = pd.concat(long, ignore_index=True).astype(
        {"placement": "string", "placement_label": "string", "placement_group": "string"}
    )
    return totals.reset_index(drop=True), by_age, by_placement


ACTIVITY_MEASURES: dict[str, dict[str, tuple[str, str]]] = {
    "data/newplans.csv": {"new_ehc_plans": ("new_plans", "count")},
    "data/ceased_plans.csv": {"total_ceased": ("ceased_plans", "count")},
    "data/requests.csv": {
        "requests_received_in_year": ("requests", "count"),
        "requests_decided_to_assess": ("requests_agreed", "count"),
        "requests_decided_not_to_assess": ("requests_refused", "count"),
    },
    "data/assessments.csv": {
        "assess_in_year": ("assessments", "count"),
        "assess_issued": ("assessments_plan_issued", "count"),
        "assess_not_issued": ("assessments_no_plan", "count"),
    },
    "data/timeliness_20_week.csv": {
        "plans_issued_den": ("plans_issued", "count"),
        "plans_issued_within_20_weeks": ("plans_issued_within_20_weeks", "count"),
        "pc_plans_issued_within_20_weeks": ("pct_within_20_weeks", "percent"),
        "plans_issued_den_ex": ("plans_issued_excl_exceptions", "count"),
        "plans_issued_20_weeks_ex": ("plans_issued_within_20_weeks_excl_exceptions", "count"),
        "PC_plans_issued_20_weeks_ex": ("pct_within_20_weeks_excl_exceptions", "percent"),
    },
}
"""The flow measures read from a 2025-layout release: file -> {DfE column: (measure, unit)}."""

_ACTIVITY_TOTALS = {
    "data/newplans.csv": "New EHC plans",
    "data/ceased_plans.csv": "All ceased EHC plans",
    "data/requests.csv": "All requests for EHC needs assessments",
    "data/assessments.csv": "All EHC needs assessments",
    "data/timeliness_20_week.csv": "All EHC plans issued",
}


def read_activity_2025_layout(zip_path: Path | str) -> pd.DataFrame:
    """New plans, ceased plans, requests, assessments and 20-week timeliness, in one long table.

    One row per (year, area, measure): ``year`` is the **calendar year** the activity happened
    in (DfE's ``time_period``; it is returned in the following January's SEN2), then
    :data:`AREA_COLUMNS`, ``measure`` (see :data:`ACTIVITY_MEASURES`), ``unit`` (``count`` or
    ``percent``), ``value`` (Float64) and ``flag``.
    """
    parts = []
    for member, measures in ACTIVITY_MEASURES.items():
        file = f"{Path(zip_path).name}:{member}"
        raw = read_release_csv(zip_path, member, _RELEASE_AREA + ["breakdown_topic", *measures])
        raw = raw[raw["breakdown_topic"].eq(_ACTIVITY_TOTALS[member])]
        years = raw["time_period"].astype("int64")
        head = pd.concat([pd.DataFrame({"year": years}), area_columns(raw, file)], axis=1)
        for column, (measure, unit) in measures.items():
            parsed = parse_measure(raw[column], file=file, column=column, integer=unit == "count")
            parts.append(
                head.assign(
                    measure=measure,
                    unit=unit,
                    value=parsed["value"].astype("Float64"),
                    flag=parsed["flag"],
                )
            )
    return pd.concat(parts, ignore_index=True).astype({"measure": "string", "unit": "string"})


def read_primary_need_2025_layout(zip_path: Path | str) -> pd.DataFrame:
    """EHC plans by primary need at the latest January: one row per (year, area, need)."""
    member = "data/sen_needs_all_plans.csv"
    file = f"{Path(zip_path).name}:{member}"
    raw = read_release_csv(zip_path, member, _RELEASE_AREA + ["breakdown_topic", *PRIMARY_NEEDS])
    raw = raw[raw["breakdown_topic"].eq("All EHC plans")]
    head = pd.concat(
        [pd.DataFrame({"year": _census_years(raw, file)}), area_columns(raw, file)], axis=1
    )
    parsed = _measures(raw, {c: c for c in PRIMARY_NEEDS}, file)
    return pd.concat(
        [
            head.assign(primary_need=name, ehcps=parsed[c], ehcps_flag=parsed[f"{c}_flag"])
            for c, name in PRIMARY_NEEDS.items()
        ],
        ignore_index=True,
    ).astype({"primary_need": "string"})
