"""The sendlib command explains itself and fails clearly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sendlib import cli


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sendlib.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("data", "council", "pack"):
        assert command in result.stdout


def test_data_build_help():
    with pytest.raises(SystemExit) as done:
        cli.main(["data", "build", "--help"])
    assert done.value.code == 0


def test_council_lookup_prints_neighbours_and_caseload(capsys):
    assert cli.main(["council", "E09000021"]) == 0
    out = capsys.readouterr().out
    assert "Kingston upon Thames (DfE 314, E09000021), Outer London" in out
    assert "Sutton" in out and "1958" in out


def test_a_misspelt_council_exits_2_with_a_suggestion():
    result = run("council", "Kingston upon Tames")
    assert result.returncode == 2
    assert "Did you mean: Kingston upon Thames" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_status_says_up_to_date_and_whether_dfe_has_published_newer(capsys):
    from datetime import date

    assert cli.main(["data", "status"]) == 0
    out = capsys.readouterr().out
    assert "up to date with data/raw/" in out
    today = date.today()
    # DfE publishes each June; the shipped releases run to January 2025.
    newest = today.year if (today.month, today.day) >= (7, 1) else today.year - 1
    if newest > 2025:
        assert f"DfE published the January {newest} census" in out
        assert "sendlib data update" in out


def test_an_interrupted_pack_says_nothing_was_kept_and_exits_130(monkeypatch, capsys, tmp_path):
    from sendlib.pipeline import packs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(packs, "build_pack", interrupted)
    monkeypatch.setenv("SENDLIB_REPORTS_DIR", str(tmp_path))
    assert cli.main(["pack", "packs/kingston-upon-thames/2021-12-16.toml", "--quiet"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_council_outside_london_prints_its_region(capsys):
    assert cli.main(["council", "Kent"]) == 0
    assert "Kent (DfE 886, E10000016), South East" in capsys.readouterr().out


def test_python_dash_m_sendlib_runs_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "sendlib", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "pack" in result.stdout


@pytest.mark.slow  # builds the tables or draws every chart
def test_data_check_lists_the_figures_it_excludes(capsys):
    assert cli.main(["data", "check"]) == 0
    out = capsys.readouterr().out
    assert "equals_region" in out and "Wakefield" in out


def test_an_unforeseen_system_fault_is_a_sendlib_message(monkeypatch, capsys):
    import errno

    from sendlib import tables

    def fault(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error", "data/processed/caseload.parquet")

    monkeypatch.setattr(tables, "build", fault)
    assert cli.main(["data", "build", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sendlib data build: stopped by the system: Input/output error")
    assert "caseload.parquet" in err and "Traceback" not in err
