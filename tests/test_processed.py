"""data/processed/ is rebuilt only when an input or the code changed, and on first use."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from sendlib import config, tables

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow


def test_build_writes_every_table_and_a_manifest(raw_copy, tmp_path):
    out = tmp_path / "processed"
    manifest = tables.build(raw_dir=raw_copy, processed_dir=out)
    assert set(manifest["tables"]) == set(tables.TABLES)
    for table in manifest["tables"].values():
        frame = pd.read_parquet(out / table["file"])
        assert len(frame) == table["rows"] > 0
        assert list(frame.columns) == table["columns"]
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["inputs"][config.EHCP_RELEASE_2025]["sha256"] == (
        "489583bbf9119cf489fc94102db2a7eb6e10b8fae501e315d8d2e373ae310b4f"
    )  # as published
    assert on_disk["sendlib_version"] == tables.sendlib_version()


def test_a_second_build_does_nothing_until_an_input_changes(raw_copy, tmp_path):
    out = tmp_path / "processed"
    tables.build(raw_dir=raw_copy, processed_dir=out)
    stamp = (out / "caseload.parquet").stat().st_mtime_ns
    said: list[str] = []
    tables.build(raw_dir=raw_copy, processed_dir=out, step=said.append)
    assert said == ["up to date: nothing to build"]
    assert (out / "caseload.parquet").stat().st_mtime_ns == stamp

    lookup = raw_copy / config.LA_CHANGES
    lookup.write_text(lookup.read_text() + "\n")  # a changed input
    assert tables.stale_reason(raw_copy, out) == f"input {config.LA_CHANGES} has changed"
    tables.build(raw_dir=raw_copy, processed_dir=out)
    assert tables.stale_reason(raw_copy, out) is None


def test_a_touched_but_identical_input_is_not_a_change(raw_copy, tmp_path):
    out = tmp_path / "processed"
    tables.build(raw_dir=raw_copy, processed_dir=out)
    os.utime(raw_copy / config.SN_MODEL_2025)  # new mtime, same bytes
    assert tables.stale_reason(raw_copy, out) is None


def test_loading_builds_on_first_use_and_after_a_table_is_lost(raw_copy, tmp_path):
    out = tmp_path / "processed"
    assert tables.stale_reason(raw_copy, out).startswith("no manifest")
    table = tables.load("councils", raw_dir=raw_copy, processed_dir=out)
    assert len(table) > 150
    (out / "ehcp_activity.parquet").unlink()
    assert tables.stale_reason(raw_copy, out) == "table ehcp_activity is missing"
    assert len(tables.load("ehcp_activity", raw_dir=raw_copy, processed_dir=out)) > 0


def test_an_unknown_table_is_named():
    try:
        tables.load("caseloads")
    except KeyError as error:
        assert "caseload" in str(error)
    else:
        raise AssertionError("no error")


def test_the_default_folder_can_be_moved(monkeypatch, tmp_path):
    project = config.DATA_DIR / "processed" / tables.MANIFEST
    before = project.stat().st_mtime_ns if project.exists() else None
    monkeypatch.setenv("SENDLIB_PROCESSED_DIR", str(tmp_path / "elsewhere"))
    assert tables.load("councils")["old_la_code"].nunique() > 150
    assert (tmp_path / "elsewhere" / tables.MANIFEST).exists()
    after = project.stat().st_mtime_ns if project.exists() else None
    assert before == after  # the project's own folder was not touched
