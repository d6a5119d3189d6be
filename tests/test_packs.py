"""A meeting pack is checked before it runs, built whole or not at all, never overwritten,
and the same inputs give the same bytes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from sendlib import config
from sendlib.pipeline import packs

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

from packs_support import DEFAULT, GOOD, definition  # noqa: E402


@pytest.fixture(scope="module")
def built(default_pack) -> Path:
    return default_pack


def text_of(page: str) -> str:
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_default_pack_builds_an_index_and_reports_with_no_code(built):
    assert built.name == "2021-12-16" and built.parent.name == "kingston-upon-thames"
    index = (built / "index.html").read_text()
    for name in ("ehcp_caseload", "ehcp_benchmarking"):
        assert f'href="{name}.html"' in index
        report = text_of((built / f"{name}.html").read_text())
        assert "import sendlib" not in report and "sections." not in report
        assert "Kingston upon Thames" in report
        assert "the January 2021 census" in report  # the data date of the vintage
        # the meeting it was prepared for (from the pack, not the clock), never a build date
        assert "prepared for the SEND Partnership Board of 16 December 2021" in report
        assert "Generated" not in report
        assert report.count("sha256 checksums") == 1  # listed once, in Sources, folded
    caseload = text_of((built / "ehcp_caseload.html").read_text())
    assert "1,424" in caseload  # Kingston, January 2021 (DfE)
    assert "2025" not in re.findall(r"January (\d{4})", caseload)


def test_pages_load_nothing_from_other_hosts(built):
    for page in built.glob("*.html"):
        text = page.read_text()
        assert "<script" not in text
        assert not re.search(r'(src|href)="(https?:)?//', text), page.name
        assert "<link" not in text


def test_the_manifest_records_inputs_versions_and_run_times(built):
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["inputs"]["data/raw/dfe-ehcp/education-health-and-care-plans_2025.zip"] == (
        "489583bbf9119cf489fc94102db2a7eb6e10b8fae501e315d8d2e373ae310b4f"
    )
    # Every file the pack read is listed with its sha256: the council's own files and rules,
    # the definition and the notebooks, not only DfE's.
    council_file = "data/raw/local/kingston-upon-thames/kpi_dashboard_2021-22_q3.tsv"
    assert (
        manifest["inputs"][council_file]
        == hashlib.sha256((config.PROJECT_ROOT / council_file).read_bytes()).hexdigest()
    )
    for name in [
        "packs/kingston-upon-thames/kpi_rules.csv",
        "packs/kingston-upon-thames/2021-12-16.toml",
        "notebooks/forecast.ipynb",
        "sendlib/measures/kpis.py",
    ]:
        assert name in manifest["inputs"], name
    assert manifest["packages"]["pandas"] and manifest["packages"]["nbconvert"]
    assert set(manifest["reports"]) == {
        "ehcp_caseload",
        "ehcp_benchmarking",
        "forecast",
        "kpi_dashboard",
        "high_needs_finance",
    }
    assert all(r["seconds"] > 0 for r in manifest["reports"].values())


def test_the_same_inputs_give_byte_identical_html(built, tmp_path):
    import shutil

    # The same inputs include the last meeting's pack, which the index compares with.
    earlier = built.parent / "2021-09-16"
    shutil.copytree(earlier, tmp_path / built.parent.name / earlier.name)
    again = packs.build_pack(packs.read_pack(DEFAULT), reports_dir=tmp_path, progress=False)
    for page in built.glob("*.html"):
        assert (again / page.name).read_bytes() == page.read_bytes(), page.name


def test_an_existing_pack_is_not_overwritten_without_force(built):
    before = (built / "ehcp_caseload.html").read_bytes()
    with pytest.raises(packs.PackError, match="--force"):
        packs.build_pack(packs.read_pack(DEFAULT), reports_dir=built.parent.parent, progress=False)
    assert (built / "ehcp_caseload.html").read_bytes() == before


def test_update_does_nothing_when_the_pack_is_current(built):
    stamp = (built / "index.html").stat().st_mtime_ns
    again = packs.build_pack(
        packs.read_pack(DEFAULT), update=True, reports_dir=built.parent.parent, progress=False
    )
    assert again == built and (built / "index.html").stat().st_mtime_ns == stamp


def test_force_keeps_the_previous_pack_as_a_backup(tmp_path):
    pack = packs.read_pack(definition(tmp_path, GOOD))
    first = packs.build_pack(pack, reports_dir=tmp_path / "r", progress=False)
    (first / "note.txt").write_text("the old pack")
    packs.build_pack(pack, force=True, reports_dir=tmp_path / "r", progress=False)
    backups = list(first.parent.glob("2021-12-16.backup-*"))
    assert len(backups) == 1 and (backups[0] / "note.txt").read_text() == "the old pack"
    assert not (first / "note.txt").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("2021-12-16", '"16/12/2021"'), "expected a date"),
        (GOOD.replace('"ehcp_caseload"', '"ehcp_casload"'), "no notebook 'ehcp_casload'"),
        (GOOD.replace("latest_census", "latest_censsus"), "[data] latest_censsus: no report"),
        (
            GOOD.replace("latest_census = 2021", 'latest_census = "2021"'),
            "parameter latest_census: expected a whole number (like 2025), found '2021'",
        ),
        (GOOD.replace("council = ", "councill = "), "no 'council'"),
        (GOOD + "[[", "not valid TOML"),
    ],
)
def test_a_bad_definition_fails_before_anything_runs(tmp_path, text, message):
    with pytest.raises(packs.PackError) as error:
        packs.read_pack(definition(tmp_path, text))
    assert message in str(error.value)


def test_a_missing_definition_lists_the_known_ones(tmp_path):
    with pytest.raises(packs.PackError, match="kingston-upon-thames/2021-12-16.toml"):
        packs.read_pack(tmp_path / "nope.toml")


def test_a_misspelt_council_in_a_definition_suggests_the_right_one(tmp_path):
    with pytest.raises(packs.PackError, match="Did you mean: Kingston upon Thames"):
        packs.read_pack(definition(tmp_path, GOOD.replace("Thames", "Tames")))


def failing_notebook(folder: Path) -> Path:
    """A small synthetic notebook that fails in its second cell."""
    return packs.write_notebook(
        folder / "synthetic_failing.ipynb",
        "council = 'x'  # council",
        "raise ValueError('no figures for ' + council)",
    )


def test_a_failing_report_names_its_cell_and_keeps_the_executed_notebook(tmp_path):
    path = failing_notebook(tmp_path)
    with pytest.raises(packs.PackError) as error:
        packs.render_report(
            path, {"council": "Sutton"}, tmp_path / "out.html", failed_dir=tmp_path / "_failed"
        )
    assert "failed in cell" in str(error.value)
    assert "(raise ValueError('no figures for ' + council))" in str(error.value)
    assert "ValueError: no figures for Sutton" in str(error.value)
    assert (tmp_path / "_failed" / "synthetic_failing.ipynb").exists()
    assert not (tmp_path / "out.html").exists()


def test_a_failing_report_leaves_the_previous_pack_untouched(tmp_path, monkeypatch):
    pack = packs.read_pack(definition(tmp_path, GOOD))
    first = packs.build_pack(pack, reports_dir=tmp_path / "r", progress=False)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(failing_notebook(tmp_path), notebooks / "ehcp_caseload.ipynb")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    broken = packs.Pack(
        pack.source,
        pack.council,
        pack.council_name,
        pack.meeting_date,
        pack.title,
        {},
        pack.reports,
        pack.generated,
    )
    with pytest.raises(packs.PackError, match="failed in cell"):
        packs.build_pack(broken, force=True, reports_dir=tmp_path / "r", progress=False)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    assert not list(first.parent.glob("2021-12-16.backup-*"))
    assert not list(first.parent.glob(".2021-12-16-*"))  # no staging left behind
    assert (tmp_path / "r" / "_failed" / "kingston-upon-thames" / "2021-12-16").exists()


def test_text_from_data_is_escaped():
    from sendlib.present import html as reports

    shown = reports.table(__import__("pandas").DataFrame({"comment": ["<script>x</script>"]}))
    assert "<script>" not in shown.data and "&lt;script&gt;" in shown.data
    assert "&lt;b&gt;" in reports.sentence("<b>bold</b>").data
