"""The activity sections of the benchmarking report: requests, assessments and new plans (a
funnel and a table), and plans issued within 20 weeks, against the comparators."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from sendlib.measures import benchmarks
from sendlib.measures.arithmetic import few_cases
from sendlib.present import charts
from sendlib.present import html as reports
from sendlib.present.common import latest_year, left_out_note, source_line
from sendlib.present.html import number

PERCENT_OF = {
    "pct_requests_refused": "requests",
    "pct_assessments_plan_issued": "assessments",
}
"""The count each percentage of the activity table is a percentage of."""


def activity_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """Requests, assessments and new plans in the latest calendar year: funnel and table."""
    activity = benchmarks.activity_benchmark(council, sn_model=sn_model)
    year = latest_year(activity, latest_census - 1)
    if year is None:
        return reports.note("DfE publishes requests and assessments from 2019 onwards.")
    latest = activity[activity["year"].eq(year)]
    mine = latest[latest["role"].eq("council")].set_index("measure")["value"]
    name = latest.loc[latest["role"].eq("council"), "comparator"].iloc[0]
    parts = []
    if mine[["requests", "assessments", "new_plans"]].notna().all():
        parts.append(_funnel(mine, name, year, sn_model))
    refused = latest[latest["measure"].eq("pct_requests_refused")].set_index("role")["value"]
    if pd.notna(refused.get("council")) and pd.notna(refused.get("england")):
        parts.append(_refusals_sentence(refused, mine.get("requests"), name, year))
    parts.append(
        reports.table(
            _activity_table(latest, year).reset_index(),
            caption=(
                f"Requests, assessments and plans, {year}: counts are sums over each group's "
                "councils; percentages are of the summed group"
            ),
            folded=True,
        )
    )
    if latest.loc[latest["measure"].eq("ceased_plans"), "value"].isna().all():
        parts.append(reports.note("DfE publishes ceased plans from 2022 onwards."))
    parts.append(
        left_out_note(latest[latest["measure"].isin(["requests", "new_plans"])], of="the counts")
    )
    return reports.combine(*parts)


def _funnel(mine: pd.Series, name: str, year: int, sn_model: str) -> HTML:
    """The council's requests, assessments and new plans as a funnel."""
    stages = pd.DataFrame(
        {
            "stage": ["Requests", "Assessments", "New plans"],
            "value": mine[["requests", "assessments", "new_plans"]].values,
        }
    )
    return reports.figure(
        charts.funnel(
            stages,
            title=f"{name}: from request to plan, {year}",
            source=source_line(sn_model) + " Calendar year; returned at the next January census.",
        )
    )


def _refusals_sentence(refused: pd.Series, requests, name: str, year: int) -> HTML:
    """The council's share of requests refused against England's (or why too few to compare)."""
    return reports.sentence(
        f"Reading: {name} refused {number(refused['council'], 1, '%')} of requests for an "
        f"assessment in {year}, against {number(refused['england'], 1, '%')} in England."
        if not few_cases(requests)
        else f"Reading: {name} received {number(requests)} request(s) for an assessment "
        f"in {year} and refused {number(refused['council'], 1, '%')} of them: too few "
        f"for the percentage to be compared with England's "
        f"({number(refused['england'], 1, '%')})."
    )


ACTIVITY_SHOWN = [
    "requests",
    "pct_requests_refused",
    "assessments",
    "pct_assessments_plan_issued",
    "new_plans",
    "ceased_plans",
    "net_change",
]
"""The activity measures the section's table shows, in order."""


def _activity_table(latest: pd.DataFrame, year: int) -> pd.DataFrame:
    """A measure a row, a comparator a column: counts, and percentages with their count where
    it is too small to compare."""
    wide = reports.spread(latest, "measure", "comparator", "value").reindex(ACTIVITY_SHOWN)
    wide = wide.reindex(columns=list(dict.fromkeys(latest["comparator"])))
    units = dict(zip(latest["measure"], latest["unit"], strict=False))
    labels = dict(zip(latest["measure"], latest["label"], strict=False))

    def shown_cells(col: pd.Series) -> list[str]:
        cells = []
        for measure, value in col.items():
            if units.get(measure) != "percent":
                cells.append(number(value))
                continue
            base = col.get(PERCENT_OF.get(measure, ""))
            small = few_cases(base) and pd.notna(value)
            cells.append(number(value, 1, "%") + (f" (of {number(base)})" if small else ""))
        return cells

    table = wide.apply(shown_cells)
    table.index = [labels.get(m, m) for m in table.index]
    table.index.name = f"Calendar year {year}"
    table.columns.name = None
    return table


def timeliness_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """New plans issued within 20 weeks, excluding exceptions, each calendar year."""
    activity = benchmarks.activity_benchmark(council, sn_model=sn_model)
    measure = "pct_within_20_weeks_excl_exceptions"
    shown = activity[activity["measure"].eq(measure) & activity["year"].lt(latest_census)]
    if shown.empty:
        return reports.note("DfE publishes 20-week timeliness from 2019 onwards.")
    name = shown.loc[shown["role"].eq("council"), "comparator"].iloc[0]
    year = int(shown["year"].max())
    latest = shown[shown["year"].eq(year)].set_index("role")["value"]
    fig = charts.trend(
        shown.rename(columns={"comparator": "area_name"}),
        value="value",
        highlight=name,
        title=f"{name}: {number(latest.get('council'), 0, '%')} of new plans within 20 weeks "
        f"in {year}",
        ylabel="% within 20 weeks (excl. exceptions)",
        source=source_line(sn_model) + " Groups: % of the summed group's plans.",
    )
    both = activity[
        activity["measure"].isin(["pct_within_20_weeks", measure]) & activity["year"].eq(year)
    ]
    wide = reports.spread(both, "comparator", "measure", "value")
    table = pd.DataFrame(
        {
            "": wide.index,
            "Including exceptions": wide["pct_within_20_weeks"].map(lambda v: number(v, 1, "%")),
            "Excluding exceptions": wide[measure].map(lambda v: number(v, 1, "%")),
        }
    )
    from sendlib.measures.caseload import ehcp_activity

    issued = ehcp_activity(council, "plans_issued_excl_exceptions")
    counted = issued.loc[issued["year"].eq(year), "value"]
    plans = counted.iloc[0] if len(counted) else None
    reading = (
        f"Reading: {name} issued {number(latest.get('council'), 1, '%')} of new plans "
        f"within the statutory 20 weeks in {year}, against "
        f"{number(latest.get('england'), 1, '%')} in England."
    )
    if pd.isna(latest.get("council")):
        reading = (
            f"Reading: no percentage for {name} in {year}"
            + (
                f" ({number(plans)} plans issued outside the permitted exceptions)"
                if plans is not None and pd.notna(plans)
                else ""
            )
            + f"; England {number(latest.get('england'), 1, '%')}."
        )
    elif few_cases(plans):
        reading += (
            f" That rests on {number(plans)} plan(s) issued: too few for the percentage to be "
            "compared with England's, or with the council's other years."
        )
    return reports.combine(
        reports.figure(fig),
        reports.sentence(reading),
        reports.table(table, caption=f"New EHC plans issued within 20 weeks, {year}", folded=True),
        left_out_note(shown[shown["year"].eq(year)], of="the percentages"),
    )


# --- the forecast report ----------------------------------------------------------------------
