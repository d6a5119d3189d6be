"""A meeting pack is checked before it runs, built whole or not at all, never overwritten."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from sendlib import config, packs
from sendlib.errors import UnknownCouncilError

DEFAULT = config.PACKS_DIR / "kingston-upon-thames" / "2021-12-16.toml"


def definition(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.toml"
    path.write_text(text)
    return path


GOOD = """council = "Kingston upon Thames"
meeting_date = 2021-12-16
[data]
latest_census = 2021
[[reports]]
notebook = "ehcp_caseload"
title = "EHCP caseload"
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    return packs.build_pack(packs.read_pack(DEFAULT), reports_dir=reports, progress=False)


def test_default_pack_builds_an_index_and_a_report_with_no_code(built):
    assert built.name == "2021-12-16" and built.parent.name == "kingston-upon-thames"
    index = (built / "index.html").read_text()
    assert 'href="ehcp_caseload.html"' in index
    report = (built / "ehcp_caseload.html").read_text()
    assert "import sendlib" not in report and "caseload_with_comparators" not in report
    text = re.sub(r"<[^>]+>", " ", report)
    assert "1,424" in text  # Kingston, January 2021 (DfE)
    assert "January 2021" in text  # the data date of the pack's vintage
    assert "2025" not in re.findall(r"January (\d{4})", text)  # nothing after the vintage


def test_an_existing_pack_is_not_overwritten_without_force(built):
    before = (built / "ehcp_caseload.html").read_bytes()
    with pytest.raises(packs.PackError, match="--force"):
        packs.build_pack(packs.read_pack(DEFAULT), reports_dir=built.parent.parent, progress=False)
    assert (built / "ehcp_caseload.html").read_bytes() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("2021-12-16", '"16/12/2021"'), "expected a date"),
        (GOOD.replace('"ehcp_caseload"', '"ehcp_casload"'), "no notebook 'ehcp_casload'"),
        (GOOD.replace("latest_census", "latest_censsus"), "unknown parameter(s) latest_censsus"),
        (GOOD.replace("council = ", "councill = "), "no 'council'"),
        (GOOD + "[[", "not valid TOML"),
    ],
)
def test_a_bad_definition_fails_before_anything_runs(tmp_path, text, message):
    with pytest.raises(packs.PackError) as error:
        packs.read_pack(definition(tmp_path, text))
    assert message in str(error.value)


def test_a_misspelt_council_in_a_definition_suggests_the_right_one(tmp_path):
    with pytest.raises(UnknownCouncilError, match="Kingston upon Thames"):
        packs.read_pack(definition(tmp_path, GOOD.replace("Thames", "Tames")))


def test_a_failing_report_names_its_cell_and_keeps_the_executed_notebook(tmp_path):
    # A small synthetic notebook that fails in its second cell.
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "council = 'x'  # council", metadata={"tags": ["parameters"]}
            ),
            nbformat.v4.new_code_cell("raise ValueError('no figures for ' + council)"),
        ]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "synthetic_failing.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(packs.PackError) as error:
        packs.render_report(
            path, {"council": "Sutton"}, tmp_path / "out.html", failed_dir=tmp_path / "_failed"
        )
    assert "ValueError: no figures for Sutton" in str(error.value)
    assert (tmp_path / "_failed" / "synthetic_failing.ipynb").exists()
    assert not (tmp_path / "out.html").exists()
