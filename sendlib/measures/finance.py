"""The High Needs Block and DSG position, savings, costs, and public finance comparisons.

Takes the council's own financial model (see :mod:`sendlib.ingest.council_files`) and DfE's public
finance files (processed tables ``specialist_spend`` and ``dsg_deficit``). All amounts are in
pounds; tables that show £ million say so in their column names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from sendlib import tables
from sendlib.errors import ArgumentError
from sendlib.measures import benchmarks
from sendlib.measures.arguments import each_council
from sendlib.periods import FinancialYear, Quarter
from sendlib.registry import describe
from sendlib.tables import Tables

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter

TOLERANCE = 1_000.0
"""Published figures are rounded to £0.001m: arithmetic is checked to within £1,000."""


def _line(model: pd.DataFrame, kind: str, column: str) -> float:
    rows = model[model["kind"].eq(kind)]
    if rows.empty:
        raise ValueError(f"the financial model has no {kind.replace('_', ' ')} line")
    return float(rows[column].iloc[0])


def hnb_checks(model: pd.DataFrame) -> pd.DataFrame:
    """The model's arithmetic, recomputed: one row per (check, column) with ``stated``,
    ``computed``, ``difference`` and ``agrees`` (within :data:`TOLERANCE`).

    Checks: total budget = allocation + transfers; spend after savings = spend before +
    savings; net HNB deficit = spend after savings - total budget; net DSG deficit = net HNB
    deficit + other blocks + general fund; variance = actual - model on every line.
    """
    rows = []
    for column in ("model", "actual"):
        get = lambda kind, c=column: _line(model, kind, c)  # noqa: E731
        savings = float(model.loc[model["kind"].eq("saving"), column].sum())
        for check, stated, computed in [
            (
                "Total budget = allocation + transfers",
                get("total_budget"),
                get("allocation") + float(model.loc[model["kind"].eq("transfer"), column].sum()),
            ),
            (
                "Spend after savings = spend before savings + savings",
                get("spend_after_savings"),
                get("spend_before_savings") + savings,
            ),
            (
                "Net HNB deficit = spend after savings - total budget",
                get("net_hnb_deficit"),
                get("spend_after_savings") - get("total_budget"),
            ),
            (
                "Net DSG deficit = net HNB deficit + other blocks + general fund",
                get("net_dsg_deficit"),
                get("net_hnb_deficit") + get("other_blocks") + get("general_fund"),
            ),
        ]:
            rows.append({"check": check, "column": column, "stated": stated, "computed": computed})
    variance = model.assign(computed=model["actual"] - model["model"])
    worst = (variance["computed"] - variance["variance"]).abs().max()
    rows.append(
        {
            "check": "Variance = actual - model, every line",
            "column": "variance",
            "stated": 0.0,
            "computed": float(worst),
        }
    )
    out = pd.DataFrame(rows)
    out["difference"] = out["computed"] - out["stated"]
    out["agrees"] = out["difference"].abs() <= TOLERANCE
    return out


def savings(model: pd.DataFrame) -> pd.DataFrame:
    """Each savings line: ``line``, ``target`` (saving in the model, £, positive),
    ``achieved`` (saving at the quarter, £; negative = the line costs more), ``shortfall``,
    ``achieved_pct`` of target."""
    lines = model[model["kind"].eq("saving")]
    out = pd.DataFrame(
        {
            "line": lines["line"].to_numpy(),
            "target": -lines["model"].to_numpy(),
            "achieved": -lines["actual"].to_numpy(),
        }
    )
    out["shortfall"] = out["target"] - out["achieved"]
    out["achieved_pct"] = out["achieved"] / out["target"] * 100
    return out


def waterfall(model: pd.DataFrame, column: str = "actual") -> pd.DataFrame:
    """The steps from spend before savings to the net HNB deficit: ``step``, ``amount``,
    ``start``, ``end``, ``kind`` (total or change), for :func:`sendlib.present.finance_charts.waterfall`."""
    steps = [("Spend before savings", _line(model, "spend_before_savings", column), "total")]
    for row in model[model["kind"].eq("saving")].itertuples():
        steps.append((row.line, float(getattr(row, column)), "change"))
    steps.append(("Spend after savings", _line(model, "spend_after_savings", column), "total"))
    steps.append(("Less total budget", -_line(model, "total_budget", column), "change"))
    steps.append(("Net HNB deficit", _line(model, "net_hnb_deficit", column), "total"))
    rows, level = [], 0.0
    for step, amount, kind in steps:
        start = 0.0 if kind == "total" else level
        end = amount if kind == "total" else level + amount
        rows.append({"step": step, "amount": amount, "start": start, "end": end, "kind": kind})
        level = end
    return pd.DataFrame(rows)


def safety_valve_maximum(safety_valve: pd.DataFrame) -> float | None:
    """The agreed maximum cumulative deficit in a council's Safety Valve return (its target
    column of the cumulative deficit line), £; None where the return gives none.

    >>> from sendlib.ingest.council_quarter import CouncilQuarter
    >>> safety_valve_maximum(CouncilQuarter("data/raw/local/kingston-upon-thames", "Q3").safety_valve)
    28607000.0
    """
    before = safety_valve[safety_valve["label"].str.contains("cumulative deficit", case=False)]
    target = before.loc[before["column"].str.contains("Target"), "value"].dropna()
    return float(target.iloc[0]) if len(target) else None


def deficit_trajectory(
    safety_valve: pd.DataFrame,
    history: pd.DataFrame,
    *,
    financial_year: str,
    quarter: str = "Q4",
) -> pd.DataFrame:
    """The cumulative DSG deficit before Safety Valve funding against its ceiling, up to
    ``quarter`` of ``financial_year`` (the year of the Safety Valve return, "2021/22"):
    ``when`` (label), ``as_at`` (the date the figure is at: the history's date, a month's end
    where it gives a month; a quarter's end for the return's quarters), ``deficit`` (£),
    ``ceiling`` (£, the agreed maximum), in time order.
    Earlier years come from the deficit history; the return's own year from its quarters (so
    a forecast of that year in the history is not shown twice, and a later quarter's figures
    are never shown as this one's)."""
    before = safety_valve[safety_valve["label"].str.contains("cumulative deficit", case=False)]
    ceiling = safety_valve_maximum(safety_valve)
    quarters = before[before["column"].str.fullmatch(r"Q[1-4]")]
    quarters = quarters[quarters["column"].str[1].astype(int) <= int(str(quarter)[1])]
    past = history[
        history["measure"].str.contains("cumulative deficit", case=False)
        & ~history["measure"].str.contains("after safety valve", case=False)
        & history["financial_year"].ne(financial_year)
    ]
    rows = [
        {
            "when": f"{r.financial_year} ({r.as_at})",
            "as_at": _as_at(str(r.as_at)),
            "deficit": float(r.value),
            "ceiling": pd.NA,
        }
        for r in past.itertuples()
    ]
    rows += [
        {
            "when": f"{financial_year} {r.column}",
            "as_at": quarter_end(financial_year, r.column),
            "deficit": float(r.value),
            "ceiling": ceiling,
        }
        for r in quarters.itertuples()
    ]
    return pd.DataFrame(rows).astype({"ceiling": "Float64", "as_at": "datetime64[ns]"})


def _as_at(text: str) -> pd.Timestamp:
    """A date as the history gives it: a day (2021-03-31) or a month (2017-09: its last day)."""
    if len(text) == 7:
        return pd.Timestamp(f"{text}-01") + pd.offsets.MonthEnd(0)
    return pd.Timestamp(text)


def quarter_end(financial_year: str, quarter: str) -> pd.Timestamp:
    """The last day of a quarter of a financial year (April to June is Q1).

    >>> str(quarter_end("2021/22", "Q3").date()), str(quarter_end("2021/22", "Q4").date())
    ('2021-12-31', '2022-03-31')
    """
    return pd.Timestamp(Quarter.parse(financial_year, quarter).end)


def net_plans(plans: pd.DataFrame) -> dict:
    """Plans issued and ceased so far this year, from the Safety Valve return's quarters
    (``plans``: :func:`sendlib.ingest.council_files.read_wide` of it): ``issued``, ``ceased``,
    ``net`` (issued less ceased), ``stated_net`` (the return's "Total YTD" net increase) and
    ``agrees``.

    >>> t = pd.DataFrame({"label": ["Issued plans", "Ceased plans", "Net increase"] * 2,
    ...     "column": ["Q1"] * 3 + ["Total YTD"] * 3, "value": [5.0, 2.0, 3.0, 5.0, 2.0, 3.0]})
    >>> net_plans(t)
    {'issued': 5.0, 'ceased': 2.0, 'net': 3.0, 'stated_net': 3.0, 'agrees': True}
    """
    quarters = plans[plans["column"].str.fullmatch(r"Q[1-4]")]
    issued = float(quarters.loc[quarters["label"].eq("Issued plans"), "value"].sum())
    ceased = float(quarters.loc[quarters["label"].eq("Ceased plans"), "value"].sum())
    stated = plans.loc[plans["label"].eq("Net increase") & plans["column"].eq("Total YTD"), "value"]
    stated_net = float(stated.iloc[0]) if len(stated) else issued - ceased
    return {
        "issued": issued,
        "ceased": ceased,
        "net": issued - ceased,
        "stated_net": stated_net,
        "agrees": issued - ceased == stated_net,
    }


def partners_total(wide: pd.DataFrame, quarter: str) -> tuple[float, float, bool]:
    """Partners' contributions at ``quarter`` (``wide``: one row per partner and a ``Total``
    row, one column per quarter): the sum of the partners, the stated total (the sum where no
    total is stated) and whether they agree within :data:`TOLERANCE`.

    >>> w = pd.DataFrame({"Q1": [1_000.0, 2_000.0, 3_000.0]}, index=["A", "B", "Total"])
    >>> partners_total(w, "Q1")
    (3000.0, 3000.0, True)
    """
    computed = float(wide.drop(index="Total", errors="ignore")[quarter].sum())
    stated = float(wide.loc["Total", quarter]) if "Total" in wide.index else computed
    return computed, stated, abs(computed - stated) <= TOLERANCE


def average_cost_per_plan(spend: float, plans: float) -> float:
    """Spend divided by plans (£ a plan).

    >>> round(average_cost_per_plan(32_200_451, 1_512))
    21297
    """
    if not plans or plans <= 0:
        raise ArgumentError(f"plans must be a positive number, got {plans}")
    return spend / plans


def average_top_up(top_up_spend: float, top_ups: float) -> float:
    """Top-up spend divided by the number of funded top-ups (£ a top-up).

    >>> round(average_top_up(10_245_000, 644))  # Kingston, pre-16, 2019/20
    15908
    """
    if not top_ups or top_ups <= 0:
        raise ArgumentError(f"top_ups must be a positive number, got {top_ups}")
    return top_up_spend / top_ups


def cost_of_growth(extra_plans: float, average_cost: float) -> float:
    """Extra plans times the average cost of a plan (£).

    >>> cost_of_growth(83, 21_297)
    1767651
    """
    return extra_plans * average_cost


def _census_year(financial_year: str) -> int:
    """The January census inside a financial year ("2021/22" -> 2022)."""
    return FinancialYear.parse(financial_year).census_year


def latest_spend_year(financial_year: str, data: Tables | None = None) -> str | None:
    """The latest financial year of published specialist spend at or before
    ``financial_year`` ("2025/26" -> "2021/22" while DfE's dashboard ends there); ``None``
    when DfE published none so early.

    >>> latest_spend_year("2025/26"), latest_spend_year("2019/20"), latest_spend_year("2010/11")
    ('2021/22', '2019/20', None)
    """
    asked = FinancialYear.parse(financial_year)
    years = (data or tables.current()).specialist_spend["financial_year"]
    published = sorted({FinancialYear.parse(y) for y in years if FinancialYear.parse(y) <= asked})
    return published[-1].slashed if published else None


@each_council
def specialist_spend_benchmark(
    council: str | int,
    *,
    financial_year: str = "2021/22",
    sn_model: str = "2025",
    custom: dict[str, Sequence[str | int]] | None = None,
    data: Tables | None = None,
) -> pd.DataFrame:
    """Specialist top-up spend per head of the 2-18 population, by sector, for the council
    and its comparators (section 251 outturn): one row per (comparator, sector) with
    ``per_head`` (£, spend of the summed group / its population), ``mean_per_head`` (mean of
    councils' own), ``spend``, ``n_members``, ``left_out``, and ``independent_share`` (% of
    the group's specialist top-up spend in the independent and non-maintained sector)."""
    data = data or tables.current()
    require_spend_year(financial_year, data)
    groups = tuple(benchmarks.comparators(council, sn_model, custom, data))
    return spend_for(groups, financial_year, data)


def require_spend_year(financial_year: str, data: Tables) -> None:
    """An :class:`ArgumentError` naming the published years unless DfE's specialist spend
    has ``financial_year`` (the spend benchmark's and the public unit costs' one check)."""
    years = sorted(set(data.specialist_spend["financial_year"]))
    if financial_year not in years:
        raise ArgumentError(
            f"no specialist spend for {financial_year}; the years are {', '.join(years)}"
        )


@tables.memoised
def spend_for(
    groups: tuple[benchmarks.Comparator, ...], financial_year: str, data: Tables | None = None
) -> pd.DataFrame:
    """The table of :func:`specialist_spend_benchmark` for any ``groups`` (its engine)."""
    data = data or tables.current()
    spend = data.specialist_spend
    rows = spend[spend["financial_year"].eq(financial_year)]
    councils = data.councils[["old_la_code", "region_name", "subregion"]]
    members = rows.merge(councils, on="old_la_code", how="left")
    known = benchmarks.membership("financial_year", [financial_year], _census_year, data)
    out = benchmarks.benchmark(
        members,
        groups,
        "spend",
        "population_2_18",
        flag="spend_flag",
        keys=["financial_year", "sector"],
        members_by_period=known,
        value_label=f"spend for {financial_year}",
        denominator_label="population estimate",
        councils=data.councils,
    )
    out = out.rename(columns={"rate": "per_head", "mean_rate": "mean_per_head", "value": "spend"})
    total = out[out["sector"].eq("Total")].set_index("comparator")["spend"]
    independent = out[out["sector"].eq("Independent or non-maintained")].set_index("comparator")[
        "spend"
    ]
    out["independent_share"] = out["comparator"].map(independent / total * 100)
    units = {
        "per_head": "GBP per head",
        "mean_per_head": "GBP per head",
        "spend": "GBP",
        "independent_share": "percent",
        "n_members": "count",
    }
    return describe(out.drop(columns=["denominator"]), "finance", area="comparator", units=units)


@each_council
def dsg_deficit_benchmark(
    council: str | int, *, sn_model: str = "2025", data: Tables | None = None
) -> pd.DataFrame:
    """The cumulative DSG deficit as % of DSG income, for the council and its comparators,
    each financial year: ``financial_year``, ``comparator``, ``role``, ``deficit_pct`` (the
    council's; for groups, DfE's published figure for England and regions, else missing),
    ``mean_deficit_pct`` (mean of members'), ``n_members``, ``left_out``, ``note`` (why
    ``deficit_pct`` is missing). Positive is a deficit. Only percentages are published, so groups cannot be summed."""
    data = data or tables.current()
    return deficit_for(tuple(benchmarks.comparators(council, sn_model, None, data)), data)


@tables.memoised
def deficit_for(
    groups: tuple[benchmarks.Comparator, ...], data: Tables | None = None
) -> pd.DataFrame:
    """The table of :func:`dsg_deficit_benchmark` for any ``groups`` (its engine)."""
    data = data or tables.current()
    table = data.dsg_deficit
    councils = data.councils[["old_la_code", "subregion"]]
    members = table[table["level"].eq("council")].merge(councils, on="old_la_code", how="left")
    members = members.assign(one=1.0)
    known = benchmarks.membership(
        "financial_year", sorted(set(table["financial_year"])), _census_year, data
    )
    out = benchmarks.benchmark(
        members,
        groups,
        "deficit_pct",
        "one",
        keys=["financial_year"],
        members_by_period=known,
        value_label="deficit figure",
        councils=data.councils,
    )
    published = table[table["level"].ne("council")].set_index(["financial_year", "area_name"])
    out["deficit_pct"] = pd.array(
        [
            row.mean_rate
            if row.role == "council"
            else published["deficit_pct"].get((row.financial_year, row.comparator), pd.NA)
            for row in out.itertuples()
        ],
        dtype="Float64",
    )
    out["note"] = [
        ""
        if pd.notna(row.deficit_pct)
        else "DfE publishes no deficit % for this group; read the mean of its councils'"
        if row.role in ("neighbours", "custom")
        else "no figure published for this year"
        for row in out.itertuples()
    ]
    table = out.rename(columns={"mean_rate": "mean_deficit_pct"})[
        [
            "financial_year",
            "comparator",
            "role",
            "deficit_pct",
            "mean_deficit_pct",
            "n_members",
            "left_out",
            "note",
        ]
    ]
    units = {"deficit_pct": "percent", "mean_deficit_pct": "percent", "n_members": "count"}
    return describe(table, "finance", area="comparator", units=units)


def council_cost_per_plan(files: CouncilQuarter) -> dict:
    """A council's average cost per plan at the quarter of ``files`` from its own files: High
    Needs Block spend after savings (the financial model's actual) over the plans held (the
    KPI its rules mark with role ``plans``).

    Returns ``cost_per_plan`` (£ a plan), ``spend`` (£), ``plans``, ``plans_kpi`` (its name),
    ``quarter``, ``financial_year`` (``2021/22``) and ``files`` (the two file names). Raises
    :class:`~sendlib.errors.DataFileError` when a file, the plans KPI or its figure is missing.

    >>> from sendlib.ingest.council_quarter import CouncilQuarter
    >>> c = council_cost_per_plan(CouncilQuarter("data/raw/local/kingston-upon-thames", "Q3",
    ...     rules_file="packs/kingston-upon-thames/kpi_rules.csv"))
    >>> round(c["cost_per_plan"]), c["plans"], c["spend"]
    (21297, 1512.0, 32201000.0)
    """
    from sendlib.errors import DataFileError

    quarter = files.quarter
    paths = files.paths(("hnb_financial_model", "kpi_dashboard"))
    try:
        spend = _line(files.hnb_model, "spend_after_savings", "actual")
    except ValueError as exc:  # a model not yet filled in: a problem of the file, named
        raise DataFileError(
            str(paths["hnb_financial_model"]),
            str(exc),
            expected="the quarter's High Needs Block model, with its spend after savings",
            hint="fill in the financial model (the template names its lines)",
        ) from exc
    table, rules = files.kpi_dashboard, files.rules
    refs = list(rules.loc[rules["role"].eq("plans"), "ref"])
    rows = table[table["ref"].isin(refs[:1]) & table["period"].eq(quarter)]
    if rows.empty or pd.isna(rows["value"].iloc[0]):
        raise DataFileError(
            str(files.rules_file),
            "no count of the plans held",
            column="role",
            expected=f"one KPI marked 'plans' with a {quarter} figure in "
            f"{paths['kpi_dashboard'].name}",
            found=f"KPI refs marked 'plans': {', '.join(refs) or 'none'}",
            hint="mark the KPI of plans held with role 'plans' in the rules file",
        )
    plans = float(rows["value"].iloc[0])
    return {
        "cost_per_plan": average_cost_per_plan(spend, plans),
        "spend": spend,
        "plans": plans,
        "plans_kpi": str(rows["kpi"].iloc[0]),
        "quarter": quarter,
        "financial_year": str(table["financial_year"].iloc[0]),
        "files": (paths["hnb_financial_model"].name, paths["kpi_dashboard"].name),
    }


def council_deficit(files: CouncilQuarter) -> pd.DataFrame:
    """:func:`deficit_trajectory` from a council's own files for the quarter of ``files``:
    its Safety Valve return and its deficit history. Raises
    :class:`~sendlib.errors.DataFileError` naming a missing file or quarter.

    >>> from sendlib.ingest.council_quarter import CouncilQuarter
    >>> t = council_deficit(CouncilQuarter("data/raw/local/kingston-upon-thames", "Q3"))
    >>> last = t.iloc[-1]
    >>> last["when"], int(last["deficit"]), int(last["ceiling"])
    ('2021/22 Q3', 28363000, 28607000)
    """
    files.paths(("safety_valve_kpis", "dsg_deficit_history"))  # both missing: both named
    return deficit_trajectory(
        files.safety_valve,
        files.deficit_history,
        financial_year=files.safety_valve_year,
        quarter=files.quarter,
    )
