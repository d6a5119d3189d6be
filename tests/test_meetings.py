"""A new meeting's pack definition: the data the board would have had, the reports whose
inputs exist, nothing guessed, nothing overwritten."""

from __future__ import annotations

from datetime import date

import pytest

from sendlib import cli, config
from sendlib.pipeline import definitions, meetings, packs

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("meeting", "census", "model"),
    [
        (date(2024, 7, 11), 2024, "2021"),  # the Kent meetings
        (date(2025, 7, 10), 2025, "2025"),
        (date(2021, 12, 16), 2021, "2021"),  # Kingston's shipped definition
        (date(2024, 6, 20), 2023, "2021"),  # before the June release counts as out
        (date(2025, 5, 20), 2024, "2021"),  # the May 2025 model counts from June
        (date(2025, 6, 1), 2024, "2025"),
    ],
)
def test_a_meeting_gets_the_census_and_model_published_before_it(meeting, census, model):
    vintage = meetings.data_vintage(meeting, latest_available=2025)
    assert (vintage["latest_census"], vintage["sn_model"], vintage["notes"]) == (
        census,
        model,
        [],
    )


def test_data_newer_than_data_raw_is_said_not_hidden():
    vintage = meetings.data_vintage(date(2026, 9, 1), latest_available=2025)
    assert vintage["latest_census"] == 2025
    assert "January 2026" in vintage["notes"][0] and "sendlib data update" in vintage["notes"][0]
    early = meetings.data_vintage(date(2020, 3, 1), latest_available=2025)
    assert early["sn_model"] == "2021" and "earliest" in early["notes"][0]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 4, 1), ("2021-22", "Q1")),
        (date(2021, 6, 30), ("2021-22", "Q1")),
        (date(2021, 7, 1), ("2021-22", "Q2")),
        (date(2021, 12, 16), ("2021-22", "Q3")),
        (date(2022, 1, 1), ("2021-22", "Q4")),
        (date(2022, 3, 31), ("2021-22", "Q4")),
        (date(1999, 4, 1), ("1999-00", "Q1")),
    ],
)
def test_financial_year_and_quarter(day, expected):
    assert meetings.financial_quarter(day) == expected


def test_a_new_definition_reads_back_and_is_never_overwritten(tmp_path):
    written = meetings.new_pack("Kent", date(2025, 7, 10), packs_dir=tmp_path)
    assert written.path == tmp_path / "kent" / "2025-07-10.toml"
    pack = definitions.read_pack(written.path)
    assert (pack.council_name, pack.data) == ("Kent", {"latest_census": 2025, "sn_model": "2025"})
    assert [r.notebook for r in pack.reports] == ["ehcp_caseload", "ehcp_benchmarking", "forecast"]
    assert any("data/raw/local/kent/" in note for note in written.notes)
    assert any("cost per plan" in note for note in written.notes)
    before = written.path.read_bytes()
    with pytest.raises(definitions.PackError, match="never overwrites"):
        meetings.new_pack("Kent", date(2025, 7, 10), packs_dir=tmp_path)
    assert written.path.read_bytes() == before


def test_a_council_with_files_for_the_quarter_gets_its_own_reports(tmp_path):
    written = meetings.new_pack("Kingston upon Thames", date(2021, 12, 16), packs_dir=tmp_path)
    pack = definitions.read_pack(written.path)
    shipped = definitions.read_pack(config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml")
    assert [r.notebook for r in pack.reports] == [r.notebook for r in shipped.reports]
    assert pack.data == shipped.data
    mine = {r.notebook: r.parameters for r in pack.reports}
    theirs = {r.notebook: r.parameters for r in shipped.reports}
    assert mine["kpi_dashboard"] == theirs["kpi_dashboard"]
    assert mine["high_needs_finance"] == theirs["high_needs_finance"]
    assert "cost_per_plan" not in mine["forecast"]  # from the council's files, not typed
    assert not any("add the Q3 column" in n or "started" in n for n in written.notes)


def test_the_new_kent_pack_builds_and_its_forecast_says_it_is_not_costed(kent_packs):
    forecast = (kent_packs[2024] / "forecast.html").read_text(encoding="utf-8")
    assert "not costed" in forecast and "January 2024" in forecast


def test_pack_new_on_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "PACKS_DIR", tmp_path)
    assert cli.main(["pack", "new", "Kent", "2025-07-10"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'kent' / '2025-07-10.toml'}" in out and "sendlib pack " in out
    assert cli.main(["pack", "new", "Kent", "10/07/2025"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert cli.main(["pack", "new", "Kent"]) == 2


def test_a_councils_landing_page_lists_its_packs_newest_first(kent_packs, tmp_path):
    import shutil

    reports = tmp_path / "reports"
    shutil.copytree(kent_packs[2025].parent, reports / "kent")  # a copy: the original is shared
    backup = reports / "kent" / "2025-07-10.backup-20250710T090000"
    backup.mkdir()
    (backup / "manifest.json").write_text("{}")  # a backup is never listed
    landing = (reports / "kent" / "index.html").read_text(encoding="utf-8")
    newer = landing.index('href="2025-07-10/index.html"')
    older = landing.index('href="2024-07-11/index.html"')
    assert newer < older
    assert "10 July 2025</a>: data to the January 2025 census; 3 reports" in landing
    assert "11 July 2024</a>: data to the January 2024 census; 3 reports" in landing
    packs.write_council_index(reports / "kent")
    assert "backup" not in (reports / "kent" / "index.html").read_text(encoding="utf-8")


NEW_PACKS = [
    # council, meeting, reports left out (by title word), and why (a word of the reason)
    (
        "Westmorland and Furness",
        date(2024, 11, 20),
        {"benchmarking": "2021", "Forecast": "too few"},
    ),
    ("Kent", date(2012, 3, 1), {"Forecast": "too few"}),
    ("Poole", date(2011, 9, 1), {"Forecast": "too few"}),
    ("Isles of Scilly", date(2013, 10, 1), {}),
    ("West Northamptonshire", date(2023, 3, 15), {"Forecast": "too few"}),  # its first census
]


@pytest.mark.parametrize("council, meeting, left_out", NEW_PACKS)
def test_what_pack_new_writes_builds_or_leaves_a_report_out_saying_why(
    council, meeting, left_out, tmp_path
):
    from sendlib.pipeline import packs

    written = meetings.new_pack(council, meeting, packs_dir=tmp_path / "packs")
    said = [note for note in written.notes if note.startswith("left out")]
    assert len(said) == len(left_out)
    for word, reason in left_out.items():
        assert any(word in note and reason in note for note in said), said
    pack = packs.read_pack(written.path)
    built = packs.build_pack(pack, reports_dir=tmp_path / "reports", progress=False)
    pages = {p.name for p in built.glob("*.html")}
    assert pages == {"index.html", *(f"{r.notebook}.html" for r in pack.reports)}
    assert len(pack.reports) == 3 - len(left_out)


def test_a_meeting_before_the_data_begins_writes_nothing(tmp_path):
    with pytest.raises(meetings.PackError, match="begin with January 2010"):
        meetings.new_pack("Kent", date(2009, 6, 30), packs_dir=tmp_path / "packs")
    assert not (tmp_path / "packs").exists() or not list((tmp_path / "packs").rglob("*.toml"))
