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

from sendlib import config, footnotes, geography, quality
from sendlib.errors import DataFileError, SendlibError, write_problem
from sendlib.ingest import lookups, release_files, releases
from sendlib.ingest.checksums import sha256
from sendlib.outputs import writable

TABLES = (
    "councils",
    "areas",
    "caseload",
    "caseload_releases",
    "caseload_by_age",
    "caseload_by_placement",
    "caseload_by_need",
    "ehcp_activity",
    "statistical_neighbours",
    "la_changes",
    "population",
    "specialist_spend",
    "dsg_deficit",
    "findings",
)
MANIFEST = "manifest.json"
_CODE = (
    "ingest/cells.py",
    "ingest/releases.py",
    "ingest/release_files.py",
    "ingest/lookups.py",
    "vocab.py",
    "geography.py",
    "tables.py",
    "quality.py",
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


def newest_release(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """For each (year, area, keys...), keep the row of the newest release (a new frame)."""
    ordered = table.sort_values("release", ascending=False, kind="stable")
    unique = ordered.drop_duplicates(["year", "level", "area_code", "old_la_code", *keys])
    return unique.sort_values(
        ["year", "level", "area_code", *keys], kind="stable", ignore_index=True
    )


def build_tables(
    raw_dir: Path | None = None, step: Callable[[str], None] = lambda _: None
) -> dict[str, pd.DataFrame]:
    """Read and check every raw input and return the tidy tables (nothing is written)."""
    raw = Path(raw_dir or config.RAW_DIR)
    found = release_files.releases_in(raw / config.EHCP_DIR)
    history = release_files.newest(found, ("2022",))
    current = release_files.newest(found, ("2025", "2026"))
    if history is None or current is None:
        raise DataFileError(
            str(raw / config.EHCP_DIR),
            "a release sendlib needs is missing",
            expected="education-health-and-care-plans_2022.zip (January 2010-2022) and a "
            "2025-or-later release",
            found=", ".join(r.name for r in found) or "no release zip",
            hint="restore the published files (git checkout -- data/raw/dfe-ehcp/) or run "
            "`sendlib data update`",
        )
    step(f"reading the {history.reporting_year} EHCP release (2010-{history.reporting_year})")
    old = releases.read_caseload_2022_layout(history.path).assign(
        release=str(history.reporting_year)
    )
    step(
        f"reading the {current.reporting_year} EHCP release ({current.layout} layout, January "
        f"2019-{current.reporting_year}); releases in data/raw: "
        + ", ".join(f"{r.reporting_year} ({r.layout} layout)" for r in found)
    )
    totals, by_age, by_placement = releases.read_caseload(current.path, current.layout)
    activity = releases.read_activity(current.path, current.layout)
    needs = releases.read_primary_need(current.path, current.layout)
    earlier = [
        releases.read_caseload(r.path, r.layout)[0].assign(release=str(r.reporting_year))
        for r in found
        if r.layout in releases.LAYOUTS and r is not current
    ]
    step("reading statistical neighbours and council changes")
    sn_2025 = lookups.read_sn_model_2025(raw / config.SN_MODEL_2025, raw / config.SN_LOOKUP_2025)
    sn_2021, sn_councils = lookups.read_sn_model_2021(raw / config.SN_MODEL_2021)
    changes = lookups.read_la_changes(raw / config.LA_CHANGES)
    step("reading population estimates")
    young = lookups.read_population_0_17(raw / config.POPULATION_0_17)
    all_ages = pd.concat(
        [
            lookups.read_population_0_25(raw / config.POPULATION_0_25),
            lookups.read_population_0_25_mid_2024(raw / config.POPULATION_MID_2024),
        ],
        ignore_index=True,
    )

    step("building tidy tables")

    def as_caseload(frame: pd.DataFrame, release: str) -> pd.DataFrame:
        return frame.assign(
            statements=pd.array([pd.NA] * len(frame), dtype="Int64"),
            statements_flag=pd.array(["z"] * len(frame), dtype="string"),
            ehc_plans=frame["ehcps"],
            ehc_plans_flag=frame["ehcps_flag"],
            release=release,
        )[list(old.columns.drop("age_band"))]

    release = str(current.reporting_year)
    caseload = pd.concat(
        [
            old[old["age_band"].eq("Total")].drop(columns="age_band"),
            *[as_caseload(frame, frame["release"].iloc[0]) for frame in earlier if len(frame)],
            as_caseload(totals, release),
        ],
        ignore_index=True,
    )
    councils = geography.council_index(caseload, sn_councils, sn_2025)
    _require_known_councils(councils, sn_councils, sn_2025, current)
    age = pd.concat(
        [
            old[old["age_band"].ne("Total")][list(by_age.columns)].assign(release="2022"),
            by_age.assign(release=release),
        ],
        ignore_index=True,
    )
    step("checking the published figures against themselves")
    spend = lookups.read_specialist_spend(raw / config.SPECIALIST_SPEND, councils)
    population = pd.concat([young, _with_council_codes(all_ages, councils)], ignore_index=True)
    published = {
        "caseload_releases": caseload,
        "caseload_by_age_releases": age,
        "caseload_by_placement": by_placement.assign(release=release),
        "caseload_by_need": needs.assign(release=release),
        "ehcp_activity": activity.assign(release=release),
        "specialist_spend": spend,
        "population": population,
    }
    published = {name: frame.reset_index(drop=True) for name, frame in published.items()}
    findings = quality.check(published, councils)
    findings = pd.concat(
        [
            findings,
            quality.against_breakdowns(
                published["caseload_releases"], published["caseload_by_age_releases"], "age"
            ),
        ],
        ignore_index=True,
    )
    errors = findings[findings["severity"].eq("error")]
    if not errors.empty:
        raise quality.DataQualityError(errors)
    checked = {name: quality.condemn(name, frame, findings) for name, frame in published.items()}
    noted = [
        footnotes.footnote_findings(
            release_files.footnotes(r.path), councils, str(r.reporting_year)
        )
        for r in (history, current)
    ]
    findings = pd.concat([findings, *noted], ignore_index=True)
    caseload, age = checked["caseload_releases"], checked["caseload_by_age_releases"]
    counts = {"statements": "statements_flag", "ehc_plans": "ehc_plans_flag", "ehcps": "ehcps_flag"}
    caseload = geography.add_inner_outer_london(caseload, councils, ["year", "release"], counts)
    age = geography.add_inner_outer_london(
        age, councils, ["year", "release", "age_band"], {"ehcps": "ehcps_flag"}
    )
    placement = geography.add_inner_outer_london(
        checked["caseload_by_placement"],
        councils,
        ["year", "release", "placement", "placement_label", "placement_group"],
        {"ehcps": "ehcps_flag"},
    )
    need = geography.add_inner_outer_london(
        checked["caseload_by_need"],
        councils,
        ["year", "release", "primary_need"],
        {"ehcps": "ehcps_flag"},
    )
    flows = checked["ehcp_activity"]
    has_london = (
        checked["population"]["level"]
        .eq("inner_outer_london")
        .groupby(checked["population"]["population_source"])
        .transform("any")
    )
    population = pd.concat(
        [
            checked["population"][has_london],
            geography.add_inner_outer_london(
                checked["population"][~has_london],
                councils,
                ["year", "age_group", "population_source"],
                {"population": "population_flag"},
            ),
        ],
        ignore_index=True,
    )
    flows = pd.concat(
        [
            flows[flows["unit"].eq("percent")],
            geography.add_inner_outer_london(
                flows[flows["unit"].eq("count")],
                councils,
                ["year", "release", "measure", "unit"],
                {"value": "flag"},
            ),
        ],
        ignore_index=True,
    )
    neighbours = pd.concat([sn_2021, sn_2025], ignore_index=True)
    tables = {
        "councils": councils,
        "areas": geography.area_index(caseload, councils),
        "caseload": newest_release(caseload, []),
        "caseload_releases": caseload,
        "caseload_by_age": newest_release(age, ["age_band"]),
        "caseload_by_placement": placement,
        "caseload_by_need": need,
        "ehcp_activity": flows,
        "statistical_neighbours": neighbours,
        "la_changes": changes,
        "population": population,
        "specialist_spend": checked["specialist_spend"],
        "dsg_deficit": lookups.read_dsg_deficit(raw / config.DSG_DEFICIT, councils),
        "findings": findings.drop(columns=["_index", "_value"]).astype(
            {c: "string" for c in quality.FINDING_COLUMNS if c != "value"} | {"value": "Float64"}
        ),
    }
    assert set(tables) == set(TABLES), "build_tables and TABLES disagree"
    return {
        name: frame.astype({"release": "string"}) if "release" in frame else frame
        for name, frame in tables.items()
    }


def _require_known_councils(
    councils: pd.DataFrame, sn_2021: pd.DataFrame, sn_2025: pd.DataFrame, release
) -> None:
    """Every council of the releases is one DfE's lookups know (its 2021 or 2025 neighbour
    model): a code none of them holds is a row DfE did not publish, refused with its name."""
    known = set(sn_2021["old_la_code"]) | set(sn_2025["old_la_code"])
    unknown = councils[~councils["old_la_code"].isin(known)]
    if not unknown.empty:
        raise DataFileError(
            str(release.path),
            f"{len(unknown)} council code(s) no DfE lookup knows",
            column="old_la_code",
            expected="the 3-digit code of a council in DfE's neighbour models (2021 or 2025)",
            found=", ".join(f"{r.old_la_code} ({r.area_name})" for r in unknown.itertuples()),
            hint="restore the release as DfE published it (`sendlib data update` fetches it)",
        )


def _with_council_codes(population: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Give a population table keyed by ONS codes the 3-digit codes and regions of councils,
    (a new frame)."""
    codes = councils.assign(code=councils["codes"].str.split("|")).explode("code")
    by_code = codes.drop_duplicates("code").set_index("code")
    is_council = population["level"].eq("council")
    found = population["area_code"].map(by_code["old_la_code"])
    unknown = is_council & found.isna()
    if unknown.any():
        first = population[unknown].iloc[0]
        raise DataFileError(
            config.POPULATION_0_25,
            "a council code that no DfE release uses",
            column="area_code",
            expected="a code of a council in the SEN2 data",
            found=f"{first['area_code']} ({first['area_name']})",
        )
    region_code = population["area_code"].map(by_code["region_code"])
    region_name = population["area_code"].map(by_code["region_name"])
    is_region = population["level"].eq("region")
    named = population.assign(
        old_la_code=found.astype("string"),
        region_code=region_code.where(is_council, population["area_code"].where(is_region)).astype(
            "string"
        ),
        region_name=region_name.where(is_council, population["area_name"].where(is_region)).astype(
            "string"
        ),
    )
    return named


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


_LOADED: dict[str, tuple[tuple, pd.DataFrame]] = {}


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


def load(
    name: str, *, raw_dir: Path | None = None, processed_dir: Path | None = None
) -> pd.DataFrame:
    """One processed table as a new DataFrame, building the tables first if they are stale.

    Tables read once are kept in memory while their file is unchanged; each call returns a
    copy, so a caller may change what it gets without changing what others get.
    """
    if name not in TABLES:
        raise KeyError(f"no processed table {name!r}; the tables are: {', '.join(TABLES)}")
    out = Path(processed_dir or config.processed_dir())
    if stale_reason(raw_dir, out) is not None:
        build(raw_dir=raw_dir, processed_dir=out)
    path = out / f"{name}.parquet"
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if name not in _LOADED or _LOADED[name][0] != key:
        _LOADED[name] = (key, pd.read_parquet(path))
    return _LOADED[name][1].copy()
