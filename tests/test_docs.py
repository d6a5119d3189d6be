"""The API reference: `make docs` writes it from the docstrings, and every public function an
analyst calls has a docstring (its examples run as doctests in `make test`)."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest

import sendlib
from sendlib import config

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow


def test_every_public_call_has_a_docstring():
    undocumented = [
        name
        for name in sendlib.__all__
        if callable(getattr(sendlib, name)) and not inspect.getdoc(getattr(sendlib, name))
    ]
    assert undocumented == []


def test_make_docs_writes_a_page_naming_every_public_call(tmp_path):
    makefile = (config.PROJECT_ROOT / "Makefile").read_text()
    modules = re.search(r"^DOCS := (.*?)\n(?=\S)", makefile, re.S | re.M).group(1).split()
    modules = [m for m in modules if m != "\\"]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pdoc",
            *modules,
            "-o",
            str(tmp_path),
            "--docformat",
            "restructuredtext",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "sendlib.html").read_text(encoding="utf-8")
    for name in sendlib.__all__:
        if inspect.ismodule(getattr(sendlib, name)):  # sendlib.measures: a package
            assert f'href="sendlib/{name}.html"' in page, name
        else:
            assert f'id="{name}"' in page, name
    assert (tmp_path / "sendlib" / "measures" / "league.html").exists()
