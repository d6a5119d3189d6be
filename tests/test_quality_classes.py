"""The data check catches the classes a careful analyst would: a caseload that halves and
recovers, a zero only where no zero is plausible, rows DfE never published beside its totals,
a council code no lookup knows, and a council's figure changed by hand. Each class is tested on
several councils, by editing a copy of DfE's 2025 release as a wrong file would be wrong."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sendlib import config, quality, tables
from sendlib.errors import DataFileError

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

RELEASE = config.EHCP_RELEASE_2025


def edit_caseload(raw: Path, change) -> None:
    """Rewrite data/caseload.csv of the copy's 2025 release with ``change(frame) -> frame``."""
    path = raw / RELEASE
    with zipfile.ZipFile(path) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    frame = pd.read_csv(
        io.BytesIO(contents["data/caseload.csv"]),
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    contents["data/caseload.csv"] = change(frame).to_csv(index=False).encode("utf-8-sig")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def total_row(frame: pd.DataFrame, council: str, year: str) -> pd.Series:
    return (
        frame["la_name"].eq(council)
        & frame["time_period"].eq(year)
        & frame["breakdown_topic"].eq("All EHC plans")
    )


def findings_of(raw: Path, tmp_path: Path) -> pd.DataFrame:
    out = tmp_path / "processed"
    tables.build(force=True, raw_dir=raw, processed_dir=out)
    return tables.load("findings", raw_dir=raw, processed_dir=out)


COUNCILS = ["Kent", "Camden", "Rutland"]


def test_a_caseload_that_halves_and_recovers_is_excluded_one_that_halves_is_flagged(
    raw_copy, tmp_path
):
    def halve(frame):
        for council in COUNCILS:
            for year in ("202021", "202425"):  # 2021 between two years; 2025 the latest
                row = total_row(frame, council, year)
                frame.loc[row, "ehcplans"] = str(int(frame.loc[row, "ehcplans"].iloc[0]) // 2)
        return frame

    edit_caseload(raw_copy, halve)
    found = findings_of(raw_copy, tmp_path)
    jumps = found[found["check"].eq("implausible_jump") & found["table"].eq("caseload_releases")]
    by = jumps.set_index(["area_name", "period"])["action"]
    for council in COUNCILS:
        assert by[(council, "2021")] == quality.EXCLUDED  # the series undoes it in 2022
        assert by[(council, "2025")] == quality.FLAGGED  # nothing after it yet
    caseload = tables.load("caseload", raw_dir=raw_copy, processed_dir=tmp_path / "processed")
    kent = caseload[caseload["area_name"].eq("Kent")].set_index("year")
    assert pd.isna(kent.loc[2021, "ehcps"]) and kent.loc[2021, "ehcps_flag"] == "condemned"
    assert pd.notna(kent.loc[2025, "ehcps"])


def test_zero_is_flagged_where_plausible_and_excluded_where_not():
    found = tables.load("findings")
    zeros = found[found["check"].eq("zero_where_others_report")]
    refused = zeros[zeros["measure"].eq("requests_refused")]
    assert len(refused) >= 5 and refused["action"].eq(quality.FLAGGED).all()
    # no requests at all in a year is no plausible zero (DfE's 2025 release: West Berkshire 2022)
    received = zeros[zeros["measure"].eq("requests")]
    assert ("West Berkshire", "2022") in set(
        zip(received["area_name"], received["period"], strict=True)
    )
    assert received["action"].eq(quality.EXCLUDED).all()


def add_row(frame, council, year, region=None):
    row = frame[total_row(frame, council, "202425")].copy()
    row["time_period"] = year
    if region:
        row["region_name"] = region
    return pd.concat([frame, row], ignore_index=True)


@pytest.mark.parametrize(
    "change",
    [
        lambda f: add_row(f, "Kent", "202526"),  # a year DfE did not publish
        lambda f: add_row(f, "Camden", "203031"),
        lambda f: f.assign(
            region_name=f["region_name"].mask(total_row(f, "Kent", "202425"), "Atlantis")
        ),
    ],
    ids=["a new year", "a far year", "a region that does not exist"],
)
def test_a_row_without_published_totals_stops_the_build(change, raw_copy, tmp_path):
    edit_caseload(raw_copy, change)
    with pytest.raises(quality.DataQualityError) as error:
        tables.build(force=True, raw_dir=raw_copy, processed_dir=tmp_path / "p")
    assert set(error.value.findings["check"]) == {"no_published_total"}
    assert "total for this year" in str(error.value)


@pytest.mark.parametrize("code, name", [("999", "Atlantis"), ("100", "Nowhere")])
def test_a_council_code_no_lookup_knows_stops_the_build(code, name, raw_copy, tmp_path):
    def invent(frame):
        row = frame[total_row(frame, "Kent", "202425")].copy()
        row[["old_la_code", "new_la_code", "la_name"]] = [code, "E06999999", name]
        return pd.concat([frame, row], ignore_index=True)

    edit_caseload(raw_copy, invent)
    with pytest.raises((DataFileError, quality.DataQualityError)) as error:
        tables.build(force=True, raw_dir=raw_copy, processed_dir=tmp_path / "p")
    assert code in str(error.value) or name in str(error.value)


def test_a_council_figure_changed_by_hand_is_flagged_by_its_own_breakdown(raw_copy, tmp_path):
    def nudge(frame):
        for council in COUNCILS:
            row = total_row(frame, council, "202425")
            frame.loc[row, "ehcplans"] = str(int(frame.loc[row, "ehcplans"].iloc[0]) + 37)
        return frame

    edit_caseload(raw_copy, nudge)
    found = findings_of(raw_copy, tmp_path)
    own = found[found["check"].eq("differs_from_own_breakdown")]
    assert set(zip(own["area_name"], own["period"], strict=True)) == {(c, "2025") for c in COUNCILS}
    assert own["action"].eq(quality.FLAGGED).all()
