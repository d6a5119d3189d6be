"""The processed tables under ordinary faults: a damaged table or manifest is rebuilt, never
read; a full disk or read-only folder is a sendlib message; a killed build leaves nothing behind;
a build that must wait says so and gives up, saying why."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import filelock
import pandas as pd
import pytest

from sendlib import tables
from sendlib.errors import OutputError, SendlibError

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """Tables built once from the real raw data: what every repaired table must equal."""
    out = tmp_path_factory.mktemp("reference")
    tables.build(processed_dir=out)
    return out


@pytest.fixture
def built(reference, tmp_path) -> Path:
    out = tmp_path / "processed"
    out.mkdir()
    for path in reference.iterdir():
        if path.is_file():
            (out / path.name).write_bytes(path.read_bytes())
    return out


def flip_one_bit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def zero_fill(path: Path) -> None:
    path.write_bytes(bytes(path.stat().st_size))


@pytest.mark.parametrize("damage", [flip_one_bit, zero_fill])
@pytest.mark.parametrize("table", ["caseload", "ehcp_activity", "population", "councils"])
def test_a_table_damaged_without_changing_its_size_is_stale(damage, table, built):
    path = built / f"{table}.parquet"
    size = path.stat().st_size
    damage(path)
    assert path.stat().st_size == size
    reason = tables.stale_reason(None, built)
    assert reason is not None and table in reason


def test_a_damaged_table_is_rebuilt_not_read(built, reference):
    flip_one_bit(built / "caseload.parquet")
    zero_fill(built / "population.parquet")
    for table in ("caseload", "population"):
        loaded = tables.load(table, processed_dir=built)
        pd.testing.assert_frame_equal(loaded, pd.read_parquet(reference / f"{table}.parquet"))
    assert tables.stale_reason(None, built) is None


MANIFESTS = ["null", "[]", "{}", '{"inputs": null, "tables": {}}', '{"tables": []}', "{"]


@pytest.mark.parametrize("text", MANIFESTS)
def test_a_damaged_manifest_is_stale(text, built):
    (built / tables.MANIFEST).write_text(text)
    assert tables.stale_reason(None, built) is not None


def test_a_damaged_manifest_is_rebuilt(built, reference):
    (built / tables.MANIFEST).write_text("null")
    loaded = tables.load("caseload", processed_dir=built)
    pd.testing.assert_frame_equal(loaded, pd.read_parquet(reference / "caseload.parquet"))
    assert isinstance(json.loads((built / tables.MANIFEST).read_text()), dict)


def test_a_killed_builds_staging_folders_are_removed_by_the_next(built):
    for name in (".staging-abc123", ".staging-x"):
        (built / name).mkdir()
        (built / name / "caseload.parquet").write_bytes(b"half")
    tables.build(force=True, processed_dir=built)
    assert not list(built.glob(".staging-*"))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_full_disk_or_read_only_folder_is_a_sendlib_message(code, built, monkeypatch):
    before = {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()}

    def fails(self, path, *args, **kwargs):
        raise OSError(code, "simulated")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fails)
    with pytest.raises(OutputError) as error:
        tables.build(force=True, processed_dir=built)
    message = str(error.value)
    assert str(built) in message and "unchanged" in message
    assert {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()} == before
    assert not list(built.glob(".staging-*"))


def test_a_build_that_must_wait_says_so_and_gives_up_saying_why(built, monkeypatch):
    monkeypatch.setattr(tables, "LOCK_PATIENCE", 0.5)
    said = []
    holder = filelock.FileLock(built / ".lock")
    holder.acquire()
    try:
        with pytest.raises(SendlibError, match="has held"):
            tables.build(force=True, processed_dir=built, step=said.append)
    finally:
        holder.release()
    assert any("waiting for another build" in s for s in said)
