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
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
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
