"""A council's quarter of files, found once and each read once (sendlib.ingest.council_quarter)."""

from __future__ import annotations

import shutil

import pytest

from sendlib import config
from sendlib.errors import DataFileError, DataFileErrors
from sendlib.ingest import council_files
from sendlib.ingest.council_quarter import CouncilQuarter, council_quarter
from sendlib.measures import finance, kpis

KINGSTON = config.RAW_DIR / "local" / "kingston-upon-thames"
RULES = config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv"


def test_each_file_is_read_once_however_many_measures_use_it(monkeypatch):
    reads = []
    real = council_files.read_kpi_dashboard
    monkeypatch.setattr(
        council_files, "read_kpi_dashboard", lambda path: reads.append(path) or real(path)
    )
    files = CouncilQuarter(KINGSTON, "Q3", rules_file=RULES)
    kpis.council_dashboard(files)
    finance.council_cost_per_plan(files)
    kpis.council_dashboard(files)
    assert [p.name for p in reads].count("kpi_dashboard_2021-22_q3.tsv") == 1


def test_every_missing_file_is_named_at_once(tmp_path):
    folder = tmp_path / "council"
    folder.mkdir()
    shutil.copy(KINGSTON / "kpi_dashboard_2021-22_q3.tsv", folder)
    files = CouncilQuarter(folder, "Q3", rules_file=RULES)
    with pytest.raises(DataFileErrors) as error:
        files.paths()
    named = str(error.value)
    for name in ("hnb_financial_model", "safety_valve", "dsg_deficit_history", "partner"):
        assert name in named, name
    assert files.kpi_dashboard["kpi"].iloc[0] == "Actual EHCPs"  # what is there still reads


def test_a_file_not_needed_is_never_asked_for(tmp_path):
    folder = tmp_path / "council"
    folder.mkdir()
    for name in ("safety_valve_deficit_and_ehcp_kpis_2021-22.tsv", "dsg_deficit_history.tsv"):
        shutil.copy(KINGSTON / name, folder)
    files = CouncilQuarter(folder, "Q3")
    assert int(finance.council_deficit(files).iloc[-1]["deficit"]) == 28363000
    with pytest.raises(DataFileError):
        _ = files.hnb_model


def test_no_folder_or_quarter_is_no_files():
    assert council_quarter("", "Q3") is None and council_quarter(KINGSTON, "") is None
    assert council_quarter(KINGSTON, "Q3").quarter == "Q3"


def test_last_years_dashboard_is_none_where_the_folder_has_none():
    files = CouncilQuarter(KINGSTON, "Q3", rules_file=RULES)
    assert files.last_year == "2020-21" and files.last_year_dashboard is None
    assert kpis.council_dashboard(files).notes[-1].startswith("No Q3 2020/21 dashboard")
