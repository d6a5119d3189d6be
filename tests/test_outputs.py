"""No command, call or setting writes into data/raw; a council file that is a link to a file
elsewhere is refused by name. The guard is tested on a copy of the project's raw folder, so a
failing guard would damage only the copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sendlib
from sendlib import cli, config, tables
from sendlib.errors import DataFileError, OutputError


@pytest.fixture
def raw(raw_copy, monkeypatch) -> Path:
    """data/raw is the copy for this test."""
    monkeypatch.setattr(config, "RAW_DIR", raw_copy)
    return raw_copy


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


TARGETS = [
    "local/kingston-upon-thames/kpi_dashboard_2021-22_q3.tsv",  # an input itself
    "local/new.xlsx",
    "dfe-ehcp/findings.xlsx",
    "README.md",
]


@pytest.mark.parametrize("target", TARGETS)
def test_to_excel_never_writes_into_data_raw(target, raw):
    before = snapshot(raw)
    path = (raw / target).with_suffix(".xlsx")
    with pytest.raises(OutputError, match="inside data/raw"):
        sendlib.to_excel({"t": pd.DataFrame({"a": [1]})}, path)
    assert snapshot(raw) == before


def test_to_excel_through_a_link_into_data_raw_is_refused(raw, tmp_path):
    link = tmp_path / "looks-outside"
    link.symlink_to(raw / "local", target_is_directory=True)
    with pytest.raises(OutputError, match="inside data/raw"):
        sendlib.to_excel(pd.DataFrame({"a": [1]}), link / "book.xlsx")


@pytest.mark.parametrize("target", ["dfe-ehcp/education-health-and-care-plans_2025.zip", "x.csv"])
def test_data_check_csv_never_writes_into_data_raw(target, raw, capsys):
    before = snapshot(raw)
    assert cli.main(["data", "check", "--csv", str(raw / target)]) == 2
    assert "inside data/raw" in capsys.readouterr().err
    assert snapshot(raw) == before


@pytest.mark.parametrize("variable", ["SENDLIB_PROCESSED_DIR", "SENDLIB_REPORTS_DIR"])
def test_output_folders_set_inside_data_raw_are_refused(variable, raw, monkeypatch):
    monkeypatch.setenv(variable, str(raw / "processed"))
    before = snapshot(raw)
    with pytest.raises(OutputError, match="inside data/raw"):
        if variable == "SENDLIB_PROCESSED_DIR":
            tables.build(raw_dir=raw)
        else:
            from sendlib.pipeline import packs

            pack = packs.read_pack(config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml")
            packs.build_pack(pack, progress=False)
    assert snapshot(raw) == before


def test_a_council_file_that_links_outside_its_folder_is_refused(tmp_path):
    from sendlib.ingest import council_files

    folder = tmp_path / "council"
    shutil.copytree(config.RAW_DIR / "local" / "kingston-upon-thames", folder)
    elsewhere = tmp_path / "elsewhere.tsv"
    original = folder / "kpi_dashboard_2021-22_q3.tsv"
    elsewhere.write_bytes(original.read_bytes())
    original.unlink()
    os.symlink(elsewhere, original)
    with pytest.raises(DataFileError) as error:
        council_files.find_file(folder, "kpi_dashboard", quarter="Q3", year="2021-22")
    assert "a link to a file outside the council's folder" in str(error.value)
    assert str(elsewhere) in str(error.value)


@pytest.mark.parametrize("writer", ["to_excel", "export"])
def test_a_full_disk_while_writing_leaves_the_old_file_and_no_part_file(
    writer, tmp_path, monkeypatch
):
    import errno

    from sendlib.present import html

    before = tmp_path / ("book.xlsx" if writer == "to_excel" else "t.xlsx")
    before.write_bytes(b"the earlier file")

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sendlib.outputs.os.replace", full)
    table = pd.DataFrame({"a": [1]})
    with pytest.raises(OutputError, match="disk is full"):
        if writer == "to_excel":
            sendlib.to_excel(table, before)
        else:
            html.export(table, tmp_path, "t")
    assert before.read_bytes() == b"the earlier file"
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]
