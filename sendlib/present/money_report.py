"""The money on the pages: plans by placement forecast and how far off the method was, what
they cost, the deficit's path under the council's scenarios, the goal-seek's answer (forecast
report), and unit costs and funding per plan against comparators (finance report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from sendlib.errors import SendlibError
from sendlib.present import html as reports
from sendlib.present import money_charts
from sendlib.present.formats import pounds_m
from sendlib.present.html import number
from sendlib.vocab import PLACEMENT_GROUPS

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter

SOURCE_PLACEMENTS = (
    "Source: DfE, Education, health and care plans (plans by placement each January); "
    "sendlib's forecast: the total forecast split by each group's share at the origin."
)
SOURCE_COSTS = (
    "Source: as the placement forecast; unit costs from the council's files or DfE's section "
    "251 specialist top-up spend (each named in the table)."
)


def _colours() -> dict[str, str]:
    """Each placement group's colour (by its short name), the same on every chart."""
    from sendlib.present.palette import CATEGORIES

    return {_short(g): c for g, c in zip(PLACEMENT_GROUPS, CATEGORIES, strict=False)}


def _short(group: str) -> str:
    return {
        "Resourced provision or SEN unit": "Resourced / SEN unit",
        "Independent or non-maintained special": "Independent special",
        "Other or not in education": "Other / not in education",
    }.get(group, group)


def placement_section(council: str, *, latest_census: int, sn_model: str) -> HTML:
    """Plans by placement group: the published Januaries and the forecast, a sentence on the
    special school groups, the figures, and how far off the method was in past years."""
    from sendlib.measures import placements

    try:
        table = placements.placement_forecast(council, origin=latest_census, sn_model=sn_model)
    except SendlibError as error:
        return reports.note(f"No forecast by placement: {error}")
    history = placements.council_placements(council, until=latest_census)
    future = table.pivot_table(index="year", columns="placement_group", values="point")
    wide = pd.concat([history, future])[list(PLACEMENT_GROUPS)].rename(columns=_short)
    first, last = table["year"].min(), table["year"].max()
    special = ["Maintained special", "Independent or non-maintained special"]
    now = history.loc[latest_census, special].sum()
    then = table[table["year"].eq(last) & table["placement_group"].isin(special)]
    fig = money_charts.by_group(
        wide,
        first_forecast=first,
        title=f"Plans by placement: special schools {number(now)} at January {latest_census}, "
        f"about {number(then['point'].sum())} forecast for {last}",
        ylabel="EHC plans",
        source=SOURCE_PLACEMENTS,
        colours=_colours(),
    )
    shown = _placement_table(table, [first, last])
    return reports.combine(
        *_flagged(council, latest_census),
        reports.sentence(_placement_reading(table, history.loc[latest_census], latest_census)),
        reports.figure(fig),
        reports.table(
            shown,
            caption=f"Plans by placement forecast from January {latest_census}, with 80% "
            "intervals (the groups add up to the total forecast)",
            cards=True,
        ),
        _accuracy(latest_census, sn_model),
    )


def _flagged(council: str, origin: int) -> list[HTML]:
    """The data check's word on the January the forecasts start from, where it has one."""
    from sendlib.measures.provenance import origin_warning

    warning = origin_warning(council, origin)
    return [reports.note(warning)] if warning else []


def _placement_reading(table: pd.DataFrame, now: pd.Series, origin: int) -> str:
    first = table[table["year"].eq(table["year"].min())].set_index("placement_group")
    independent = first.loc["Independent or non-maintained special"]
    year = int(independent["year"])
    return (
        f"Reading: if each placement keeps its share of the council's plans, independent or "
        f"non-maintained special schools will hold about {number(independent['point'])} plans "
        f"at January {year} (80%: {number(independent['lower_80'])} to "
        f"{number(independent['upper_80'])}), against "
        f"{number(now['Independent or non-maintained special'])} at January {origin}; "
        f"maintained special schools about {number(first.loc['Maintained special', 'point'])}."
    )


def _placement_table(table: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    rows = {"Placement": list(PLACEMENT_GROUPS)}
    for year in dict.fromkeys(years):
        part = table[table["year"].eq(year)].set_index("placement_group").reindex(PLACEMENT_GROUPS)
        rows[f"January {int(year)}"] = part["point"].map(number).to_list()
        rows[f"{int(year)}, 80%"] = reports.number_range(part["lower_80"], part["upper_80"])
    return pd.DataFrame(rows)


def _accuracy(origin: int, sn_model: str) -> HTML:
    """How far off the method was, a year and two years ahead, before ``origin``."""
    from sendlib.measures import placements

    scores = placements.placement_accuracy(origin=origin, sn_model=sn_model)
    scores = scores[scores["horizon"].le(2)]
    if scores.empty:
        return reports.note(
            f"The placement method's past forecasts are scored from January "
            f"{placements.FIRST_PLACEMENT_YEAR + 1}: none was known at January {origin}."
        )
    wide = scores.pivot(index="placement_group", columns="horizon")
    shown = pd.DataFrame({"Placement": list(PLACEMENT_GROUPS)})
    for horizon, words in ((1, "a year"), (2, "two years")):
        if ("median_error_pct", horizon) not in wide.columns:
            continue
        error = wide[("median_error_pct", horizon)].reindex(PLACEMENT_GROUPS)
        held = wide[("within_80_pct", horizon)].reindex(PLACEMENT_GROUPS)
        shown[f"Median error, {words} ahead"] = error.map(lambda v: number(v, 1, "%")).to_list()
        shown[f"80% interval held, {words} ahead"] = held.map(
            lambda v: "–" if pd.isna(v) else number(v, 0, "%")
        ).to_list()
    count = int(scores["forecasts"].sum())
    return reports.combine(
        reports.table(
            shown,
            caption=f"How far off the same method was for every council, in forecasts whose "
            f"outcome was known by January {origin} ({number(count)} group forecasts)",
            cards=True,
        ),
        reports.note(
            "Median error: half of the past forecasts of a group's plans were closer than this "
            "(the total's error included). Small groups err more in per cent: a council with "
            "10 plans in alternative provision that gets 13 is 30% out. A dash: too few past "
            "errors then to give an interval."
        ),
    )


# --- what the plans cost ------------------------------------------------------------------


def _spend_chart(table: pd.DataFrame, origin: int, name: str):
    groups = table[table["line"].isin(PLACEMENT_GROUPS) & table["unit_cost"].notna()]
    wide = groups.pivot_table(index="financial_year", columns="line", values="point", sort=False)
    wide = wide[[g for g in PLACEMENT_GROUPS if g in wide.columns]].rename(columns=_short) / 1e6
    total = table[table["line"].eq("Spend on plans")]
    first, last = total.iloc[0], total.iloc[-1]
    return money_charts.by_group(
        wide,
        first_forecast=None,
        title=f"{name}: spend on plans by placement, {pounds_m(first['point'], 1)} in "
        f"{first['financial_year']} to {pounds_m(last['point'], 1)} in {last['financial_year']}",
        ylabel="£ million a year",
        source=SOURCE_COSTS,
        fmt="£{:,.1f}m",
        colours=_colours(),
    )


def _unit_cost_table(costs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Placement": costs["placement_group"],
            "£ a plan a year": costs["unit_cost"].map(lambda v: "–" if pd.isna(v) else number(v)),
            "Year": costs["financial_year"],
            "Source": [
                (f"{s}: {d}" + (f" ({n})" if n else "")) if d else f"{s}: {n}"
                for s, d, n in zip(
                    costs["source"], costs["source_detail"], costs["note"], strict=True
                )
            ],
        }
    )


def money_section(
    council: str,
    *,
    latest_census: int,
    sn_model: str,
    files: CouncilQuarter | None = None,
    scenarios: list | tuple = (),
    goals: list | tuple = (),
    ceilings: dict | None = None,
) -> HTML:
    """What the forecast plans cost by placement; with the council's files, the High Needs
    spend, funding and DSG deficit against the ceiling under each named scenario; and each
    goal-seek's answer in a sentence. ``scenarios``, ``goals`` and ``ceilings`` come from the
    pack definition: lists of tables (:data:`sendlib.measures.costs.LEVERS`; ``target``,
    ``ceiling``, ``year``, ``lever``) and the Safety Valve's maximum cumulative deficit by
    financial year, beside the one in the council's files."""
    from sendlib.measures import costs

    try:
        m = costs.model(
            council, files=files, origin=latest_census, ceilings=ceilings or None, sn_model=sn_model
        )
    except SendlibError as error:
        return reports.note(f"The forecast is not costed by placement: {error}")
    central = costs.evaluate(m)
    parts = [
        *_flagged(council, latest_census),
        reports.sentence(_spend_reading(central)),
        reports.figure(_spend_chart(central, latest_census, m.council)),
        reports.table(
            _unit_cost_table(m.costs),
            caption="Unit costs: what a plan costs a year in each placement, and where the "
            "figure comes from (uprated by the price growth to later years)",
            cards=True,
        ),
    ]
    named = [costs.check_scenario(s, f"scenario {i + 1}") for i, s in enumerate(scenarios)]
    tables = [central] + [costs.evaluate(m, s) for s in named]
    parts.append(_deficit_part(tables, m))
    if named:
        parts.append(_scenario_table(tables, m))
    for goal in goals:
        parts.append(_goal_sentence(council, goal, m))
    parts.append(
        reports.note(
            f"Prices: unit costs rise {costs.PRICES['central']:.0%} a year (the intervals carry "
            f"{costs.PRICES['low']:.0%} to {costs.PRICES['high']:.0%}); an assumption, not an "
            "inflation forecast (see the assumptions log)."
        )
    )
    return reports.combine(*parts)


def _spend_reading(table: pd.DataFrame) -> str:
    spend = table[table["line"].eq("Spend on plans")]
    first = spend.iloc[0]
    uncosted = first["note"].removeprefix("groups without a unit cost left out: ")
    text = (
        f"Reading: the plans in placements with a unit cost are forecast to cost "
        f"{pounds_m(first['point'], 1)} in {first['financial_year']} (80%: "
        f"{pounds_m(first['lower_80'], 1)} to {pounds_m(first['upper_80'], 1)}), "
        f"{pounds_m(spend.iloc[-1]['point'], 1)} by {spend.iloc[-1]['financial_year']}."
    )
    if first["note"]:
        text += f" Not costed (no unit cost): {uncosted}."
    return text


def _deficit_part(tables: list[pd.DataFrame], m) -> HTML:
    from sendlib.measures import costs

    central = tables[0]
    deficit = central[central["line"].eq(costs.DEFICIT)]
    if deficit.empty:
        return reports.note(
            "No deficit path: " + (m.base_note or "the council's files give no High Needs model.")
        )
    paths = pd.concat([t[t["line"].eq(costs.DEFICIT)] for t in tables], ignore_index=True).rename(
        columns={"financial_year": "x"}
    )
    fig = money_charts.paths(
        paths,
        value="point",
        title=f"{m.council}: cumulative DSG deficit before Safety Valve funding, "
        f"{pounds_m(deficit.iloc[-1]['point'], 1)} by {deficit.iloc[-1]['financial_year']} "
        "on present trends",
        ylabel="£ million",
        source=SOURCE_COSTS + " Funding: the council's files, then ESFA's allocations' growth.",
        band=deficit.rename(columns={"financial_year": "x"}),
        ceiling=deficit.rename(columns={"financial_year": "x"}),
    )
    wide = central[central["line"].isin([costs.HIGH_NEEDS_SPEND, costs.FUNDING, costs.DEFICIT])]
    shown = pd.DataFrame({"Year": deficit["financial_year"].to_list()})
    for line, label in (
        (costs.HIGH_NEEDS_SPEND, "High Needs spend"),
        (costs.FUNDING, "Funding"),
        (costs.DEFICIT, "Cumulative deficit"),
    ):
        rows = wide[wide["line"].eq(line)]
        shown[label] = rows["point"].map(lambda v: pounds_m(v, 1)).to_list()
    shown["Deficit, 80%"] = [
        f"{pounds_m(lo, 1)} to {pounds_m(hi, 1)}" if hi > lo else "the council's forecast"
        for lo, hi in zip(deficit["lower_80"], deficit["upper_80"], strict=True)
    ]
    shown["Ceiling"] = (
        deficit["ceiling"].map(lambda v: "–" if pd.isna(v) else pounds_m(v, 1)).to_list()
    )
    notes = central[central["line"].isin([costs.REST_OF_SPEND, costs.FUNDING, costs.DEFICIT])]
    return reports.combine(
        reports.figure(fig),
        reports.table(
            shown,
            caption="High Needs spend, funding and the cumulative DSG deficit, central case",
            cards=True,
        ),
        *[reports.note(n) for n in dict.fromkeys(notes["note"]) if n],
    )


def _scenario_table(tables: list[pd.DataFrame], m) -> HTML:
    from sendlib.measures import costs

    rows = []
    for t in tables:
        last = t["financial_year"].max()
        spend = t[t["line"].eq(costs.SPEND_ON_PLANS) & t["financial_year"].eq(last)]
        deficit = t[t["line"].eq(costs.DEFICIT) & t["financial_year"].eq(last)]
        groups = t[t["line"].isin(PLACEMENT_GROUPS) & t["financial_year"].eq(last)]
        rows.append(
            {
                "Scenario": t["scenario"].iloc[0],
                f"Plans, January {int(groups['census_year'].iloc[0])}": number(
                    groups["plans"].sum()
                ),
                f"Spend on plans, {last}": pounds_m(spend["point"].iloc[0], 1),
                **(
                    {f"Deficit, end of {last}": pounds_m(deficit["point"].iloc[0], 1)}
                    if len(deficit)
                    else {}
                ),
            }
        )
    return reports.table(
        pd.DataFrame(rows),
        caption="The council's scenarios side by side, central estimates",
        cards=True,
    )


def _goal_sentence(council: str, goal: dict, m) -> HTML:
    from sendlib.measures import goals

    try:
        answer = goals.pack_goal(m, goal)
    except SendlibError as error:
        return reports.note(f"Goal-seek not answered: {error}")
    return reports.sentence("Goal-seek: " + answer["sentence"].iloc[0])


# --- the finance report -------------------------------------------------------------------


def unit_costs_section(
    council: str, *, sn_model: str, financial_year: str, files: CouncilQuarter | None = None
) -> HTML:
    """The council's unit costs by placement with their source, and DfE's public estimate
    for the council, its neighbours, region and England."""
    from sendlib.measures import costs, finance

    own = costs.unit_costs(council, financial_year=financial_year, files=files)
    year = finance.latest_spend_year(financial_year)
    parts = [
        reports.table(
            _unit_cost_table(own),
            caption="What a plan costs a year in each placement, and where the figure comes from",
            cards=True,
        )
    ]
    if year is None:
        return reports.combine(*parts)
    public = costs.public_unit_costs(council, financial_year=year, sn_model=sn_model)
    wide = reports.spread(public, "comparator", "sector", "unit_cost")
    columns = {
        "Mainstream and resourced provision": "Mainstream and resourced, £ a plan",
        "State": "State special and AP, £ a plan",
        "Independent or non-maintained": "Independent special, £ a plan",
        "Post-16": "Post-16, £ a plan",
    }
    shown = pd.DataFrame({"": wide.index})
    for sector, title in columns.items():
        if sector in wide.columns:
            shown[title] = wide[sector].map(number).to_list()
    name = public["comparator"].iloc[0]
    council_row = public[public["role"].eq("council")].set_index("sector")["unit_cost"]
    england = public[public["role"].eq("england")].set_index("sector")["unit_cost"]
    return reports.combine(
        *parts,
        reports.table(
            shown,
            caption=f"Public estimate, {year}: section 251 top-up spend over the plans in the "
            "matching placements (special schools and AP: outturn over plans at the January "
            "inside the year; mainstream, resourced and post-16: the High Needs Benchmarking "
            "Tool's budget over its plans at the January before)",
        ),
        reports.sentence(
            f"Reading: on DfE's public figures a plan in an independent or non-maintained "
            f"special school cost {name} about £{number(council_row.get('Independent or non-maintained'))} "
            f"in top-ups in {year} (England: £{number(england.get('Independent or non-maintained'))}); "
            f"in a state special school or AP about £{number(council_row.get('State'))} "
            f"(England: £{number(england.get('State'))})."
        ),
        reports.note(
            "The public estimate is top-up spend only (place funding of £10,000 a place in "
            "special schools is paid on top) divided by plans placed at January, so it is "
            "lower than a council's full placement cost in state schools; independent school "
            "fees are mostly top-up. Groups: summed spend over summed plans."
        ),
    )


def _moved(pct: float) -> str:
    """ "grew 35%", "fell 2%" or "stayed about the same"."""
    if abs(pct) < 0.5:
        return "stayed about the same"
    return f"{'grew' if pct > 0 else 'fell'} {number(abs(pct), 0, '%')}"


def funding_section(council: str, *, sn_model: str, latest_census: int) -> HTML:
    """High Needs Block funding per plan and per child against comparators, to the latest
    financial year whose January census is in the pack, and how far funding kept pace."""
    from sendlib.measures import funding
    from sendlib.present import charts

    table = funding.known_by(
        funding.hnb_funding_benchmark(council, sn_model=sn_model), latest_census
    )
    if table["per_plan"].notna().sum() == 0:
        return reports.note(
            f"No funding per plan: ESFA's allocations here begin in 2019/20, whose January "
            f"census (2020) is after this pack's latest ({latest_census})."
        )
    pace = funding.funding_pace(table).set_index("comparator")
    name = table["comparator"].iloc[0]
    last = table["financial_year"].max()
    fig = charts.trend(
        table.rename(columns={"financial_year": "year"}),
        value="per_plan",
        highlight=name,
        label="comparator",
        title=f"High Needs Block allocation per plan, {table['financial_year'].min()} to {last}",
        ylabel="£ a plan",
        source="Source: ESFA, Dedicated schools grant allocations (High Needs Block before "
        "deductions); DfE, Education, health and care plans (January census).",
    )
    wide = reports.spread(table, "comparator", "financial_year", "per_plan")
    parts = [reports.figure(fig)]
    if name in pace.index:
        p = pace.loc[name]
        england = pace.loc["England"] if "England" in pace.index else None
        parts.insert(
            0,
            reports.sentence(
                f"Reading: from {p['first_year']} to {p['last_year']} {name}'s High Needs "
                f"Block {_moved(p['funding_growth_pct'])} and its plans "
                f"{_moved(p['plans_growth_pct'])}, so funding per plan "
                f"{'rose' if p['per_plan_change_pct'] > 0 else 'fell'} "
                f"{number(abs(p['per_plan_change_pct']), 1, '%')}"
                + (
                    f" (England: {'up' if england['per_plan_change_pct'] > 0 else 'down'} "
                    f"{number(abs(england['per_plan_change_pct']), 1, '%')})."
                    if england is not None
                    else "."
                )
            ),
        )
    parts.append(
        reports.grid(
            wide,
            "£ a plan",
            lambda v: number(v),
            "High Needs Block allocation per plan at the January inside the year",
            folded=True,
        )
    )
    from sendlib.present.common import left_out_note

    note = left_out_note(table, of="the funding per plan")
    if note is not None:
        parts.append(note)
    return reports.combine(*parts)
