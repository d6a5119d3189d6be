"""Building a meeting's pack: every report in parallel, moved into place whole or not at all,
with a manifest of every input it read; one build of a pack at a time.

The definitions are read by :mod:`sendlib.pipeline.definitions` and each report rendered by
:mod:`sendlib.pipeline.render`; the names analysts and the command line use are here too.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from sendlib import config
from sendlib.errors import SendlibError
from sendlib.measures import headlines
from sendlib.outputs import writable
from sendlib.pipeline import board, kernels
from sendlib.pipeline.definitions import (  # noqa: F401 - the pipeline's names, in one place
    Pack,
    PackError,
    ReportSpec,
    declared_parameters,
    read_pack,
    slugify,
)
from sendlib.pipeline.render import _index, page, render_report, write_notebook  # noqa: F401
from sendlib.present.formats import long_date


def pack_inputs(pack: Pack, reports_dir: Path | None = None) -> dict[str, str]:
    """Every file a pack reads, relative to the project root, with its sha256: the
    definition, each report's notebook, each file or folder a report's parameters name (the
    council's own files, the KPI rules), DfE's raw files and sendlib's own code and
    templates, and the key figures of the council's last earlier pack (``earlier pack
    <date>``: its "Since the last meeting" compares with them). A change to any of them makes
    the pack out of date."""
    from sendlib import tables

    root = config.PROJECT_ROOT
    files: set[Path] = {pack.source.resolve(), *(r.path.resolve() for r in pack.reports)}
    for report in pack.reports:
        for name, value in pack.parameters(report).items():
            if name.endswith(("_file", "_dir")) and isinstance(value, str) and value:
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
    manifest = tables.manifest()
    for name, seen in manifest["inputs"].items():
        inputs[f"data/raw/{name}"] = seen["sha256"]
    earlier = board.earlier_pack(pack, Path(reports_dir or config.reports_dir()))
    if earlier is not None:
        summary = board.earlier_summary(read_manifest(earlier) or {})
        inputs[f"earlier pack {earlier.name}"] = board.summary_hash(summary)
    return dict(sorted(inputs.items()))


def _fingerprint(inputs: dict[str, str]) -> str:
    """What a pack was built from: the sha256 of its :func:`pack_inputs` (every file it
    reads). Two builds with the same fingerprint give byte-identical HTML."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _manifest(pack: Pack, runs: dict[str, float], folder: Path, front: dict) -> dict:
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
        "fingerprint": _fingerprint(front["inputs"]),
        "inputs": front["inputs"],
        "packages": versions,
        "data": front["data"],
        "earlier_pack": front["earlier_pack"],
        "key_figures": headlines.records(front["key_figures"]),
        "kpi_ratings": (
            None if front["kpi_ratings"] is None else headlines.records(front["kpi_ratings"])
        ),
        "pages": {
            name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in ("index.html",)
            if (folder / name).exists()
        },
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


def read_manifest(folder: Path) -> dict | None:
    """The ``manifest.json`` of the pack built in ``folder``, or ``None`` if it has none (or
    one that cannot be read)."""
    try:
        found = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def stale_reason(pack: Pack, reports_dir: Path | None = None) -> str | None:
    """Why the built pack is not current (an input changed, a page is missing or damaged),
    or ``None`` when it was built, whole, from exactly the present inputs."""
    folder = pack_folder(pack, reports_dir)
    built = read_manifest(folder)
    if built is None:
        if (folder / "manifest.json").exists():
            return "the pack's manifest.json is damaged"
        return "no pack has been built for this meeting"
    if not isinstance(built.get("reports"), dict):
        return "the pack's manifest.json is damaged"
    now = pack_inputs(pack, reports_dir)
    before = built.get("inputs", {})
    if built.get("fingerprint") != _fingerprint(now):
        changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))
        return "inputs changed: " + (", ".join(changed[:5]) or "the pack's definition")
    pages = {r.get("file"): r.get("sha256") for r in built["reports"].values()}
    recorded = built.get("pages")
    if not isinstance(recorded, dict) or "index.html" not in recorded:
        return "the pack's manifest records no index page (built by an older sendlib)"
    pages.update(recorded)
    for name, digest in pages.items():
        page_path = folder / str(name)
        if not page_path.exists():
            return f"{name} is missing"
        if hashlib.sha256(page_path.read_bytes()).hexdigest() != digest:
            return f"{name} has been changed or damaged since it was built"
    return None


def is_current(pack: Pack, reports_dir: Path | None = None) -> bool:
    """True when the pack was built, whole, from exactly the present inputs (every input
    file's sha256 and every page's sha256 as the manifest records them)."""
    return stale_reason(pack, reports_dir) is None


RUN_TIMES = ".report_run_times.json"
"""Each report's last run time (seconds), kept in reports/ (which only the pipeline writes)
to start the longest reports first."""


def _last_run_times() -> dict[str, float]:
    """The run time of each report when it last ran (empty when unknown)."""
    try:
        return json.loads((config.reports_dir() / RUN_TIMES).read_text())
    except (OSError, ValueError):
        return {}


def _record_run_times(runs: dict[str, float]) -> None:
    """Remember ``runs`` (seconds a report), whole or not at all (a failed write is ignored:
    the times only order the next build's reports)."""
    path = config.reports_dir() / RUN_TIMES
    with contextlib.suppress(OSError):
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps({**_last_run_times(), **runs}, indent=1, sort_keys=True))
        os.replace(partial, path)


def _render_one(job: tuple, pool) -> tuple[str, float]:
    """Run one report on a warm kernel of ``pool``, then shut the kernel down."""
    notebook, path, parameters, html_path, failed_dir, info = job
    try:
        with pool.kernel() as kernel:
            return notebook, render_report(path, parameters, html_path, failed_dir, info, kernel)
    finally:
        kernels.close_thread_loop()


def build_pack(
    pack: Pack,
    *,
    force: bool = False,
    update: bool = False,
    reports_dir: Path | None = None,
    progress: bool = True,
    workers: int | None = None,
) -> Path:
    """Build every report of ``pack``, in parallel, and move the pack into place.

    Returns the pack's folder. An existing pack is kept unless ``force`` (rebuild, keeping the
    old one as a dated backup) or ``update`` (rebuild only if an input changed) is given.
    Nothing is moved into place unless every report succeeded; a failure stops the pack,
    keeps the executed notebook under ``reports/_failed/`` and raises :class:`PackError`.

    The reports' kernels are started ahead and warmed with sendlib's imports and tables (see
    :class:`sendlib.pipeline.kernels.KernelPool`); ``workers`` reports run at once.
    """
    root = writable(reports_dir or config.reports_dir(), "the meeting pack")
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
        return _build_locked(pack, target, root, force, update, progress, workers)


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


def _build_locked(pack, target, root, force, update, progress, workers):
    """Build ``pack`` into ``target`` with its lock held (see :func:`build_pack`): check, run
    every report into a staging folder, then swap the staging folder into place whole."""
    if target.exists():
        if update and not force and is_current(pack, root):
            return target
        if not (force or update):
            raise PackError(
                f"{target} already exists: the pack for this meeting was built before. "
                "Use --force to rebuild it (the current one is kept as a backup)."
            )
    # What the reports will read, hashed before they read it: a file edited while the reports
    # run is caught below, so a pack never records inputs it did not use.
    inputs_at_start = pack_inputs(pack, root)
    _check_council_files(pack)
    staging = _staging(target)
    info = _page_info(pack)
    jobs = _jobs(pack, staging, root / "_failed" / pack.slug / pack.meeting_date.isoformat(), info)
    workers = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    # The key figures are computed here, while the reports run in their kernels.
    figures_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sendlib-figures")
    figures = figures_thread.submit(board.key_figures, pack)
    figures_thread.shutdown(wait=False)
    try:
        runs = _run_reports(pack, jobs, workers, progress)
        _record_run_times(runs)
        changed = _changed_during(pack, root, inputs_at_start)
        if changed:
            raise PackError(
                f"{', '.join(changed[:5])} changed while the pack was being built, so its pages "
                "may mix the old and the new; nothing was kept (the earlier pack, if any, is "
                "untouched). Build the pack again."
            )
        front = _front(pack, root, *figures.result(), inputs=inputs_at_start)
        (staging / "index.html").write_text(_index(pack, front, info["currency"]), encoding="utf-8")
        manifest = _manifest(pack, runs, staging, front)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        staging.chmod(0o755)
        if target.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S")
            target.rename(target.with_name(f"{target.name}.backup-{stamp}"))
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_council_index(target.parent)
    return target


def _check_council_files(pack: Pack) -> None:
    """Refuse a pack whose council files have problems, naming every one (nothing built)."""
    from sendlib.pipeline import council_check

    problems = council_check.check_pack(pack)
    if problems:
        raise PackError(
            f"{pack.source}: {len(problems)} problem(s) in the council's files; nothing was "
            "built (`sendlib local check` lists them too):\n  - "
            + "\n  - ".join(p.replace("\n", "\n    ") for p in problems)
        )


def _staging(target: Path) -> Path:
    """A new staging folder beside ``target``, after removing any a killed build left (with
    the lock held, no other build of this pack is running, so any such folder is a
    leftover)."""
    for leftover in target.parent.glob(f".{target.name}-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    try:
        return Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as exc:
        raise PackError(
            f"cannot write to {target.parent}: {exc.strerror or exc}; make it writable"
        ) from exc


def _page_info(pack: Pack) -> dict:
    """What every page of the pack says of it: meeting, council, data date, currency."""
    meeting = long_date(pack.meeting_date)
    return {
        "meeting": f"the {pack.title} of {meeting}",
        "pack_title": f"{pack.title}, {meeting}",
        "council": pack.council_name,
        "data_date": pack.data_date,
        "generated": long_date(pack.generated),
        "currency": board.pack_currency(pack),
    }


def _jobs(pack: Pack, staging: Path, failed: Path, info: dict) -> list[tuple]:
    """One job per report, the longest (by its last recorded run) first, so no core idles
    at the end."""
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
    last_runs = _last_run_times()
    jobs.sort(key=lambda job: -last_runs.get(job[0], float("inf")))
    return jobs


def _run_reports(pack: Pack, jobs: list[tuple], workers: int, progress: bool) -> dict:
    """Run every report, ``workers`` at a time in warm kernels, with a progress bar; the
    seconds each took. A failure stops the others at once (their kernels are closed)."""
    from tqdm import tqdm

    runs: dict[str, float] = {}
    with (
        kernels.KernelPool(len(jobs), config.NOTEBOOKS_DIR, ahead=workers) as pool,
        concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="sendlib-report") as run,
        tqdm(
            total=len(jobs),
            desc=f"{pack.council_name} {pack.meeting_date}",
            unit="report",
            disable=not progress,
        ) as bar,
    ):
        futures = [run.submit(_render_one, job, pool) for job in jobs]
        try:
            for future in concurrent.futures.as_completed(futures):
                notebook, seconds = future.result()
                runs[notebook] = seconds
                bar.set_postfix_str(notebook)
                bar.update(1)
        except BaseException:
            for other in futures:
                other.cancel()
            pool.close()  # a report still running fails at once: its kernel is gone
            raise
    return runs


def _changed_during(pack: Pack, root: Path, before: dict[str, str]) -> list[str]:
    """The inputs whose contents differ from ``before`` (hashed when the build began)."""
    now = pack_inputs(pack, root)
    return sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))


def _front(pack: Pack, root: Path, figures, ratings, *, inputs: dict[str, str]) -> dict:
    """What the pack's index opens with: its data, key figures and KPI ratings, and the
    council's last earlier pack (read from its manifest) with the inputs that changed;
    ``inputs`` are the pack's inputs as hashed when its build began."""
    earlier_dir = board.earlier_pack(pack, root)
    earlier = board.earlier_summary(read_manifest(earlier_dir) or {}) if earlier_dir else None
    return {
        "inputs": inputs,
        "data": board.pack_data(pack),
        "key_figures": figures,
        "kpi_ratings": ratings,
        "earlier_pack": earlier_dir.name if earlier_dir else None,
        "earlier": earlier,
        "outcomes": board.forecast_outcomes(pack, earlier),
        "input_changes": (board.input_changes(earlier["inputs"], inputs) if earlier else None),
    }


def write_council_index(folder: Path) -> Path:
    """Write ``folder/index.html`` (``reports/<council>/``): every meeting pack in the folder,
    newest first, read from their manifests (backups and half-built folders are not listed).
    Written whole, one writer at a time."""
    import re

    import filelock

    from sendlib.pipeline.render import council_index

    with filelock.FileLock(str(folder / ".index.lock"), timeout=60):
        meetings, council = [], folder.name
        for pack_dir in sorted(folder.iterdir()):
            manifest = read_manifest(pack_dir)
            if manifest is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", pack_dir.name):
                continue  # not a pack, or a backup or half-built one
            name = pack_dir.name
            shared = {}
            for report in manifest.get("reports", {}).values():
                shared.update(report.get("parameters", {}))
            council = manifest.get("council", council)
            meetings.append(
                {
                    "folder": name,
                    "meeting_date": date.fromisoformat(manifest["meeting_date"]),
                    "board": shared.get("board", ""),
                    "latest_census": shared.get("latest_census"),
                    "reports": len(manifest.get("reports", {})),
                }
            )
        path = folder / "index.html"
        partial = folder / ".index.html.partial"
        partial.write_text(council_index(council, meetings), encoding="utf-8")
        os.replace(partial, path)
    return path


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

    if councils is None:
        table = tables.load("councils")
        councils = list(table.loc[table["current"], "area_name"])
    outcome: dict[str, list[str]] = {"built": [], "skipped": [], "failed": []}
    with tqdm(councils, desc="packs", unit="council", disable=not progress) as bar:
        for council in bar:
            bar.set_postfix_str(council)
            try:
                pack = read_pack(definition, council=council)
                if is_current(pack, reports_dir):
                    outcome["skipped"].append(council)
                    continue
                build_pack(pack, update=True, reports_dir=reports_dir, progress=False)
                outcome["built"].append(council)
            except SendlibError as error:
                outcome["failed"].append(f"{council}: {error}")
    return outcome


def pack_pdf(pack: Pack, reports_dir: Path | None = None) -> Path:
    """Write the built pack as one PDF, ``<meeting-date>.pdf`` in its folder: the index,
    then the reports in the pack's order, one bookmark each (see :mod:`sendlib.pipeline.pdf`).
    The pack must be built and current."""
    from sendlib.pipeline import pdf

    folder = pack_folder(pack, reports_dir)
    reason = stale_reason(pack, reports_dir)
    if reason is not None:
        raise PackError(
            f"{folder}: no PDF of a pack that is not current ({reason}); build it first"
        )
    meeting = long_date(pack.meeting_date)
    pages = [("index.html", f"{pack.title}, {meeting}")]
    pages += [(f"{r.notebook}.html", r.title) for r in pack.reports]
    return pdf.write_pack_pdf(
        folder,
        pages,
        title=f"{pack.council_name}: {pack.title}, {meeting}",
        meeting=pack.meeting_date,
        out=folder / f"{pack.meeting_date.isoformat()}.pdf",
    )
