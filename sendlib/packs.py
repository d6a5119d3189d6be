"""Meeting packs: a board's reports, executed with papermill and rendered to HTML.

A pack is defined by a TOML file, ``packs/<council>/<meeting-date>.toml``::

    council = "Kingston upon Thames"
    meeting_date = 2021-12-16
    title = "SEND Partnership Board"

    [data]                 # the data vintage, passed to every report
    latest_census = 2021   # last January census the board had seen
    sn_model = "2021"      # DfE statistical neighbour model in use then

    [[reports]]
    notebook = "ehcp_caseload"       # notebooks/ehcp_caseload.ipynb
    title = "EHCP caseload"
    [reports.parameters]             # optional, this report only

Everything is checked before any notebook runs. A pack is built in a staging folder and moved
to ``reports/<council-slug>/<meeting-date>/`` only when every report succeeded; a failed
notebook is kept, executed, under ``reports/_failed/`` with its traceback. An existing pack is
never overwritten unless ``force`` is given, and then the old one is kept as a dated backup.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import markupsafe

from sendlib import config
from sendlib.errors import SendlibError


class PackError(SendlibError):
    """A pack definition that cannot be built, or a report that failed."""


@dataclass(frozen=True)
class ReportSpec:
    """One report of a pack: a notebook of ``notebooks/`` and its parameters."""

    notebook: str
    title: str
    parameters: dict = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return config.NOTEBOOKS_DIR / f"{self.notebook}.ipynb"


@dataclass(frozen=True)
class Pack:
    """A board meeting's pack, as read from its definition file."""

    source: Path
    council: str
    council_name: str
    meeting_date: date
    title: str
    data: dict
    reports: tuple[ReportSpec, ...]

    @property
    def slug(self) -> str:
        return slugify(self.council_name)

    def parameters(self, report: ReportSpec) -> dict:
        """What papermill passes to one report's parameters cell."""
        return {
            "council": self.council,
            "meeting_date": self.meeting_date.isoformat(),
            **self.data,
            **report.parameters,
        }


def slugify(name: str) -> str:
    """A council name as a folder name.

    >>> slugify("Kingston upon Thames"), slugify("Bristol, City of")
    ('kingston-upon-thames', 'bristol-city-of')
    """
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def read_pack(path: Path | str) -> Pack:
    """Read and check a pack definition; raise :class:`PackError` naming what is wrong."""
    import papermill

    from sendlib.neighbours import find_council

    path = Path(path)
    if not path.exists():
        known = sorted(
            p.relative_to(config.PACKS_DIR).as_posix() for p in config.PACKS_DIR.glob("*/*.toml")
        )
        raise PackError(f"{path}: no such pack definition. Known packs: {', '.join(known)}")
    try:
        spec = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: not valid TOML ({exc})") from exc
    for key in ("council", "meeting_date", "reports"):
        if key not in spec:
            raise PackError(f"{path}: the definition has no {key!r}")
    meeting = spec["meeting_date"]
    if not isinstance(meeting, date):
        raise PackError(
            f"{path}, meeting_date: expected a date such as 2021-12-16 (no quotes),"
            f" found {meeting!r}"
        )
    council = find_council(spec["council"])
    reports = []
    for number, item in enumerate(spec["reports"], start=1):
        report = ReportSpec(
            item.get("notebook", ""),
            item.get("title", item.get("notebook", "")),
            dict(item.get("parameters", {})),
        )
        if not report.path.exists():
            known = sorted(p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
            raise PackError(
                f"{path}, report {number}: no notebook {report.notebook!r} in "
                f"notebooks/. The notebooks are: {', '.join(known)}"
            )
        declared = papermill.inspect_notebook(str(report.path))
        pack = Pack(
            path,
            str(spec["council"]),
            council["area_name"],
            meeting,
            spec.get("title", "SEND Partnership Board"),
            dict(spec.get("data", {})),
            (),
        )
        unknown = set(pack.parameters(report)) - set(declared)
        if unknown:
            raise PackError(
                f"{path}, report {number} ({report.notebook}): unknown parameter(s) "
                f"{', '.join(sorted(unknown))}; the notebook takes "
                f"{', '.join(declared)}"
            )
        reports.append(report)
    return Pack(
        path,
        str(spec["council"]),
        council["area_name"],
        meeting,
        spec.get("title", "SEND Partnership Board"),
        dict(spec.get("data", {})),
        tuple(reports),
    )


def page(body: str, **info: object) -> str:
    """Wrap a report's HTML body in the suite's page: styles, contents, footer with sources.

    ``info`` fills the page: ``title``, ``report``, ``council``, ``meeting``, ``data_date``,
    ``generated``, ``pack_title``. The page loads nothing from any other host.
    """
    import jinja2

    from sendlib import processed

    manifest = json.loads((config.processed_dir() / processed.MANIFEST).read_text())
    headings = re.findall(r'<h2 id="([^"]+)">(.*?)<', body)
    toc = ""
    if len(headings) > 1:
        items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in headings)
        toc = f'<nav class="sendlib-toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'
    body = body.replace("<!-- sendlib:toc -->", toc, 1)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    template = environment.get_template("page.html.j2")
    defaults = {
        "title": info.get("report", "Report"),
        "report": "Report",
        "council": "",
        "meeting": "",
        "data_date": "",
        "generated": "",
        "pack_title": "",
    }
    return template.render(
        **{**defaults, **info},
        body=markupsafe.Markup(body),
        version=manifest["sendlib_version"],
        inputs=[(name, seen["sha256"]) for name, seen in manifest["inputs"].items()],
    )


def render_report(
    notebook: Path,
    parameters: dict,
    html_path: Path,
    failed_dir: Path | None = None,
    info: dict | None = None,
) -> float:
    """Execute ``notebook`` with ``parameters`` and write its HTML page (no code) to
    ``html_path``; ``info`` fills the page's title and footer (see :func:`page`).

    Returns the run time in seconds. On failure the executed notebook, with its traceback, is
    kept in ``failed_dir`` and :class:`PackError` says which cell failed and why.
    """
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sendlib-run-") as work:
        executed = Path(work) / notebook.name
        try:
            papermill.execute_notebook(
                str(notebook),
                str(executed),
                parameters=parameters,
                progress_bar=False,
                cwd=str(notebook.parent),
                kernel_name="python3",
            )
        except papermill.PapermillExecutionError as exc:
            kept = None
            if failed_dir is not None:
                failed_dir.mkdir(parents=True, exist_ok=True)
                kept = failed_dir / notebook.name
                shutil.copyfile(executed, kept)
            raise PackError(
                f"{notebook.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
                + (f"\n  the executed notebook is kept at {kept}" if kept else "")
            ) from exc
        exporter = HTMLExporter(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    title = re.search(r"<h1>(.*?)</h1>", body)
    details = {
        "report": html.unescape(title.group(1)) if title else notebook.stem,
        "council": str(parameters.get("council", "")),
        **(info or {}),
    }
    details.setdefault("title", f"{details['report']}: {details['council']}")
    if "latest_census" in parameters and "data_date" not in details:
        details["data_date"] = f"the January {parameters['latest_census']} census"
    partial = html_path.with_name(f".{html_path.name}.partial")
    partial.write_text(page(body, **details), encoding="utf-8")
    os.replace(partial, html_path)
    return time.perf_counter() - started


def _index(pack: Pack, runs: dict[str, float]) -> str:
    items = "".join(
        f'<li><a href="{html.escape(r.notebook)}.html">{html.escape(r.title)}</a></li>'
        for r in pack.reports
    )
    title = (
        f"{html.escape(pack.council_name)}: {html.escape(pack.title)}, "
        f"{pack.meeting_date.strftime('%-d %B %Y')}"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><ul>{items}</ul></body></html>\n"
    )


def build_pack(
    pack: Pack, *, force: bool = False, reports_dir: Path | None = None, progress: bool = True
) -> Path:
    """Build every report of ``pack`` and move the pack into place; return its folder."""
    from tqdm import tqdm

    root = Path(reports_dir or config.reports_dir())
    target = root / pack.slug / pack.meeting_date.isoformat()
    if target.exists() and not force:
        raise PackError(
            f"{target} already exists: the pack for this meeting was built before. "
            "Use --force to rebuild it (the current one is kept as a backup)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{pack.meeting_date.isoformat()}-", dir=target.parent))
    runs: dict[str, float] = {}
    try:
        failed = root / "_failed" / pack.slug / pack.meeting_date.isoformat()
        for report in tqdm(
            pack.reports,
            desc=f"{pack.council_name} {pack.meeting_date}",
            unit="report",
            disable=not progress,
        ):
            runs[report.notebook] = render_report(
                report.path, pack.parameters(report), staging / f"{report.notebook}.html", failed
            )
        (staging / "index.html").write_text(_index(pack, runs), encoding="utf-8")
        staging.chmod(0o755)
        if target.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S")
            target.rename(target.with_name(f"{target.name}.backup-{stamp}"))
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
