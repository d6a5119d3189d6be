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
import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
        """The report's notebook."""
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
        """The council's name as a folder name (``kingston-upon-thames``)."""
        return slugify(self.council_name)

    @property
    def data_date(self) -> str:
        """The data the pack was built from, in words."""
        latest = self.data.get("latest_census")
        return f"the January {latest} census (DfE SEN2)" if latest else "the latest release"

    def parameters(self, report: ReportSpec) -> dict:
        """What papermill passes to one report's parameters cell: the council and meeting,
        the board's name (the definition's title), the pack's data vintage where the notebook
        takes it, and the report's own."""
        declared = declared_parameters(report.path)
        shared = {
            "council": self.council,
            "meeting_date": self.meeting_date.isoformat(),
            "board": self.title,
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


_KINDS = {
    int: "a whole number",
    float: "a number",
    str: "text in quotes",
    bool: "true or false",
    list: "a list of tables, [{...}, {...}]",
    dict: 'a table, { "2022/23" = 30000000 }',
}


def _kind(default: str) -> type | None:
    """The type of a parameter's default, from its literal in the notebook (or None)."""
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return None
    return type(value) if type(value) in _KINDS else None


def _value_problems(name: str, value: object, default: object) -> list[str]:
    """What is wrong with one parameter's value: not of its default's type, a number not
    finite or below 0, a quarter not Q1-Q4, a file or folder outside the project."""
    import math

    kind = _kind(default)
    fits = (
        kind is None
        or isinstance(value, kind)
        and not (isinstance(value, bool) and kind is not bool)
    )
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        fits = True
    if not fits:
        return [f"expected {_KINDS[kind]} (like {default}), found {value!r}"]
    problems = []
    number_like = isinstance(value, int | float) and not isinstance(value, bool)
    if number_like and not math.isfinite(value):
        problems.append(f"expected a finite number, found {value!r}")
    elif number_like and value < 0:
        problems.append(f"expected 0 or more, found {value!r}")
    if name == "quarter" and str(value).upper() not in ("Q1", "Q2", "Q3", "Q4"):
        problems.append(f"expected Q1, Q2, Q3 or Q4, found {value!r}")
    if name in ("scenarios", "goals") and isinstance(value, list):
        problems += _money_problems(name, value)
    if name == "deficit_ceilings" and isinstance(value, dict):
        problems += _ceiling_problems(value)
    if name.endswith(("_file", "_dir")) and isinstance(value, str):
        problem = _inside_project(value)
        if problem:
            problems.append(problem)
    return problems


def _ceiling_problems(value: dict) -> list[str]:
    """What is wrong with a forecast report's Safety Valve maxima by financial year."""
    from sendlib.periods import FinancialYear

    problems = []
    for year, amount in value.items():
        try:
            FinancialYear.parse(year)
        except ValueError:
            problems.append(f'{year!r} is not a financial year such as "2022/23"')
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            problems.append(f"{year}: expected an amount in £, found {amount!r}")
    return problems


def _money_problems(name: str, value: list) -> list[str]:
    """What is wrong with a forecast report's scenarios or goal-seeks (every problem)."""
    from sendlib.errors import ArgumentError
    from sendlib.measures import costs, goals

    problems = []
    for number, item in enumerate(value, start=1):
        if name == "scenarios":
            try:
                costs.check_scenario(item, f"scenario {number}")
            except ArgumentError as error:
                problems.append(str(error))
            continue
        if not isinstance(item, dict):
            problems.append(f"goal {number}: expected a table, found {item!r}")
            continue
        given = set(item)
        wanted = {"target", "ceiling", "year", "lever"}
        if not wanted <= given <= wanted | {"chance"}:
            problems.append(
                f"goal {number}: expected target, ceiling, year, lever (and chance, if you "
                "like); found " + (", ".join(sorted(given)) or "nothing")
            )
            continue
        if item["target"] not in goals.TARGETS:
            problems.append(
                f"goal {number}: target {item['target']!r} is not one of {', '.join(goals.TARGETS)}"
            )
        if item["lever"] not in costs.LEVERS:
            problems.append(
                f"goal {number}: lever {item['lever']!r} is not one of {', '.join(costs.LEVERS)}"
            )
        ceiling = item["ceiling"]
        if isinstance(ceiling, bool) or not isinstance(ceiling, int | float) or ceiling < 0:
            problems.append(
                f"goal {number}: ceiling must be an amount (£ or plans), found {ceiling!r}"
            )
    return problems


def _check_parameters(path: Path, number: int, report: ReportSpec, given: dict) -> list[str]:
    """The problems with one report's parameters: each must be one the notebook declares, of
    its default's type, a finite number (0 or more) where a number is expected, a quarter
    Q1-Q4, a ceiling with its year, and any file or folder must exist inside the project."""
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
        if name in declared:
            problems += [
                f"{where}, parameter {name}: {problem}"
                for problem in _value_problems(name, value, declared[name]["default"])
            ]
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


def _read_toml(path: Path) -> dict:
    """A definition's TOML, as UTF-8 whatever the machine's locale (a byte-order mark, as
    Notepad writes, is allowed); a :class:`PackError` for a missing file, other text or bad
    TOML."""
    if not path.exists():
        known = sorted(
            p.relative_to(config.PACKS_DIR).as_posix() for p in config.PACKS_DIR.glob("*/*.toml")
        )
        raise PackError(f"{path}: no such pack definition. Known packs: {', '.join(known)}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PackError(
            f"{path}, line {line}: the definition is not UTF-8 text (byte "
            f"{data[exc.start : exc.start + 1]!r}; saved as Windows-1252?). Save it as UTF-8 "
            "(in Notepad: File > Save as > Encoding: UTF-8)"
        ) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: not valid TOML ({exc})") from exc


def _check_reports(path: Path, pack: Pack) -> list[str]:
    """Each report's notebook and parameters, and every [data] setting some report takes."""
    problems = []
    known = sorted(p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    usable = []
    for number, report in enumerate(pack.reports, start=1):
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
    return problems


def read_pack(path: Path | str, *, council: str | None = None) -> Pack:
    """Read and check a pack definition; raise :class:`PackError` naming what is wrong.

    Everything is checked before any notebook runs: the council (a misspelt name suggests the
    right one), the dates, each notebook and each parameter's name, type and file.
    ``council`` replaces the definition's council (used to build one pack per council).
    """
    from sendlib.measures.areas import find_council

    path = Path(path)
    spec = _read_toml(path)
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
        str(spec.get("title", "Meeting pack")),
        dict(data),
        reports,
        spec.get("generated", meeting) if type(spec.get("generated", meeting)) is date else meeting,
    )
    problems += _check_data(path, pack.data, spec["meeting_date"])
    problems += _check_reports(path, pack)
    if problems:
        raise PackError(
            f"{path}: {len(problems)} problem(s); nothing was run:\n  - " + "\n  - ".join(problems)
        )
    return pack
