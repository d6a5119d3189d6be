"""What a plan costs a year in each placement group, and where the figure comes from.

* :func:`unit_costs`: a cost a year per plan in each placement group, from the council's own
  files where its KPI rules map a placement cost to a group (:func:`council_unit_costs`),
  otherwise DfE's public data (section 251 top-up spend by sector over the plans in the
  matching groups), each row naming its source;
* :func:`public_unit_costs`: that public estimate for the council, its neighbours, region and
  England.

What the forecast plans cost is :mod:`sendlib.measures.costs`. Amounts are £ a plan a year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sendlib import tables
from sendlib.measures import benchmarks, forecasting, placements
from sendlib.measures.arguments import each_council
from sendlib.measures.finance import latest_spend_year, require_spend_year
from sendlib.periods import FinancialYear
from sendlib.registry import describe
from sendlib.tables import Tables
from sendlib.vocab import PLACEMENT_GROUPS

if TYPE_CHECKING:
    from sendlib.ingest.council_quarter import CouncilQuarter

PRICES = forecasting.PRICE_SCENARIOS
"""Yearly rise in the cost of a placement (fractions): the central assumption and the range
the intervals carry (:data:`sendlib.measures.forecasting.PRICE_SCENARIOS`, the one place it
is set)."""
PUBLIC_SECTORS = {
    "State": ("Maintained special", "Alternative provision"),
    "Independent or non-maintained": ("Independent or non-maintained special",),
    "Mainstream and resourced provision": ("Mainstream", "Resourced provision or SEN unit"),
    "Post-16": ("Further education",),
}
"""Which placement groups each public figure pays for. From DfE's specialist top-up spend
(section 251 outturn, 2018/19-2021/22): state special schools and AP (one cost for the two
groups), and independent or non-maintained special schools. From DfE's High Needs
Benchmarking Tool (2021/22 only: section 251 *budget* top-ups over its plans by placement at
January 2021): early years, primary and secondary top-ups to state providers over plans in
mainstream schools and resourced provision, and post-school top-ups (state and independent)
over post-16 plans."""
SPEND_SECTORS = ("State", "Independent or non-maintained")
"""The sectors of DfE's specialist top-up spend (its "Total" is not a sector)."""
TOOL_SECTORS = {
    "Mainstream and resourced provision": (
        ("top_up_state_early_years", "top_up_state_primary", "top_up_state_secondary"),
        ("plans_mainstream", "plans_resourced"),
    ),
    "Post-16": (
        ("top_up_state_post_school", "top_up_independent_post_school"),
        ("plans_post_16",),
    ),
}
"""The High Needs Benchmarking Tool's lines summed for each of its sectors: (top-ups, plans)."""


# --- unit costs -----------------------------------------------------------------------------


def _placement_plans(code: str, census: int, data: Tables) -> pd.DataFrame:
    """The council's published plans in each DfE placement at the January ``census``."""
    table = data.caseload_by_placement
    rows = table[table["level"].eq("council") & table["old_la_code"].eq(code)]
    return rows[rows["year"].eq(census)][["placement", "placement_group", "ehcps"]]


def council_unit_costs(
    council: str | int, files: CouncilQuarter, data: Tables | None = None
) -> pd.DataFrame:
    """The unit costs a council's own files give: for each placement group its KPI rules
    map a placement cost to, the cost at the quarter of ``files``. Two costs of the same
    placements (in and out of borough, under and over 16) are averaged, their mix not being
    in the files; costs of different placements in one group are weighted by the council's
    published plans in each at the January of the financial year (the latest before it when
    that January is not yet published).

    Returns ``placement_group``, ``unit_cost`` (£ a plan a year), ``financial_year``,
    ``source``, ``note``; no row for a group the files do not cost.

    >>> from sendlib.ingest.council_quarter import CouncilQuarter
    >>> f = CouncilQuarter("data/raw/local/kingston-upon-thames", "Q3",
    ...                    rules_file="packs/kingston-upon-thames/kpi_rules.csv")
    >>> c = council_unit_costs("Kingston upon Thames", f).set_index("placement_group")["unit_cost"]
    >>> round(c["Alternative provision"]), round(c["Maintained special"])
    (16768, 29522)
    """
    data = data or tables.current()
    rules, table, quarter = files.rules, files.kpi_dashboard, files.quarter
    mapped = rules[rules["placement_group"].str.strip().ne("")]
    if mapped.empty:
        return pd.DataFrame(columns=["placement_group", "unit_cost", "financial_year", "source"])
    year = FinancialYear.parse(files.financial_year)
    figures = table[table["period"].eq(quarter)].set_index("ref")
    from sendlib.measures.areas import find_council

    code = find_council(council, data)["old_la_code"]
    census = _latest_placement_census(code, year.census_year, data)
    plans = _placement_plans(code, census, data).set_index("placement")["ehcps"]
    file = files.path("kpi_dashboard").name
    rows = []
    for group, costs in mapped.groupby("placement_group", sort=False):
        rows.append(_group_cost(group, costs, figures, plans, census, file, files.quarter, year))
    return pd.DataFrame(rows)


def _latest_placement_census(code: str, census: int, data: Tables) -> int:
    table = data.caseload_by_placement
    years = table.loc[table["old_la_code"].eq(code) & table["ehcps"].notna(), "year"]
    known = sorted(int(y) for y in set(years) if y <= census)
    return known[-1] if known else census


def _group_cost(group, costs, figures, plans, census, file, quarter, year) -> dict:
    """One group's unit cost from the council's placement-cost KPIs mapped to it."""
    by_placements: dict[str, list[tuple[str, float]]] = {}
    missing = []
    for rule in costs.itertuples():
        value = figures["value"].get(rule.ref, np.nan)
        name = figures["kpi"].get(rule.ref, rule.label or rule.ref)
        if pd.isna(value):
            missing.append(str(name))
            continue
        by_placements.setdefault(rule.placement.strip(), []).append((str(name), float(value)))
    names = [n for parts in by_placements.values() for n, _ in parts]
    source = f"{file}, {quarter}: " + "; ".join(names)
    notes = [f"no {quarter} figure: " + ", ".join(missing)] if missing else []
    if not by_placements:
        return {
            "placement_group": group,
            "unit_cost": np.nan,
            "financial_year": year.slashed,
            "source": source,
            "note": "; ".join(notes),
        }
    means = {key: float(np.mean([v for _, v in parts])) for key, parts in by_placements.items()}
    if any(len(parts) > 1 for parts in by_placements.values()):
        notes.append("costs of the same placements averaged (their mix is not in the files)")
    weights = {
        key: float(sum(plans.get(p.strip(), 0) or 0 for p in key.split(";") if p.strip()))
        for key in means
    }
    if len(means) > 1 and sum(weights.values()) > 0:
        cost = sum(means[k] * weights[k] for k in means) / sum(weights.values())
        notes.append(
            f"weighted by the council's plans in each placement at January {census} ("
            + ", ".join(f"{k.replace(';', '/')}: {weights[k]:,.0f}" for k in means)
            + ")"
        )
    else:
        cost = float(np.mean(list(means.values())))
    return {
        "placement_group": group,
        "unit_cost": cost,
        "financial_year": year.slashed,
        "source": source,
        "note": "; ".join(notes),
    }


def _public_members(financial_year: str, data: Tables) -> pd.DataFrame:
    """Each council's specialist top-up spend by sector in ``financial_year`` with its plans
    in the matching placement groups at the January inside it."""
    spend = data.specialist_spend
    rows = spend[spend["financial_year"].eq(financial_year) & spend["sector"].isin(SPEND_SECTORS)]
    census = FinancialYear.parse(financial_year).census_year
    counts = placements.placement_matrix(data)
    at = (
        counts.xs(census, level="year")
        if census in counts.index.get_level_values("year")
        else counts.iloc[0:0].droplevel("year")
    )
    plans = pd.concat(
        {
            sector: at[list(PUBLIC_SECTORS[sector])].sum(axis=1, min_count=1)
            for sector in SPEND_SECTORS
        },
        names=["sector", "old_la_code"],
    ).rename("plans")
    members = rows.merge(plans.reset_index(), on=["sector", "old_la_code"], how="left")
    if financial_year in set(data.hn_benchmarking["financial_year"]):
        members = pd.concat([members, _tool_members(financial_year, data)], ignore_index=True)
    councils = data.councils[["old_la_code", "region_name", "subregion"]]
    return members.merge(councils, on="old_la_code", how="left")


def _tool_members(financial_year: str, data: Tables) -> pd.DataFrame:
    """Each council's High Needs Benchmarking Tool top-ups and plans for its two sectors (a
    figure the tool leaves blank stays missing, flagged)."""
    tool = data.hn_benchmarking
    tool = tool[tool["financial_year"].eq(financial_year)]
    wide = tool.pivot_table(index=["old_la_code", "area_name"], columns="measure", values="value")
    flags = tool.assign(blank=tool["flag"].notna()).pivot_table(
        index=["old_la_code", "area_name"], columns="measure", values="blank", aggfunc="any"
    )
    parts = []
    for sector, (spend, plans) in TOOL_SECTORS.items():
        blank = flags[list(spend)].any(axis=1) | flags[list(plans)].any(axis=1)
        parts.append(
            pd.DataFrame(
                {
                    "financial_year": financial_year,
                    "sector": sector,
                    "spend": wide[list(spend)].sum(axis=1, min_count=len(spend)).where(~blank),
                    "spend_flag": blank.map({True: "blank", False: pd.NA}),
                    "plans": wide[list(plans)].sum(axis=1, min_count=len(plans)).where(~blank),
                }
            ).reset_index()
        )
    return pd.concat(parts, ignore_index=True)


@tables.memoised
def public_unit_costs_for(
    groups: tuple[benchmarks.Comparator, ...], financial_year: str, data: Tables | None = None
) -> pd.DataFrame:
    """:func:`public_unit_costs` for any ``groups`` (its engine)."""
    data = data or tables.current()
    members = _public_members(financial_year, data)
    known = benchmarks.membership(
        "financial_year", [financial_year], lambda fy: FinancialYear.parse(fy).census_year, data
    )
    out = benchmarks.benchmark(
        members,
        groups,
        "spend",
        "plans",
        flag="spend_flag",
        keys=["financial_year", "sector"],
        members_by_period=known,
        value_label=f"specialist spend for {financial_year}",
        denominator_label=f"plans by placement at January {FinancialYear.parse(financial_year).census_year}",
        councils=data.councils,
    )
    out = out.rename(columns={"rate": "unit_cost", "mean_rate": "mean_unit_cost", "value": "spend"})
    out = out.rename(columns={"denominator": "plans"})
    out["placement_groups"] = out["sector"].map(lambda s: ", ".join(PUBLIC_SECTORS[s]))
    units = {
        "unit_cost": "GBP per plan",
        "mean_unit_cost": "GBP per plan",
        "spend": "GBP",
        "plans": "count",
        "n_members": "count",
    }
    return describe(out, "finance", area="comparator", units=units)


@each_council
def public_unit_costs(
    council: str | int,
    *,
    financial_year: str = "2021/22",
    sn_model: str = "2025",
    custom: dict[str, Sequence[str | int]] | None = None,
    data: Tables | None = None,
) -> pd.DataFrame:
    """DfE's public data as a cost per plan, for the council, its neighbours, region and
    England: section 251 outturn top-up spend on specialist provision in each sector (state
    special schools and AP; independent or non-maintained special schools) over the plans in
    the matching placement groups at the January inside the financial year (2018/19 to
    2021/22). One row per (comparator, sector): ``unit_cost`` (£ a plan, summed spend over
    summed plans), ``mean_unit_cost`` (mean of members'), ``spend``, ``plans``,
    ``placement_groups``, ``n_members``, ``left_out``.

    >>> t = public_unit_costs("Kingston upon Thames", financial_year="2021/22", sn_model="2021")
    >>> row = t[t["role"].eq("council") & t["sector"].eq("Independent or non-maintained")]
    >>> int(row["plans"].item()), round(row["unit_cost"].item())
    (145, 67430)
    """
    data = data or tables.current()
    require_spend_year(financial_year, data)
    groups = tuple(benchmarks.comparators(council, sn_model, custom, data))
    return public_unit_costs_for(groups, financial_year, data)


@each_council
def unit_costs(
    council: str | int,
    *,
    financial_year: str | None = None,
    files: CouncilQuarter | None = None,
    data: Tables | None = None,
) -> pd.DataFrame:
    """A cost a year per plan in each placement group, with its source.

    From the council's own files (``files``) where its KPI rules map a placement cost to the
    group (:func:`council_unit_costs`); otherwise DfE's public estimate for the council
    (:func:`public_unit_costs`) for ``financial_year`` (default: the files' year, or the
    latest published, 2021/22), the latest published year at or before it when DfE's ends
    sooner, said in the note; otherwise no cost, with the reason.

    Returns one row per group of :data:`~sendlib.vocab.PLACEMENT_GROUPS`:
    ``placement_group``, ``unit_cost`` (£ a plan a year, missing where no source has one),
    ``financial_year`` (the year the cost is for), ``source`` (``council`` or ``public`` or
    ``none``), ``source_detail`` (file and KPIs, or the public figures used), ``note``.

    >>> t = unit_costs("Kent").set_index("placement_group")
    >>> t.loc["Independent or non-maintained special", "source"], t.loc["Other or not in education", "source"]
    ('public', 'none')
    """
    from sendlib.errors import DataFileError

    data = data or tables.current()
    own, own_note = None, ""
    if files is not None:
        try:
            own = council_unit_costs(council, files, data)
        except DataFileError as error:
            own_note = f"the council's files for {files.quarter} were not read ({error.problem})"
    asked = (
        financial_year
        or (files.financial_year if own is not None else files.year if files is not None else "")
        or "2021/22"
    )
    asked = FinancialYear.parse(asked).slashed
    public_year = latest_spend_year(asked, data)
    public = _council_public(council, public_year, data) if public_year else {}
    rows = []
    for group in PLACEMENT_GROUPS:
        row = _unit_cost_row(group, own, public, public_year, asked)
        if own_note:
            row["note"] = "; ".join(n for n in (row["note"], own_note) if n)
        rows.append(row)
    table = pd.DataFrame(rows).astype(
        {
            c: "string"
            for c in ("placement_group", "financial_year", "source", "source_detail", "note")
        }
    )
    return describe(
        table, "finance", category="placement_group", units={"unit_cost": "GBP per plan"}
    )


def _council_public(council, financial_year: str, data: Tables) -> dict[str, dict]:
    """The council's own public unit cost by placement group (each sector's cost given to its
    groups), with what it was made of."""
    from sendlib.measures.comparators import council_region_england

    own = council_region_england(council, data)
    table = public_unit_costs_for((own.council, own.england), financial_year, data)
    england = table[table["role"].eq("england")].set_index("sector")["unit_cost"]
    out = {}
    for row in table[table["role"].eq("council")].itertuples():
        detail = _public_detail(row, financial_year) if pd.notna(row.unit_cost) else ""
        reason = row.left_out if pd.isna(row.unit_cost) else ""
        flag = _far_from_england(row.unit_cost, england.get(row.sector))
        for group in PUBLIC_SECTORS[row.sector]:
            out[group] = {"cost": row.unit_cost, "detail": detail, "reason": reason, "flag": flag}
    return out


FAR_FROM_ENGLAND = 3.0
"""A public unit cost more than this many times England's (or less than its inverse) is
flagged, as the data check flags a threefold jump: the spend or the plans published for the
council are likely incomplete. Flagged, never dropped: the cost is still used, and says so."""


def _far_from_england(cost: float, england: float | None) -> str:
    """Why a council's public unit cost should be read with care ("" when it is within
    :data:`FAR_FROM_ENGLAND` times England's).

    >>> _far_from_england(26_571, 8_332)[:39]
    "flagged: 3.2x England's £8,332; the spe"
    >>> _far_from_england(159_042, 58_190), _far_from_england(276, 6_588)[:13]
    ('', 'flagged: 0.0x')
    """
    if pd.isna(cost) or england is None or pd.isna(england) or not england:
        return ""
    ratio = float(cost) / float(england)
    if 1 / FAR_FROM_ENGLAND <= ratio <= FAR_FROM_ENGLAND:
        return ""
    return (
        f"flagged: {ratio:.1f}x England's £{float(england):,.0f}; the spend or the plans "
        "published for this council may be incomplete"
    )


def _public_detail(row, financial_year: str) -> str:
    """Where a public unit cost comes from, in words."""
    if row.sector in TOOL_SECTORS:
        return (
            f"DfE High Needs Benchmarking Tool {financial_year}: section 251 budget top-ups "
            f"({row.sector.lower()}) £{row.spend:,.0f} over the tool's {row.plans:,.0f} plans "
            f"in {row.placement_groups} at January {FinancialYear.parse(financial_year).census_year - 1}"
        )
    return (
        f"DfE section 251 outturn {financial_year}: {row.sector} specialist top-ups "
        f"£{row.spend:,.0f} over {row.plans:,.0f} plans in "
        f"{row.placement_groups} at January {FinancialYear.parse(financial_year).census_year}"
    )


def _unit_cost_row(group, own, public, public_year, asked) -> dict:
    if own is not None and group in set(own["placement_group"]):
        row = own[own["placement_group"].eq(group)].iloc[0]
        if pd.notna(row["unit_cost"]):
            return {
                "placement_group": group,
                "unit_cost": row["unit_cost"],
                "financial_year": row["financial_year"],
                "source": "council",
                "source_detail": row["source"],
                "note": row["note"],
            }
    found = public.get(group)
    if found and pd.notna(found["cost"]):
        note = (
            f"DfE's specialist spend is published to {public_year}; the cost is for "
            f"{public_year}, uprated to later years by the price assumption"
            if public_year != asked
            else ""
        )
        return {
            "placement_group": group,
            "unit_cost": float(found["cost"]),
            "financial_year": public_year,
            "source": "public",
            "source_detail": found["detail"],
            "note": "; ".join(n for n in (found["flag"], note) if n),
        }
    tool_groups = {g for sector in TOOL_SECTORS for g in PUBLIC_SECTORS[sector]}
    if found and found["reason"]:
        reason = found["reason"]
    elif group in tool_groups:
        reason = (
            f"no public figure for {public_year or asked}: the High Needs Benchmarking Tool "
            "in the data is for 2021/22 only"
        )
    elif group not in {g for gs in PUBLIC_SECTORS.values() for g in gs}:
        reason = "no public figure: DfE's top-up lines do not cover it"
    else:
        reason = f"no specialist spend published for {asked} or before"
    return {
        "placement_group": group,
        "unit_cost": np.nan,
        "financial_year": public_year or asked,
        "source": "none",
        "source_detail": "",
        "note": reason + " and the council's files give none",
    }
