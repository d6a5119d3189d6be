"""What a pack tells the board first: its key figures, and what changed since the last meeting.

At build time each report of a pack contributes the key figures it explains
(:mod:`sendlib.measures.headlines`, computed with the report's own parameters); they are
written into the pack's ``manifest.json`` as data (``key_figures``, ``kpi_ratings``) so that a
later meeting's pack can read them. The latest earlier pack of the same council under
``reports/<council>/`` is "the last meeting"; the pack's index compares the two.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd

from sendlib.errors import SendlibError
from sendlib.ingest.council_quarter import CouncilQuarter
from sendlib.measures import headlines
from sendlib.pipeline.definitions import Pack, ReportSpec, declared_parameters
from sendlib.publications import UPDATE_PLAIN, Currency, census_published_by, currency


def effective_parameters(pack: Pack, report: ReportSpec) -> dict:
    """What a report runs with: each parameter's default in its notebook, overlaid by what
    the pack passes (:meth:`Pack.parameters`)."""
    values = {}
    for name, declared in declared_parameters(report.path).items():
        try:
            values[name] = ast.literal_eval(declared["default"])
        except (ValueError, SyntaxError):
            values[name] = None
    return {**values, **pack.parameters(report)}


def pack_data(pack: Pack) -> dict:
    """The data a pack was built from, for a later pack to compare: its ``[data]`` and, where
    a report reads the council's files, their ``quarter`` and ``financial_year``."""
    data = dict(pack.data)
    for report in pack.reports:
        p = effective_parameters(pack, report)
        if p.get("local_dir") and p.get("quarter"):
            data.setdefault("quarter", p["quarter"])
            data.setdefault("financial_year", p.get("financial_year") or "")
    return data


def key_figures(pack: Pack) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The pack's key figures (:data:`sendlib.measures.headlines.COLUMNS`), one or more per
    report that explains one, in the pack's order, and its KPI ratings
    (:func:`sendlib.measures.headlines.kpi_ratings`; None without a KPI dashboard)."""
    from sendlib.measures import kpis

    parts, ratings = [], None
    for report in pack.reports:
        p = effective_parameters(pack, report)
        council = pack.council
        if report.notebook == "ehcp_caseload":
            parts.append(headlines.plans_figure(council, latest_census=p["latest_census"]))
        elif report.notebook == "ehcp_benchmarking":
            parts.append(
                headlines.growth_figure(
                    council, latest_census=p["latest_census"], sn_model=p["sn_model"]
                )
            )
        elif report.notebook == "forecast":
            parts.append(
                headlines.forecast_figures(
                    council,
                    latest_census=p["latest_census"],
                    sn_model=p["sn_model"],
                    ceiling=p.get("ceiling") or 0,
                    ceiling_year=p.get("ceiling_year") or 0,
                )
            )
            files = council_quarter(p) if p.get("local_dir") and p.get("quarter") else None
            parts.append(
                headlines.money_figures(
                    council,
                    latest_census=p["latest_census"],
                    sn_model=p["sn_model"],
                    files=files,
                    goals=p.get("goals") or [],
                    ceilings=p.get("deficit_ceilings") or None,
                )
            )
        elif report.notebook == "high_needs_finance":
            parts.append(headlines.deficit_figure(council_quarter(p)))
            parts.append(
                headlines.funding_figure(
                    council, sn_model=p["sn_model"], latest_census=p["latest_census"]
                )
            )
        elif report.notebook == "kpi_dashboard":
            try:
                found = kpis.council_dashboard(council_quarter(p))
            except (SendlibError, ValueError):
                continue  # the report itself fails with the reason; the pack is not built
            ratings = headlines.kpi_ratings(found.table, p["quarter"])
    figures = pd.concat(parts, ignore_index=True) if parts else headlines.frame([])
    return counted_since(figures, pack.meeting_date), ratings


def forecast_outcomes(pack: Pack, earlier: dict | None) -> dict[str, float]:
    """The plans counted at the January the earlier pack forecast, where this pack's data hold
    that census ("January 2023" -> plans), so an earlier meeting further back than a year is
    still told how its forecast did."""
    if not earlier:
        return {}
    from sendlib.errors import SendlibError
    from sendlib.measures.caseload import ehcp_caseload

    census = int(pack.data.get("latest_census") or 0)
    try:
        counted = ehcp_caseload(pack.council).set_index("year")["ehcps"]
    except SendlibError:
        return {}
    out = {}
    for figure in earlier.get("key_figures") or []:
        when = str(figure.get("when") or "")
        if figure.get("figure") != "forecast" or not when.startswith("January "):
            continue
        year = int(when.split()[1])
        if (not census or year <= census) and year in counted.index and pd.notna(counted[year]):
            out[when] = float(counted[year])
    return out


def counted_since(figures: pd.DataFrame, meeting: date) -> pd.DataFrame:
    """Key figures with no forecast of a January whose census DfE had published by ``meeting``
    (a new frame): such a row says the census is out and not yet in the pack instead."""
    out = headlines.frame(figures.to_dict("records"))
    published = census_published_by(meeting)
    for index, row in out.iterrows():
        when = str(row["when"] or "")
        if row["figure"] not in headlines.DATED or not when.startswith("January "):
            continue
        year = int(when.split()[1])
        if year > published:
            continue
        out.loc[index, ["value", "low", "high", "compare_value"]] = pd.NA
        out.loc[index, "label"] = f"Plans at January {year}"
        out.loc[index, "missing_because"] = (
            f"DfE published the January {year} census in June {year}, before this meeting; it "
            f"is not yet in this pack, so no figure is given for it (a forecast of a January "
            f"already counted is not shown). {UPDATE_PLAIN}"
        )
    return out


def pack_currency(pack: Pack) -> Currency:
    """How current ``pack`` is on its meeting date (:func:`sendlib.publications.currency`),
    against what data/raw holds."""
    from sendlib import tables

    held_census = int(tables.load("caseload")["year"].max())
    population = tables.load("population")
    held_population = int(population.loc[population["age_group"].eq("0 to 17"), "year"].max())
    census = int(pack.data.get("latest_census") or held_census)
    return currency(
        pack.meeting_date,
        census=census,
        sn_model=str(pack.data.get("sn_model") or "2025"),
        population=min(census - 1, held_population),
        held_census=held_census,
        held_population=held_population,
    )


def earlier_pack(pack: Pack, reports_dir: Path) -> Path | None:
    """The folder of the council's latest pack for a meeting before this one, built whole
    (with a manifest), under ``reports_dir/<council>/``; None when there is none."""
    folder = Path(reports_dir) / pack.slug
    if not folder.is_dir():
        return None
    earlier = sorted(
        p
        for p in folder.iterdir()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)
        and p.name < pack.meeting_date.isoformat()
        and (p / "manifest.json").is_file()
    )
    return earlier[-1] if earlier else None


def earlier_summary(manifest: dict) -> dict:
    """What a later pack reads of an earlier one's manifest (and records among its inputs):
    its meeting, data vintage, key figures, KPI ratings and inputs."""
    return {
        "meeting_date": manifest.get("meeting_date"),
        "data": manifest.get("data", {}),
        "key_figures": manifest.get("key_figures", []),
        "kpi_ratings": manifest.get("kpi_ratings"),
        "inputs": manifest.get("inputs", {}),
    }


def summary_hash(summary: dict) -> str:
    """The sha256 of :func:`earlier_summary`: a later pack is out of date when it changes."""
    return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


def input_changes(before: dict[str, str], now: dict[str, str]) -> dict[str, list[str]]:
    """The inputs of two packs compared: ``changed``, ``added`` and ``removed`` files of data,
    definitions and notebooks, and ``code`` (sendlib's own files that changed, counted)."""
    out: dict[str, list[str]] = {"changed": [], "added": [], "removed": [], "code": []}
    for name in sorted(set(before) | set(now)):
        if name.startswith("earlier pack") or re.search(r"(^|/)\d{4}-\d{2}-\d{2}\.toml$", name):
            continue  # each meeting has its own definition and its own earlier pack
        if before.get(name) == now.get(name):
            continue
        if name.startswith("sendlib/"):
            out["code"].append(name)
        elif name not in before:
            out["added"].append(name)
        elif name not in now:
            out["removed"].append(name)
        else:
            out["changed"].append(name)
    return out


def council_quarter(parameters: dict) -> CouncilQuarter:
    """The council's files a report's parameters name (``local_dir``, ``quarter``,
    ``financial_year``, ``rules_file``, ``kpi_file``), as one object read once."""
    return CouncilQuarter(
        parameters["local_dir"],
        parameters["quarter"],
        year=parameters.get("financial_year", ""),
        rules_file=parameters.get("rules_file", ""),
        kpi_file=parameters.get("kpi_file", ""),
    )
