"""The demand and finance dashboard (notebooks/kpi_dashboard): each KPI with two RAG
ratings, the officers' and the rule's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from sendlib.present import html as reports
from sendlib.registry import SOURCE_LOCAL  # noqa: F401 - the source lines

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter


def kpi_dashboard_section(
    council: str,
    *,
    files: CouncilQuarter,
) -> HTML:
    """The demand and finance dashboard: each KPI's figures and two RAG ratings, its path
    over the quarters of the year so far, and the same quarter last year where the council's
    folder has that year's dashboard."""
    from sendlib.measures import kpis

    quarter = files.quarter
    found = kpis.council_dashboard(files)
    board, path, year = found.table, found.path, found.financial_year
    paths = reports.spread(path, "ref", "period", "value")
    last = found.last_year.set_index("ref") if found.last_year is not None else None
    parts = [_ratings_sentence(board, quarter, year)]

    def table(group: pd.DataFrame, caption: str) -> HTML:
        return reports.rag_table(
            _shown(group, paths, last, quarter, year),
            ["Reported", "By the rule"],
            caption=caption,
            text_columns=TEXT_COLUMNS,
            cards=True,
            card_title="KPI",
            card_details=_details(paths, quarter, year),
            wide=True,
        )

    exceptions = board[
        board["rag"].eq("R").fillna(False)
        | board["reported_rag"].eq("R").fillna(False)
        | board["differs"].fillna(False)
    ]
    if len(exceptions):
        parts.append(
            table(
                exceptions,
                f"Exceptions first: the {len(exceptions)} KPIs rated Red (by the rule or "
                f"as reported) or rated differently from the rule, {quarter} {year}",
            )
        )
    for category, group in board.groupby(board["category"].str.title(), sort=False):
        parts.append(table(group, f"{category}, {quarter} {year}"))
    parts += [reports.note(text) for text in found.notes]
    parts.append(
        reports.note(
            "The rule: Green if the actual is on the right side of the target for the quarter; "
            "Amber if on the wrong side by up to 5% of it; Red beyond. A year-to-date count is "
            "judged against the target for the months gone; a stock with a pro rata target "
            "against the baseline moved toward the target in proportion; anything else against "
            "the annual target. KPIs without a stated direction are not rated. Source: "
            f"{found.file.name}."
        )
    )
    return reports.combine(*parts)


def _ratings_sentence(board: pd.DataFrame, quarter: str, year: str) -> HTML:
    """How many KPIs are Green, Amber and Red by the rule and as reported, and how many differ."""
    counts = board["rag"].value_counts()
    reported = board["reported_rag"].value_counts()
    differs = board[board["differs"]]
    return reports.sentence(
        f"At {quarter} {year}, by sendlib's rules: {counts.get('G', 0)} Green, "
        f"{counts.get('A', 0)} Amber, {counts.get('R', 0)} Red and "
        f"{int(board['rag'].isna().sum())} not rated; as reported by officers: "
        f"{reported.get('G', 0)} Green, {reported.get('A', 0)} Amber, {reported.get('R', 0)} Red."
        f" The two differ on {len(differs)} KPIs, marked (differs) below."
    )


TEXT_COLUMNS = ("KPI", "Comment")
"""The dashboard's columns of words (the rest are figures and ratings)."""


def _details(paths: pd.DataFrame, quarter: str, year: str) -> tuple[str, ...]:
    """The columns a phone's KPI card leaves out: it shows the KPI, the quarter's target and
    actual, both ratings and the comment."""
    earlier = tuple(f"{q} actual" for q in paths.columns if q != quarter)
    return ("Ref", "Baseline", f"Target {year}", *earlier, f"{quarter} last year")


def _target(value: object, unit: str) -> str:
    """A quarter's target as the board reads it: a pro rata count of plans in whole plans
    ("1,479", not "1,479.25"); the rule is applied to the exact figure."""
    if unit in ("count", "number") and pd.notna(value) and abs(float(value)) >= 100:
        return reports.money(round(float(value)), unit)
    return reports.money(value, unit)


def _shown(
    group: pd.DataFrame, paths: pd.DataFrame, last: pd.DataFrame | None, quarter: str, year: str
) -> pd.DataFrame:
    """One table's rows: each KPI's figures, quarters so far, last year, and both ratings."""
    return pd.DataFrame(
        {
            "Ref": group["ref"],
            "KPI": group["kpi"],
            "Baseline": [
                reports.money(v, u) for v, u in zip(group["baseline"], group["unit"], strict=True)
            ],
            f"Target {year}": [
                reports.money(v, u) for v, u in zip(group["target"], group["unit"], strict=True)
            ],
            f"Target at {quarter}": [
                _target(v, u) for v, u in zip(group["quarter_target"], group["unit"], strict=True)
            ],
            **{
                # the year so far: each earlier quarter's actual, then this one's
                f"{q} actual": [
                    reports.money(paths[q].get(r) if q in paths else None, u)
                    for r, u in zip(group["ref"], group["unit"], strict=True)
                ]
                for q in paths.columns
                if q != quarter
            },
            f"{quarter} actual": [
                reports.money(v, u) for v, u in zip(group["actual"], group["unit"], strict=True)
            ],
            **(
                {
                    f"{quarter} last year": [
                        reports.money(last["actual"].get(r), u)
                        if r in last.index
                        else "not in last year's file"
                        for r, u in zip(group["ref"], group["unit"], strict=True)
                    ]
                }
                if last is not None
                else {}
            ),
            "Reported": [reports.rag_label(r) for r in group["reported_rag"]],
            "By the rule": [
                reports.rag_label(r, d, w)
                for r, d, w in zip(
                    group["rag"], group["differs"], group["not_rated_because"], strict=True
                )
            ],
            "Comment": group["comment"].fillna(""),
        }
    )
