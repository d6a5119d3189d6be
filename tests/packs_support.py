"""What the pack tests share (test_packs.py, test_pack_faults.py): the default definition, a
small good one, and writing one to a temporary folder."""

from __future__ import annotations

from pathlib import Path

from sendlib import config

DEFAULT = config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml"
KINGSTON = config.RAW_DIR / "local" / "kingston-upon-thames"
GOOD = """council = "Kingston upon Thames"
meeting_date = 2021-12-16
[data]
latest_census = 2021
[[reports]]
notebook = "ehcp_caseload"
title = "EHCP caseload"
"""


def definition(tmp_path: Path, text: str) -> Path:
    """A pack definition of ``text`` in ``tmp_path``."""
    path = tmp_path / "pack.toml"
    path.write_text(text)
    return path
