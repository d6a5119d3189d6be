"""Packs under faults and changes: resumable runs, stale inputs, files edited mid-build,
bad settings, killed and dying builds (split from test_packs.py so the two run side by side)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from sendlib import cli, config
from sendlib.pipeline import packs

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

from packs_support import DEFAULT, GOOD, KINGSTON, definition  # noqa: E402


def test_all_councils_is_resumable(tmp_path):
    out = tmp_path / "r"
    definition_path = config.PACKS_DIR / "all-councils.toml"
    first = packs.build_all_councils(
        definition_path, councils=["Sutton", "Merton"], reports_dir=out, progress=False
    )
    assert sorted(first["built"]) == ["Merton", "Sutton"] and not first["failed"]
    shutil.rmtree(out / "merton")  # an interrupted run lost Merton
    second = packs.build_all_councils(
        definition_path, councils=["Sutton", "Merton"], reports_dir=out, progress=False
    )
    assert second["built"] == ["Merton"] and second["skipped"] == ["Sutton"]


# --- a pack is "up to date" only when every input and page is as it was ---------------------


def council_pack(tmp_path: Path, monkeypatch) -> packs.Pack:
    """A pack whose KPI report reads a copy of Kingston's files (the project root moved to
    ``tmp_path`` so the copy counts as inside the project)."""
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    shutil.copytree(config.RAW_DIR / "local" / "kingston-upon-thames", tmp_path / "local")
    shutil.copy(config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv", tmp_path / "rules.csv")
    source = definition(tmp_path, GOOD)
    report = packs.ReportSpec(
        "kpi_dashboard",
        "KPIs",
        {"quarter": "Q3", "local_dir": "local", "rules_file": "rules.csv"},
    )
    return packs.Pack(
        source, "Kingston upon Thames", "Kingston upon Thames", date(2021, 12, 16),
        "Board", {}, (report,), date(2021, 12, 16),
    )  # fmt: skip


def fake_build(pack: packs.Pack, reports: Path) -> Path:
    """Write what a build records (manifest and page) without running the notebook."""
    folder = packs.pack_folder(pack, reports)
    folder.mkdir(parents=True)
    (folder / "kpi_dashboard.html").write_text("<p>page</p>")
    (folder / "index.html").write_text("<p>index</p>")
    inputs = packs.pack_inputs(pack)
    manifest = {
        "fingerprint": packs._fingerprint(inputs),
        "inputs": inputs,
        "pages": {"index.html": hashlib.sha256(b"<p>index</p>").hexdigest()},
        "reports": {
            "kpi_dashboard": {
                "file": "kpi_dashboard.html",
                "sha256": hashlib.sha256(b"<p>page</p>").hexdigest(),
            }
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.mark.parametrize(
    "changed", ["local/kpi_dashboard_2021-22_q3.tsv", "rules.csv", "pack.toml"]
)
def test_a_changed_council_file_rules_or_definition_makes_a_pack_stale(
    tmp_path, monkeypatch, changed
):
    pack = council_pack(tmp_path, monkeypatch)
    fake_build(pack, tmp_path / "reports")
    assert packs.stale_reason(pack, tmp_path / "reports") is None
    with open(tmp_path / changed, "a") as handle:
        handle.write("\n")
    reason = packs.stale_reason(pack, tmp_path / "reports")
    assert reason is not None and changed.split("/")[-1] in reason


@pytest.mark.parametrize("page", ["kpi_dashboard.html", "index.html"])
def test_a_damaged_or_deleted_page_is_not_up_to_date(page, tmp_path, monkeypatch):
    pack = council_pack(tmp_path, monkeypatch)
    folder = fake_build(pack, tmp_path / "reports")
    (folder / page).write_text("<p>pag</p>")
    assert "damaged" in packs.stale_reason(pack, tmp_path / "reports")
    (folder / page).write_bytes(b"")
    assert "damaged" in packs.stale_reason(pack, tmp_path / "reports")
    (folder / page).unlink()
    assert "missing" in packs.stale_reason(pack, tmp_path / "reports")


@pytest.mark.parametrize("text", ["null", "[]", '{"reports": null}', "{", ""])
def test_a_damaged_pack_manifest_is_not_up_to_date(text, tmp_path, monkeypatch):
    pack = council_pack(tmp_path, monkeypatch)
    folder = fake_build(pack, tmp_path / "reports")
    (folder / "manifest.json").write_text(text)
    assert "damaged" in packs.stale_reason(pack, tmp_path / "reports")


@pytest.mark.parametrize("edited", ["kpi_dashboard_2021-22_q3.tsv", "kpi_rules.csv", "pack.toml"])
def test_an_input_edited_while_the_reports_run_fails_the_build_and_keeps_nothing(
    edited, tmp_path, monkeypatch
):
    """A council file, the rules or the definition is edited after the build began, while its
    reports run: nothing is kept, and no manifest records the old inputs as current."""
    # Council files must be inside the project: a scratch folder under build/ (git-ignored).
    inside = config.PROJECT_ROOT / "build" / f"test-edited-{tmp_path.name}"
    shutil.rmtree(inside, ignore_errors=True)
    local = inside / "local"
    shutil.copytree(KINGSTON, local)
    rules = inside / "kpi_rules.csv"
    shutil.copy(config.PACKS_DIR / "kingston-upon-thames" / "kpi_rules.csv", rules)
    source = definition(
        tmp_path,
        GOOD.replace(
            "latest_census = 2021",
            f'latest_census = 2021\nlocal_dir = "{local.as_posix()}"\n'
            f'rules_file = "{rules.as_posix()}"\nquarter = "Q3"\nfinancial_year = "2021-22"',
        )
        + '\n[[reports]]\nnotebook = "kpi_dashboard"\ntitle = "KPIs"\n',
    )
    pack = packs.read_pack(source)
    target = {"kpi_dashboard_2021-22_q3.tsv": local / edited, "kpi_rules.csv": rules}.get(
        edited, tmp_path / edited
    )
    real = packs._record_run_times

    def edit_then_record(runs):  # the reports have run; the file is corrected now
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("\n# corrected\n" if edited == "pack.toml" else "\n")
        real(runs)

    monkeypatch.setattr(packs, "_record_run_times", edit_then_record)
    with pytest.raises(packs.PackError, match="changed while the pack was being built") as error:
        packs.build_pack(pack, reports_dir=tmp_path / "r", progress=False)
    assert edited in str(error.value)
    assert not packs.pack_folder(pack, tmp_path / "r").exists()
    shutil.rmtree(inside, ignore_errors=True)


# --- definitions checked whole, before anything runs --------------------------------------------

FORECAST = (
    GOOD
    + """
[[reports]]
notebook = "forecast"
[reports.parameters]
cost_per_plan = 21300.0
ceiling = 1537
ceiling_year = 2022
"""
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("2021-12-16", "2021-12-16T10:00:00"), "expected a date"),
        (GOOD.replace("latest_census = 2021", "latest_census = 2030"), "found 2030"),
        (GOOD.replace("latest_census = 2021", "latest_census = 2005"), "found 2005"),
        (GOOD.replace("2021-12-16", "2020-12-16"), "January 2021 is after the meeting"),
        (GOOD.replace("latest_census = 2021", 'sn_model = "2019"'), "found '2019'"),
        (FORECAST.replace("ceiling_year = 2022\n", ""), "ceiling and ceiling_year go together"),
        (FORECAST.replace("ceiling_year = 2022", "ceiling_year = 2040"), "found 2040"),
        (FORECAST.replace("21300.0", "-21300.0"), "expected 0 or more"),
        (FORECAST.replace("21300.0", "inf"), "expected a finite number"),
        (GOOD.replace('"ehcp_caseload"', '"../../etc/x"'), "without a path"),
    ],
)
def test_each_bad_setting_is_caught_before_anything_runs(tmp_path, text, message):
    with pytest.raises(packs.PackError, match=re.escape(message)):
        packs.read_pack(definition(tmp_path, text))


def test_every_problem_of_a_definition_is_reported_at_once(tmp_path):
    text = (
        FORECAST.replace("latest_census = 2021", 'latest_census = 2030\nsn_model = "2019"').replace(
            "ceiling_year = 2022\n", ""
        )
        + '[[reports]]\nnotebook = "kpi_dashboard"\n[reports.parameters]\nquarter = "Q7"\n'
        'local_dir = "/etc"\nrules_file = "packs/kingston-upon-thames/kpi_rules.csv"\n'
    )
    with pytest.raises(packs.PackError) as error:
        packs.read_pack(definition(tmp_path, text))
    message = str(error.value)
    for part in ["found 2030", "found '2019'", "go together", "found 'Q7'", "outside the project"]:
        assert part in message, part


# --- faults: one build at a time, leftovers cleaned, clear errors ---------------------------------


def test_a_second_build_of_the_same_pack_is_refused_clearly(tmp_path):
    import filelock

    pack = packs.read_pack(definition(tmp_path, GOOD))
    target = packs.pack_folder(pack, tmp_path / "r")
    target.parent.mkdir(parents=True)
    with filelock.FileLock(target.with_name(f".{target.name}.lock")):
        with pytest.raises(packs.PackError, match="another build of this pack"):
            packs.build_pack(pack, reports_dir=tmp_path / "r", progress=False)
    assert not target.exists()


def test_an_unwritable_reports_folder_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    pack = packs.read_pack(definition(tmp_path, GOOD))
    with pytest.raises(packs.PackError, match="cannot write to"):
        packs.build_pack(pack, reports_dir=tmp_path / "file" / "reports", progress=False)


def test_a_killed_builds_staging_folder_is_cleaned_on_the_next_run(tmp_path):
    pack = packs.read_pack(definition(tmp_path, GOOD))
    target = packs.pack_folder(pack, tmp_path / "r")
    leftover = target.with_name(f".{target.name}-deadbeef")
    leftover.mkdir(parents=True)
    (leftover / "ehcp_caseload.html").write_text("half")
    packs.build_pack(pack, reports_dir=tmp_path / "r", progress=False)
    assert not leftover.exists() and (target / "index.html").exists()


def test_warnings_never_reach_a_board_page(tmp_path, capfd):
    notebook = packs.write_notebook(
        tmp_path / "warns.ipynb",
        "council = 'x'  # council",
        "import warnings; warnings.warn('/srv/secret/path.py: careful')",
        "print('the figure')",
    )
    packs.render_report(notebook, {"council": "Sutton"}, tmp_path / "out.html")
    page = (tmp_path / "out.html").read_text()
    assert "the figure" in page and "/srv/secret" not in page
    assert "/srv/secret" in capfd.readouterr().err


def _start_pack(tmp_path: Path, **popen):
    """``sendlib pack`` of the default definition in a process of its own, into ``tmp_path``."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "SENDLIB_REPORTS_DIR": str(tmp_path / "r")}
    return subprocess.Popen(
        [sys.executable, "-m", "sendlib", "pack", str(DEFAULT), "--quiet"], env=env, **popen
    )


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc to find the processes")
def test_kill_9_of_a_pack_leaves_no_process_running(tmp_path, alive, children):
    import signal
    import subprocess
    import time

    process = _start_pack(tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    family: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(family) < 2:
        family |= children(process.pid)
        time.sleep(0.2)
    assert family, "the pack started no workers"
    time.sleep(1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(alive(pid) for pid in family):
        time.sleep(0.2)
    assert not [pid for pid in family if alive(pid)]


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc to find the processes")
def test_sigterm_of_a_pack_cleans_up_and_says_so(tmp_path):
    import signal
    import subprocess
    import time

    process = _start_pack(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    folder = tmp_path / "r" / "kingston-upon-thames"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(folder.glob(".2021-12-16-*")):
        time.sleep(0.2)
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "nothing half-built was kept" in err
    assert not list(folder.glob(".2021-12-16-*")) and not (folder / "2021-12-16").exists()


def dying_notebook(
    folder: Path, name: str = "synthetic_dying.ipynb", parameters: str = "council = 'x'  # council"
) -> Path:
    """A small synthetic notebook whose kernel dies in its second cell (as out of memory)."""
    return packs.write_notebook(folder / name, parameters, "import os\nos._exit(1)")


def test_a_report_whose_kernel_dies_is_named_in_a_pack_error(tmp_path):
    with pytest.raises(packs.PackError) as error:
        packs.render_report(dying_notebook(tmp_path), {"council": "Sutton"}, tmp_path / "o.html")
    assert "synthetic_dying.ipynb: its kernel died" in str(error.value)
    assert not (tmp_path / "o.html").exists()


def test_a_pack_whose_report_kernel_dies_names_it_and_keeps_the_earlier_pack(
    tmp_path, monkeypatch, capsys
):
    pack = packs.read_pack(definition(tmp_path, GOOD))
    first = packs.build_pack(pack, reports_dir=tmp_path / "r", progress=False)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for report in pack.reports:
        shutil.copy(report.path, notebooks / report.path.name)
    declared = packs.declared_parameters(config.NOTEBOOKS_DIR / "ehcp_caseload.ipynb")
    same = "\n".join(f"{n} = {p['default']}  # {n}" for n, p in declared.items())
    dying_notebook(notebooks, "ehcp_caseload.ipynb", same)
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setenv("SENDLIB_REPORTS_DIR", str(tmp_path / "r"))
    code = cli.main(["pack", str(pack.source), "--force", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "ehcp_caseload.ipynb: its kernel died" in err and "Traceback" not in err
    assert "Kernel died while" not in err  # said once, by sendlib
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
