"""The README's board-cycle walkthrough, run command by command in a copy of the project, as
a programme director would: new meeting, drop in files, check, build, read what changed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sendlib import config

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

ROOT = config.PROJECT_ROOT


def walkthrough() -> list[list[str]]:
    """The commands of the README's walkthrough block, in order (comments left out)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- walkthrough -->\n```sh\n(.*?)```", text, re.S).group(1)
    return [shlex.split(line) for line in block.splitlines() if line.startswith("sendlib ")]


def drop_in_q4_files(folder: Path) -> None:
    """What the director does at step 2. The figures are SYNTHETIC (Kingston's Q4 2021/22
    returns are not public): Q3's, with KPI 1 (plans held) at 1,600 for Q4."""
    dashboard = (folder / "kpi_dashboard_2021-22_q3.tsv").read_text(encoding="utf-8").splitlines()
    header = dashboard[0].split("\t")
    at = header.index("Q3") + 1
    rows = []
    for number, line in enumerate(dashboard):
        cells = line.split("\t")
        q4 = "Q4" if number == 0 else ("1600" if cells[0] == "1" else cells[at - 1])
        rows.append("\t".join([*cells[:at], q4, *cells[at:]]))
    (folder / "kpi_dashboard_2021-22_q4.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    model = (folder / "hnb_financial_model_2021-22_q3.tsv").read_text(encoding="utf-8")
    (folder / "hnb_financial_model_2021-22_q4.tsv").write_text(
        model.replace("actual_q3_gbp_m", "actual_q4_gbp_m"), encoding="utf-8"
    )
    outturn = folder / "dsg_outturn_2021-22_forecast_q3.tsv"
    shutil.copyfile(outturn, folder / "dsg_outturn_2021-22_forecast_q4.tsv")
    for name in (
        "safety_valve_deficit_and_ehcp_kpis_2021-22.tsv",
        "safety_valve_plans_issued_ceased_2021-22.tsv",
        "partner_contributions_2021-22.tsv",
    ):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        head = lines[0].split("\t")
        q3 = next(i for i, c in enumerate(head) if re.search(r"\bQ3\b", c))
        out = []
        for number, line in enumerate(lines):
            cells = line.split("\t") + [""] * (len(head) - len(line.split("\t")))
            extra = head[q3].replace("Q3", "Q4") if number == 0 else cells[q3]
            out.append("\t".join([*cells[: q3 + 1], extra, *cells[q3 + 1 :]]))
        (folder / name).write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project (code, notebooks, packs, raw data) without its reports."""
    target = tmp_path / "project"
    for part in ("sendlib", "notebooks", "packs", "data/raw"):
        shutil.copytree(
            ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_*")
        )
    return target


def run(project: Path, command: list[str], reports: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(project),  # the copy's sendlib, in this process and its kernels
        "SENDLIB_REPORTS_DIR": str(reports),
        "SENDLIB_PROCESSED_DIR": str(config.processed_dir()),
    }
    assert command[0] == "sendlib"
    return subprocess.run(
        [sys.executable, "-m", "sendlib", *command[1:], "--quiet"]
        if command[1] == "pack" and command[2] != "new"
        else [sys.executable, "-m", "sendlib", *command[1:]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_readme_walkthrough_from_new_meeting_to_what_changed(project, tmp_path):
    reports = tmp_path / "reports"
    new, check, build = walkthrough()
    folder = project / "data" / "raw" / "local" / "kingston-upon-thames"

    made = run(project, new, reports)
    assert made.returncode == 0, made.stderr
    assert "started Q4 2021-22's files" in made.stdout
    assert (project / "packs" / "kingston-upon-thames" / "2022-03-17.toml").exists()

    before = run(project, check, reports)
    assert before.returncode == 1
    assert "kpi_dashboard_2021-22_q4.tsv: the file has no KPIs" in before.stdout
    assert "partner_contributions_2021-22.tsv: no Q4 column" in before.stdout

    refused = run(project, build, reports)
    assert refused.returncode == 2 and "nothing was built" in refused.stderr

    drop_in_q4_files(folder)
    after = run(project, check, reports)
    assert after.returncode == 0, after.stdout
    built = run(project, build, reports)
    assert built.returncode == 0, built.stderr
    page = (reports / "kingston-upon-thames" / "2022-03-17" / "index.html").read_text()
    text = re.sub(r"\s*<[^>]+>\s*", " ", page)
    assert "the pack of 16 December 2021" in text
    assert "the council&#x27;s Q4 2021/22 figures (the last meeting had Q3)" in text
    # KPI 1 against its pro rata target: at Q3 1,479.25 (1,512, 2.2% over: Amber); at Q4 the
    # full 1,496 (1,600, 7.0% over the 5% band: Red).
    assert re.search(r"Actual EHCPs \(ref 1\)\s+Amber → Red", text)
    assert (reports / "kingston-upon-thames" / "index.html").exists()
    assert "2022-03-17/index.html" in (reports / "kingston-upon-thames" / "index.html").read_text()
