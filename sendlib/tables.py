"""The tidy tables in ``data/processed/``: built from ``data/raw/``, rebuilt only when stale.

``sendlib data build`` (or :func:`build`) reads every raw input, checks it, and writes one
parquet file per table plus ``manifest.json`` (each input's sha256 and size, each table's rows
and columns, the sendlib version and a fingerprint of the code that built them). Loaders call
:func:`load`, which builds first when the tables are missing or stale, so an analyst never runs
a build step by hand. A build that fails leaves ``data/processed/`` exactly as it was: every
input is read and checked before anything is written, files are written to a staging folder
and moved into place, and the manifest is written last.

The tables (columns are documented by the functions that make them):

==========================  ====================================================================
``councils``                :func:`sendlib.geography.council_index`
``areas``                   :func:`sendlib.geography.area_index`: every area a name can mean
``caseload``                statements + EHC plans at each January, every area (newest release)
``caseload_releases``       the same, one row per release that published the figure
``caseload_by_age``         the same by age band (newest release)
``caseload_by_placement``   EHC plans by placement type (2019 onwards)
``caseload_by_need``        EHC plans by primary need (latest January)
``ehcp_activity``           new and ceased plans, requests, assessments, 20-week timeliness
``statistical_neighbours``  DfE's 2021 and 2025 models, one row per (council, rank)
``la_changes``              mergers, splits and re-codings of councils, 2019-2025
``population``              ONS mid-year estimates aged 0 to 17 (2012-2024) and 0 to 25 (2011,
                            2022, 2023), every area
``specialist_spend``        s251 outturn spend on specialist top-ups by sector, 2018-19..2021-22
``dsg_deficit``             cumulative DSG deficit as % of DSG income, 2019-20..2021-22
``hnb_funding``             each council's High Needs Block allocation (£), 2019-20..2023-24
``hn_benchmarking``         DfE's High Needs Benchmarking Tool 2021-22: plans by placement
                            (January 2021) and budget top-ups by phase and sector
``findings``                the data check's findings (see :mod:`sendlib.quality`)
==========================  ====================================================================
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import inspect
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import pandas as pd

from sendlib import config
from sendlib.errors import SendlibError, write_problem
from sendlib.ingest.checksums import sha256
from sendlib.outputs import writable
from sendlib.tidy import TABLES, build_tables, newest_release  # noqa: F401 - the tables' API

MANIFEST = "manifest.json"
_CODE = (
    "ingest/cells.py",
    "ingest/releases.py",
    "ingest/release_files.py",
    "ingest/lookups.py",
    "ingest/dsg_allocations.py",
    "ingest/ods.py",
    "ingest/high_needs.py",
    "vocab.py",
    "geography.py",
    "tables.py",
    "tidy.py",
    "quality/__init__.py",
    "quality/findings.py",
    "quality/rules.py",
    "footnotes.py",
)


def sendlib_version() -> str:
    """The installed sendlib version (``0+unknown`` when run from a bare checkout)."""
    try:
        return metadata.version("sendlib")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def code_fingerprint() -> str:
    """A hash of the modules that shape the tables, so a code change makes them stale."""
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / name).read_bytes() for name in _CODE)).hexdigest()


def _inputs(raw: Path) -> dict[str, dict]:
    return {
        name: {"sha256": sha256(raw / name), "size": (raw / name).stat().st_size}
        for name in config.raw_inputs(raw)
    }


def stale_reason(raw_dir: Path | None = None, processed_dir: Path | None = None) -> str | None:
    """Why the processed tables must be rebuilt, or ``None`` when they are up to date."""
    raw = Path(raw_dir or config.RAW_DIR)
    out = Path(processed_dir or config.processed_dir())
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return "no manifest: the tables have not been built"
    if not isinstance(manifest, dict) or not all(
        isinstance(manifest.get(k), dict) for k in ("inputs", "tables")
    ):
        return "the manifest is damaged"
    if manifest.get("sendlib_version") != sendlib_version():
        return "built by another sendlib version"
    if manifest.get("code_sha256") != code_fingerprint():
        return "the code that builds the tables has changed"
    inputs = config.raw_inputs(raw)
    gone = sorted(set(manifest["inputs"]) - set(inputs))
    if gone:
        return f"input {gone[0]} has been removed"
    for name in inputs:
        seen = manifest["inputs"].get(name)
        path = raw / name
        if not isinstance(seen, dict) or not path.exists():
            return f"input {name} is new or missing"
        stat = path.stat()
        if stat.st_size != seen["size"] or (
            stat.st_mtime_ns != seen.get("mtime_ns") and sha256(path) != seen["sha256"]
        ):
            return f"input {name} has changed"
    for name in TABLES:
        table = manifest["tables"].get(name)
        path = out / f"{name}.parquet"
        if not isinstance(table, dict) or not path.exists():
            return f"table {name} is missing"
        # The tables are small (under 1 MB together): each is checked to the byte, so a file
        # damaged without changing its size is rebuilt, never read.
        if path.stat().st_size != table.get("size") or sha256(path) != table.get("sha256"):
            return f"table {name} is damaged (its sha256 is not the one recorded)"
    return None


LOCK_PATIENCE = 600.0
"""Seconds a build waits for another build of the same folder before giving up, saying so."""


@contextlib.contextmanager
def _locked(folder: Path, step: Callable[[str], None] = lambda _: None) -> Iterator[None]:
    """One build at a time per folder (parallel notebooks may all ask for a build). A build
    that has to wait says so; one that waited :data:`LOCK_PATIENCE` seconds stops, naming the
    lock (a build stopped with Ctrl-Z or a debugger holds it; one that was killed does not)."""
    import filelock

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_problem("the tables", folder, exc) from exc
    lock = filelock.FileLock(folder / ".lock")
    try:
        lock.acquire(timeout=1)
    except filelock.Timeout:
        step(f"waiting for another build of the tables in {folder} to finish")
        try:
            lock.acquire(timeout=LOCK_PATIENCE)
        except filelock.Timeout:
            raise SendlibError(
                f"another build of the tables in {folder} has held {lock.lock_file} for "
                f"{LOCK_PATIENCE:.0f} s: if it is stopped (Ctrl-Z, a debugger), resume or end it, "
                "then run the command again; nothing was changed"
            ) from None
    except OSError as exc:
        raise write_problem("the tables", folder, exc) from exc
    try:
        yield
    finally:
        lock.release()


def build(
    *,
    force: bool = False,
    raw_dir: Path | None = None,
    processed_dir: Path | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> dict:
    """Build the processed tables if they are stale (or ``force``); return the manifest.

    Nothing in ``processed_dir`` changes unless every input was read and checked.
    """
    raw = Path(raw_dir or config.RAW_DIR)
    out = writable(processed_dir or config.processed_dir(), "the processed tables")
    with _locked(out, step):
        # A build killed outright (kill -9, power cut) leaves its staging folder: with the lock
        # held, no other build of this folder is running, so any such folder is a leftover.
        for leftover in out.glob(".staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        reason = "forced" if force else stale_reason(raw, out)
        if reason is None:
            step("up to date: nothing to build")
            return json.loads((out / MANIFEST).read_text())
        step(f"building ({reason})")
        tables = build_tables(raw, step)
        inputs = _inputs(raw)
        for name, seen in inputs.items():
            seen["mtime_ns"] = (raw / name).stat().st_mtime_ns
        manifest = {
            "sendlib_version": sendlib_version(),
            "code_sha256": code_fingerprint(),
            "inputs": inputs,
            "tables": {},
        }
        step("writing parquet files")
        try:
            _write(tables, manifest, out)
        except OSError as exc:
            raise write_problem("the tables", out, exc) from exc
        step(f"built {len(tables)} tables in {out}")
        return manifest


def _write(tables: dict[str, pd.DataFrame], manifest: dict, out: Path) -> None:
    """Write every table and then the manifest, through a staging folder (see :func:`build`)."""
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        for name, frame in tables.items():
            path = staging / f"{name}.parquet"
            frame.to_parquet(path, index=False)
            manifest["tables"][name] = {
                "file": path.name,
                "rows": len(frame),
                "columns": list(frame.columns),
                "sha256": sha256(path),
                "size": path.stat().st_size,
            }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        (out / MANIFEST).unlink(missing_ok=True)
        for name in tables:
            os.replace(staging / f"{name}.parquet", out / f"{name}.parquet")
        os.replace(staging / MANIFEST, out / MANIFEST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def manifest(processed_dir: Path | None = None) -> dict:
    """The manifest of the built tables (building them first if stale): ``sendlib_version``,
    ``code_sha256``, ``inputs`` (each raw file's ``sha256`` and ``size``) and ``tables``. The
    one reader of ``manifest.json``: reports and packs ask here.

    >>> sorted(manifest()["inputs"])[0]
    'dfe-ehcp/education-health-and-care-plans_2022.zip'
    """
    out = Path(processed_dir or config.processed_dir())
    if stale_reason(None, out) is not None:
        build(processed_dir=out)
    return json.loads((out / MANIFEST).read_text())


def file_hashes(folder: Path, suffixes: tuple[str, ...]) -> dict[str, str]:
    """The sha256 of each file of ``folder`` with one of ``suffixes``, by name, sorted."""
    return {
        p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in suffixes
    }


def signature(processed_dir: Path | None = None) -> tuple:
    """What identifies the current build of the tables (changes whenever they are rebuilt)."""
    path = Path(processed_dir or config.processed_dir()) / MANIFEST
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def memoised(function: Callable) -> Callable:
    """Remember a function's results for the current build of the tables, in this process.

    Callers get a copy of a remembered DataFrame, so they cannot change what others see.
    Calls with unhashable arguments (a dict of custom groups) are not remembered.
    """
    remembered: dict = {}
    parameters = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            # One key however the arguments are given (by position, by name or by default).
            bound = parameters.bind(*args, **kwargs)
            bound.apply_defaults()
            key = (tuple(bound.arguments.items()), signature())
            hash(key)
        except TypeError:
            return function(*args, **kwargs)
        if key not in remembered:
            remembered[key] = function(*args, **kwargs)
        result = remembered[key]
        return result.copy() if isinstance(result, pd.DataFrame) else copy.copy(result)

    wrapper.cache_clear = remembered.clear
    return wrapper


class Tables:
    """The processed tables of one build, read once: each table is read on first use and kept,
    so a report or an analyst's session reads each file once. Measures take a ``Tables`` (or
    ask :func:`current` for it) and never open files themselves.

    A table is an attribute (``data.caseload``) or ``data[name]``; each use returns a copy, so
    a caller may change what it gets. Two bundles of the same build are equal (and hash
    alike), so results computed from one are remembered for the other.

    >>> data = current()
    >>> data.caseload["year"].min(), data == current()
    (np.int64(2010), True)
    """

    def __init__(self, processed_dir: Path, build_signature: tuple) -> None:
        self.processed_dir = Path(processed_dir)
        self.signature = build_signature
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"no processed table {name!r}; the tables are: {', '.join(TABLES)}")
        if name not in self._frames:
            self._frames[name] = pd.read_parquet(self.processed_dir / f"{name}.parquet")
        return self._frames[name].copy()

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_") or name not in TABLES:
            raise AttributeError(name)
        return self[name]

    @functools.cached_property
    def manifest(self) -> dict:
        """The build's manifest (see :func:`manifest`)."""
        return json.loads((self.processed_dir / MANIFEST).read_text())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tables) and other.signature == self.signature

    def __hash__(self) -> int:
        return hash(self.signature)

    def __repr__(self) -> str:
        return f"<sendlib tables of {self.processed_dir}>"


_CURRENT: dict[str, Tables] = {}


def current(*, raw_dir: Path | None = None, processed_dir: Path | None = None) -> Tables:
    """The tables as built now, building them first if they are missing or stale (the one
    place a staleness check is made): the same :class:`Tables` while the build is unchanged."""
    out = Path(processed_dir or config.processed_dir())
    if stale_reason(raw_dir, out) is not None:
        build(raw_dir=raw_dir, processed_dir=out)
    key = signature(out)
    known = _CURRENT.get(str(out))
    if known is None or known.signature != key:
        known = _CURRENT[str(out)] = Tables(out, key)
    return known


def load(
    name: str, *, raw_dir: Path | None = None, processed_dir: Path | None = None
) -> pd.DataFrame:
    """One processed table as a new DataFrame, building the tables first if they are stale
    (``current(...)[name]``).
    """
    if name not in TABLES:
        raise KeyError(f"no processed table {name!r}; the tables are: {', '.join(TABLES)}")
    return current(raw_dir=raw_dir, processed_dir=processed_dir)[name]
