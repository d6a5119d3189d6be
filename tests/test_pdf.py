"""One PDF of a pack, for a council's committee system: index first, a bookmark per report,
no blank pages, the same bytes from the same pack; a clear message without a browser."""

from __future__ import annotations

import re

import pytest

from sendlib import config
from sendlib.pipeline import packs, pdf

pytestmark = [pytest.mark.slow, pytest.mark.browser]  # drives headless Chromium

DEFINITION = config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml"


@pytest.fixture(scope="session")  # once a run, however xdist orders the tests
def printed(default_pack):
    pack = packs.read_pack(DEFINITION)
    reports = default_pack.parent.parent
    first = packs.pack_pdf(pack, reports)
    return pack, reports, first, first.read_bytes()


def test_the_pdf_has_the_index_first_and_a_bookmark_per_report(printed):
    from pypdf import PdfReader

    pack, _, path, _ = printed
    reader = PdfReader(path)
    titles = [item.title for item in reader.outline]
    assert titles == ["SEND Partnership Board, 16 December 2021", *[r.title for r in pack.reports]]
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert "Board summary" in reader.pages[0].extract_text()
    assert reader.metadata["/CreationDate"] == "D:20211216000000Z"  # the meeting, not the clock


def test_no_page_is_blank_or_only_a_footer(printed):
    from pypdf import PdfReader

    reader = PdfReader(printed[2])
    footer = re.compile(
        r"(Figures are Crown copyright.*|.*prepared for the SEND Partnership Board.*|"
        r"Data to.*|.*Built with sendlib.*|.*Page \d+ of \d+.*|\s+)"
    )
    for number, page in enumerate(reader.pages, start=1):
        lines = [line for line in page.extract_text().splitlines() if not footer.fullmatch(line)]
        assert len(" ".join(lines)) > 80, f"page {number} is (nearly) empty: {lines}"
        assert re.search(r"Page \d+ of \d+", page.extract_text()), f"page {number} has no number"


def test_the_same_pack_gives_the_same_pdf(printed):
    pack, reports, path, before = printed
    assert packs.pack_pdf(pack, reports).read_bytes() == before


def test_without_a_browser_the_message_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.delenv("SENDLIB_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(packs.PackError, match="Install one .*SENDLIB_CHROMIUM"):
        pdf.find_chromium()
