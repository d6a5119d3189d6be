"""The money on the pages of the default pack (Kingston, its own files and Safety Valve) and
of Kent's (public data only): what a board member reads."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow


def text_of(path) -> str:
    page = path.read_text()
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#x27;", "'")


def test_kingstons_forecast_page_carries_the_money(default_pack):
    text = text_of(default_pack / "forecast.html")
    for words in (
        "Plans by placement",
        "How far off the same method was for every council",
        "Unit costs: what a plan costs a year in each placement",
        "kpi_dashboard_2021-22_q3.tsv",  # the council's own unit costs, named
        "High Needs spend, funding and the cumulative DSG deficit",
        "Fewer independent placements",  # the pack's scenarios, side by side
        "Growth in plans 3 points lower",
        "Goal-seek: Plans growing",
        "with a 70% chance of staying inside",
        "Keeping the cumulative DSG deficit inside £28.6m at the end of 2022/23 is not reachable",
    ):
        assert words in text, words


def test_kingstons_finance_page_sets_unit_costs_and_funding_against_comparators(default_pack):
    text = text_of(default_pack / "high_needs_finance.html")
    for words in (
        "Unit costs by placement",
        "Public estimate, 2021/22",
        "Statistical neighbours",
        "Funding beside plans",
        "High Needs Block allocation per plan",
    ):
        assert words in text, words
    assert "2021/22 " not in text.split("Funding beside plans")[1].split("Data check")[0]


def test_the_board_summary_has_a_line_of_each(default_pack):
    text = text_of(default_pack / "index.html")
    assert re.search(r"Spend on plans forecast .* for 2021/22: £\d+\.\dm \(80% interval", text)
    assert "Cumulative DSG deficit forecast for the end of 2022/23" in text
    assert "keeps the plans at January 2022 inside 1,537 plans" in text
    assert re.search(r"High Needs Block funding per plan at 2020/21: £[\d,]+, against", text)


def test_kents_pages_say_what_public_data_cannot_give(kent_packs):
    text = text_of(kent_packs[2025] / "forecast.html")
    assert "Plans by placement" in text
    assert "DfE section 251 outturn 2021/22" in text  # the public unit costs, named
    assert "No deficit path" in text
    board = text_of(kent_packs[2025] / "index.html")
    assert "Spend on plans forecast (placements with a unit cost) for 2025/26" in board
