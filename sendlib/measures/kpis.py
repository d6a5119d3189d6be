"""KPIs with a RAG rating computed from stated rules, beside the RAG officers reported.

A KPI has a baseline, a target, quarterly actuals, a **direction** (is lower or higher
better?), a **kind** and the **target basis** the dashboard states:

* ``stock`` (plans held) with a *pro rata* basis: the target for a quarter is the baseline
  moved toward the annual target in proportion to the months gone;
* ``flow`` (new plans, savings so far this year): the target for a quarter is the annual
  target times the share of the year gone, whatever the basis, since a year-to-date count can
  only be compared with the months it covers;
* ``level`` (a cost, a projection, a deficit forecast): the annual target as stated.

The rule (:func:`rag`): **Green** if the actual is on the right side of the quarter's target;
**Amber** if on the wrong side by up to ``amber_pct`` % of the target (5% unless the rules
say otherwise); **Red** beyond; **Not rated** where no direction is set or a figure is
missing. The rules for a council are a small CSV kept beside its pack definition
(``packs/<council>/kpi_rules.csv``: ``ref``, ``direction``, ``kind``, ``amber_pct``,
``note``). Where sendlib's rating differs from the officers', the dashboard marks it, because a
board should see when a judgement departs from the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sendlib.errors import ArgumentError, DataFileError
from sendlib.periods import QUARTER_MONTHS
from sendlib.vocab import AMBER_PCT

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter


def quarter_target(baseline: float, target: float, kind: str, basis: str, quarter: str) -> float:
    """The target a quarter's actual is judged against.

    >>> quarter_target(1429, 1496, "stock", "Pro rata", "Q3")
    1479.25
    >>> quarter_target(0, 172, "flow", "Annual - In Plan", "Q2")
    86.0
    >>> quarter_target(21183, 20684, "level", "Annual", "Q3")
    20684
    """
    share = QUARTER_MONTHS[quarter] / 12
    if kind == "flow":
        return target * share
    if kind == "stock" and "pro rata" in basis.lower():
        return baseline + (target - baseline) * share
    return target


def rag(actual: float, target: float, direction: str, amber_pct: float = AMBER_PCT) -> str | None:
    """R, A or G for an actual against a target, or None when it cannot be rated.

    >>> rag(1512, 1479.25, "lower"), rag(101, 129, "lower"), rag(30035, 27473, "lower")
    ('A', 'G', 'R')
    >>> rag(-25.34, -22.76, "higher"), rag(5, 5, "higher"), rag(5, None, "lower")
    ('R', 'G', None)
    """
    if direction not in ("lower", "higher") or actual is None or target is None:
        return None
    if pd.isna(actual) or pd.isna(target):
        return None
    worse = actual - target if direction == "lower" else target - actual
    if worse <= 0:
        return "G"
    if target == 0:
        return "R"
    return "A" if worse / abs(target) * 100 <= amber_pct else "R"


def _rated(info: pd.Series, rule: pd.Series, figures: pd.Series, quarter: str) -> dict:
    """One KPI's row of :func:`dashboard`: its figures, the quarter's target, the rule's
    rating beside the reported one, and why it is not rated where it is not."""
    ref = info.name
    baseline, target = figures.get("baseline"), figures.get("target")
    actual = figures.get(quarter)
    basis = info["target_basis"]
    needs_baseline = rule["kind"] == "stock" and "pro rata" in str(basis).lower()
    goal, why = None, ""
    if pd.isna(target):
        why = "no target"
    elif needs_baseline and pd.isna(baseline):
        why = "no baseline: a pro rata target starts from it"
    else:
        goal = quarter_target(
            baseline if pd.notna(baseline) else 0.0, target, rule["kind"], basis, quarter
        )
    if not why and pd.isna(actual):
        why = f"no {quarter} figure"
    if not why and rule["direction"] not in ("lower", "higher"):
        why = "no direction in the rules"
    rating = rag(actual, goal, rule["direction"], rule["amber_pct"])
    reported = None if pd.isna(info["reported_rag"]) else info["reported_rag"]
    return {
        "ref": ref,
        "kpi": info["kpi"],
        "category": info["category"],
        "unit": info["unit"],
        "baseline": baseline,
        "target": target,
        "quarter_target": goal,
        "actual": actual,
        "reported_rag": reported,
        "rag": rating,
        "differs": reported is not None and rating is not None and reported != rating,
        "not_rated_because": why if rating is None else "",
        "direction": rule["direction"] or None,
        "kind": rule["kind"],
        "target_basis": info["target_basis"],
        "comment": info["comment"],
        "note": rule.get("note", ""),
    }


def dashboard(kpis: pd.DataFrame, rules: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """One row per KPI at ``quarter``: the figures, sendlib's RAG beside the reported one.

    ``kpis`` is :func:`sendlib.ingest.council_files.read_kpi_dashboard`; ``rules`` is
    :func:`read_rules`. Columns: ``ref``, ``kpi``, ``category``, ``unit``, ``baseline``,
    ``target``, ``quarter_target``, ``actual``, ``reported_rag``, ``rag``, ``differs``,
    ``not_rated_because`` (why ``rag`` is missing: no target, no baseline for a pro rata
    target, no figure, no direction), ``direction``, ``kind``, ``target_basis``,
    ``comment``, ``note``. A missing baseline is never taken as zero.
    """
    if quarter not in QUARTER_MONTHS:
        raise ArgumentError(f"quarter must be one of {', '.join(QUARTER_MONTHS)}; got {quarter!r}")
    if quarter not in set(kpis["period"]):
        periods = sorted(set(kpis["period"]) & set(QUARTER_MONTHS))
        raise ArgumentError(f"the dashboard has no {quarter} column; it has {', '.join(periods)}")
    wide = kpis.pivot_table(
        index="ref", columns="period", values="value", aggfunc="first", dropna=False
    )
    info = kpis.drop_duplicates("ref").set_index("ref")
    unknown = sorted(set(info.index) - set(rules["ref"]), key=str)
    if unknown:
        raise DataFileError(
            "kpi_rules.csv",
            "a KPI of the dashboard has no rule",
            column="ref",
            expected="a row for every KPI ref",
            found=f"no row for ref {unknown[0]} ({info.loc[unknown[0], 'kpi']})",
        )
    rules = rules.set_index("ref")
    rows = [_rated(info.loc[ref], rules.loc[ref], wide.loc[ref], quarter) for ref in info.index]
    order = {ref: i for i, ref in enumerate(kpis.drop_duplicates("ref")["ref"])}
    out = pd.DataFrame(rows)
    return (
        out.assign(_o=out["ref"].map(order))
        .sort_values("_o")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class CouncilDashboard:
    """One quarter's KPIs as a council's files give them (see :func:`council_dashboard`).

    ``table``: :func:`dashboard`'s columns; ``path``: each KPI's actual at every quarter of
    the year so far (``ref``, ``period`` Q1..., ``value``); ``last_year``: :func:`dashboard`
    for the same quarter of the year before (or None, with the reason in ``notes``);
    ``file``: the dashboard read; ``financial_year``: as ``2021/22``; ``notes``: what a
    reader must be told (a quarter read from a later quarter's file, no file for last year).
    """

    table: pd.DataFrame
    path: pd.DataFrame
    last_year: pd.DataFrame | None
    file: Path
    financial_year: str
    notes: tuple[str, ...]


def council_dashboard(files: CouncilQuarter) -> CouncilDashboard:
    """The council's KPI dashboard at the quarter of ``files`` (its file for that period, or
    the one the pack definition names), judged by the council's rules.

    A file for a later quarter (the Q3 dashboard, read for Q2) gives that quarter's actuals,
    but its RAG and comments are the later quarter's: they are not shown as this quarter's
    (``reported_rag`` is missing and ``notes`` says why).

    >>> from sendlib.ingest.council_quarter import CouncilQuarter
    >>> d = council_dashboard(CouncilQuarter("data/raw/local/kingston-upon-thames", "Q3",
    ...     rules_file="packs/kingston-upon-thames/kpi_rules.csv"))
    >>> row = d.table.loc[0]
    >>> row["kpi"], int(row["actual"]), row["rag"], d.financial_year
    ('Actual EHCPs', 1512, 'A', '2021/22')
    """
    quarter = files.quarter
    kpis, rules, path = files.kpi_dashboard, files.rules, files.path("kpi_dashboard")
    table = dashboard(kpis, rules, quarter)
    notes = []
    own = files.dashboard_quarter
    if own and own != quarter.upper():
        table = table.assign(reported_rag=None, differs=False, comment="")
        notes.append(
            f"{quarter} figures as {path.name} gives them: its ratings and comments are "
            f"officers' judgements at {own}, so no reported rating is shown for {quarter}."
        )
    upto = [q for q in QUARTER_MONTHS if q <= quarter.upper()]
    path_table = (
        kpis[kpis["period"].isin(upto)][["ref", "period", "value"]]
        .astype({"value": "Float64"})
        .reset_index(drop=True)
    )
    financial = files.financial_year
    last_year = None
    if financial:
        earlier = files.last_year_dashboard
        if earlier is None:
            notes.append(
                f"No {quarter} {files.last_year.replace('-', '/')} dashboard in the council's "
                "folder, so no comparison with last year."
            )
        else:
            last_year = dashboard(earlier, rules, quarter)
    return CouncilDashboard(table, path_table, last_year, path, financial, tuple(notes))
