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
    import shutil

    from sendlib import tables
    from sendlib.measures.areas import find_council
    from sendlib.pipeline import council_check

    found = find_council(council)
    name = str(found["area_name"])
    slug = slugify(name)
    packs_root = Path(packs_dir or config.PACKS_DIR)
    folder = packs_root / slug
    path = folder / f"{meeting.isoformat()}.toml"
    if path.exists():
        raise PackError(
            f"{path} exists already: sendlib never overwrites a pack definition. Edit it, or "
            "delete it first to write a new one."
        )
    caseload = tables.load("caseload")
    vintage = data_vintage(meeting, latest_available=int(caseload["year"].max()))
    first = int(caseload["year"].min())
    if vintage["latest_census"] < first:
        raise PackError(
            f"a meeting on {meeting.isoformat()} would have had the January "
            f"{vintage['latest_census']} census, and DfE's releases in data/raw/ begin with "
            f"January {first}: no pack can be built for it (nothing was written)"
        )
    year, quarter = financial_quarter(meeting)
    notes = list(vintage["notes"])
    public, left_out = public_reports(found, vintage["latest_census"], vintage["sn_model"])
    notes += left_out
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
    template = config.RAW_DIR / "local" / "_template"

    def shown(target: Path) -> str:
        try:
            return target.resolve().relative_to(config.PROJECT_ROOT).as_posix()
        except ValueError:
            return target.as_posix()

    if local_files and not local.exists():
        local.mkdir(parents=True)
        notes.append(f"started the council's folder {shown(local)}/")
    if local_files and not rules.exists():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template / "kpi_rules.csv", rules)
        notes.append(f"started the KPI rules {shown(rules)} from the template: fill them in")
    data_lines, local_reports = "", ""
    if not local.exists():
        notes.append(
            f"no KPI or finance report: the council has no folder {shown(local)}/ of its own "
            "files (`sendlib pack new COUNCIL DATE --local-files` starts one)"
        )
    elif not rules.exists():
        notes.append(
            f"no KPI or finance report: no rules file {shown(rules)} (copy "
            "data/raw/local/_template/kpi_rules.csv there)"
        )
    else:
        started = council_check.start_period(local, year=year, quarter=quarter)
        if started["written"]:
            notes.append(
                f"started {quarter} {year}'s files in {shown(local)}/ from the template (headers "
                f"only): {', '.join(started['written'])}; fill them in, then run "
                f'`sendlib local check "{name}" --quarter {quarter} --year {year}`'
            )
        if started["to_extend"]:
            notes.append(
                f"add the {quarter} column to {', '.join(started['to_extend'])} (the year's files)"
            )
        data_lines = (
            "# The council's own files, read by the KPI, finance and forecast reports:\n"
            f'local_dir = "{shown(local)}"\n'
            f'rules_file = "{shown(rules)}"\n'
            f'quarter = "{quarter}"\n'
            f'financial_year = "{year}"\n'
        )
        local_reports = (
            '\n[[reports]]\nnotebook = "kpi_dashboard"\ntitle = "Demand and finance dashboard"\n'
            '\n[[reports]]\nnotebook = "high_needs_finance"\ntitle = "High Needs Block and DSG"\n'
            f'[reports.parameters]\npublic_year = "{year.replace("-", "/")}"\n'
        )
    notes.append(
        "forecast: "
        + (
            "the cost per plan comes from the council's files (HNB spend over plans held); "
            if local_reports
            else "no cost per plan is known for this council (the cost section says so): add "
            "cost_per_plan under the forecast report's [reports.parameters]; "
        )
        + "add a ceiling with its ceiling_year if the council has one"
    )
    said = "".join(f"# - {note}\n" for note in notes)
    census_comment = (
        "the latest in data/raw/ (DfE had published a newer one: see above)"
        if any("census by" in note for note in vintage["notes"])
        else "the latest January census DfE had published by the meeting"
    )
    text = (
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
        + f"{local_reports}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # never over a file written meanwhile
            handle.write(text)
    except FileExistsError:
        raise PackError(
            f"{path} exists already: sendlib never overwrites a pack definition."
        ) from None
    return NewPack(path=path, text=text, notes=tuple(notes))
