"""The sha256 of a file: what manifests record of every input and output."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path | str) -> str:
    """The sha256 of a file, in hex (read a megabyte at a time).

    >>> from sendlib import config
    >>> sha256(config.RAW_DIR / config.EHCP_RELEASE_2025)[:12]
    '489583bbf911'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
