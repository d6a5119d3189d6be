"""Report notebooks are thin, paired with py:percent text, committed without outputs.

(The notebooks themselves are executed on the real data by nbval: see pyproject.toml.)
"""

from __future__ import annotations

import ast

import jupytext
import nbformat
import pytest

from sendlib import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_has_an_identical_py_percent_twin(path):
    twin = path.with_suffix(".py")
    assert twin.exists(), f"{twin.name} is missing: run jupytext --sync {path.name}"
    paired = jupytext.read(twin)
    notebook = nbformat.read(path, as_version=4)
    assert [(c.cell_type, c.source) for c in paired.cells] == [
        (c.cell_type, c.source) for c in notebook.cells
    ], "run: jupytext --sync " + path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_carry_no_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_hold_no_logic(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, ast.FunctionDef | ast.ClassDef | ast.Lambda | ast.For | ast.While
            ), f"{path.name}: logic belongs in sendlib"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_documents_each_parameter(path):
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    lines = [line for line in cells[0].source.splitlines() if line.strip()]
    assert lines and all("#" in line for line in lines)
    names = [line.split("=")[0].strip() for line in lines]
    assert names[0] == "council"  # every report names its council the same way
