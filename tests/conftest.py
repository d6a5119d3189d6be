"""Shared fixtures: the real raw data, and copies of it that a test may spoil."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sendlib import config


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A copy of data/raw/ that a test may damage (the real one is never written to)."""
    target = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, target)
    return target


def once(tmp_path_factory, name: str, build) -> dict:
    """``build(folder)`` (a dict of names and paths) run once per test run, whichever pytest-xdist
    worker asks first: the others wait for it, then read what it built (the recipe of
    pytest-xdist's documentation: the workers share the parent of their temporary folders)."""
    import json
    import os

    import filelock

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    record = root / f"{name}.json"
    with filelock.FileLock(str(root / f"{name}.lock")):
        if record.exists():
            return {key: Path(path) for key, path in json.loads(record.read_text()).items()}
        built = build(root / name)
        record.write_text(json.dumps({str(key): str(path) for key, path in built.items()}))
        return {str(key): path for key, path in built.items()}


@pytest.fixture(scope="session")
def kingston_packs(tmp_path_factory) -> dict[str, Path]:
    """Kingston's shipped Q2 and Q3 2021/22 packs, built in turn into one reports folder, as
    `make pack` builds them (once per test run; copy a folder before changing it)."""
    from sendlib.pipeline import packs

    def build(reports: Path) -> dict:
        return {
            quarter: packs.build_pack(
                packs.read_pack(config.PACKS_DIR / "kingston-upon-thames" / f"{day}.toml"),
                reports_dir=reports,
                progress=False,
            )
            for quarter, day in (("Q2", "2021-09-16"), ("Q3", "2021-12-16"))
        }

    return once(tmp_path_factory, "kingston", build)


@pytest.fixture(scope="session")
def default_pack(kingston_packs) -> Path:
    """The default meeting pack (Kingston's Q3 2021/22, with its Q2 pack beside it)."""
    return kingston_packs["Q3"]


@pytest.fixture
def alive():
    """A test of whether process ``pid`` is running (a zombie is not), read from ``/proc``."""

    def running(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except OSError:
            return False
        return state != "Z"

    return running


@pytest.fixture
def children():
    """The pids of the running children of process ``pid`` whose command line holds ``has``
    (bytes), read from ``/proc``."""

    def of(pid: int, has: bytes = b"") -> set[int]:
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    command = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if parent == pid and has in command:
                    found.add(int(entry.name))
        return found

    return of


@pytest.fixture(scope="session")
def kent_packs(tmp_path_factory) -> dict[int, Path]:
    """Kent's packs for its July 2024 and July 2025 meetings, written by `sendlib pack new` and
    built in turn into one reports folder (shared by the tests of the board cycle, the landing
    page and the browser: copy the folder before changing anything in it)."""
    from datetime import date

    from sendlib.pipeline import meetings, packs

    def build(root: Path) -> dict:
        built = {}
        for day in (date(2024, 7, 11), date(2025, 7, 10)):
            written = meetings.new_pack("Kent", day, packs_dir=root / "packs")
            pack = packs.read_pack(written.path)
            built[day.year] = packs.build_pack(pack, reports_dir=root / "reports", progress=False)
        return built

    return {int(year): path for year, path in once(tmp_path_factory, "kent", build).items()}


LONGEST_FIRST = (
    "test_every_area",
    "test_walkthrough",
    "test_every_area_engines",
    "test_pack_faults",
    "test_meetings",
    "test_reports",
    "test_board",
    "test_packs",
    "test_browser",
    "test_processed_faults",
    "test_quality_classes",
    "test_currency",
    "test_pdf",
    "test_processed",
    "test_kernels",
    "test_data_update",
)
"""The slowest test modules, slowest first: `make test` gives each module to one of two
workers in collection order, so the long ones start first and the short ones fill in."""


def pytest_collection_modifyitems(config, items):
    """Put the slowest modules first (a stable sort: each module's own order is kept)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).stem, len(rank)))
