"""Rates per head of 0 to 25 reach January 2025: ONS's mid-2024 estimates read to the person."""

from __future__ import annotations

import pandas as pd
import pytest

from sendlib import config, tables
from sendlib.measures import benchmarks

MID_2024 = config.RAW_DIR / config.POPULATION_MID_2024


def ons(code: str) -> int:
    """The sum of ages 0 to 25 of one area in ONS's file, read with pandas alone."""
    wide = pd.read_csv(MID_2024, encoding="utf-8-sig").set_index("Code")
    return int(wide.loc[code, [str(age) for age in range(26)]].sum())


def test_mid_2024_population_aged_0_to_25_as_ons_published_it():
    population = tables.load("population")
    at = population[population["year"].eq(2024) & population["age_group"].eq("0 to 25")]
    by_code = at.set_index("area_code")["population"]
    assert by_code["E92000001"] == ons("E92000001")
    assert by_code["E09000021"] == ons("E09000021")  # Kingston upon Thames
    assert by_code["E12000005"] == ons("E12000005")  # West Midlands
    councils = at[at["level"].eq("council")]
    assert len(councils) == 153
    assert councils["population"].sum() == by_code["E92000001"]
    assert set(at["population_source"]) == {"ONS mid-year estimates (published 2025)"}


def test_plans_per_1000_aged_0_to_25_exist_for_january_2025():
    table = benchmarks.caseload_benchmark("Kingston upon Thames")
    england = table[table["comparator"].eq("England") & table["year"].eq(2025)].iloc[0]
    # DfE: 638,745 plans in England at January 2025; ONS: England's 0-25 population, mid-2024.
    assert england["rate_0_25"] == pytest.approx(638_745 / ons("E92000001") * 1000, rel=1e-12)
    kingston = table[table["comparator"].eq("Kingston upon Thames") & table["year"].eq(2025)]
    assert kingston["rate_0_25"].notna().all()
