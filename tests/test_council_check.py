"""A council's files for a quarter: every problem at once, before any pack is built; a new
quarter's files started from the template, never over a file that exists."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from sendlib import cli, config
from sendlib.pipeline import council_check, definitions, meetings, packs

FOLDER = config.RAW_DIR / "local" / "kingston-upon-thames"
RULES = config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of Kingston's folder that a test may spoil."""
    target = tmp_path / "data" / "raw" / "local" / "kingston-upon-thames"
    shutil.copytree(FOLDER, target)
    return target


def test_kingstons_shipped_q3_files_have_no_problem():
    assert council_check.check_council_files(FOLDER, RULES, quarter="Q3", year="2021-22") == []
    assert council_check.latest_period(FOLDER) == ("2021-22", "Q3")


def test_every_problem_is_reported_at_once_with_file_row_and_column(folder):
    kpis = folder / "kpi_dashboard_2021-22_q3.tsv"
    lines = kpis.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("\t1512\t", "\tabout 1500\t")  # KPI 1's Q3 cell
    lines[3] = lines[3].replace("\t1533\t", "\t#N/A\t")  # KPI 3's Q3 cell
    kpis.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "partner_contributions_2021-22.tsv").unlink()
    model = folder / "hnb_financial_model_2021-22_q3.tsv"
    model.write_text(model.read_text().replace("actual_q3_gbp_m", "actual_q2_gbp_m"))
    problems = council_check.check_council_files(folder, RULES, quarter="Q3", year="2021-22")
    text = [str(p) for p in problems]
    assert len(problems) == 4, "\n".join(text)
    assert any("row 2" in t and "'Q3'" in t and "about 1500" in t for t in text)
    assert any("row 4" in t and "#N/A" in t for t in text)
    assert any("no partner_contributions file for 2021-22 Q3" in t for t in text)
    assert any("actual column is for another quarter" in t and "actual_q3_gbp_m" in t for t in text)
    assert all("fix:" in t for t in text)


def test_local_check_on_the_command_line(folder, capsys):
    args = [
        "local",
        "check",
        "Kingston upon Thames",
        "--folder",
        str(folder),
        "--rules",
        str(RULES),
    ]
    assert cli.main(args) == 0
    assert "no problem found" in capsys.readouterr().out
    assert cli.main([*args, "--quarter", "Q4", "--year", "2021-22"]) == 1
    out = capsys.readouterr().out
    assert "6 problem(s)" in out and "no kpi_dashboard file for 2021-22 Q4" in out
    assert "safety_valve_deficit_and_ehcp_kpis_2021-22.tsv: no Q4 column" in out


def test_a_new_quarter_starts_from_the_template_and_nothing_is_overwritten(folder):
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    started = council_check.start_period(folder, year="2022-23", quarter="Q2")
    assert started["written"] == [
        "kpi_dashboard_2022-23_q2.tsv",
        "hnb_financial_model_2022-23_q2.tsv",
        "dsg_outturn_2022-23_forecast_q2.tsv",
        "safety_valve_deficit_and_ehcp_kpis_2022-23.tsv",
        "safety_valve_plans_issued_ceased_2022-23.tsv",
        "partner_contributions_2022-23.tsv",
    ]
    header = (folder / "kpi_dashboard_2022-23_q2.tsv").read_text().rstrip("\n").split("\t")
    assert header[2:6] == ["Baseline 31st March 2022", "Target 22/23", "Q1", "Q2"]
    assert "actual_q2_gbp_m" in (folder / "hnb_financial_model_2022-23_q2.tsv").read_text()
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in before} == before
    assert council_check.start_period(folder, year="2022-23", quarter="Q2") == {
        "written": [],
        "to_extend": [],
    }
    problems = council_check.check_council_files(folder, RULES, quarter="Q2", year="2022-23")
    assert len(problems) == 6 and all("blank template" in str(p) for p in problems)


def test_pack_new_starts_the_quarter_and_the_pack_refuses_until_it_is_filled(
    folder, tmp_path, monkeypatch
):
    # The project, as far as the files go, is tmp_path: its data/raw/local and packs folders.
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    (tmp_path / "packs" / "kingston-upon-thames").mkdir(parents=True)
    shutil.copyfile(RULES, tmp_path / "packs" / "kingston-upon-thames" / "kpi_rules.csv")
    written = meetings.new_pack(
        "Kingston upon Thames",
        date(2022, 2, 10),
        packs_dir=tmp_path / "packs",
        local_root=folder.parent,
    )
    assert (folder / "kpi_dashboard_2021-22_q4.tsv").exists()
    assert any("started Q4 2021-22's files" in n for n in written.notes)
    assert any("add the Q4 column to safety_valve" in n for n in written.notes)
    pack = definitions.read_pack(written.path)
    assert [r.notebook for r in pack.reports][-2:] == ["kpi_dashboard", "high_needs_finance"]
    with pytest.raises(definitions.PackError) as refused:
        packs.build_pack(pack, reports_dir=tmp_path / "reports", progress=False)
    message = str(refused.value)
    assert "6 problem(s) in the council's files; nothing was built" in message
    assert "kpi_dashboard_2021-22_q4.tsv: the file has no KPIs" in message
    assert not (tmp_path / "reports" / "kingston-upon-thames" / "2022-02-10").exists()


def test_a_later_quarter_asks_for_its_column_in_the_years_files(folder):
    started = council_check.start_period(folder, year="2021-22", quarter="Q4")
    assert started["written"] == [
        "kpi_dashboard_2021-22_q4.tsv",
        "hnb_financial_model_2021-22_q4.tsv",
        "dsg_outturn_2021-22_forecast_q4.tsv",
    ]
    assert started["to_extend"] == [
        "safety_valve_deficit_and_ehcp_kpis_2021-22.tsv",
        "safety_valve_plans_issued_ceased_2021-22.tsv",
        "partner_contributions_2021-22.tsv",
    ]
