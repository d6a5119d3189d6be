"""Reading DfE's published files as they are published: zips of CSVs, never unzipped by hand.

One reader per release layout, each driven by the release's own column names:

* the **2022 layout** ("calendar year" files such as ``sen2_age_caseload.csv``: ``Total_st``,
  ``Total_ehc``, ``Total_all``; ``time_period`` is the census year, ``2019``), which carries the
  history of statements and EHC plans from January 2010 to January 2022;
* the **2025 layout** (``caseload.csv``, ``newplans.csv``...: ``ehcplans``; ``time_period`` is
  the academic year, ``201819`` for January 2019), January 2019 onwards;
* the **2026 layout**: the same files, with the special academy and free school placements
  split (``special_academy``, ``special_free_school``: before January 2026 the free schools are
  ``x`` and counted with the academies, as the 2025 release's ``special_academy_free`` shows),
  ages under the topic "Age at start of academic year", primary needs in
  ``sen_needs_caseload.csv`` with Down syndrome (``number_ds``), and new names for the topics
  of the flow files ("All new EHC plans", "All requests for an EHC needs assessment"...).

:mod:`sendlib.ingest.release_files` says which layout a zip is; :data:`LAYOUTS` holds, for each
layout read here, the names its files use, so one reader serves both (topics are matched
without regard to case: DfE's own labels vary, "Age 7" and "age 7").

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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Layout:
    """The names one layout of the release uses (see :data:`LAYOUTS`)."""

    age_topic: str
    special_split: bool
    need_member: str
    needs: tuple[str, ...]
    activity_topics: dict[str, str]
    activity_renames: dict[str, str]


LAYOUTS: dict[str, Layout] = {
    "2025": Layout(
        age_topic="Child or young persons age",
        special_split=False,
        need_member="data/sen_needs_all_plans.csv",
        needs=tuple(c for c in PRIMARY_NEEDS if c != "number_ds"),
        activity_topics={
            "data/newplans.csv": "New EHC plans",
            "data/ceased_plans.csv": "All ceased EHC plans",
            "data/requests.csv": "All requests for EHC needs assessments",
            "data/assessments.csv": "All EHC needs assessments",
            "data/timeliness_20_week.csv": "All EHC plans issued",
        },
        activity_renames={},
    ),
    "2026": Layout(
        age_topic="Age at start of academic year",
        special_split=True,
        need_member="data/sen_needs_caseload.csv",
        needs=tuple(PRIMARY_NEEDS),
        activity_topics={
            "data/newplans.csv": "All new EHC plans",
            "data/ceased_plans.csv": "All ceased EHC plans",
            "data/requests.csv": "All requests for an EHC needs assessment",
            "data/assessments.csv": "All EHC needs assessments",
            "data/timeliness_20_week.csv": "All EHC plans",
        },
        activity_renames={"PC_plans_issued_20_weeks_ex": "pc_plans_issued_20_weeks_ex"},
    ),
}
"""Each readable layout from 2025 on: the topic of single-year ages in ``caseload.csv``, whether
special academies and free schools are split, the primary-need file and its columns, the topic
of each flow file's totals, and the flow columns renamed from the 2025 names."""


def layout_of(zip_path: Path | str, layout: str | None = None) -> Layout:
    """The :class:`Layout` of a 2025-or-later release zip: ``layout`` when the caller has
    identified the zip already (:func:`sendlib.ingest.release_files.identify`), else found
    here (raises :class:`DataFileError`)."""
    if layout is None:
        from sendlib.ingest.release_files import identify

        layout = identify(zip_path).layout
    if layout not in LAYOUTS:
        raise DataFileError(
            str(zip_path),
            f"a {layout}-layout release where a 2025-or-later layout was expected",
            expected="caseload.csv, newplans.csv... (2025 or 2026 layout)",
            found=f"the {layout} layout",
        )
    return LAYOUTS[layout]


def _topic(raw: pd.DataFrame, topic: str) -> pd.Series:
    """Rows of ``raw`` whose ``breakdown_topic`` is ``topic``, whatever the case."""
    return raw["breakdown_topic"].str.strip().str.casefold().eq(topic.casefold())


def _require_topic(raw: pd.DataFrame, mask: pd.Series, topic: str, file: str) -> None:
    if not mask.any():
        found = ", ".join(sorted(set(raw["breakdown_topic"]))[:8])
        raise DataFileError(
            file,
            "no rows of the topic that holds the totals",
            column="breakdown_topic",
            expected=repr(topic),
            found=found or "no rows",
            hint="the release's layout has changed: report it at the project's issues",
        )


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


def read_caseload(
    zip_path: Path | str, layout: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """EHC plans at each January from a 2025- or 2026-layout release: totals, by age band, by
    placement.

    Returns three new frames, each with ``year`` (January census) and :data:`AREA_COLUMNS`:

    * totals: ``ehcps`` and ``ehcps_flag``;
    * by age: ``age_band`` (one of :data:`AGE_BANDS`), ``ehcps``, ``ehcps_flag`` (single years
      of age added up to bands; a band is missing if any of its ages is);
    * by placement: ``placement`` (the DfE column), ``placement_label``, ``placement_group``
      (see :data:`PLACEMENTS`), ``ehcps``, ``ehcps_flag``. In the 2026 layout the special
      academies and free schools are added up to ``special_academy_free`` (before January 2026
      DfE counts the free schools with the academies and prints ``x`` for them), so every
      release gives the same placements. ``layout`` (``"2025"``, ``"2026"``): see
      :func:`layout_of`.
    """
    member = "data/caseload.csv"
    file = f"{Path(zip_path).name}:{member}"
    layout = layout_of(zip_path, layout)
    split = ["special_academy", "special_free_school"] if layout.special_split else []
    placements_read = [c for c in PLACEMENTS if not (split and c == "special_academy_free")]
    raw = read_release_csv(
        zip_path,
        member,
        _RELEASE_AREA + ["breakdown_topic", "breakdown", "ehcplans", *placements_read, *split],
    )
    head = pd.concat(
        [
            pd.DataFrame({"year": _census_years(raw, file)}, index=raw.index),
            area_columns(raw, file),
        ],
        axis=1,
    )

    totals_mask = _topic(raw, "All EHC plans")
    _require_topic(raw, totals_mask, "All EHC plans", file)
    totals = pd.concat(
        [head[totals_mask], _measures(raw[totals_mask], {"ehcplans": "ehcps"}, file)], axis=1
    )

    by_age = _by_age_band(raw, head, layout, totals, file)
    placements = _measures(raw[totals_mask], {c: c for c in placements_read + split}, file)
    if split:
        placements = _special_academy_free(placements)
    long = [
        head[totals_mask].assign(
            placement=column,
            placement_label=label,
            placement_group=group,
            ehcps=placements[column],
            ehcps_flag=placements[f"{column}_flag"],
        )
        for column, (label, group) in PLACEMENTS.items()
    ]
    by_placement = pd.concat(long, ignore_index=True).astype(
        {"placement": "string", "placement_label": "string", "placement_group": "string"}
    )
    return totals.reset_index(drop=True), by_age, by_placement


def _by_age_band(raw, head, layout, totals, file) -> pd.DataFrame:
    """Plans by age band from the single ages of the release (a band is missing if any of its
    ages is; a band with no row is zero only where the bands add up to the total)."""
    age_mask = _topic(raw, layout.age_topic)
    _require_topic(raw, age_mask, layout.age_topic, file)
    ages = pd.concat(
        [head[age_mask], _measures(raw[age_mask], {"ehcplans": "ehcps"}, file)], axis=1
    ).assign(
        age_band=raw.loc[age_mask, "breakdown"].str.strip().str.casefold().map(_single_age_band)
    )
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
    return complete_categories(by_age, "age_band", AGE_BANDS, totals)


def _special_academy_free(placements: pd.DataFrame) -> pd.DataFrame:
    """The 2026 layout's special academies and free schools as one placement (a new frame).

    Where the free schools are ``x`` (before January 2026 DfE counts them with the academies:
    its 2025 release's ``special_academy_free`` equals the 2026 release's ``special_academy``),
    the academies' figure is the sum; where the academies are missing, so is the sum.
    """
    academy, free = placements["special_academy"], placements["special_free_school"]
    combined = free.isna() & placements["special_free_school_flag"].eq("x").fillna(False)
    total = (academy + free).where(~combined, academy)
    flag = placements["special_academy_flag"].where(
        academy.isna(), placements["special_free_school_flag"].where(~combined)
    )
    return placements.assign(special_academy_free=total, special_academy_free_flag=flag)


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


def read_activity(zip_path: Path | str, layout: str | None = None) -> pd.DataFrame:
    """New plans, ceased plans, requests, assessments and 20-week timeliness, in one long table.

    One row per (year, area, measure): ``year`` is the **calendar year** the activity happened
    in (DfE's ``time_period``; it is returned in the following January's SEN2), then
    :data:`AREA_COLUMNS`, ``measure`` (see :data:`ACTIVITY_MEASURES`), ``unit`` (``count`` or
    ``percent``), ``value`` (Float64) and ``flag``.
    """
    layout = layout_of(zip_path, layout)
    parts = []
    for member, measures in ACTIVITY_MEASURES.items():
        file = f"{Path(zip_path).name}:{member}"
        published = {layout.activity_renames.get(c, c): c for c in measures}
        raw = read_release_csv(zip_path, member, _RELEASE_AREA + ["breakdown_topic", *published])
        mask = _topic(raw, layout.activity_topics[member])
        _require_topic(raw, mask, layout.activity_topics[member], file)
        raw = raw[mask].rename(columns=published)
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


def read_primary_need(zip_path: Path | str, layout: str | None = None) -> pd.DataFrame:
    """EHC plans by primary need at each January the release gives them (2025 layout:
    ``sen_needs_all_plans.csv``; 2026 layout: ``sen_needs_caseload.csv``, with Down syndrome):
    one row per (year, area, need)."""
    layout = layout_of(zip_path, layout)
    member = layout.need_member
    file = f"{Path(zip_path).name}:{member}"
    raw = read_release_csv(zip_path, member, _RELEASE_AREA + ["breakdown_topic", *layout.needs])
    mask = _topic(raw, "All EHC plans")
    _require_topic(raw, mask, "All EHC plans", file)
    raw = raw[mask]
    head = pd.concat(
        [pd.DataFrame({"year": _census_years(raw, file)}), area_columns(raw, file)], axis=1
    )
    parsed = _measures(raw, {c: c for c in layout.needs}, file)
    return pd.concat(
        [
            head.assign(
                primary_need=PRIMARY_NEEDS[c], ehcps=parsed[c], ehcps_flag=parsed[f"{c}_flag"]
            )
            for c in layout.needs
        ],
        ignore_index=True,
    ).astype({"primary_need": "string"})
