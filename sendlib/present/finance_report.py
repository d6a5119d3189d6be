"""The High Needs Block and DSG report (notebooks/high_needs_finance): the model against
the quarter, savings, the deficit against its ceiling, partners, costs, public comparisons."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from sendlib.measures import arithmetic
from sendlib.present import finance_charts
from sendlib.present import html as reports
from sendlib.present.common import left_out_note
from sendlib.present.formats import pounds_k, pounds_m
from sendlib.present.html import number, signed

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter


def hnb_section(council: str, *, files: CouncilQuarter) -> HTML:
    """The High Needs Block position: model against actual, with the arithmetic checked."""
    from sendlib.measures import finance

    quarter, paths = files.quarter, files.paths()  # every file missing named at once
    model = files.hnb_model
    checks = finance.hnb_checks(model)
    shown = pd.DataFrame(
        {
            "": model["line"],
            "Financial model, £m": (model["model"] / 1e6).map(lambda v: f"{v:,.3f}"),
            f"{quarter} actual, £m": (model["actual"] / 1e6).map(lambda v: f"{v:,.3f}"),
            "Variance, £m": (model["variance"] / 1e6).map(lambda v: f"{v:+,.3f}"),
            "Reported": [reports.rag_label(r) for r in model["reported_rag"]],
        }
    )
    failing = checks[~checks["agrees"]]
    check_text = (
        "Every total in the model adds up (to the £0.001m the figures are given in)."
        if failing.empty
        else "These totals do not add up: "
        + "; ".join(
            f"{r.check} ({r.column}: stated {pounds_m(r.stated, 3)}, computed "
            f"{pounds_m(r.computed, 3)})"
            for r in failing.itertuples()
        )
    )
    return reports.combine(
        reports.sentence("Reading: " + _hnb_finding(model, quarter)),
        reports.fold(
            f"Table: the High Needs Block financial model and {quarter} actual, line by line",
            reports.rag_table(
                shown,
                ["Reported"],
                caption=f"High Needs Block financial model and {quarter} actual",
                text_columns=("",),
                cards=True,
                card_title="",
            ),
        ),
        reports.note(check_text + f" Source: {paths['hnb_financial_model'].name}."),
    )


def _hnb_finding(model: pd.DataFrame, quarter: str) -> str:
    """The net HNB deficit against the financial model, as a sentence."""
    line = model[model["kind"].eq("net_hnb_deficit")].iloc[0]
    return (
        f"the net High Needs Block deficit is {pounds_m(float(line['actual']), 3)} at "
        f"{quarter}, against {pounds_m(float(line['model']), 3)} in the financial model."
    )


def _savings_finding(saved: pd.DataFrame) -> str:
    """Savings achieved against the year's plan, and the largest shortfall, as a sentence."""
    total_target, total_achieved = saved["target"].sum(), saved["achieved"].sum()
    return (
        f"savings so far are {arithmetic.share(total_achieved, total_target):.0f}% of the "
        f"year's plan ({pounds_k(total_achieved)} of {pounds_k(total_target)}); the largest "
        f"shortfall is in {saved.loc[saved['shortfall'].idxmax(), 'line'].lower()}."
    )


def _deficit_finding(trajectory: pd.DataFrame, quarter: str) -> str:
    """The cumulative DSG deficit against the Safety Valve maximum, as a sentence."""
    latest = trajectory.iloc[-1]
    headroom = latest["ceiling"] - latest["deficit"]
    return (
        f"at {quarter} the cumulative deficit before Safety Valve funding is "
        f"{pounds_m(latest['deficit'], 3)}, {pounds_m(abs(headroom), 3)} "
        f"{'inside' if headroom >= 0 else 'over'} the agreed maximum of "
        f"{pounds_m(latest['ceiling'], 3)}."
    )


def summary(council: str, *, files: CouncilQuarter) -> HTML:
    """The findings first: the deficit against the Safety Valve maximum (the board's
    question), the net HNB deficit against the model, savings against plan and the cost of a
    plan, each as its section below states it."""
    from sendlib.errors import DataFileError
    from sendlib.measures import finance

    quarter = files.quarter
    files.paths()  # every file missing is named at once
    model = files.hnb_model
    trajectory = finance.council_deficit(files)
    lines = [
        _deficit_finding(trajectory, quarter),
        _hnb_finding(model, quarter),
        _savings_finding(finance.savings(model)),
    ]
    try:
        cost = finance.council_cost_per_plan(files)
        lines.append(
            f"spend after savings of {reports.money(cost['spend'])} over "
            f"{number(cost['plans'])} plans is {reports.money(cost['cost_per_plan'])} a plan."
        )
    except DataFileError as exc:
        lines.append(f"no cost per plan can be given: {exc.problem}.")
    return reports.combine(*(reports.sentence(line[0].upper() + line[1:]) for line in lines))


def waterfall_section(council: str, *, files: CouncilQuarter) -> HTML:
    """From spend before savings to the net HNB deficit, and savings against target."""
    from sendlib.measures import finance

    quarter = files.quarter
    files.paths()  # every file missing is named at once
    model = files.hnb_model
    steps = finance.waterfall(model)
    saved = finance.savings(model)
    source = f"Source: {council}'s High Needs Block financial model, {quarter} actual."
    shown = pd.DataFrame(
        {
            "Savings line": saved["line"],
            "Target": saved["target"].map(reports.money),
            "Achieved": saved["achieved"].map(reports.money),
            "Shortfall": saved["shortfall"].map(reports.money),
            "Achieved, % of target": saved["achieved_pct"].map(lambda v: number(v, 0, "%")),
        }
    )
    total_target, total_achieved = saved["target"].sum(), saved["achieved"].sum()
    return reports.combine(
        reports.figure(
            finance_charts.waterfall(
                steps, title=f"From spend to the net HNB deficit, {quarter}", source=source
            )
        ),
        reports.figure(
            finance_charts.target_and_achieved(
                saved,
                title=f"Savings: {pounds_k(total_achieved)} achieved of "
                f"{pounds_k(total_target)} planned",
                source=source,
            )
        ),
        reports.sentence("Reading: " + _savings_finding(saved)),
        reports.table(shown, caption=f"Savings by line, {quarter}", folded=True),
    )


def deficit_section(council: str, *, files: CouncilQuarter) -> HTML:
    """The cumulative DSG deficit against the Safety Valve ceiling, and plans issued."""
    from sendlib.measures import finance

    quarter = files.quarter
    files.paths()  # every file missing is named at once
    trajectory = finance.council_deficit(files)
    plans = files.plans_issued_ceased
    wide = reports.spread(plans, "label", "column", "value", keep_empty=False)
    counted = finance.net_plans(plans)
    issued, ceased, net = counted["issued"], counted["ceased"], counted["net"]
    return reports.combine(
        reports.figure(
            finance_charts.against_ceiling(
                trajectory,
                title="Cumulative DSG deficit before Safety Valve funding",
                source=f"Source: {council}'s DSG deficit history and Safety Valve returns.",
            )
        ),
        reports.sentence("Reading: " + _deficit_finding(trajectory, quarter)),
        reports.grid(
            wide, "Plans", number, "Plans issued and ceased against the Safety Valve target"
        ),
        reports.sentence(
            f"Reading: {number(issued)} plans issued and {number(ceased)} ceased so far this "
            f"year, a net increase of {number(net)} against a target of "
            f"{number(wide.loc['Net increase', 'SVA Target'])} for the year."
            + (
                ""
                if counted["agrees"]
                else f" (the return's own year-to-date net increase is {number(counted['stated_net'])})"
            )
        ),
    )


def partners_section(council: str, *, files: CouncilQuarter) -> HTML:
    """Health and social care contributions against the previous year, by partner."""
    from sendlib.measures import finance

    quarter = files.quarter
    files.paths()  # every file missing is named at once
    table = files.partner_contributions
    table = table.assign(quarter=table["column"].str.extract(r"(Q[1-4])")[0])
    wide = reports.spread(table, "label", "quarter", "value", keep_empty=False)
    computed, stated, agree = finance.partners_total(wide, quarter)
    return reports.combine(
        reports.grid(
            wide,
            "Partner",
            lambda v: f"{'+' if v > 0 else ''}{reports.money(v)}",
            "Increase in contributions relative to the previous year",
        ),
        reports.sentence(
            f"Reading: at {quarter} partners contribute {reports.money(stated)} more than a "
            f"year before"
            + (
                ""
                if agree
                else f" (the partners add up to {reports.money(computed)}, not the total)"
            )
            + "."
        ),
    )


def _spend_year_sentence(asked: str, shown: str) -> HTML | None:
    """Where the comparison is of an earlier year than asked, a sentence saying so."""
    if asked.replace("-", "/") == shown:
        return None
    return reports.sentence(
        f"DfE's section 251 outturn is published to {shown}: the spend below is for {shown}, "
        f"the latest year published, not {asked.replace('-', '/')}."
    )


def _spend_reading(council: str, spend: pd.DataFrame, wide: pd.DataFrame, year: str) -> str:
    """The council's specialist spend a head against England's, or why there is none."""
    row = spend[spend["role"].eq("council") & spend["sector"].eq("Total")].iloc[0]
    mine, england = wide.loc[row["comparator"]], wide.loc["England"]
    if pd.isna(mine["Total"]):
        why = str(row["left_out"]).split(": ", 1)[-1] or "no figure published"
        return f"Reading: no specialist spend can be given for {council} in {year} ({why})."
    return (
        f"Reading: {council} spent £{mine['Total']:,.0f} a head on specialist top-ups, "
        f"against £{england['Total']:,.0f} in England; "
        f"£{mine['Independent or non-maintained']:,.0f} of it in the independent and "
        "non-maintained sector."
    )


def public_finance_section(council: str, *, sn_model: str, financial_year: str = "2021/22") -> HTML:
    """Specialist top-up spend per head and the DSG deficit against comparators, for
    ``financial_year`` or, where DfE has not published it, the latest year it has (said so)."""
    from sendlib.measures import finance

    asked, financial_year = financial_year, finance.latest_spend_year(financial_year)
    if financial_year is None:
        return reports.note(
            f"No public comparison of specialist spend: DfE's section 251 figures begin after "
            f"{asked}."
        )
    spend = finance.specialist_spend_benchmark(
        council, financial_year=financial_year, sn_model=sn_model
    )
    wide = reports.spread(spend, "comparator", "sector", "per_head")
    shown = pd.DataFrame(
        {
            "": wide.index,
            "State, £ a head": wide.get("State").map(lambda v: number(v)),
            "Independent or non-maintained, £ a head": wide.get(
                "Independent or non-maintained"
            ).map(lambda v: number(v)),
            "Total, £ a head": wide.get("Total").map(lambda v: number(v)),
        }
    )
    share = spend.drop_duplicates("comparator").set_index("comparator")["independent_share"]
    shown["Independent share"] = shown[""].map(share).map(lambda v: number(v, 0, "%"))
    deficit = finance.dsg_deficit_benchmark(council, sn_model=sn_model)
    dwide = reports.spread(
        deficit, "comparator", "financial_year", "mean_deficit_pct", keep_empty=False
    )
    return reports.combine(
        _spend_year_sentence(asked, financial_year),
        reports.table(
            shown,
            caption=(
                f"Specialist top-up spend per head of population aged 2 to 18, {financial_year} "
                "(section 251 outturn; groups: spend of the summed group per head)"
            ),
        ),
        reports.sentence(_spend_reading(council, spend, wide, financial_year)),
        reports.grid(
            dwide,
            "Mean of councils' deficits",
            lambda v: number(v, 2, "%"),
            (
                "Cumulative DSG deficit as % of DSG income (positive = deficit; groups: mean of "
                "councils)"
            ),
        ),
        left_out_note(spend[spend["sector"].eq("Total")], of="the spend per head"),
        reports.note(
            "Source: DfE, SEND and alternative provision dashboard (section 251 "
            "outturn; 2-18 population is ONS's projection, which DfE used)."
        ),
    )


def costs_section(council: str, *, files: CouncilQuarter) -> HTML:
    """Average cost per plan, the cost of this year's growth, and placement costs by type.
    Which KPI counts the plans, and which are placement costs (with the names shown), come
    from the council's rules file (its ``role`` and ``label`` columns)."""
    from sendlib.errors import DataFileError
    from sendlib.measures import finance

    quarter, paths = files.quarter, files.paths()  # every file missing named at once
    kpis_table = files.kpi_dashboard
    rules = files.rules
    try:
        cost = finance.council_cost_per_plan(files)
    except DataFileError as exc:
        return reports.note(f"No cost per plan: {exc.problem} ({exc.expected}).")
    spend, average = cost["spend"], cost["cost_per_plan"]
    plans_refs = list(rules.loc[rules["role"].eq("plans"), "ref"])
    plans = kpis_table[kpis_table["ref"].isin(plans_refs[:1])].set_index("period")["value"]
    growth = plans[quarter] - plans["baseline"]
    costs = rules[rules["role"].eq("placement cost")].set_index("ref")
    names = costs["label"].where(costs["label"].ne(""))
    by_type = kpis_table[kpis_table["ref"].isin(costs.index)]
    wide = reports.spread(by_type, "ref", "period", "value", keep_empty=False)
    kpi_names = by_type.drop_duplicates("ref").set_index("ref")["kpi"]
    shown = pd.DataFrame(
        {
            "Placement": [
                names.get(r) if pd.notna(names.get(r)) else kpi_names[r] for r in wide.index
            ],
            "Baseline": wide["baseline"].map(reports.money).to_numpy(),
            "Target": wide["target"].map(reports.money).to_numpy(),
            quarter: wide[quarter].map(reports.money).to_numpy(),
            "Change on baseline": arithmetic.pct_change(wide[quarter], wide["baseline"])
            .map(signed)
            .to_numpy(),
        }
    )
    return reports.combine(
        reports.sentence(
            f"Reading: High Needs Block spend after savings of {reports.money(spend)} over "
            f"{number(plans[quarter])} plans is {reports.money(average)} a plan. The "
            f"{number(growth)} plans added since the baseline cost about "
            f"{reports.money(finance.cost_of_growth(growth, average))} a year at that average."
        ),
        reports.table(shown, caption=f"Average cost of a placement a year, by type, {quarter}"),
        reports.note(
            "Average cost per plan = HNB spend after savings / plans held; cost of "
            "growth = extra plans x average cost. Placement costs as the council "
            f"reports them in its dashboard ({paths['kpi_dashboard'].name})."
        ),
    )
