"""The tidy tables, made from the raw inputs: read, checked against themselves, joined.

:func:`build_tables` is the one function that turns ``data/raw/`` into the tables
:mod:`sendlib.tables` stores (it writes nothing). Its steps, each a short function: find the
releases (:func:`releases_needed`), read what DfE and ONS published (:func:`read_published`),
check it (:mod:`sendlib.quality`, whose errors stop the build), and add the Inner and Outer
London totals and the newest release of each figure (:func:`assemble`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sendlib import config, footnotes, geography, quality
from sendlib.errors import DataFileError
from sendlib.ingest import dsg_allocations, high_needs, lookups, release_files, releases

TABLES = (
    "councils",
    "areas",
    "caseload",
    "caseload_releases",
    "caseload_by_age",
    "caseload_by_placement",
    "caseload_by_need",
    "ehcp_activity",
    "statistical_neighbours",
    "la_changes",
    "population",
    "specialist_spend",
    "dsg_deficit",
    "hnb_funding",
    "hn_benchmarking",
    "findings",
)
"""The tables, in the order the manifest lists them (see :mod:`sendlib.tables`)."""


def newest_release(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """For each (year, area, keys...), keep the row of the newest release (a new frame)."""
    ordered = table.sort_values("release", ascending=False, kind="stable")
    unique = ordered.drop_duplicates(["year", "level", "area_code", "old_la_code", *keys])
    return unique.sort_values(
        ["year", "level", "area_code", *keys], kind="stable", ignore_index=True
    )


def build_tables(
    raw_dir: Path | None = None, step: Callable[[str], None] = lambda _: None
) -> dict[str, pd.DataFrame]:
    """Read and check every raw input and return the tidy tables (nothing is written)."""
    raw = Path(raw_dir or config.RAW_DIR)
    history, current, found = releases_needed(raw)
    published, councils, lookups_read = read_published(raw, history, current, found, step)
    step("checking the published figures against themselves")
    findings = pd.concat(
        [
            quality.check(published, councils),
            quality.against_breakdowns(
                published["caseload_releases"], published["caseload_by_age_releases"], "age"
            ),
        ],
        ignore_index=True,
    )
    errors = findings[findings["severity"].eq("error")]
    if not errors.empty:
        raise quality.DataQualityError(errors)
    checked = {name: quality.condemn(name, frame, findings) for name, frame in published.items()}
    noted = [
        footnotes.footnote_findings(
            release_files.footnotes(r.path), councils, str(r.reporting_year)
        )
        for r in (history, current)
    ]
    findings = pd.concat([findings, *noted], ignore_index=True)
    tables = assemble(checked, councils) | lookups_read
    tables["dsg_deficit"] = lookups.read_dsg_deficit(raw / config.DSG_DEFICIT, councils)
    tables["hnb_funding"] = _known_councils(
        dsg_allocations.read_hnb_allocations(
            raw / config.DSG_ALLOCATIONS, raw / config.DSG_ALLOCATIONS_2023_24
        ),
        councils,
    )
    tables["hn_benchmarking"] = _known_councils(
        high_needs.read_high_needs_benchmarking(raw / config.HIGH_NEEDS_BENCHMARKING),
        councils,
        config.HIGH_NEEDS_BENCHMARKING,
    )
    tables["findings"] = findings.drop(columns=["_index", "_value"]).astype(
        {c: "string" for c in quality.FINDING_COLUMNS if c != "value"} | {"value": "Float64"}
    )
    assert set(tables) == set(TABLES), "build_tables and TABLES disagree"
    return {
        name: tables[name].astype({"release": "string"})
        if "release" in tables[name]
        else tables[name]
        for name in TABLES
    }


def releases_needed(raw: Path) -> tuple:
    """The history release (2022 layout), the newest release, and every release in data/raw;
    a :class:`DataFileError` naming the folder when one is missing."""
    found = release_files.releases_in(raw / config.EHCP_DIR)
    history = release_files.newest(found, ("2022",))
    current = release_files.newest(found, ("2025", "2026"))
    if history is None or current is None:
        raise DataFileError(
            str(raw / config.EHCP_DIR),
            "a release sendlib needs is missing",
            expected="education-health-and-care-plans_2022.zip (January 2010-2022) and a "
            "2025-or-later release",
            found=", ".join(r.name for r in found) or "no release zip",
            hint="restore the published files (git checkout -- data/raw/dfe-ehcp/) or run "
            "`sendlib data update`",
        )
    return history, current, found


def read_published(raw: Path, history, current, found, step: Callable[[str], None]) -> tuple:
    """What DfE and ONS published, as read: the tables the data check tests (by name), the
    council index, and the lookups that need no check (neighbours, council changes)."""
    step(f"reading the {history.reporting_year} EHCP release (2010-{history.reporting_year})")
    old = releases.read_caseload_2022_layout(history.path).assign(
        release=str(history.reporting_year)
    )
    step(
        f"reading the {current.reporting_year} EHCP release ({current.layout} layout, January "
        f"2019-{current.reporting_year}); releases in data/raw: "
        + ", ".join(f"{r.reporting_year} ({r.layout} layout)" for r in found)
    )
    totals, by_age, by_placement = releases.read_caseload(current.path, current.layout)
    activity = releases.read_activity(current.path, current.layout)
    needs = releases.read_primary_need(current.path, current.layout)
    earlier = [
        releases.read_caseload(r.path, r.layout)[0].assign(release=str(r.reporting_year))
        for r in found
        if r.layout in releases.LAYOUTS and r is not current
    ]
    step("reading statistical neighbours and council changes")
    sn_2025 = lookups.read_sn_model_2025(raw / config.SN_MODEL_2025, raw / config.SN_LOOKUP_2025)
    sn_2021, sn_councils = lookups.read_sn_model_2021(raw / config.SN_MODEL_2021)
    changes = lookups.read_la_changes(raw / config.LA_CHANGES)
    step("reading population estimates")
    young, all_ages = _populations(raw)
    step("building tidy tables")
    release = str(current.reporting_year)
    caseload = pd.concat(
        [
            old[old["age_band"].eq("Total")].drop(columns="age_band"),
            *[_as_caseload(f, f["release"].iloc[0], old) for f in earlier if len(f)],
            _as_caseload(totals, release, old),
        ],
        ignore_index=True,
    )
    councils = geography.council_index(caseload, sn_councils, sn_2025)
    _require_known_councils(councils, sn_councils, sn_2025, current)
    age = pd.concat(
        [
            old[old["age_band"].ne("Total")][list(by_age.columns)].assign(release="2022"),
            by_age.assign(release=release),
        ],
        ignore_index=True,
    )
    published = {
        "caseload_releases": caseload,
        "caseload_by_age_releases": age,
        "caseload_by_placement": by_placement.assign(release=release),
        "caseload_by_need": needs.assign(release=release),
        "ehcp_activity": activity.assign(release=release),
        "specialist_spend": lookups.read_specialist_spend(raw / config.SPECIALIST_SPEND, councils),
        "population": pd.concat(
            [young, _with_council_codes(all_ages, councils)], ignore_index=True
        ),
    }
    published = {name: frame.reset_index(drop=True) for name, frame in published.items()}
    neighbours = pd.concat([sn_2021, sn_2025], ignore_index=True)
    return published, councils, {"statistical_neighbours": neighbours, "la_changes": changes}


def _known_councils(
    funding: pd.DataFrame, councils: pd.DataFrame, file: str = config.DSG_ALLOCATIONS
) -> pd.DataFrame:
    """``funding`` unchanged when every council code in it is one the caseload knows;
    otherwise a :class:`DataFileError` listing every unknown code."""
    codes = funding["old_la_code"].dropna()
    unknown = sorted(set(codes) - set(councils["old_la_code"]))
    if unknown:
        rows = funding[funding["old_la_code"].isin(unknown)]
        raise DataFileError(
            str(file),
            "council codes the EHCP releases do not know",
            column="[A] (LA code)",
            expected="DfE 3-digit council codes present in the SEN2 caseload",
            found=", ".join(
                f"{r.old_la_code} {r.area_name} ({r.financial_year})" for r in rows.itertuples()
            ),
            hint="check the workbook is ESFA's, unchanged",
        )
    return funding


def _populations(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ONS's estimates aged 0 to 17 (every area) and 0 to 25 (by ONS code, every source)."""
    young = lookups.read_population_0_17(raw / config.POPULATION_0_17)
    all_ages = pd.concat(
        [
            lookups.read_population_0_25(raw / config.POPULATION_0_25),
            lookups.read_population_0_25_mid_2024(raw / config.POPULATION_MID_2024),
        ],
        ignore_index=True,
    )
    return young, all_ages


def _as_caseload(frame: pd.DataFrame, release: str, old: pd.DataFrame) -> pd.DataFrame:
    """A newer release's totals in the columns of the 2022 layout's (plans are EHC plans)."""
    return frame.assign(
        statements=pd.array([pd.NA] * len(frame), dtype="Int64"),
        statements_flag=pd.array(["z"] * len(frame), dtype="string"),
        ehc_plans=frame["ehcps"],
        ehc_plans_flag=frame["ehcps_flag"],
        release=release,
    )[list(old.columns.drop("age_band"))]


def assemble(checked: dict[str, pd.DataFrame], councils: pd.DataFrame) -> dict:
    """The checked tables with Inner and Outer London added and the newest release of each
    figure picked: every table but the lookups, ``dsg_deficit`` and ``findings``."""
    caseload, age = checked["caseload_releases"], checked["caseload_by_age_releases"]
    counts = {"statements": "statements_flag", "ehc_plans": "ehc_plans_flag", "ehcps": "ehcps_flag"}
    caseload = geography.add_inner_outer_london(caseload, councils, ["year", "release"], counts)
    age = geography.add_inner_outer_london(
        age, councils, ["year", "release", "age_band"], {"ehcps": "ehcps_flag"}
    )
    placement = geography.add_inner_outer_london(
        checked["caseload_by_placement"],
        councils,
        ["year", "release", "placement", "placement_label", "placement_group"],
        {"ehcps": "ehcps_flag"},
    )
    need = geography.add_inner_outer_london(
        checked["caseload_by_need"],
        councils,
        ["year", "release", "primary_need"],
        {"ehcps": "ehcps_flag"},
    )
    return {
        "councils": councils,
        "areas": geography.area_index(caseload, councils),
        "caseload": newest_release(caseload, []),
        "caseload_releases": caseload,
        "caseload_by_age": newest_release(age, ["age_band"]),
        "caseload_by_placement": placement,
        "caseload_by_need": need,
        "ehcp_activity": _activity_with_london(checked["ehcp_activity"], councils),
        "population": _population_with_london(checked["population"], councils),
        "specialist_spend": checked["specialist_spend"],
    }


def _population_with_london(population: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Inner and Outer London added to each population source that does not publish them."""
    has_london = (
        population["level"]
        .eq("inner_outer_london")
        .groupby(population["population_source"])
        .transform("any")
    )
    return pd.concat(
        [
            population[has_london],
            geography.add_inner_outer_london(
                population[~has_london],
                councils,
                ["year", "age_group", "population_source"],
                {"population": "population_flag"},
            ),
        ],
        ignore_index=True,
    )


def _activity_with_london(flows: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Inner and Outer London added to the activity counts (not to DfE's percentages)."""
    return pd.concat(
        [
            flows[flows["unit"].eq("percent")],
            geography.add_inner_outer_london(
                flows[flows["unit"].eq("count")],
                councils,
                ["year", "release", "measure", "unit"],
                {"value": "flag"},
            ),
        ],
        ignore_index=True,
    )


def _require_known_councils(
    councils: pd.DataFrame, sn_2021: pd.DataFrame, sn_2025: pd.DataFrame, release
) -> None:
    """Every council of the releases is one DfE's lookups know (its 2021 or 2025 neighbour
    model): a code none of them holds is a row DfE did not publish, refused with its name."""
    known = set(sn_2021["old_la_code"]) | set(sn_2025["old_la_code"])
    unknown = councils[~councils["old_la_code"].isin(known)]
    if not unknown.empty:
        raise DataFileError(
            str(release.path),
            f"{len(unknown)} council code(s) no DfE lookup knows",
            column="old_la_code",
            expected="the 3-digit code of a council in DfE's neighbour models (2021 or 2025)",
            found=", ".join(f"{r.old_la_code} ({r.area_name})" for r in unknown.itertuples()),
            hint="restore the release as DfE published it (`sendlib data update` fetches it)",
        )


def _with_council_codes(population: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Give a population table keyed by ONS codes the 3-digit codes and regions of councils,
    (a new frame)."""
    codes = councils.assign(code=councils["codes"].str.split("|")).explode("code")
    by_code = codes.drop_duplicates("code").set_index("code")
    is_council = population["level"].eq("council")
    found = population["area_code"].map(by_code["old_la_code"])
    unknown = is_council & found.isna()
    if unknown.any():
        first = population[unknown].iloc[0]
        raise DataFileError(
            config.POPULATION_0_25,
            "a council code that no DfE release uses",
            column="area_code",
            expected="a code of a council in the SEN2 data",
            found=f"{first['area_code']} ({first['area_name']})",
        )
    region_code = population["area_code"].map(by_code["region_code"])
    region_name = population["area_code"].map(by_code["region_name"])
    is_region = population["level"].eq("region")
    named = population.assign(
        old_la_code=found.astype("string"),
        region_code=region_code.where(is_council, population["area_code"].where(is_region)).astype(
            "string"
        ),
        region_name=region_name.where(is_council, population["area_name"].where(is_region)).astype(
            "string"
        ),
    )
    return named
