"""Reading DfE's lookups: the statistical neighbour models (2021 and 2025), the table of
councils' boundary and code changes, ONS population estimates and the public finance files
(section 251 specialist spend, DSG deficits) from DfE's SEND and AP dashboard.

Each reader checks the columns it needs and returns a new tidy frame; a file sendlib cannot
read fails with :class:`~sendlib.errors.DataFileError` naming the file, column and value.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sendlib.errors import DataFileError
from sendlib.ingest.cells import parse_measure, require_columns
from sendlib.ingest.releases import area_columns as _areas
from sendlib.periods import FinancialYear
from sendlib.vocab import AREA_COLUMNS, LEVELS, normalise_name, strict_name

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
    """ONS mid-year estimates of people aged 0 to 25, mid-2011, mid-2022 and mid-2023 (for
    mid-2024 see :func:`read_population_0_25_mid_2024`).

    Summed from single years of age, on 2023 council boundaries with ONS 2023 codes (join on
    the 3-digit code, which this file lacks: ``old_la_code`` is missing here and filled by the
    caller). Returns :data:`POPULATION_COLUMNS` with ``age_group`` "0 to 25".
    """
    raw = _read_plain_csv(
        path, ["year", "area_code", "area_name", "geography", "age", "population"]
    )
    return _population_0_25(raw, Path(path).name, "ONS mid-year estimates (published 2024)")


ENGLISH_UPPER_TIER = ("E92", "E12", "E10", "E06", "E08", "E09")
"""ONS code prefixes of England, its regions and its upper-tier councils (counties, unitary
authorities, metropolitan districts, London boroughs): the areas SEN2 reports."""


def read_population_0_25_mid_2024(path: Path | str) -> pd.DataFrame:
    """ONS mid-2024 estimates of people aged 0 to 25, from ONS's MYE2 persons table (one row per
    area of England and Wales, a column per single year of age ``0`` ... ``90+``).

    England, its regions and its 153 upper-tier councils are kept (:data:`ENGLISH_UPPER_TIER`);
    districts, Wales and England and Wales are not SEN2 areas. Returns what
    :func:`read_population_0_25` returns, for mid-2024, its source the 2025 ONS release (the
    series the 0 to 17 file follows; the mid-2011 to mid-2023 0 to 25 figures are from ONS's
    2024 release).
    """
    ages = [str(age) for age in range(26)]
    wide = _read_plain_csv(path, ["Code", "Name", "Geography", *ages])
    wide = wide[wide["Code"].str[:3].isin(ENGLISH_UPPER_TIER)]
    long = wide.melt(
        id_vars=["Code", "Name", "Geography"], value_vars=ages, var_name="age", value_name="n"
    )
    raw = pd.DataFrame(
        {
            "year": "2024",
            "area_code": long["Code"],
            "area_name": long["Name"],
            "geography": long["Geography"],
            "age": long["age"],
            "population": long["n"],
        }
    )
    return _population_0_25(raw, Path(path).name, "ONS mid-year estimates (published 2025)")


def _population_0_25(raw: pd.DataFrame, file: str, source: str) -> pd.DataFrame:
    """Single years of age 0 to 25 (text, as read) summed to one row per (year, area)."""
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
    out = pd.DataFrame(
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
            "population_source": source,
        }
    )
    return out.astype({c: "string" for c in out.columns if c not in ("year", "population")})


# --- public finance ------------------------------------------------------------------------------


def _with_codes(
    frame: pd.DataFrame, councils: pd.DataFrame, file: str, census_year: pd.Series
) -> pd.Series:
    """3-digit codes for council names as a finance file spells them ("St. Helens"), each the
    council of that name that existed in the row's year (``census_year``: the January census
    within the financial year). Dorset in 2018-19 is the county (835), from 2019-20 the new
    council (838); a name no council of that year had keeps the only council of that name."""
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
    return financial_year.map(lambda text: FinancialYear.parse(text).census_year).astype("int64")


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
