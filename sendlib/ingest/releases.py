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
from sendlib.geography import AREA_COLUMNS
from sendlib.ingest.cells import january_census_year, parse_measure, require_columns

LEVELS = {"National": "national", "Regional": "region", "Local authority": "council"}

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


def _areas(raw: pd.DataFrame, file: str) -> pd.DataFrame:
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

AGE_BANDS = ["Under 5", "5 to 10", "11 to 15", "16 to 19", "20 to 25"]
"""Age bands of the caseload, as DfE publishes them (age at the January census)."""

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
            _areas(raw, file),
            pd.DataFrame({"age_band": raw["characteristic_age"].map(_AGE_2022).astype("string")}),
            measures,
        ],
        axis=1,
    )


# --- the 2025 layout ---------------------------------------------------------------------------

PLACEMENTS: dict[str, tuple[str, str]] = {
    "mainstream_la_maintained": ("Mainstream LA maintained school", "Mainstream"),
    "mainstream_academy": ("Mainstream academy", "Mainstream"),
    "mainstream_free_school": ("Mainstream free school", "Mainstream"),
    "mainstream_independent": ("Mainstream independent school", "Mainstream"),
    "mainstream_la_maintained_resourced_provision": (
        "LA maintained school - resourced provision",
        "Resourced provision or SEN unit",
    ),
    "mainstream_la_maintained_senunit": (
        "LA maintained school - SEN unit",
        "Resourced provision or SEN unit",
    ),
    "mainstream_academy_resourced_provision": (
        "Academy - resourced provision",
        "Resourced provision or SEN unit",
    ),
    "mainstream_academy_senunit": ("Academy - SEN unit", "Resourced provision or SEN unit"),
    "mainstream_free_school_resourced_provision": (
        "Free school - resourced provision",
        "Resourced provision or SEN unit",
    ),
    "mainstream_free_school_senunit": ("Free school - SEN unit", "Resourced provision or SEN unit"),
    "special_la_maintained": ("LA maintained special school", "Maintained special"),
    "special_academy_free": ("Special academy or free school", "Maintained special"),
    "special_independent": ("Independent special school", "Independent or non-maintained special"),
    "special_non_maintained": (
        "Non-maintained special school",
        "Independent or non-maintained special",
    ),
    "ap_pru_la_maintained": ("Pupil referral unit", "Alternative provision"),
    "ap_pru_academy": ("Alternative provision academy", "Alternative provision"),
    "ap_pru_free_school": ("Alternative provision free school", "Alternative provision"),
    "general_fe_tertiary_colleges": ("FE college or sixth form", "Further education"),
    "specialist_post_16_institutions": ("Specialist post-16 institution", "Further education"),
    "ukrlp_provider": ("UKRLP provider", "Further education"),
    "elective_home_education": ("Elective home education", "Other or not in education"),
    "other_arrangements_la": ("Other arrangements made by the LA", "Other or not in education"),
    "other_arrangements_parents": (
        "Other arrangements made by parents",
        "Other or not in education",
    ),
    "online_provider": ("Online provider", "Other or not in education"),
    "w_settings": ("Welsh school or establishment", "Other or not in education"),
    "other_schools": ("Other school type", "Other or not in education"),
    "other_placement_settings": ("Other type of placement", "Other or not in education"),
    "neet": ("Not in education, employment or training", "Other or not in education"),
    "neet_ntci": ("Not in education - notice to cease issued", "Other or not in education"),
    "neet_other": ("Not in education - other ages", "Other or not in education"),
    "neet_other_csa": ("Not in education - compulsory school age", "Other or not in education"),
    "nm_early_years": ("Non-maintained early years", "Other or not in education"),
    "await_prov_2022": ("Awaiting provision (to 2022)", "Other or not in education"),
    "perm_ex_2022": ("Permanently excluded (to 2022)", "Other or not in education"),
    "placement_unknown": ("Placement not recorded", "Other or not in education"),
}
"""Each placement column of the 2025 caseload file: (its label, its placement group).

The columns are the finest DfE publishes; together they add up to ``ehcplans`` (except where
the data guidance says a council could not return placements). The groups are the ones boards
compare: mainstream, resourced provision or SEN unit, maintained special, independent or
non-maintained special, alternative provision, further education, other or not in education.
"""

PLACEMENT_GROUPS = list(dict.fromkeys(group for _, group in PLACEMENTS.values()))


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
        [pd.DataFrame({"year": _census_years(raw, file)}, index=raw.index), _areas(raw, file)],
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
        head = pd.concat([pd.DataFrame({"year": years}), _areas(raw, file)], axis=1)
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


PRIMARY_NEEDS: dict[str, str] = {
    "number_asd": "Autistic spectrum disorder",
    "number_slcn": "Speech, language and communication needs",
    "number_semh": "Social, emotional and mental health",
    "number_mld": "Moderate learning difficulty",
    "number_sld": "Severe learning difficulty",
    "number_pmld": "Profound and multiple learning difficulty",
    "number_spld": "Specific learning difficulty",
    "number_pd": "Physical disability",
    "number_hi": "Hearing impairment",
    "number_vi": "Visual impairment",
    "number_msi": "Multi-sensory impairment",
    "number_oth": "Other difficulty or disability",
    "number_need_unknown": "Primary need not recorded",
}
"""Primary-need columns of the 2025 release's ``sen_needs_all_plans.csv`` and their names."""


def read_primary_need_2025_layout(zip_path: Path | str) -> pd.DataFrame:
    """EHC plans by primary need at the latest January: one row per (year, area, need)."""
    member = "data/sen_needs_all_plans.csv"
    file = f"{Path(zip_path).name}:{member}"
    raw = read_release_csv(zip_path, member, _RELEASE_AREA + ["breakdown_topic", *PRIMARY_NEEDS])
    raw = raw[raw["breakdown_topic"].eq("All EHC plans")]
    head = pd.concat([pd.DataFrame({"year": _census_years(raw, file)}), _areas(raw, file)], axis=1)
    parsed = _measures(raw, {c: c for c in PRIMARY_NEEDS}, file)
    return pd.concat(
        [
            head.assign(primary_need=name, ehcps=parsed[c], ehcps_flag=parsed[f"{c}_flag"])
            for c, name in PRIMARY_NEEDS.items()
        ],
        ignore_index=True,
    ).astype({"primary_need": "string"})


# --- statistical neighbours and lookups --------------------------------------------------------


def _read_plain_csv(path: Path | str, columns: Sequence[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise DataFileError(
            str(path),
            "the file is missing",
            expected="the published file",
            found="no file",
            hint="restore it with git checkout -- " + str(path),
        )
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFileError(str(path), "the CSV cannot be parsed", found=str(exc)) from exc
    require_columns(raw.columns, columns, file=path.name)
    return raw


def _closeness(labels: pd.Series) -> pd.Series:
    """DfE's closeness bands, tidied ('Close ' and 'Very Close' -> 'Close', 'Very close')."""
    return labels.str.strip().str.capitalize().replace("", pd.NA).astype("string")


def read_sn_model_2025(model_path: Path | str, lookup_path: Path | str) -> pd.DataFrame:
    """DfE's 2025 statistical neighbour model, one row per (council, rank).

    Columns: ``model`` ("2025"), ``old_la_code``, ``area_code``, ``area_name``, ``rank`` (1 is
    closest), ``neighbour_old_la_code``, ``neighbour_area_code``, ``neighbour_name``,
    ``closeness`` (Extremely close, Very close, Close, Somewhat close, Not close). The
    9-character codes are the ONS 2023+ ones this model uses (North Yorkshire E06000065,
    Somerset E06000066), so join to SEN2 tables on the 3-digit codes.
    """
    model = _read_plain_csv(
        model_path, ["la_code", "la_name", "SN", "SN_code", "SN_name", "SN_prox"]
    )
    lookup = _read_plain_csv(lookup_path, ["la_code", "old_la_code"])
    old = dict(zip(lookup["la_code"], lookup["old_la_code"], strict=True))
    missing = sorted((set(model["la_code"]) | set(model["SN_code"])) - set(old))
    if missing:
        raise DataFileError(
            Path(lookup_path).name,
            "a council code of the model is not in the lookup",
            column="la_code",
            expected="every code of the SN model",
            found=f"no row for {missing[0]}",
        )
    return pd.DataFrame(
        {
            "model": "2025",
            "old_la_code": model["la_code"].map(old),
            "area_code": model["la_code"],
            "area_name": model["la_name"],
            "rank": pd.to_numeric(model["SN"]).astype("int64"),
            "neighbour_old_la_code": model["SN_code"].map(old),
            "neighbour_area_code": model["SN_code"],
            "neighbour_name": model["SN_name"],
            "closeness": _closeness(model["SN_prox"]),
        }
    ).astype(
        {
            c: "string"
            for c in [
                "model",
                "old_la_code",
                "area_code",
                "area_name",
                "neighbour_old_la_code",
                "neighbour_area_code",
                "neighbour_name",
            ]
        }
    )


def read_sn_model_2021(path: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """DfE's April 2021 statistical neighbour groupings (the wide CSV as DfE ships it).

    Returns ``(neighbours, councils)``: neighbours as in :func:`read_sn_model_2025` but with
    ``model`` "2021" and no 9-character codes (the file has none); councils one row per council
    with ``old_la_code``, ``area_name`` and ``subregion`` (DfE's GOReg: the region, or
    ``London (Inner)`` / ``London (Outer)`` for boroughs). Rows after "Old SNs:" are councils
    that no longer exist (Dorset county, Poole, Bournemouth, Northamptonshire) and are kept.
    """
    raw = _read_plain_csv(path, ["LA num", "LA Name", "GOReg", "SN1", "SNP", "SN10"])
    raw = raw[raw["LA num"].str.strip().str.fullmatch(r"\d{3}")]
    councils = pd.DataFrame(
        {
            "old_la_code": raw["LA num"].str.strip(),
            "area_name": raw["LA Name"].str.strip(),
            "subregion": raw["GOReg"].str.strip(),
        }
    ).astype("string")
    names = dict(zip(councils["old_la_code"], councils["area_name"], strict=True))
    rows = []
    for rank in range(1, 11):
        prox = "SNP" if rank == 1 else f"SNP.{rank - 1}"
        rows.append(
            pd.DataFrame(
                {
                    "model": "2021",
                    "old_la_code": councils["old_la_code"],
                    "area_code": pd.NA,
                    "area_name": councils["area_name"],
                    "rank": rank,
                    "neighbour_old_la_code": raw[f"SN{rank}"].str.strip(),
                    "neighbour_area_code": pd.NA,
                    "neighbour_name": raw[f"SN{rank}"].str.strip().map(names),
                    "closeness": _closeness(raw[prox]),
                }
            )
        )
    neighbours = pd.concat(rows, ignore_index=True)
    unknown = neighbours["neighbour_name"].isna()
    if unknown.any():
        code = neighbours.loc[unknown, "neighbour_old_la_code"].iloc[0]
        raise DataFileError(
            Path(path).name,
            "a neighbour code names no council of the file",
            expected="a 3-digit code listed in 'LA num'",
            found=repr(code),
        )
    neighbours = neighbours.sort_values(["old_la_code", "rank"], ignore_index=True)
    return neighbours.astype({c: "string" for c in neighbours.columns if c != "rank"}), councils


def read_la_changes(path: Path | str) -> pd.DataFrame:
    """The council mergers, splits and re-codings that break SEN2 time series (2019-2025).

    Columns as in the file: ``effective_date``, ``change_type``, ``before_old_la_code``,
    ``before_new_la_code``, ``before_la_name``, ``after_old_la_code``, ``after_new_la_code``,
    ``after_la_name``, ``first_sen2_january_as_after``, ``notes`` (all text).
    """
    columns = [
        "effective_date",
        "change_type",
        "before_old_la_code",
        "before_new_la_code",
        "before_la_name",
        "after_old_la_code",
        "after_new_la_code",
        "after_la_name",
        "first_sen2_january_as_after",
        "notes",
    ]
    return _read_plain_csv(path, columns)[columns].astype("string")


# --- population --------------------------------------------------------------------------------

POPULATION_COLUMNS = [
    "year",
    *AREA_COLUMNS,
    "age_group",
    "population",
    "population_flag",
    "population_source",
]
"""Columns of the population tables: ``year`` is the **mid-year** of the estimate (30 June)."""


def read_population_0_17(path: Path | str) -> pd.DataFrame:
    """ONS mid-year estimates of children aged 0 to 17, mid-2012 to mid-2024 (DfE's file).

    On ONS's 2025-revised series and each year's council geography. Returns
    :data:`POPULATION_COLUMNS` with ``age_group`` "0 to 17". DfE's file puts London boroughs in
    the region "Inner London"/"Outer London": here their region is London, as elsewhere.
    """
    columns = [
        "time_period",
        "geographic_level",
        "region_code",
        "region_name",
        "old_la_code",
        "new_la_code",
        "la_name",
        "age_group",
        "population_estimate",
    ]
    raw = _read_plain_csv(path, columns)
    file = Path(path).name
    raw = raw.assign(country_code="E92000001")
    london = raw["region_code"].isin(["E13000001", "E13000002"])
    is_subregion = london & raw["geographic_level"].eq("Regional")
    areas = _areas(raw.assign(geographic_level=raw["geographic_level"]), file)
    areas.loc[is_subregion, "level"] = "inner_outer_london"
    areas.loc[london & ~is_subregion, ["region_code", "region_name"]] = ["E12000007", "London"]
    areas.loc[is_subregion, ["region_code", "region_name"]] = ["E12000007", "London"]
    parsed = parse_measure(raw["population_estimate"], file=file, column="population_estimate")
    return pd.concat(
        [
            pd.DataFrame({"year": raw["time_period"].astype("int64")}),
            areas,
            pd.DataFrame(
                {
                    "age_group": "0 to 17",
                    "population": parsed["value"],
                    "population_flag": parsed["flag"],
                    "population_source": "ONS mid-year estimates (2025 revision), via DfE",
                },
                index=raw.index,
            ),
        ],
        axis=1,
    ).astype({"age_group": "string", "population_source": "string"})


def read_population_0_25(path: Path | str) -> pd.DataFrame:
    """ONS mid-year estimates of people aged 0 to 25, mid-2011, mid-2022 and mid-2023.

    Summed from single years of age, on 2023 council boundaries with ONS 2023 codes (join on
    the 3-digit code, which this file lacks: ``old_la_code`` is missing here and filled by the
    caller). Returns :data:`POPULATION_COLUMNS` with ``age_group`` "0 to 25".
    """
    raw = _read_plain_csv(
        path, ["year", "area_code", "area_name", "geography", "age", "population"]
    )
    file = Path(path).name
    parsed = parse_measure(raw["population"], file=file, column="population")
    ages = pd.to_numeric(raw["age"], errors="coerce")
    if ages.isna().any() or not ages.between(0, 25).all():
        raise DataFileError(
            file,
            "an age outside 0 to 25",
            column="age",
            expected="whole years 0 to 25",
            found=repr(raw.loc[ages.isna() | ~ages.between(0, 25), "age"].iloc[0]),
        )
    tidy = raw.assign(population=parsed["value"])
    summed = (
        tidy.groupby(["year", "area_code", "area_name", "geography"], sort=False)
        .agg(population=("population", "sum"), ages=("age", "nunique"))
        .reset_index()
    )
    if not summed["ages"].eq(26).all():
        first = summed[summed["ages"].ne(26)].iloc[0]
        raise DataFileError(
            file,
            "an area without all 26 single years of age",
            column="age",
            expected="ages 0 to 25 for every area and year",
            found=f"{first['ages']} ages for {first['area_name']} {first['year']}",
        )
    level = summed["geography"].map({"Country": "national", "Region": "region"}).fillna("council")
    name = summed["area_name"].where(
        level.eq("council"),
        summed["area_name"]
        .str.title()
        .str.replace(" And ", " and ")
        .str.replace(" Of ", " of ")
        .str.replace("The ", "The "),
    )
    return pd.DataFrame(
        {
            "year": summed["year"].astype("int64"),
            "level": level,
            "area_code": summed["area_code"],
            "old_la_code": pd.NA,
            "area_name": name,
            "region_code": pd.NA,
            "region_name": pd.NA,
            "age_group": "0 to 25",
            "population": summed["population"].astype("Int64"),
            "population_flag": pd.NA,
            "population_source": "ONS mid-year estimates (published 2024)",
        }
    ).astype(
        {
            c: "string"
            for c in [
                "level",
                "area_code",
                "old_la_code",
                "area_name",
                "region_code",
                "region_name",
                "age_group",
                "population_flag",
                "population_source",
            ]
        }
    )


# --- public finance ------------------------------------------------------------------------------


def _with_codes(
    frame: pd.DataFrame, councils: pd.DataFrame, file: str, census_year: pd.Series
) -> pd.Series:
    """3-digit codes for council names as a finance file spells them ("St. Helens"), each the
    council of that name that existed in the row's year (``census_year``: the January census
    within the financial year). Dorset in 2018-19 is the county (835), from 2019-20 the new
    council (838); a name no council of that year had keeps the only council of that name."""
    from sendlib.geography import normalise_name, strict_name

    spellings: dict[str, list] = {}
    for row in councils.itertuples():
        for spelling in row.names.split("|"):
            for key in {strict_name(spelling), normalise_name(spelling)}:
                spellings.setdefault(key, []).append(row)
    codes = {}
    for name, year in frame.assign(_y=census_year)[["la_name", "_y"]].drop_duplicates().values:
        if pd.isna(name):
            continue
        rows = spellings.get(strict_name(name)) or spellings.get(normalise_name(name))
        if not rows:
            raise DataFileError(
                file,
                "a council name sendlib does not know",
                column="la_name",
                expected="a council DfE publishes (any of its published spellings)",
                found=repr(name),
                hint="check the file is the release sendlib expects, or add the spelling to "
                "sendlib.geography.EVERYDAY_NAMES if it is a council's usual name",
            )
        rows = list({r.old_la_code: r for r in rows}.values())
        alive = [r for r in rows if r.first_year <= year <= r.last_year]
        pick = alive if alive else rows
        codes[(name, year)] = sorted(pick, key=lambda r: (r.current, r.last_year))[-1].old_la_code
    keys = list(zip(frame["la_name"], census_year, strict=True))
    return pd.Series([codes.get(k, pd.NA) for k in keys], index=frame.index, dtype="string")


def census_year_of(financial_year: pd.Series) -> pd.Series:
    """The January census inside each financial year ("2018-19" or "2018/19" -> 2019).

    >>> census_year_of(pd.Series(["2018-19", "2021/22"])).tolist()
    [2019, 2022]
    """
    return financial_year.str.slice(0, 4).astype("int64") + 1


def read_specialist_spend(path: Path | str, councils: pd.DataFrame) -> pd.DataFrame:
    """Section 251 outturn spend on specialist top-ups, by sector, for each council, 2018-19 to
    2021-22 (DfE's SEND and AP dashboard): ``financial_year`` (``2021/22``), ``old_la_code``,
    ``area_name``, ``sector`` (State, Independent or non-maintained, Total), ``spend`` (£),
    ``spend_flag`` (why spend is missing), ``population_2_18`` (ONS projection the dashboard
    used)."""
    raw = _read_plain_csv(path, ["la_name", "category", "year", "pop_est", "total_spend"])
    file = Path(path).name
    spend = parse_measure(raw["total_spend"], file=file, column="total_spend", integer=False)
    population = parse_measure(raw["pop_est"], file=file, column="pop_est", integer=False)
    return pd.DataFrame(
        {
            "financial_year": raw["year"].str.replace("-", "/"),
            "old_la_code": _with_codes(raw, councils, file, census_year_of(raw["year"])),
            "area_name": raw["la_name"],
            "sector": raw["category"],
            "spend": spend["value"],
            "spend_flag": spend["flag"],
            "population_2_18": population["value"],
        }
    ).astype({"financial_year": "string", "area_name": "string", "sector": "string"})


def read_dsg_deficit(path: Path | str, councils: pd.DataFrame) -> pd.DataFrame:
    """Each council's cumulative DSG deficit as % of its DSG income, 2019-20 to 2021-22 (DfE's
    SEND and AP dashboard, from section 251 outturn): ``financial_year``, ``level``,
    ``old_la_code``, ``area_name``, ``region_name``, ``deficit_pct`` (positive = deficit)."""
    raw = _read_plain_csv(
        path, ["geographic_level", "region_name", "la_name", "deficit", "financial_year"]
    )
    file = Path(path).name
    raw = raw.assign(la_name=raw["la_name"].replace("", pd.NA))
    level = raw["geographic_level"].map(LEVELS)
    deficit = parse_measure(raw["deficit"], file=file, column="deficit", integer=False)
    return pd.DataFrame(
        {
            "financial_year": raw["financial_year"].str.replace("-", "/"),
            "level": level,
            "old_la_code": _with_codes(raw, councils, file, census_year_of(raw["financial_year"])),
            "area_name": raw["la_name"].fillna(raw["region_name"]),
            "region_name": raw["region_name"],
            "deficit_pct": deficit["value"],
        }
    ).astype(
        {
            "financial_year": "string",
            "level": "string",
            "area_name": "string",
            "region_name": "string",
        }
    )
