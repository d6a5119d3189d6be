"""Every page says how current its pack is; a January DfE has counted is never a forecast."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest

from sendlib import publications

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow


def text_of(page: Path) -> str:
    """A page's words as a reader sees them (tags dropped, entities decoded)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page.read_text(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="session")  # once a run, however xdist orders the tests
def somerset_october_2026(tmp_path_factory) -> Path:
    """The issue's case: Somerset's pack for 1 October 2026, data/raw as shipped (to 2025)."""
    from sendlib.pipeline import meetings, packs

    root = tmp_path_factory.mktemp("somerset")
    written = meetings.new_pack("Somerset", date(2026, 10, 1), packs_dir=root / "packs")
    pack = packs.read_pack(written.path)
    return packs.build_pack(pack, reports_dir=root / "reports", progress=False)


def test_every_page_says_the_2026_census_is_out_and_not_in_the_pack(somerset_october_2026):
    pages = sorted(somerset_october_2026.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "ehcp_caseload.html", "forecast.html"}
    for page in pages:
        words = text_of(page)
        assert (
            "DfE published the January 2026 census" in words
            and "it is not in this pack, which uses January 2025" in words
            and "sendlib data update" in words
        ), page.name
        assert "This pack uses the January 2025 census" in words, page.name


def test_the_councils_landing_page_says_a_newer_census_was_out(somerset_october_2026):
    landing = text_of(somerset_october_2026.parent / "index.html")
    assert "data to the January 2025 census (DfE had published January 2026 by then" in landing


def test_the_board_summary_never_forecasts_a_counted_january(somerset_october_2026):
    index = text_of(somerset_october_2026 / "index.html")
    assert "forecast for January 2026" not in index
    assert "Plans forecast for January 2026" not in index
    assert "Plans at January 2026: not available (DfE published the January 2026 census" in index
    forecast = text_of(somerset_october_2026 / "forecast.html")
    assert "forecast for January 2026" not in forecast
    assert "are not forecasts of Januaries DfE has already counted" in forecast


def test_a_pack_as_current_as_its_meeting_allowed_says_nothing_newer(kent_packs):
    for page in sorted(kent_packs[2025].glob("*.html")):
        words = text_of(page)
        assert "Newer data were out before this meeting" not in words, page.name
        assert "Nothing newer had been published by the meeting" in words, page.name


CASES = [
    # meeting, pack census, model, newest in data/raw, what is said (fragments), how many
    (date(2026, 10, 1), 2025, "2025", 2025, ["January 2026 census", "sendlib data update"], 2),
    (date(2026, 6, 30), 2025, "2025", 2025, [], 0),  # before July: 2026 not yet out
    (date(2026, 10, 1), 2025, "2025", 2026, ["set latest_census = 2026"], 2),
    (date(2025, 9, 1), 2025, "2021", 2025, ['set sn_model = "2025"'], 1),
    (date(2021, 12, 16), 2021, "2021", 2025, [], 0),
]


@pytest.mark.parametrize("meeting, census, model, held, said, count", CASES)
def test_what_is_newer_on_a_meeting_date(meeting, census, model, held, said, count):
    found = publications.currency(
        meeting,
        census=census,
        sn_model=model,
        population=census - 1,
        held_census=held,
        held_population=2024,
    )
    assert len(found.newer) == count
    for words in said:
        assert any(words in sentence for sentence in found.newer)
    assert found.current == (count == 0)
