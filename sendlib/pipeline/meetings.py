"""The board cycle: a new meeting's pack definition, with the data the board would have had.

``sendlib pack new COUNCIL MEETING_DATE`` writes ``packs/<council>/<date>.toml`` for a meeting:

* the **data vintage** the meeting would really have had: the latest January census DfE had
  published before the meeting (DfE publishes the SEN2 release each June; sendlib counts a
  census as published from 1 July of its year) and the latest statistical neighbour model
  published before it (:data:`SN_MODEL_PUBLISHED`);
* the **financial year and quarter** the meeting falls in (April to June is Q1);
* the **reports whose inputs exist**: the public-data reports always, the council's KPI and
  finance reports when its folder under ``data/raw/local/`` has files for that quarter and its
  rules file is in ``packs/<council>/``.

Anything the definition could not know (a cost per plan, a Safety Valve ceiling) is left out
and said, never guessed; an existing definition is never overwritten.

>>> data_vintage(date(2024, 7, 11), latest_available=2025)["latest_census"]
2024
>>> financial_quarter(date(2021, 12, 16))
('2021-22', 'Q3')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from sendlib import config
from sendlib.periods import Quarter
from sendlib.pipeline.definitions import PackError, slugify
from sendlib.publications import (
    SN_MODEL_PUBLISHED,
    census_published_by,
    sn_model_published_by,
)


def financial_quarter(day: date) -> tuple[str, str]:
    """The financial year (``"2021-22"``) and quarter (``"Q1"`` = April to June) of ``day``.

    >>> financial_quarter(date(2022, 3, 31)), financial_quarter(date(2022, 4, 1))
    (('2021-22', 'Q4'), ('2022-23', 'Q1'))
    """
    quarter = Quarter.of(day)
    return quarter.year.dashed, quarter.name


def data_vintage(meeting: date, *, latest_available: int) -> dict:
    """The data a meeting on ``meeting`` would have had: ``latest_census`` (the January census
    DfE had published, no later than ``latest_available``, the latest in data/raw),
    ``sn_model``, and ``notes`` saying where sendlib's data falls short of that.

    >>> v = data_vintage(date(2026, 9, 1), latest_available=2025)
    >>> v["latest_census"], v["sn_model"], len(v["notes"])
    (2025, '2025', 1)
    """
    published = census_published_by(meeting)
    notes = []
    census = min(published, latest_available)
    if census < published:
        notes.append(
            f"DfE had published the January {published} census by {meeting.isoformat()}, but "
            f"data/raw/ holds censuses to January {latest_available}: the pack uses "
            f"{latest_available}. Run `sendlib data update`, then set latest_census = "
            f"{published} in the definition."
        )
    models = sorted(SN_MODEL_PUBLISHED, key=SN_MODEL_PUBLISHED.__getitem__)
    model = sn_model_published_by(meeting) or models[0]
    if sn_model_published_by(meeting) is None:
        notes.append(
            f"no statistical neighbour model sendlib holds was published by "
            f"{meeting.isoformat()}: the pack uses the earliest, DfE's {models[0]} model."
        )
    return {"latest_census": census, "sn_model": model, "notes": notes}


PUBLIC_REPORTS = (
    ("ehcp_caseload", "EHCP caseload"),
    ("ehcp_benchmarking", "EHCP growth and benchmarking"),
    ("forecast", "Forecast of EHC plans"),
)
"""The reports from DfE's public data every pack can have, where the data allow."""


def public_reports(
    council: pd.Series, census: int, sn_model: str
) -> tuple[list[tuple[str, str]], list[str]]:
    """The public reports a pack of ``council`` (a row of the councils table) for the January
    ``census`` and neighbour model can build, and a note for each it cannot, saying why: each
    is tried as the report would run it (a council that did not exist then, a neighbour model
    that predates it, too few Januaries to forecast)."""
    from sendlib.errors import SendlibError
    from sendlib.measures import benchmarks, forecasting

    name, first, last = council["area_name"], council["first_year"], council["last_year"]
    kept, notes = [], []
    for notebook, title in PUBLIC_REPORTS:
        if not first <= census <= last:
            notes.append(
                f"left out the {title} report: DfE published {name} for January {first} to "
                f"{last}, not for the pack's census (January {census})"
            )
            continue
        try:
            if notebook == "ehcp_benchmarking":  # its neighbours and their growth
                benchmarks.caseload_benchmark(name, sn_model=sn_model, latest=census)
            elif notebook == "forecast":  # enough Januaries to forecast from
                forecasting.forecast(name, origin=census, sn_model=sn_model)
        except SendlibError as exc:
            notes.append(f"left out the {title} report: {str(exc).splitlines()[0]}")
            continue
        kept.append((notebook, title))
    return kept, notes


@dataclass(frozen=True)
class NewPack:
    """What :func:`new_pack` wrote: the definition's path and text, and what it could not know."""

    path: Path
    text: str
    notes: tuple[str, ...]


def new_pack(
    council: str | int,
    meeting: date,
    *,
    packs_dir: Path | None = None,
    local_root: Path | None = None,
    local_files: bool = False,
) -> NewPack:
    """Write the definition of ``council``'s pack for the meeting on ``meeting`` (see the
    module) and return it. Raises :class:`PackError` if the definition exists already.

    A council with a folder of its own files (``local_root``, default ``data/raw/local/``,
    ``/<council>``) and a rules file gets its KPI and finance reports; when the folder has no
    files for the meeting's quarter yet, they are started from the template with that year's
    and quarter's headers (:func:`sendlib.pipeline.council_check.start_period`), to be filled
    in. ``local_files`` starts the folder (and the rules file) for a council that has none.
    """
    from sendlib.measures.areas import find_council

    found = find_council(council)
    name, slug = str(found["area_name"]), slugify(str(found["area_name"]))
    folder = Path(packs_dir or config.PACKS_DIR) / slug
    path = folder / f"{meeting.isoformat()}.toml"
    if path.exists():
        raise PackError(
            f"{path} exists already: sendlib never overwrites a pack definition. Edit it, or "
            "delete it first to write a new one."
        )
    vintage = _vintage(meeting)
    year, quarter = financial_quarter(meeting)
    public, left_out = public_reports(found, vintage["latest_census"], vintage["sn_model"])
    notes = [*vintage["notes"], *left_out]
    if not public and not local_files and not (config.RAW_DIR / "local" / slug).exists():
        raise PackError(
            f"no report of {name}'s pack for {meeting.isoformat()} could be built, so nothing "
            "was written:\n  - " + "\n  - ".join(left_out)
        )
    notes.append('title: "SEND Partnership Board" is a default; put the board\'s own name')
    local = Path(local_root or config.RAW_DIR / "local") / slug
    rules = folder / "kpi_rules.csv"  # the council's rules live beside its definitions
    if not rules.exists() and (config.PACKS_DIR / slug / "kpi_rules.csv").exists():
        rules = config.PACKS_DIR / slug / "kpi_rules.csv"
    if local_files:
        notes += _start_local(local, rules, folder)
    data_lines, local_reports, said = _local_part(local, rules, name, year, quarter)
    notes += said
    if any(notebook == "forecast" for notebook, _ in public):  # said only of a pack with one
        notes.append(_forecast_note(bool(local_reports)))
    text = _definition(name, meeting, vintage, notes, public, year, quarter, data_lines)
    text += local_reports
    _write_once(folder, path, text)
    return NewPack(path=path, text=text, notes=tuple(notes))


def _vintage(meeting: date) -> dict:
    """:func:`data_vintage` of the meeting, against the Januaries in data/raw; a
    :class:`PackError` for a meeting before they begin."""
    from sendlib import tables

    caseload = tables.load("caseload")
    vintage = data_vintage(meeting, latest_available=int(caseload["year"].max()))
    first = int(caseload["year"].min())
    if vintage["latest_census"] < first:
        raise PackError(
            f"a meeting on {meeting.isoformat()} would have had the January "
            f"{vintage['latest_census']} census, and DfE's releases in data/raw/ begin with "
            f"January {first}: no pack can be built for it (nothing was written)"
        )
    return vintage


def _shown(target: Path) -> str:
    """A path as a definition names it: relative to the project where it is inside it."""
    try:
        return target.resolve().relative_to(config.PROJECT_ROOT).as_posix()
    except ValueError:
        return target.as_posix()


def _start_local(local: Path, rules: Path, folder: Path) -> list[str]:
    """Start the council's folder and its rules file (from the template) where missing."""
    import shutil

    notes = []
    if not local.exists():
        local.mkdir(parents=True)
        notes.append(f"started the council's folder {_shown(local)}/")
    if not rules.exists():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(config.RAW_DIR / "local" / "_template" / "kpi_rules.csv", rules)
        notes.append(f"started the KPI rules {_shown(rules)} from the template: fill them in")
    return notes


def _local_part(local: Path, rules: Path, name: str, year: str, quarter: str) -> tuple:
    """The definition's lines for the council's own files and its KPI and finance reports
    (both empty without a folder and a rules file), and what to tell the director."""
    from sendlib.pipeline import council_check

    if not local.exists():
        return (
            "",
            "",
            [
                f"no KPI or finance report: the council has no folder {_shown(local)}/ of its own "
                "files (`sendlib pack new COUNCIL DATE --local-files` starts one)"
            ],
        )
    if not rules.exists():
        return (
            "",
            "",
            [
                f"no KPI or finance report: no rules file {_shown(rules)} (copy "
                "data/raw/local/_template/kpi_rules.csv there)"
            ],
        )
    notes = []
    started = council_check.start_period(local, year=year, quarter=quarter)
    if started["written"]:
        notes.append(
            f"started {quarter} {year}'s files in {_shown(local)}/ from the template (headers "
            f"only): {', '.join(started['written'])}; fill them in, then run "
            f'`sendlib local check "{name}" --quarter {quarter} --year {year}`'
        )
    if started["to_extend"]:
        notes.append(
            f"add the {quarter} column to {', '.join(started['to_extend'])} (the year's files)"
        )
    data_lines = (
        "# The council's own files, read by the KPI, finance and forecast reports:\n"
        f'local_dir = "{_shown(local)}"\n'
        f'rules_file = "{_shown(rules)}"\n'
        f'quarter = "{quarter}"\n'
        f'financial_year = "{year}"\n'
    )
    local_reports = (
        '\n[[reports]]\nnotebook = "kpi_dashboard"\ntitle = "Demand and finance dashboard"\n'
        '\n[[reports]]\nnotebook = "high_needs_finance"\ntitle = "High Needs Block and DSG"\n'
        f'[reports.parameters]\npublic_year = "{year.replace("-", "/")}"\n'
    )
    return data_lines, local_reports, notes


def _forecast_note(costed: bool) -> str:
    """What the director is told of the forecast report's cost section."""
    return "forecast: " + (
        (
            "the cost per plan comes from the council's files (HNB spend over plans held); "
            if costed
            else "no cost per plan is known for this council (the cost section says so): add "
            "cost_per_plan under the forecast report's [reports.parameters]; the placements "
            "are costed from DfE's public unit costs where there are any; "
        )
        + "add a ceiling with its ceiling_year if the council has one, and the board's "
        "scenarios and goals (see the README, The money)"
    )


def _definition(name, meeting, vintage, notes, public, year, quarter, data_lines="") -> str:
    """The definition's text up to the council's own reports (see :func:`new_pack`)."""
    said = "".join(f"# - {note}\n" for note in notes)
    census_comment = (
        "the latest in data/raw/ (DfE had published a newer one: see above)"
        if any("census by" in note for note in vintage["notes"])
        else "the latest January census DfE had published by the meeting"
    )
    return (
        f"# {name}: pack for the board meeting of {meeting.isoformat()} ({quarter} {year}).\n"
        "# Written by `sendlib pack new`; edit it freely (it is never overwritten).\n"
        f"# What it could not know, and what it did:\n{said}"
        f'council = "{name}"\n'
        f"meeting_date = {meeting.isoformat()}\n"
        'title = "SEND Partnership Board"\n'
        "\n[data]\n"
        f"latest_census = {vintage['latest_census']}   # {census_comment}\n"
        f'sn_model = "{vintage["sn_model"]}"      # the neighbour model in use then\n'
        f"{data_lines}"
        + "".join(
            f'\n[[reports]]\nnotebook = "{notebook}"\ntitle = "{title}"\n'
            for notebook, title in public
        )
    )


def _write_once(folder: Path, path: Path, text: str) -> None:
    """Write a new definition, never over a file (one written meanwhile included)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise PackError(
            f"{path} exists already: sendlib never overwrites a pack definition."
        ) from None
