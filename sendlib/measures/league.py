"""League tables: every council on one measure in one year, ranked, in quartiles, beside its
statistical neighbours' mean, its region and England, with the reason where a figure is
missing.

>>> t = league("ehcps", 2025)
>>> print(t[["area_name", "value", "rank", "quartile", "region_value"]].head(2).to_string(index=False))
area_name    value  rank  quartile  region_value
     Kent  20635.0     1         1      110014.0
Hampshire  17784.0     2         1      110014.0

**Ranks and quartiles** follow the convention of DfE's Local Authority Interactive Tool
(LAIT): councils are ranked 1 to n, the best first where the measure has a polarity (high is
good: the highest first; low is good: the lowest first) and the highest first where it has
none; tied figures share the better rank. Quartile 1 holds ranks 1 to n/4, quartile 4 the
last quarter (band A to D in LAIT's words): ``1 + floor(4 x (rank - 1) / n)``.

**Comparators**: the region is the council's DfE region, London (all 33 councils) for a
London borough; a region's and England's value is computed as each measure's own benchmark
computes a group's (a count: DfE's published total; a percentage: that of the summed
counts). The neighbours' mean is the mean of the figures of the council's 10 statistical
neighbours in DfE's ``sn_model`` that have one (LAIT's statistical neighbour average);
``neighbours_left_out`` names any that do not.
"""

from __future__ import annotations

import pandas as pd

from sendlib import registry, tables
from sendlib.errors import ArgumentError, NotAvailableError
from sendlib.measures import arithmetic, benchmarks
from sendlib.measures.arguments import year as as_year
from sendlib.measures.comparators import Comparator, council_years
from sendlib.periods import FinancialYear
from sendlib.registry import POLARITIES, Measure, describe  # noqa: F401 - re-exported
from sendlib.tables import Tables

MEASURES: dict[str, Measure] = {n: m for n, m in registry.MEASURES.items() if m.ranked}
"""Every measure a league table ranks, by name (see :func:`measures`)."""


def measures() -> pd.DataFrame:
    """The measures :func:`league` ranks: ``measure`` (its name), ``label``, ``definition``,
    ``unit``, ``polarity`` (high is good, low is good, or neither), ``source`` and
    ``period`` (January census or calendar year); see :mod:`sendlib.registry`.

    >>> m = measures().set_index("measure")
    >>> m.loc["pct_within_20_weeks_excl_exceptions", "polarity"]
    'high is good'
    """
    return registry.measures_table(ranked_only=True)


COLUMNS = [
    "old_la_code",
    "area_name",
    "region",
    "value",
    "rank",
    "of",
    "quartile",
    "polarity",
    "neighbours_mean",
    "neighbours_used",
    "neighbours_left_out",
    "region_value",
    "england_value",
    "missing_because",
]
"""The columns of a league table, in order (see :func:`league`)."""


def ranked(out: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """``out`` (a ``value`` per council) with ``of``, ``rank``, ``quartile`` and ``polarity``:
    LAIT's ranks (the best first where the measure has a polarity, the highest first where it
    has none; ties share the better rank) and quartiles.

    >>> ranked(pd.DataFrame({"value": [3.0, 1.0, None, 3.0]}), "low is good")[
    ...     ["rank", "quartile"]].values.tolist()
    [[2, 2], [1, 1], [<NA>, <NA>], [2, 2]]
    """
    ranks = arithmetic.lait_rank(out["value"], polarity)
    out = out.assign(of=int(out["value"].notna().sum()), rank=ranks)
    out["quartile"] = pd.array(
        [pd.NA if pd.isna(r) else arithmetic.lait_quartile(r, out["of"].iloc[0]) for r in ranks],
        dtype="Int64",
    )
    return out.assign(polarity=polarity)


@tables.memoised
def league(
    measure: str, year: int | str, *, sn_model: str = "2025", data: Tables | None = None
) -> pd.DataFrame:
    """Every council DfE published in ``year`` on ``measure`` (see :func:`measures`), one row
    each, in rank order (councils without a figure last).

    Columns: ``old_la_code``, ``area_name``, ``region`` (London for a London borough),
    ``value``, ``rank`` (1 = best, or highest where the measure has no polarity; missing
    without a figure), ``of`` (councils ranked), ``quartile`` (1 to 4, as LAIT bands them),
    ``polarity``, ``neighbours_mean``, ``neighbours_used``, ``neighbours_left_out``,
    ``region_value``, ``england_value``, ``missing_because`` (why ``value`` is missing).
    ``year`` is a January census for caseload measures and a calendar year for activity.
    """
    if measure not in MEASURES:
        raise ArgumentError(
            f"no measure {measure!r}; the measures are {', '.join(MEASURES)} (sendlib.measures.table())"
        )
    found = MEASURES[measure]
    year = as_year(year)
    census = year + 1 if found.period == "calendar year" else year
    data = data or tables.current()
    members = council_years(data)
    members = members[members["year"].eq(census)]
    if members.empty:
        years = council_years(data)["year"]
        raise NotAvailableError(
            f"no councils published for {found.period} {year}; the data holds January "
            f"{int(years.min())} to {int(years.max())}"
        )
    regions = sorted(set(members["region_name"].dropna()))
    groups = (
        *(Comparator(r.area_name, "council", (r.old_la_code,)) for r in members.itertuples()),
        *(Comparator(name, "region", None, name) for name in regions),
        Comparator("England", "england"),
    )
    figures = _figures(found, groups, year, data)
    councils = figures[figures["role"].eq("council")].copy()
    councils["old_la_code"] = [g.members[0] for g in groups if g.role == "council"]
    out = members[["old_la_code", "area_name", "region_name"]].rename(
        columns={"region_name": "region"}
    )
    out = out.merge(councils[["old_la_code", "value", "left_out"]], on="old_la_code", how="left")
    out = ranked(out, found.polarity)
    by_region = figures[figures["role"].eq("region")].set_index("comparator")["value"]
    out["region_value"] = out["region"].map(by_region).astype("Float64")
    out["england_value"] = figures.loc[figures["role"].eq("england"), "value"].iloc[0]
    out = out.join(_neighbour_means(out, data.statistical_neighbours, sn_model))
    out["missing_because"] = (
        out["left_out"]
        .fillna("")
        .str.replace(r"^[^:]*: ", "", regex=True)
        .where(out["value"].isna(), "")
    ).astype("string")
    table = (
        out[COLUMNS]
        .assign(value=out["value"].astype("Float64"))
        .sort_values(["rank", "area_name"], na_position="last", kind="stable")
        .reset_index(drop=True)
    )
    same = {c: found.unit for c in ("value", "neighbours_mean", "region_value", "england_value")}
    ranks = {c: "rank" for c in ("rank", "of", "quartile")} | {"neighbours_used": "count"}
    return describe(table, "league", area="area_name", units=same | ranks)


def _figures(
    found: Measure, groups: tuple[Comparator, ...], year: int, data: Tables
) -> pd.DataFrame:
    """``comparator``, ``role``, ``value``, ``left_out`` of each group, by the measure's own
    benchmark (one definition of each measure)."""
    if found.name == "dsg_deficit_pct":
        return _published_deficit(groups, year, data.dsg_deficit)
    if found.name in benchmarks.ACTIVITY:
        table = benchmarks.activity_for(groups, data=data)
        rows = table[table["year"].eq(year) & table["measure"].eq(found.name)]
        return _in_order(rows, groups)
    table = benchmarks.caseload_for(groups, data=data)
    now = _in_order(table[table["year"].eq(year)], groups)
    if found.name == "ehcps":
        return now.assign(value=now["ehcps"].astype("Float64"))
    if found.name == "rate_0_17":
        return now.assign(value=now["rate_0_17"], left_out=now["population_note"])
    before = _in_order(table[table["year"].eq(year - 1)], groups)
    change = arithmetic.pct_change(
        now["ehcps"].astype("Float64"), before["ehcps"].astype("Float64").set_axis(now.index)
    )
    why = [
        "" if pd.notna(c) else (f"no figure for January {year - 1}" if pd.isna(b) else w)
        for c, b, w in zip(change, before["ehcps"], now["left_out"], strict=True)
    ]
    return now.assign(value=pd.array(change, dtype="Float64"), left_out=why)


def _published_deficit(
    groups: tuple[Comparator, ...], year: int, deficits: pd.DataFrame
) -> pd.DataFrame:
    """Each council's, region's and England's DSG deficit % as DfE published it for the
    financial year ending in March ``year`` (``deficits``: the ``dsg_deficit`` table)."""
    financial_year = FinancialYear(year - 1).slashed
    table = deficits[deficits["financial_year"].eq(financial_year)]
    if table.empty:
        years = ", ".join(sorted(set(deficits["financial_year"])))
        raise NotAvailableError(
            f"DfE publishes no DSG deficit for {financial_year} in the data; it has {years} "
            "(league years 2020 to 2022)"
        )
    councils = table[table["level"].eq("council")].set_index("old_la_code")["deficit_pct"]
    groups_ = table[table["level"].ne("council")].set_index("area_name")["deficit_pct"]
    rows = []
    for g in groups:
        value = councils.get(g.members[0]) if g.role == "council" else groups_.get(g.name)
        missing = value is None or pd.isna(value)
        why = f"{g.name}: no figure published for {financial_year}" if missing else ""
        rows.append((g.name, g.role, pd.NA if missing else float(value), why))
    return pd.DataFrame(rows, columns=["comparator", "role", "value", "left_out"]).astype(
        {"value": "Float64"}
    )


def _in_order(rows: pd.DataFrame, groups: tuple[Comparator, ...]) -> pd.DataFrame:
    """One row per group, in the order of ``groups`` (a group with no row has no figure)."""
    keyed = rows.drop_duplicates(["comparator", "role"]).set_index(["comparator", "role"])
    index = pd.MultiIndex.from_tuples([(g.name, g.role) for g in groups], names=keyed.index.names)
    return keyed.reindex(index).reset_index()


def _neighbour_means(out: pd.DataFrame, model: pd.DataFrame, sn_model: str) -> pd.DataFrame:
    """Each council's neighbours' mean figure, how many had one, and which did not
    (``model``: the ``statistical_neighbours`` table)."""
    model = model[model["model"].eq(sn_model)]
    values = out.set_index("old_la_code")["value"]
    names = out.set_index("old_la_code")["area_name"]
    rows = []
    for code in out["old_la_code"]:
        codes = list(model.loc[model["old_la_code"].eq(code), "neighbour_old_la_code"])
        if not codes:
            rows.append((pd.NA, 0, f"not in the {sn_model} statistical neighbour model"))
            continue
        have = [values.get(c) for c in codes]
        used = [v for v in have if v is not None and pd.notna(v)]
        missing = [
            names.get(c, c) for c, v in zip(codes, have, strict=True) if v is None or pd.isna(v)
        ]
        mean = sum(float(v) for v in used) / len(used) if used else pd.NA
        rows.append((mean, len(used), "; ".join(f"{m}: no figure" for m in missing)))
    frame = pd.DataFrame(
        rows, index=out.index, columns=["neighbours_mean", "neighbours_used", "neighbours_left_out"]
    )
    return frame.astype(
        {"neighbours_mean": "Float64", "neighbours_used": "int64", "neighbours_left_out": "string"}
    )
