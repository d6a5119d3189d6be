"""Funding beside spend: each council's High Needs Block allocation per plan and per child,
against its neighbours, region and England, and how far funding has kept pace with plans.

The allocation is ESFA's High Needs Block before academy recoupment and direct place funding
(the ``hnb_funding`` table, 2019/20 to 2023/24). A financial year is read against the plans
at the January census inside it and ONS's estimate of the children aged 0 to 17 in the June
before that January (the population the rest of sendlib uses: ONS has no 2 to 18 estimate on
one series for every year here). City of London and the Isles of Scilly have no High Needs
Block: they are named as left out of their region's and England's rates.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sendlib import tables
from sendlib.measures import benchmarks
from sendlib.measures.arguments import each_council
from sendlib.periods import FinancialYear
from sendlib.registry import describe
from sendlib.tables import Tables


def _every_members(data: Tables) -> pd.DataFrame:
    """Each council's allocation each funded financial year with its plans and children; a
    council that existed then with no High Needs Block keeps its row, its allocation missing
    and flagged ``no_hnb``, so groups name it as left out."""
    funding = data.hnb_funding
    funding = funding[funding["level"].eq("council")].copy()
    funding["year"] = funding["financial_year"].map(lambda y: FinancialYear.parse(y).census_year)
    caseload = benchmarks.council_caseload(data=data)
    merged = caseload[caseload["year"].isin(set(funding["year"]))].merge(
        funding[["year", "old_la_code", "hnb_allocation"]], on=["year", "old_la_code"], how="left"
    )
    merged["financial_year"] = [FinancialYear(int(y) - 1).slashed for y in merged["year"]]
    merged["funding_flag"] = pd.array(
        ["no_hnb" if pd.isna(v) else pd.NA for v in merged["hnb_allocation"]], dtype="string"
    )
    return merged.rename(columns={"ehcps": "plans"}).astype({"hnb_allocation": "Float64"})


@tables.memoised
def funding_for(
    groups: tuple[benchmarks.Comparator, ...], data: Tables | None = None
) -> pd.DataFrame:
    """:func:`hnb_funding_benchmark` for any ``groups`` (its engine)."""
    data = data or tables.current()
    members = _every_members(data)
    years = sorted(set(members["financial_year"]))
    known = benchmarks.membership(
        "financial_year", years, lambda fy: FinancialYear.parse(fy).census_year, data
    )
    common = dict(
        keys=["financial_year"],
        flag="funding_flag",
        members_by_period=known,
        value_label="High Needs Block",
        councils=data.councils,
    )
    per_plan = benchmarks.benchmark(
        members, groups, "hnb_allocation", "plans", denominator_label="plans", **common
    )
    per_child = benchmarks.benchmark(
        members,
        groups,
        "hnb_allocation",
        "population_0_17",
        denominator_label="estimate of children aged 0 to 17",
        **common,
    )
    keys = ["financial_year", "comparator"]
    table = per_plan.rename(
        columns={
            "value": "funding",
            "denominator": "plans",
            "rate": "per_plan",
            "mean_rate": "mean_per_plan",
        }
    )[[*keys, "role", "funding", "plans", "per_plan", "mean_per_plan", "n_members", "left_out"]]
    table = table.merge(
        per_child[[*keys, "rate"]].rename(columns={"rate": "per_child"}), on=keys, how="left"
    )
    published = _published_england(data)
    england = table["role"].eq("england")
    table.loc[england, "funding"] = table.loc[england, "financial_year"].map(published).to_numpy()
    first = table.groupby("comparator")["per_plan"].transform("first")
    table["per_plan_index"] = table["per_plan"] / first * 100
    units = {
        "funding": "GBP",
        "plans": "count",
        "per_plan": "GBP per plan",
        "mean_per_plan": "GBP per plan",
        "per_child": "GBP per head",
        "per_plan_index": "index",
        "n_members": "count",
    }
    return describe(table, "finance", area="comparator", units=units)


def _published_england(data: Tables) -> dict[str, float]:
    rows = data.hnb_funding[data.hnb_funding["level"].eq("national")]
    return dict(zip(rows["financial_year"], rows["hnb_allocation"].astype(float), strict=True))


@each_council
def hnb_funding_benchmark(
    council: str | int,
    *,
    sn_model: str = "2025",
    custom: dict[str, Sequence[str | int]] | None = None,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The High Needs Block allocation of the council and its comparators each financial year
    (2019/20 to 2023/24): ``financial_year``, ``comparator``, ``role``, ``funding`` (£; a
    group's sum, missing where a member has none, except England's, ESFA's total),
    ``plans`` (at the January inside the year), ``per_plan`` (£ a plan, summed funding over
    summed plans), ``mean_per_plan`` (mean of members'), ``per_child`` (£ a child aged 0 to
    17), ``per_plan_index`` (per plan, the first year = 100: below 100, funding has not kept
    pace with plans), ``n_members``, ``left_out``.

    >>> t = hnb_funding_benchmark("Kingston upon Thames", sn_model="2021")
    >>> row = t[t["role"].eq("council") & t["financial_year"].eq("2021/22")]
    >>> int(row["funding"].item())
    25689882
    """
    data = data or tables.current()
    return funding_for(tuple(benchmarks.comparators(council, sn_model, custom, data)), data)


def known_by(table: pd.DataFrame, latest_census: int) -> pd.DataFrame:
    """The rows of :func:`hnb_funding_benchmark` a pack built on the January
    ``latest_census`` can show: financial years whose January census it holds (2021/22
    needs January 2022's plans).

    >>> t = known_by(hnb_funding_benchmark("Kent"), 2021)
    >>> sorted(set(t["financial_year"]))
    ['2019/20', '2020/21']
    """
    census = table["financial_year"].map(lambda y: FinancialYear.parse(y).census_year)
    return table[census.le(latest_census)]


def funding_pace(table: pd.DataFrame) -> pd.DataFrame:
    """From :func:`hnb_funding_benchmark`: each comparator's growth in funding and in plans
    from its first to its last year (%), and the change in funding per plan:
    ``comparator``, ``first_year``, ``last_year``, ``funding_growth_pct``,
    ``plans_growth_pct``, ``per_plan_change_pct``."""
    rows = []
    for name, part in table.groupby("comparator", sort=False):
        part = part.dropna(subset=["per_plan"])
        if len(part) < 2:
            continue
        first, last = part.iloc[0], part.iloc[-1]
        rows.append(
            {
                "comparator": name,
                "first_year": first["financial_year"],
                "last_year": last["financial_year"],
                "funding_growth_pct": _change(first["funding"], last["funding"]),
                "plans_growth_pct": _change(first["plans"], last["plans"]),
                "per_plan_change_pct": _change(first["per_plan"], last["per_plan"]),
            }
        )
    return pd.DataFrame(rows)


def _change(before, after) -> float:
    if pd.isna(before) or pd.isna(after) or not before:
        return float("nan")
    return (float(after) / float(before) - 1) * 100
