"""Every layout of DfE's EHCP release is read as published, and any other zip is refused by name.

The 2026 layout is tested on real rows of DfE's 2026 files (tests/fixtures/ehcp-2026, see its
README); expected values are DfE's printed figures, or DfE's rows read here with pandas alone.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sendlib import config, tables
from sendlib.errors import DataFileError
from sendlib.ingest import release_files, releases

FIXTURE = Path(__file__).parent / "fixtures" / "ehcp-2026"
RELEASE_2025 = config.RAW_DIR / config.EHCP_RELEASE_2025


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip ``folder`` as DfE does (``data/...``, ``data-guidance/...``) into ``target``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "README.md":
                archive.write(path, path.relative_to(folder).as_posix())
    return target


@pytest.fixture(scope="module")
def release_2026(tmp_path_factory) -> Path:
    return zip_folder(
        FIXTURE, tmp_path_factory.mktemp("r") / "education-health-and-care-plans_2026.zip"
    )


def published(member: str) -> pd.DataFrame:
    """A fixture file as DfE wrote it, read with pandas alone."""
    return pd.read_csv(FIXTURE / "data" / member, dtype=str, keep_default_na=False)


def test_each_release_says_its_layout_and_reporting_year(release_2026):
    assert release_files.identify(release_2026).layout == "2026"
    assert release_files.identify(release_2026).reporting_year == 2026
    assert release_files.identify(RELEASE_2025).layout == "2025"
    old = release_files.identify(config.RAW_DIR / config.EHCP_RELEASE_2022)
    assert (old.layout, old.reporting_year) == ("2022", 2022)


def test_2026_totals_as_dfe_printed_them(release_2026):
    totals, _, _ = releases.read_caseload(release_2026)
    at = totals.set_index(["year", "area_name"])["ehcps"]
    # DfE's 2026 caseload.csv, 202526 "All EHC plans": England 718,838; West Midlands 75,241.
    assert at[(2026, "England")] == 718_838
    assert at[(2026, "West Midlands")] == 75_241
    assert at[(2026, "Plymouth")] == 3_646
    assert at[(2019, "England")] == 353_995


def test_2026_placements_add_up_as_published(release_2026):
    _, _, by_placement = releases.read_caseload(release_2026)
    rows = published("caseload.csv")
    rows = rows[rows["breakdown_topic"].eq("All EHC plans")]
    for year, area in [("202526", "England"), ("202526", "West Midlands"), ("201819", "England")]:
        row = rows[
            rows["time_period"].eq(year)
            & (rows["la_name"].eq(area) | rows["region_name"].eq(area) | (area == "England"))
            & rows["geographic_level"].eq("Regional" if area != "England" else "National")
        ].iloc[0]
        ours = (
            by_placement[
                by_placement["year"].eq(int(year[:2] + year[-2:]))
                & by_placement["area_name"].eq(area)
            ]
            .groupby("placement_group")["ehcps"]
            .sum()
        )
        assert ours["Mainstream"] + ours["Resourced provision or SEN unit"] == int(
            row["mainstream_total"]
        )
        assert ours["Maintained special"] + ours["Independent or non-maintained special"] == int(
            row["special_total"]
        )
        assert ours["Alternative provision"] == int(row["ap_pru_total"])
        assert ours["Independent or non-maintained special"] == int(
            row["special_independent"]
        ) + int(row["special_non_maintained"])


def test_special_academies_and_free_schools_read_across_the_split(release_2026):
    _, _, by_placement = releases.read_caseload(release_2026)
    ours = by_placement[by_placement["placement"].eq("special_academy_free")].set_index(
        ["year", "area_name"]
    )["ehcps"]
    # 2026: academies 71,570 + free schools 13,545 as printed; 2019: free schools "x", counted
    # with the academies, as the 2025 release's special_academy_free (read here) shows.
    assert ours[(2026, "England")] == 71_570 + 13_545
    with zipfile.ZipFile(RELEASE_2025) as archive:
        old = pd.read_csv(archive.open("data/caseload.csv"), dtype=str, encoding="utf-8-sig")
    england_2019 = old[
        old["time_period"].eq("201819")
        & old["geographic_level"].eq("National")
        & old["breakdown_topic"].eq("All EHC plans")
    ]["special_academy_free"].iloc[0]
    assert ours[(2019, "England")] == int(england_2019) == 35_065


def test_2026_ages_from_a_whole_council_block(release_2026):
    _, by_age, _ = releases.read_caseload(release_2026)
    rows = published("caseload.csv")
    ages = rows[
        rows["la_name"].eq("Plymouth") & rows["breakdown_topic"].eq("Age at start of academic year")
    ]
    years = ages["breakdown"].str.replace("under 3", "age 2").str.removeprefix("age ").astype(int)
    plans = ages["ehcplans"].astype(int)
    ours = by_age[by_age["area_name"].eq("Plymouth") & by_age["year"].eq(2026)].set_index(
        "age_band"
    )["ehcps"]
    assert ours["Under 5"] == plans[years <= 4].sum() == 115
    assert ours["5 to 10"] == plans[years.between(5, 10)].sum()
    assert ours["20 to 25"] == plans[years >= 20].sum()
    assert ours.sum() == 3_646


def test_2026_flow_files_under_their_new_names(release_2026):
    activity = releases.read_activity(release_2026)
    england = activity[activity["area_name"].eq("England")].set_index(["year", "measure"])["value"]
    assert england[(2019, "new_plans")] == 53_899  # topic "All new EHC plans"
    assert england[(2019, "requests")] == 82_329  # "All requests for an EHC needs assessment"
    assert england[(2019, "requests_refused")] == 18_755
    assert england[(2019, "plans_issued")] == 53_327  # timeliness topic "All EHC plans"
    # pc_plans_issued_20_weeks_ex: lower case in 2026 (PC_... in 2025)
    assert england[(2019, "pct_within_20_weeks_excl_exceptions")] == pytest.approx(60.4)
    assert england[(2022, "ceased_plans")] == 34_724
    regions = activity[activity["level"].eq("region") & activity["measure"].eq("new_plans")]
    assert regions["value"].sum() == 53_899


def test_a_release_without_its_needs_file_is_refused_naming_the_member(release_2026):
    with pytest.raises(DataFileError) as error:
        releases.read_primary_need(release_2026)
    assert "sen_needs_caseload.csv" in str(error.value)
    assert "education-health-and-care-plans_2026.zip" in str(error.value)


def another_publication(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "data-guidance/data-guidance.txt", "Special educational needs in England\n2026\n"
        )
        archive.writestr("data/sen_phase_type.csv", "time_period,pupils\n202526,1\n")


REFUSALS = {
    "another publication": (another_publication, "another publication"),
    "truncated download": (
        lambda p: p.write_bytes(RELEASE_2025.read_bytes()[:100_000]),
        "truncated or corrupt",
    ),
    "a copy under a newer name": (
        lambda p: shutil.copyfile(RELEASE_2025, p),
        "its data guidance says reporting year 2025",
    ),
    "not a zip": (lambda p: p.write_text("<html>Not found</html>"), "truncated or corrupt"),
}


@pytest.mark.slow  # builds the tables or draws every chart
@pytest.mark.parametrize("case", REFUSALS)
def test_a_zip_dropped_in_is_read_or_refused_by_name(case, raw_copy, tmp_path):
    make, words = REFUSALS[case]
    dropped = raw_copy / config.EHCP_DIR / "education-health-and-care-plans_2026.zip"
    out = tmp_path / "processed"
    tables.build(raw_dir=raw_copy, processed_dir=out)
    make(dropped)
    reason = tables.stale_reason(raw_copy, out)
    assert reason is not None and "education-health-and-care-plans_2026.zip" in reason
    with pytest.raises(DataFileError) as error:
        tables.build(raw_dir=raw_copy, processed_dir=out)
    assert "education-health-and-care-plans_2026.zip" in str(error.value)
    assert words in str(error.value)
    assert "fix:" in str(error.value)


def test_a_second_copy_of_a_release_is_refused(raw_copy):
    shutil.copyfile(
        raw_copy / config.EHCP_RELEASE_2025,
        raw_copy / config.EHCP_DIR / "education-health-and-care-plans_2025 (1).zip",
    )
    with pytest.raises(DataFileError, match="a second copy"):
        release_files.releases_in(raw_copy / config.EHCP_DIR)
