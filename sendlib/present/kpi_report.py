"""The demand and finance dashboard (notebooks/kpi_dashboard): each KPI with two RAG
ratings, the officers' and the rule's."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from sendlib.present import html as reports

SOURCE_LOCAL = "Source: {council}'s own figures ({files}), {quarter} {year}."


def kpi_dashboard_section(
    council: str,
    *,
    local_dir: str,
    rules_file: str,
    quarter: str,
    financial_year: str = "",
    kpi_file: str = "",
) -> HTML:
    """The demand and finance dashboard: each KPI's figures and two RAG ratings, its path
    over the quarters of the year so far, and the same quarter last year where the council's
    folder has that year's dashboard."""
    from sendlib.measures import kpis

    found = kpis.council_dashboard(
        local_dir, rules_file, quarter, year=financial_year, kpi_file=kpi_file
    )
    board, path, year = found.table, found.path, found.financial_year
    paths = reports.spread(path, "ref", "period", "value")
    last = found.last_year.set_index("ref") if found.last_year is not None else None
    counts = board["rag"].value_counts()
    reported = board["reported_rag"].value_counts()
    differs = board[board["differs"]]
    parts = [
        reports.sentence(
            f"At {quarter} {year}, by sendlib's rules: {counts.get('G', 0)} Green, "
            f"{counts.get('A', 0)} Amber, {counts.get('R', 0)} Red and "
            f"{int(board['rag'].isna().sum())} not rated; as reported by officers: "
            f"{reported.get('G', 0)} Green, {reported.get('A', 0)} Amber, {reported.get('R', 0)} Red."
            f" The two differ on {len(differs)} KPIs, marked (differs) below."
        )
    ]
    for category, group in board.groupby(board["category"].str.title(), sort=False):
        shown = pd.DataFrame(
            {
                "Ref": group["ref"],
                "KPI": group["kpi"],
                "Baseline": [
                    reports.money(v, u)
                    for v, u in zip(group["baseline"], group["unit"], strict=True)
                ],
                f"Target {year}": [
                    reports.money(v, u) for v, u in zip(group["target"], group["unit"], strict=True)
                ],
                f"Target at {quarter}": [
                    reports.money(v, u)
                    for v, u in zip(group["quarter_target"], group["unit"], strict=True)
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
        parts.append(
            reports.rag_table(
                shown, ["Reported", "By the rule"], caption=f"{category}, {quarter} {year}"
            )
        )
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
