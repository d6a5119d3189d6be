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
