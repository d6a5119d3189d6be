"""The data check tests DfE's published files against themselves: errors stop the build,
wrong figures are excluded with their reason, doubtful ones flagged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sendlib import config, quality, tables

RELEASE_2025 = config.EHCP_RELEASE_2025

YORKSHIRE = {
    "Barnsley",
    "Bradford",
    "Calderdale",
    "Doncaster",
    "East Riding of Yorkshire",
    "Kingston upon Hull, City of",
    "Kirklees",
    "Leeds",
    "North East Lincolnshire",
    "North Lincolnshire",
    "North Yorkshire",
    "Rotherham",
    "Sheffield",
    "Wakefield",
    "York",
}


def rewrite_member(zip_path: Path, member: str, change) -> None:
    """Rewrite one CSV of a release zip (a copy: the real one is never written to)."""
    with zipfile.ZipFile(zip_path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    frame = pd.read_csv(io.BytesIO(contents[member]), dtype=str, keep_default_na=False)
    contents[member] = change(frame).to_csv(index=False).encode()
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


# --- on the real data ---------------------------------------------------------------------


def test_yorkshire_councils_given_the_regions_2022_new_plans_are_excluded():
    findings = tables.load("findings")
    hits = findings[
        findings["check"].eq("equals_region")
        & findings["measure"].eq("new_plans")
        & findings["period"].eq("2022")
    ]
    assert set(hits["area_name"]) == YORKSHIRE
    assert set(hits["value"]) == {6078}
    assert set(hits["action"]) == {quality.EXCLUDED}
    assert set(hits["file"]) == {RELEASE_2025}
    activity = tables.load("ehcp_activity")
    leeds = activity[
        activity["area_name"].eq("Leeds")
        & activity["year"].eq(2022)
        & activity["measure"].eq("new_plans")
    ].iloc[0]
    assert pd.isna(leeds["value"]) and leeds["flag"] == quality.CONDEMNED


def test_finance_zero_and_gaps_are_found():
    findings = tables.load("findings")
    spend = findings[findings["table"].eq("specialist_spend")]
    york = spend[spend["area_name"].eq("York") & spend["period"].eq("2021/22")]
    assert set(york["check"]) == {"zero_where_others_report"}
    dorset = spend[
        spend["area_name"].eq("Dorset") & spend["check"].eq("missing_where_others_report")
    ]
    assert {"2019/20", "2020/21", "2021/22"} <= set(dorset["period"])


def test_england_new_plans_2022_sum_is_flagged_against_dfe_total():
    findings = tables.load("findings")
    england = findings[
        findings["check"].eq("sum_differs_from_total")
        & findings["area_name"].eq("England")
        & findings["measure"].eq("new_plans")
    ].iloc[0]
    assert england["value"] == 66_706 and "151,798" in england["found"]


# --- each check on small frames ---------------------------------------------------------------


def frame(values: dict[str, float | None], region: float | None = None) -> pd.DataFrame:
    """A tiny caseload table: councils of one region in 2024 (and the region's total)."""
    rows = [
        {
            "year": 2024,
            "level": "council",
            "area_code": f"E0{code}",
            "old_la_code": code,
            "area_name": f"Council {code}",
            "region_name": "R",
            "ehcps": value,
        }
        for code, value in values.items()
    ]
    if region is not None:
        rows.append(
            {
                "year": 2024,
                "level": "region",
                "area_code": "E12",
                "old_la_code": None,
                "area_name": "R",
                "region_name": "R",
                "ehcps": region,
            }
        )
    table = pd.DataFrame(rows).astype({"ehcps": "Float64"})
    return table.assign(ehcps_flag=pd.array([pd.NA] * len(table), dtype="string"))


COUNCILS = pd.DataFrame(
    {"old_la_code": ["1", "2", "3"], "first_year": [2010] * 3, "last_year": [2025] * 3}
)
SPEC = quality.Spec("year", (), {"ehcps": "ehcps_flag"}, "f.csv", headline={})


def checks(table: pd.DataFrame) -> set[str]:
    return set(quality.check_table("t", table, COUNCILS, SPEC)["check"])


def test_a_council_equal_to_its_region_beside_others_is_excluded():
    assert "equals_region" in checks(frame({"1": 900, "2": 900, "3": 100}, region=900))
    # The only council with any: equal to the region is right, not wrong.
    assert "equals_region" not in checks(frame({"1": 5, "2": 0, "3": 0}, region=5))


def test_councils_that_do_not_add_up_to_the_region_are_flagged():
    assert "sum_differs_from_total" in checks(frame({"1": 10, "2": 20, "3": 30}, region=61))
    assert "sum_differs_from_total" not in checks(frame({"1": 10, "2": 20, "3": 30}, region=60))


def test_duplicates_and_negatives_are_errors():
    table = frame({"1": 10, "2": 20, "3": -3})
    doubled = pd.concat([table, table.head(1)], ignore_index=True)
    found = quality.check_table("t", doubled, COUNCILS, SPEC)
    errors = found[found["severity"].eq("error")]
    assert set(errors["check"]) == {"duplicate_rows", "negative_count"}


def test_condemned_figures_become_missing_with_the_flag():
    table = frame({"1": 900, "2": 900, "3": 100}, region=900)
    findings = quality.check_table("t", table, COUNCILS, SPEC)
    spec = {"t": SPEC}
    out = quality.condemn("t", table, findings.assign(table="t"), specs=spec)
    assert out.loc[out["old_la_code"].isin(["1", "2"]), "ehcps_flag"].eq("condemned").all()
    assert out.loc[out["old_la_code"].eq("3"), "ehcps"].item() == 100
    assert table["ehcps"].notna().all()  # the given frame is not changed


# --- errors stop the build, naming the file ----------------------------------------------------


@pytest.mark.slow  # builds the tables or draws every chart
def test_a_duplicated_row_stops_the_build_and_names_the_file(raw_copy, tmp_path):
    rewrite_member(
        raw_copy / RELEASE_2025,
        "data/caseload.csv",
        lambda t: pd.concat([t, t[t["la_name"].eq("Kent")].head(1)], ignore_index=True),
    )
    out = tmp_path / "processed"
    with pytest.raises(quality.DataQualityError) as error:
        tables.build(raw_dir=raw_copy, processed_dir=out)
    message = str(error.value)
    assert RELEASE_2025 in message and "Kent" in message and "more than once" in message
    assert not (out / tables.MANIFEST).exists()


@pytest.mark.slow  # builds the tables or draws every chart
def test_a_negative_count_stops_the_build(raw_copy, tmp_path):
    def negative(t: pd.DataFrame) -> pd.DataFrame:
        t = t.copy()
        row = t.index[t["la_name"].eq("Kent")][0]
        t.loc[row, "new_ehc_plans"] = "-5"
        return t

    rewrite_member(raw_copy / RELEASE_2025, "data/newplans.csv", negative)
    with pytest.raises(quality.DataQualityError, match="negative"):
        tables.build_tables(raw_copy)
