"""environment.yml (conda) lists the same dependencies as pyproject.toml (pip)."""

from __future__ import annotations

import re
import tomllib

import yaml

from sendlib import config


def pip_requirements() -> set[str]:
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {re.sub(r"\s+", "", r).lower() for r in requirements}


def conda_requirements() -> set[str]:
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    plain = [d for d in env["dependencies"] if isinstance(d, str)]
    return {
        d.replace(" ", "").lower()
        for d in plain
        if not d.startswith(("python=", "python>", "pip")) and d != "pip"
    }


def test_conda_and_pip_list_the_same_packages_and_versions():
    assert conda_requirements() == pip_requirements()


def test_conda_installs_sendlib_itself_and_the_same_python():
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    pip_part = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert "--editable ." in pip_part
    assert "python=3.11" in env["dependencies"]
