"""The benchmarking report runs on the real data for a sample of councils, with no code shown.

The sample covers a London borough (two data vintages), a county, a merged council (BCP), a
council created in 2021 (North Northamptonshire), a council whose 2021-model neighbours include
councils that did not exist until 2022 (Bedford) and the smallest council (City of London).
Every council is run by benchmarks/report_speed.py --all.
"""

from __future__ import annotations

import re

import pytest

from sendlib import config
from sendlib.pipeline import packs

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

NOTEBOOK = config.NOTEBOOKS_DIR / "ehcp_benchmarking.ipynb"

SAMPLE = [
    ("Kingston upon Thames", 2025, "2025"),
    ("Kingston upon Thames", 2021, "2021"),
    ("Kent", 2025, "2025"),
    ("Bournemouth, Christchurch and Poole", 2025, "2025"),
    ("North Northamptonshire", 2025, "2025"),
    ("Bedford", 2021, "2021"),
    ("City of London", 2025, "2025"),
]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """The sample's reports, run two at a time on warm kernels as a pack runs them (once a
    run: a worker that runs these tests between other modules' keeps them)."""
    import concurrent.futures

    from sendlib.pipeline import kernels

    out = tmp_path_factory.mktemp("reports")
    jobs = [
        (
            f"{council}-{latest}",
            NOTEBOOK,
            {
                "council": council,
                "latest_census": latest,
                "sn_model": model,
                "meeting_date": "2025-07-10",
            },
            out / f"{council}-{latest}.html",
            None,
            None,
        )
        for council, latest, model in SAMPLE
    ]
    with (
        kernels.KernelPool(len(jobs), config.NOTEBOOKS_DIR, ahead=2) as pool,
        concurrent.futures.ThreadPoolExecutor(2) as run,
    ):
        for future in [run.submit(packs._render_one, job, pool) for job in jobs]:
            future.result()
    return {
        (council, latest): (out / f"{council}-{latest}.html").read_text()
        for council, latest, _ in SAMPLE
    }


def text_of(page: str) -> str:
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize(("council", "latest", "model"), SAMPLE)
def test_the_report_runs_and_shows_no_code(rendered, council, latest, model):
    page = rendered[(council, latest)]
    text = text_of(page)
    assert council in text
    assert "Traceback" not in text and "Error" not in text
    assert "import " not in text and "sections." not in text
    assert f"in January {latest}" in text
    for heading in [
        "Summary",
        "Growth in plans",
        "Against statistical neighbours",
        "Placements",
        "Plans issued within 20 weeks",
        "Sources",
    ]:
        assert heading in text
    assert page.count("<img") >= 6 and 'alt=""' not in page


def test_kingston_2025_summary_figures(rendered):
    text = text_of(rendered[("Kingston upon Thames", 2025)])
    assert "maintained 1,958 EHC plans in January 2025" in text
    assert "+10.8% for England" in text  # 576,474 -> 638,745


def test_kingston_2021_vintage_shows_nothing_later(rendered):
    text = text_of(rendered[("Kingston upon Thames", 2021)])
    assert "maintained 1,424 EHC plans in January 2021" in text
    assert "January 2022" not in text and "January 2024" not in text
    assert "DfE publishes the caseload by primary need from January 2025" in text


def test_neighbours_that_did_not_exist_yet_are_named(rendered):
    text = text_of(rendered[("Bedford", 2021)])
    # Bedford's 2021-model neighbours include North and West Northamptonshire (from 2022).
    assert "Left out of the chart: North Northamptonshire, West Northamptonshire" in text
    assert "West Northamptonshire: no figure" in text


def test_a_merged_council_is_indexed_from_its_first_year(rendered):
    text = text_of(rendered[("Bournemouth, Christchurch and Poole", 2025)])
    assert "January 2020 = 100" in text or "since 2020" in text


def test_a_council_without_placements_gets_a_note_not_an_error():
    # Found by benchmarks/report_speed.py --all: DfE's 2025 release has no placement
    # breakdown for Cambridgeshire and North East Lincolnshire.
    from sendlib.present import benchmarking_report as report

    html = report.shape_section(
        "Cambridgeshire", "placement", latest_census=2025, sn_model="2025"
    ).data
    assert "Cambridgeshire: no figure" in html


def test_the_report_cites_the_data_checks_findings_it_touches(rendered):
    text = text_of(rendered[("Kent", 2025)])
    assert "Data check" in text
    # England's sums leave out the Yorkshire councils given their region's 2022 new plans.
    assert "Wakefield" in text and "equals its region's total (6078)" in text
    # The 2021 vintage does not cite what was published for later years.
    assert "Wakefield" not in text_of(rendered[("Kingston upon Thames", 2021)])


def test_the_forecast_opens_with_the_boards_question(default_pack):
    """The chance of breaching the ceiling comes before any chart, and the cost sentence
    gives the table's range before the wider one, each named for what it is."""
    page = (default_pack / "forecast.html").read_text(encoding="utf-8")
    chance = page.index("The chance of more than 1,537 plans at January 2022")
    assert chance < page.index("<img") and chance < page.index("What an 80% interval means")
    table = re.search(r"Cost of plans a year.*?</table>", page, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(£[\d.]+m)</td>", table)
    low, high = cells[0], cells[2]  # next January: low growth, (central), high growth
    assert f"between {low} (low growth) and {high} (high growth), as in the table" in page
    assert "the range widens to" in page


def test_the_finance_report_opens_with_the_deficit_against_the_safety_valve(default_pack):
    """Kingston's Safety Valve return at Q3 2021/22: £28,363,000 cumulative deficit against the
    agreed maximum of £28,607,000; the report says so before any table or chart."""
    page = (default_pack / "high_needs_finance.html").read_text(encoding="utf-8")
    text = text_of(page)
    finding = "cumulative deficit before Safety Valve funding is £28.363m, £0.244m inside the"
    assert finding in text
    assert page.index("£28.363m, £0.244m inside") < min(page.index("<img"), page.index("<table"))
