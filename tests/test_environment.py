"""environment.yml (conda) lists the same dependencies as pyproject.toml (pip)."""

from __future__ import annotations

import re
import tomllib

import yaml

from sendlib import config


def normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def pip_requirements() -> set[str]:
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    requirements = project["dependencies"] + extras["dev"] + extras["lab"]
    return {normalise(r) for r in requirements}


def conda_environment() -> dict:
    return yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())


def conda_requirements() -> set[str]:
    """Conda packages plus the pip section (packages conda-forge does not carry)."""
    dependencies = conda_environment()["dependencies"]
    plain = [d for d in dependencies if isinstance(d, str)]
    pip_part = next(d for d in dependencies if isinstance(d, dict))["pip"]
    conda = {normalise(d) for d in plain if not d.startswith("python") and d != "pip"}
    return conda | {normalise(d) for d in pip_part if not d.startswith("--editable")}


def test_conda_and_pip_list_the_same_packages_and_versions():
    assert conda_requirements() == pip_requirements()


def test_conda_installs_sendlib_itself_and_the_same_python():
    dependencies = conda_environment()["dependencies"]
    pip_part = next(d for d in dependencies if isinstance(d, dict))["pip"]
    assert "--editable ." in pip_part
    assert "python=3.11" in dependencies


def test_every_package_sendlib_imports_is_declared():
    """A module imported anywhere in sendlib/ is the standard library's, sendlib's, or a
    declared dependency (so a fresh install has it)."""
    import ast
    import sys

    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        re.split(r"[<>=\[ ]", r)[0].lower().replace("-", "_") for r in project["dependencies"]
    }
    # Import names that differ from their distribution's name.
    aliases = {"IPython": "ipython", "yaml": "pyyaml"}
    imported = set()
    for path in (config.PROJECT_ROOT / "sendlib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {
        m
        for m in imported
        if m not in sys.stdlib_module_names and m not in ("sendlib", "__future__")
    }
    missing = {m for m in third_party if aliases.get(m, m).lower() not in declared}
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def test_nothing_declared_is_unused():
    """odfpy was declared and never imported: every runtime dependency is imported somewhere
    (or is the kernel, the notebook pairing, or the charting library the customer fixed)."""
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=\[ ]", r)[0].lower() for r in project["dependencies"]}
    source = "\n".join(p.read_text() for p in (config.PROJECT_ROOT / "sendlib").rglob("*.py"))
    imports = {"ipython": "IPython", "jupyter_client": "jupyter_client"}
    # The kernel papermill runs, the notebook pairing, pandas' parquet engine, the customer's charts.
    not_imported = {"ipykernel", "jupytext", "pyarrow", "seaborn"}
    unused = {
        n
        for n in names - not_imported
        if f"import {imports.get(n, n)}" not in source and f"from {imports.get(n, n)}" not in source
    }
    assert not unused, f"declared but never imported: {sorted(unused)}"
