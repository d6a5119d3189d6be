"""DfE's footnotes that qualify a council's figures are findings, shown beside those figures."""

from __future__ import annotations

from sendlib import tables
from sendlib.present import data_notes


def noted() -> set[tuple[str, str, str, str]]:
    findings = tables.load("findings")
    rows = findings[findings["check"].eq("dfe_footnote")]
    return set(zip(rows["area_name"], rows["table"], rows["measure"], rows["period"], strict=True))


def test_the_2025_release_footnotes_become_findings_for_the_councils_they_name():
    found = noted()
    # From DfE's data guidance, reporting year 2025 (its footnotes, word for word, are in the
    # findings' "found" column):
    assert ("Cambridgeshire", "caseload_by_placement", "caseload", "2025") in found
    assert ("North East Lincolnshire", "caseload_by_placement", "caseload", "2025") in found
    assert ("Hackney", "caseload_releases", "caseload", "2024") in found  # "2023/24"
    assert ("Peterborough", "caseload_releases", "caseload", "2024") in found
    assert ("Surrey", "caseload_by_need", "sen_needs_all_plans", "2025") in found
    assert ("Wakefield", "ehcp_activity", "newplans", "2022") in found
    assert ("Dorset", "ehcp_activity", "timeliness_20_week", "2024") in found
    assert ("City of London", "ehcp_activity", "timeliness_20_week", "2024") in found
    names = {row[0] for row in found}
    assert "Lincolnshire" not in names  # only inside "North East Lincolnshire"
    assert "Blackpool" not in names  # annual reviews: a file sendlib does not read
    findings = tables.load("findings")
    assert findings.loc[findings["check"].eq("dfe_footnote"), "action"].eq("flagged").all()


def test_a_report_shows_the_footnote_beside_the_council_it_touches():
    section = data_notes.data_check_section(
        "Cambridgeshire", report="benchmarking", latest_census=2025
    ).data
    assert (
        "DfE&#x27;s footnote to caseload.csv" in section
        or "DfE's footnote to caseload.csv" in section
    )
    assert "not able to return placements" in section
