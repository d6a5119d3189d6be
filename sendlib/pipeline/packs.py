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

import ast
import concurrent.futures
import contextlib
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import markupsafe

from sendlib import config
from sendlib.errors import SendlibError

# papermill and nbconvert import nbformat, which imports jsonschema, which compiles some forty
# grammars at import (about 3 s on a 2-core machine) for its optional "iri" string format when
# the rfc3987-syntax package is installed (JupyterLab brings it). Notebook files never use that
# format, so a process that builds packs goes without it: `sendlib pack` starts 3 s sooner.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)


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
    generated: date

    @property
    def slug(self) -> str:
        return slugify(self.council_name)

    @property
    def data_date(self) -> str:
        """The data the pack was built from, in words."""
        latest = self.data.get("latest_census")
        return f"the January {latest} census (DfE SEN2)" if latest else "the latest release"

    def parameters(self, report: ReportSpec) -> dict:
        """What papermill passes to one report's parameters cell: the council and meeting,
        the pack's data vintage where the notebook takes it, and the report's own."""
        declared = declared_parameters(report.path)
        shared = {
            "council": self.council,
            "meeting_date": self.meeting_date.isoformat(),
            **self.data,
        }
        return {
            **{k: v for k, v in shared.items() if k in declared or k == "council"},
            **report.parameters,
        }


def declared_parameters(path: Path) -> dict:
    """The parameters a notebook declares (papermill's reading of its parameters cell)."""
    import papermill

    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _DECLARED:
        _DECLARED[key] = papermill.inspect_notebook(str(path))
    return _DECLARED[key]


_DECLARED: dict = {}


def slugify(name: str) -> str:
    """A council name as a folder name.

    >>> slugify("Kingston upon Thames"), slugify("Bristol, City of")
    ('kingston-upon-thames', 'bristol-city-of')
    """
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


_KINDS = {int: "a whole number", float: "a number", str: "text in quotes", bool: "true or false"}


def _kind(default: str) -> type | None:
    """The type of a parameter's default, from its literal in the notebook (or None)."""
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return None
    return type(value) if type(value) in _KINDS else None


def _check_parameters(path: Path, number: int, report: ReportSpec, given: dict) -> list[str]:
    """The problems with one report's parameters: each must be one the notebook declares, of
    its default's type, a finite number (0 or more) where a number is expected, a quarter
    Q1-Q4, a ceiling with its year, and any file or folder must exist inside the project."""
    import math

    declared = declared_parameters(report.path)
    where = f"{path}, report {number} ({report.notebook})"
    problems = []
    unknown = set(given) - set(declared)
    if unknown:
        problems.append(
            f"{where}: unknown parameter(s) {', '.join(sorted(unknown))}; the "
            f"notebook takes {', '.join(declared)}"
        )
    for name, value in given.items():
        if name not in declared:
            continue
        kind = _kind(declared[name]["default"])
        fits = (
            kind is None
            or isinstance(value, kind)
            and not (isinstance(value, bool) and kind is not bool)
        )
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            fits = True
        if not fits:
            problems.append(
                f"{where}, parameter {name}: expected {_KINDS[kind]} (like "
                f"{declared[name]['default']}), found {value!r}"
            )
            continue
        number_like = isinstance(value, int | float) and not isinstance(value, bool)
        if number_like and not math.isfinite(value):
            problems.append(f"{where}, parameter {name}: expected a finite number, found {value!r}")
        elif number_like and value < 0:
            problems.append(f"{where}, parameter {name}: expected 0 or more, found {value!r}")
        if name == "quarter" and str(value).upper() not in ("Q1", "Q2", "Q3", "Q4"):
            problems.append(
                f"{where}, parameter quarter: expected Q1, Q2, Q3 or Q4, found {value!r}"
            )
        if name.endswith(("_file", "_dir")) and isinstance(value, str):
            problem = _inside_project(value)
            if problem:
                problems.append(f"{where}, parameter {name}: {problem}")
    ceiling, year = given.get("ceiling"), given.get("ceiling_year")
    if "ceiling" in declared and bool(ceiling) != bool(year):
        problems.append(
            f"{where}: ceiling and ceiling_year go together (the plans allowed and the January "
            f"census they apply to); found ceiling={ceiling!r}, ceiling_year={year!r}"
        )
    latest = given.get("latest_census")
    if ceiling and isinstance(latest, int) and isinstance(year, int):
        from sendlib.measures.forecasting import MAX_HORIZON

        if not latest < year <= latest + MAX_HORIZON:
            problems.append(
                f"{where}, parameter ceiling_year: the forecast from January {latest} reaches "
                f"{latest + 1}-{latest + MAX_HORIZON}; found {year}"
            )
    return problems


def _inside_project(value: str) -> str | None:
    """Why a path named in a pack definition may not be used, or None: it must exist and lie
    inside the project (a pack never reads or writes outside it)."""
    root = config.PROJECT_ROOT.resolve()
    target = (root / value).resolve()
    if not target.is_relative_to(root):
        return f"{value!r} is outside the project ({root}); name a file or folder inside it"
    if not target.exists():
        return f"no such file or folder {value!r} (paths are relative to {root})"
    return None


def _check_data(path: Path, data: dict, meeting: object) -> list[str]:
    """The problems with a pack's [data]: the census and neighbour model must be ones the
    data holds, and the census published by the meeting date."""
    from sendlib import tables

    problems = []
    censuses = sorted(int(y) for y in tables.load("caseload")["year"].unique())
    models = sorted(tables.load("statistical_neighbours")["model"].unique())
    latest = data.get("latest_census")
    if latest is not None:
        if isinstance(latest, bool) or not isinstance(latest, int):
            problems.append(
                f"{path}, [data] latest_census: expected a year such as 2025, found {latest!r}"
            )
        elif latest not in censuses:
            problems.append(
                f"{path}, [data] latest_census: the data holds January censuses "
                f"{censuses[0]}-{censuses[-1]}; found {latest}"
            )
        elif type(meeting) is date and latest > meeting.year:
            problems.append(
                f"{path}, [data] latest_census: January {latest} is after the meeting "
                f"({meeting.isoformat()})"
            )
    model = data.get("sn_model")
    if model is not None and str(model) not in models:
        problems.append(
            f"{path}, [data] sn_model: the statistical neighbour models are "
            f"{', '.join(repr(m) for m in models)}; found {model!r}"
        )
    return problems


def read_pack(path: Path | str, *, council: str | None = None) -> Pack:
    """Read and check a pack definition; raise :class:`PackError` naming what is wrong.

    Everything is checked before any notebook runs: the council (a misspelt name suggests the
    right one), the dates, each notebook and each parameter's name, type and file.
    ``council`` replaces the definition's council (used to build one pack per council).
    """
    from sendlib.measures.areas import find_council

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
    if council is not None:
        spec["council"] = council
    for key in ("council", "meeting_date", "reports"):
        if key not in spec:
            raise PackError(f"{path}: the definition has no {key!r}")
    problems = []
    for key in ("meeting_date", "generated"):
        # TOML's datetime is a date too: a pack is for a day, so only a plain date will do.
        if key in spec and type(spec[key]) is not date:
            problems.append(
                f"{path}, {key}: expected a date such as 2021-12-16 (no quotes, no time), "
                f"found {spec[key]!r}"
            )
    try:
        found = find_council(spec["council"])
        council_name = found["area_name"]
    except SendlibError as exc:
        problems.append(f"{path}, council: {exc}")
        council_name = str(spec["council"])
    if not isinstance(spec["reports"], list) or not spec["reports"]:
        raise PackError(f"{path}: [[reports]] must list at least one report")
    reports = tuple(
        ReportSpec(
            str(item.get("notebook", "")),
            str(item.get("title", item.get("notebook", ""))),
            dict(item.get("parameters", {})),
        )
        for item in spec["reports"]
    )
    data = spec.get("data", {})
    if not isinstance(data, dict):
        raise PackError(f"{path}: [data] must be a table of settings")
    meeting = spec["meeting_date"] if type(spec["meeting_date"]) is date else date.min
    pack = Pack(
        path,
        str(spec["council"]),
        council_name,
        meeting,
        str(spec.get("title", "SEND Partnership Board")),
        dict(data),
        reports,
        spec.get("generated", meeting) if type(spec.get("generated", meeting)) is date else meeting,
    )
    problems += _check_data(path, pack.data, spec["meeting_date"])
    known = sorted(p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    usable = []
    for number, report in enumerate(reports, start=1):
        if report.notebook not in known:
            problems.append(
                f"{path}, report {number}: no notebook {report.notebook!r} in notebooks/ "
                f"(a report names a notebook of notebooks/, without a path). The notebooks "
                f"are: {', '.join(known)}"
            )
            continue
        usable.append(report)
        problems += _check_parameters(path, number, report, pack.parameters(report))
    taken = set().union(*(declared_parameters(r.path) for r in usable)) if usable else set()
    for key in pack.data:
        if usable and key not in taken:
            problems.append(
                f"{path}, [data] {key}: no report of the pack takes it; the reports take "
                f"{', '.join(sorted(taken))}"
            )
    if problems:
        raise PackError(
            f"{path}: {len(problems)} problem(s); nothing was run:\n  - " + "\n  - ".join(problems)
        )
    return pack


def page(body: str, **info: object) -> str:
    """Wrap a report's HTML body in the suite's page: styles, contents, footer with sources.

    ``info`` fills the page: ``title``, ``report``, ``council``, ``meeting``, ``data_date``,
    ``generated``, ``pack_title``. The page loads nothing from any other host.
    """
    import jinja2

    from sendlib import tables

    manifest = json.loads((config.processed_dir() / tables.MANIFEST).read_text())
    headings = re.findall(r'<h2 id="([^"]+)">(.*?)<', body)
    toc = ""
    if len(headings) > 1:
        items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in headings)
        toc = f'<nav class="sendlib-toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'
    body = body.replace("<!-- sendlib:toc -->", toc, 1)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            Path(__file__).resolve().parent.parent / "present" / "templates"
        ),
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


def write_notebook(path: Path, parameters: str, *cells: str) -> Path:
    """Write a small notebook: a ``parameters`` cell, then code ``cells``, on the python3
    kernel. For tests and benchmarks (an empty or a failing report)."""
    import nbformat

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
            *(nbformat.v4.new_code_cell(cell) for cell in cells),
        ]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def render_report(
    notebook: Path,
    parameters: dict,
    html_path: Path,
    failed_dir: Path | None = None,
    info: dict | None = None,
    kernel_manager_class: type | None = None,
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
                **({"kernel_manager_class": kernel_manager_class} if kernel_manager_class else {}),
            )
        except papermill.PapermillExecutionError as exc:
            kept = None
            if failed_dir is not None:
                failed_dir.mkdir(parents=True, exist_ok=True)
                kept = failed_dir / notebook.name
                shutil.copyfile(executed, kept)
            raise PackError(
                f"{notebook.name} failed in cell {exc.exec_count} "
                f"({(exc.source or '').strip().splitlines()[-1][:80] if exc.source else ''}): "
                f"{exc.ename}: {exc.evalue}"
                + (f"\n  the executed notebook is kept at {kept}" if kept else "")
            ) from exc
        exporter = HTMLExporter(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        executed_notebook = nbformat.read(executed, as_version=4)
        # Code cells without output (parameters, imports) add nothing to a report, and the
        # cell papermill injects gets a random id: leave them out so builds are identical.
        # Warnings and anything else written to stderr are for the person building the pack
        # (they can name server paths): they go to the terminal, never onto a board page.
        for cell in executed_notebook.cells:
            if cell.cell_type != "code":
                continue
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    text = "".join(output.get("text", "")).strip()
                    print(f"sendlib pack: {notebook.stem} wrote: {text}", file=sys.stderr)
                else:
                    kept.append(output)
            cell["outputs"] = kept
        executed_notebook.cells = [
            cell
            for cell in executed_notebook.cells
            if cell.cell_type != "code" or cell.get("outputs")
        ]
        body, _ = exporter.from_notebook_node(executed_notebook)
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


def _index(pack: Pack) -> str:
    """The pack's front page: the meeting, and a link to each report."""
    items = "".join(
        f'<li><a href="{html.escape(r.notebook)}.html">{html.escape(r.title)}</a></li>'
        for r in pack.reports
    )
    meeting = pack.meeting_date.strftime("%-d %B %Y")
    body = (
        f'<div class="sendlib-title"><p class="sendlib-kicker">{html.escape(pack.council_name)}'
        f"</p><h1>{html.escape(pack.title)}, {meeting}</h1></div>"
        f'<h2 id="reports">Reports in this pack</h2><ol class="sendlib-reports">{items}</ol>'
    )
    return page(
        body,
        title=f"{pack.council_name}: {pack.title}, {meeting}",
        report="Meeting pack",
        council=pack.council_name,
        meeting=meeting,
        data_date=pack.data_date,
        generated=pack.generated.strftime("%-d %B %Y"),
    )


def pack_inputs(pack: Pack) -> dict[str, str]:
    """Every file a pack reads, relative to the project root, with its sha256: the
    definition, each report's notebook, each file or folder a report's parameters name (the
    council's own files, the KPI rules), DfE's raw files and sendlib's own code and
    templates. A change to any of them makes the pack out of date."""
    from sendlib import tables

    root = config.PROJECT_ROOT
    files: set[Path] = {pack.source.resolve(), *(r.path.resolve() for r in pack.reports)}
    for report in pack.reports:
        for name, value in pack.parameters(report).items():
            if name.endswith(("_file", "_dir")) and isinstance(value, str):
                target = (root / value).resolve()
                if target.is_dir():
                    files |= {p for p in target.rglob("*") if p.is_file()}
                elif target.is_file():
                    files.add(target)
    code = Path(__file__).resolve().parent.parent  # the whole sendlib package
    files |= {
        p
        for p in code.rglob("*")
        if p.is_file() and p.suffix in (".py", ".mplstyle", ".j2", ".css", ".html")
    }
    inputs = {}
    for path in sorted(files):
        try:
            label = path.relative_to(root).as_posix()
        except ValueError:
            label = path.as_posix()
        inputs[label] = tables.sha256(path)
    manifest = json.loads((config.processed_dir() / tables.MANIFEST).read_text())
    for name, seen in manifest["inputs"].items():
        inputs[f"data/raw/{name}"] = seen["sha256"]
    return dict(sorted(inputs.items()))


def _fingerprint(pack: Pack) -> str:
    """What a pack was built from: the sha256 of :func:`pack_inputs` (every file it reads).

    Two builds with the same fingerprint give byte-identical HTML.
    """
    return hashlib.sha256(json.dumps(pack_inputs(pack), sort_keys=True).encode()).hexdigest()


def _manifest(pack: Pack, runs: dict[str, float], folder: Path) -> dict:
    from importlib import metadata

    versions = {}
    for name in [
        "sendlib",
        "pandas",
        "numpy",
        "matplotlib",
        "statsmodels",
        "papermill",
        "nbconvert",
        "nbclient",
        "ipykernel",
        "pyarrow",
    ]:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "council": pack.council_name,
        "meeting_date": pack.meeting_date.isoformat(),
        "definition": str(pack.source),
        "fingerprint": _fingerprint(pack),
        "inputs": pack_inputs(pack),
        "packages": versions,
        "reports": {
            r.notebook: {
                "title": r.title,
                "file": f"{r.notebook}.html",
                "parameters": pack.parameters(r),
                "seconds": round(runs[r.notebook], 2),
                "sha256": hashlib.sha256((folder / f"{r.notebook}.html").read_bytes()).hexdigest(),
            }
            for r in pack.reports
        },
    }


def pack_folder(pack: Pack, reports_dir: Path | None = None) -> Path:
    """Where a pack's reports go: ``reports/<council-slug>/<meeting-date>/``."""
    return Path(reports_dir or config.reports_dir()) / pack.slug / pack.meeting_date.isoformat()


def stale_reason(pack: Pack, reports_dir: Path | None = None) -> str | None:
    """Why the built pack is not current (an input changed, a page is missing or damaged),
    or ``None`` when it was built, whole, from exactly the present inputs."""
    folder = pack_folder(pack, reports_dir)
    try:
        built = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return "no pack has been built for this meeting"
    now = pack_inputs(pack)
    before = built.get("inputs", {})
    if built.get("fingerprint") != _fingerprint(pack):
        changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))
        return "inputs changed: " + (", ".join(changed[:5]) or "the pack's definition")
    for report in built.get("reports", {}).values():
        page_path = folder / report["file"]
        if not page_path.exists():
            return f"{report['file']} is missing"
        if hashlib.sha256(page_path.read_bytes()).hexdigest() != report.get("sha256"):
            return f"{report['file']} has been changed or damaged since it was built"
    return None


def is_current(pack: Pack, reports_dir: Path | None = None) -> bool:
    """True when the pack was built, whole, from exactly the present inputs (every input
    file's sha256 and every page's sha256 as the manifest records them)."""
    return stale_reason(pack, reports_dir) is None


RUN_TIMES = "report_run_times.json"
"""Each report's last run time (seconds), kept beside the processed tables for scheduling."""


def _last_run_times() -> dict[str, float]:
    try:
        return json.loads((config.processed_dir() / RUN_TIMES).read_text())
    except (OSError, ValueError):
        return {}


def _record_run_times(runs: dict[str, float]) -> None:
    path = config.processed_dir() / RUN_TIMES
    with contextlib.suppress(OSError):
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps({**_last_run_times(), **runs}, indent=1, sort_keys=True))
        os.replace(partial, path)


def _render_one(job: tuple) -> tuple[str, float]:
    notebook, path, parameters, html_path, failed_dir, info, manager = job
    return notebook, render_report(path, parameters, html_path, failed_dir, info, manager)


def build_pack(
    pack: Pack,
    *,
    force: bool = False,
    update: bool = False,
    reports_dir: Path | None = None,
    progress: bool = True,
    workers: int | None = None,
    kernel_manager_class: type | None = None,
) -> Path:
    """Build every report of ``pack``, in parallel, and move the pack into place.

    Returns the pack's folder. An existing pack is kept unless ``force`` (rebuild, keeping the
    old one as a dated backup) or ``update`` (rebuild only if an input changed) is given.
    Nothing is moved into place unless every report succeeded; a failure stops the pack,
    keeps the executed notebook under ``reports/_failed/`` and raises :class:`PackError`.

    The reports' kernels are forked from one warm process with sendlib loaded (see
    :mod:`sendlib.pipeline.kernels`); ``kernel_manager_class`` passes one already started.
    """
    root = Path(reports_dir or config.reports_dir())
    target = pack_folder(pack, root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = _pack_lock(target)
    except OSError as exc:
        raise PackError(
            f"cannot write to {target.parent}: {exc.strerror or exc}. The pack goes there; "
            "make the folder writable (or set SENDLIB_REPORTS_DIR to a writable folder)."
        ) from exc
    with lock:
        return _build_locked(
            pack, target, root, force, update, progress, workers, kernel_manager_class
        )


def _pack_lock(target: Path):
    """An OS lock on one meeting's pack, released however the process ends; a second build of
    the same pack is refused at once with a clear message."""
    import filelock

    path = target.with_name(f".{target.name}.lock")
    lock = filelock.FileLock(path, timeout=0)

    @contextlib.contextmanager
    def held():
        try:
            lock.acquire()
        except filelock.Timeout:
            raise PackError(
                f"another build of this pack ({target}) is running; wait for it to finish, "
                "then build again (nothing was changed)"
            ) from None
        try:
            yield
        finally:
            lock.release()

    return held()


def _build_locked(pack, target, root, force, update, progress, workers, kernel_manager_class):
    from tqdm import tqdm

    from sendlib.pipeline import kernels

    if target.exists():
        if update and not force and is_current(pack, root):
            return target
        if not (force or update):
            raise PackError(
                f"{target} already exists: the pack for this meeting was built before. "
                "Use --force to rebuild it (the current one is kept as a backup)."
            )
    # A build killed outright (kill -9, power cut) leaves its staging folder: with the lock
    # held, no other build of this pack is running, so any such folder is a leftover.
    for leftover in target.parent.glob(f".{target.name}-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as exc:
        raise PackError(
            f"cannot write to {target.parent}: {exc.strerror or exc}; make it writable"
        ) from exc
    failed = root / "_failed" / pack.slug / pack.meeting_date.isoformat()
    meeting = pack.meeting_date.strftime("%-d %B %Y")
    info = {
        "meeting": f"{pack.title}, {meeting}",
        "pack_title": f"{pack.title}, {meeting}",
        "council": pack.council_name,
        "data_date": pack.data_date,
        "generated": pack.generated.strftime("%-d %B %Y"),
    }
    jobs = [
        (
            r.notebook,
            r.path,
            pack.parameters(r),
            staging / f"{r.notebook}.html",
            failed,
            {**info, "report": r.title},
        )
        for r in pack.reports
    ]
    # Longest reports first (by their last recorded run), so no core idles at the end.
    last_runs = _last_run_times()
    jobs.sort(key=lambda job: -last_runs.get(job[0], float("inf")))
    runs: dict[str, float] = {}
    workers = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    try:
        with (
            contextlib.nullcontext(kernel_manager_class)
            if kernel_manager_class
            else kernels.warm_kernels() as manager,
            concurrent.futures.ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=kernels.worker_start,
                initargs=(os.getpid(),),
            ) as pool,
            tqdm(
                total=len(jobs),
                desc=f"{pack.council_name} {pack.meeting_date}",
                unit="report",
                disable=not progress,
            ) as bar,
        ):
            futures = [pool.submit(_render_one, (*job, manager)) for job in jobs]
            try:
                for future in concurrent.futures.as_completed(futures):
                    notebook, seconds = future.result()
                    runs[notebook] = seconds
                    bar.set_postfix_str(notebook)
                    bar.update(1)
            except BaseException:
                for other in futures:
                    other.cancel()
                raise
        _record_run_times(runs)
        (staging / "index.html").write_text(_index(pack), encoding="utf-8")
        manifest = _manifest(pack, runs, staging)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        staging.chmod(0o755)
        if target.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S")
            target.rename(target.with_name(f"{target.name}.backup-{stamp}"))
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def build_all_councils(
    definition: Path | str,
    *,
    councils: list[str] | None = None,
    reports_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, list[str]]:
    """Build one pack per council from a public-data pack ``definition`` (its council is
    replaced by each council in turn): every current council, or those named.

    Resumable: a council whose pack is already built from the present inputs is skipped, so
    after an interruption the same command carries on where it stopped. A council that fails
    is recorded and the others go on. Returns the councils ``built``, ``skipped`` and
    ``failed`` (with the reason).
    """
    from tqdm import tqdm

    from sendlib import tables
    from sendlib.pipeline import kernels

    if councils is None:
        table = tables.load("councils")
        councils = list(table.loc[table["current"], "area_name"])
    outcome: dict[str, list[str]] = {"built": [], "skipped": [], "failed": []}
    with (
        kernels.warm_kernels() as manager,
        tqdm(councils, desc="packs", unit="council", disable=not progress) as bar,
    ):
        for council in bar:
            bar.set_postfix_str(council)
            try:
                pack = read_pack(definition, council=council)
                if is_current(pack, reports_dir):
                    outcome["skipped"].append(council)
                    continue
                build_pack(
                    pack,
                    update=True,
                    reports_dir=reports_dir,
                    progress=False,
                    kernel_manager_class=manager,
                )
                outcome["built"].append(council)
            except SendlibError as error:
                outcome["failed"].append(f"{council}: {error}")
    return outcome
