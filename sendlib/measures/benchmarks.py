"""Benchmarking a council against its comparators: is our growth in plans normal?

Each measure is defined once here, on the engine of :mod:`sendlib.measures.comparators`:
the caseload (counts, rates per 1,000, index, growth, rank), its shape (age, placement,
need) and the activity (requests, assessments, new and ceased plans, timeliness).

>>> g = growth("Kingston upon Thames", 2017, 2019)
>>> g[["comparator", "pct_change"]].round(1).values.tolist()[::3]
[['Kingston upon Thames', 21.2], ['England', 23.2]]
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sendlib import tables
from sendlib.errors import ArgumentError
from sendlib.measures import arithmetic
from sendlib.measures.arguments import each_council, year
from sendlib.measures.caseload import (
    comparator_groups,
    consistent_caseload,
    joined_members,
    joins,
)
from sendlib.measures.comparators import (  # noqa: F401 - re-exported for analysts
    ROLE_ORDER,
    Comparator,
    benchmark,
    comparators,
    council_frame,
    council_years,
    membership,
    published_totals,
)
from sendlib.periods import BASE_YEAR
from sendlib.quality import CONDEMNED
from sendlib.registry import describe
from sendlib.tables import Tables
from sendlib.vocab import Boundaries

# --- the caseload: counts, rates, growth, rank --------------------------------------------------

BENCHMARK_UNITS = {
    "ehcps": "count",
    "index": "index",
    "rate_0_17": "per 1,000",
    "rate_0_25": "per 1,000",
    "mean_rate_0_17": "per 1,000",
    "mean_rate_0_25": "per 1,000",
    "n_members": "count",
}
"""The unit of each figure of :func:`caseload_benchmark`."""
GROWTH_UNITS = {
    "start": "count",
    "end": "count",
    "change": "count",
    "pct_change": "percent",
    "cagr": "percent",
    "mean_pct_change": "percent",
    "n_members": "count",
}
"""The unit of each figure of :func:`growth`."""

POPULATION_LAG = 1
"""A January census is read against the mid-year population estimate of the year before it
(January 2025 plans per 1,000 of the mid-2024 population): the latest estimate at the census."""


@tables.memoised
def council_caseload(
    boundaries: str = Boundaries.AS_PUBLISHED, data: Tables | None = None
) -> pd.DataFrame:
    """Every council's caseload with the populations it is read against, one row per (year,
    council): ``year``, ``old_la_code``, ``area_name``, ``region_name``, ``subregion``,
    ``ehcps``, ``ehcps_flag``, ``population_0_17`` and ``population_0_25`` (mid-year before
    the census; missing where ONS has no estimate in the data). With ``boundaries=
    "consistent"`` councils joined across reorganisations are one row a year each
    (:func:`sendlib.measures.caseload.consistent_caseload`: plans and populations summed)."""
    data = data or tables.current()
    if boundaries == Boundaries.CONSISTENT:
        return consistent_caseload(
            council_caseload(Boundaries.AS_PUBLISHED, data),
            joins(data),
            ("ehcps", "population_0_17", "population_0_25"),
        ).reset_index(drop=True)
    caseload = council_frame(data.caseload, data.councils)
    population = data.population
    population = population[population["level"].eq("council")]
    wide = population.pivot_table(
        index=["year", "old_la_code"], columns="age_group", values="population", aggfunc="first"
    ).reset_index()
    wide = wide.rename(columns={"0 to 17": "population_0_17", "0 to 25": "population_0_25"})
    wide["year"] = wide["year"] + POPULATION_LAG
    merged = caseload.merge(wide, on=["year", "old_la_code"], how="left")
    return merged.astype({"population_0_17": "Int64", "population_0_25": "Int64"})


def council_rates(year: int, data: Tables | None = None) -> pd.DataFrame:
    """Every council's plans per 1,000 children aged 0 to 17 at the January ``year``: the rows
    of :func:`council_caseload` for that year with ``rate`` (missing where ONS has no
    estimate), for ranking councils.

    >>> r = council_rates(2019).set_index("area_name")
    >>> round(float(r.loc["Kingston upon Thames", "rate"]), 1)
    31.7
    """
    rows = council_caseload(Boundaries.AS_PUBLISHED, data)
    rows = rows[rows["year"].eq(year)]
    return rows.assign(rate=arithmetic.rate_per(rows["ehcps"], rows["population_0_17"]))


@each_council
def caseload_benchmark(
    council: str | int,
    *,
    sn_model: str = "2025",
    latest: int | None = None,
    base_year: int = BASE_YEAR,
    custom: dict[str, Sequence[str | int]] | None = None,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The caseload of a council and its comparators, each January up to ``latest``; with
    ``boundaries="consistent"`` councils joined across reorganisations (the council itself
    and any neighbour) are one unbroken series each (:func:`consistent_groups`).

    One row per (year, comparator): ``year``, ``comparator``, ``role``, ``ehcps`` (sum of
    members), ``index`` (``base_year`` = 100), ``rate_0_17`` and ``rate_0_25`` (plans per
    1,000 residents of that age, rate of the summed group), ``mean_rate_0_17`` and
    ``mean_rate_0_25`` (mean of members' rates), ``n_members``, ``left_out`` (members without
    a count), ``population_note`` (members left out of the rates, or why a rate is missing:
    ONS estimates of ages 0 to 25 exist for mid-2011 and mid-2022 to mid-2024 only).

    >>> t = caseload_benchmark("Kingston upon Thames", sn_model="2021", latest=2019)
    >>> t[t["year"].eq(2019)][["comparator", "ehcps"]].values.tolist()[0]
    ['Kingston upon Thames', 1161]
    """
    table = _caseload_benchmark(
        council,
        sn_model=sn_model,
        custom=custom,
        boundaries=boundaries,
        data=data or tables.current(),
    )
    if latest is not None:
        table = table[table["year"].le(latest)]
    base = table[table["year"].eq(base_year)].set_index("comparator")["ehcps"]
    table = table.assign(index=arithmetic.index_to(table["ehcps"], table["comparator"].map(base)))
    return describe(
        table.reset_index(drop=True), "benchmark", area="comparator", units=BENCHMARK_UNITS
    )


def _caseload_benchmark(
    council: str | int, *, sn_model: str, custom: dict | None = None, boundaries: str, data: Tables
) -> pd.DataFrame:
    groups = comparator_groups(council, sn_model, custom, boundaries, data)
    return caseload_for(groups, Boundaries(boundaries), data)


@tables.memoised
def caseload_for(
    groups: tuple[Comparator, ...],
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The columns of :func:`caseload_benchmark` (before the index) for any ``groups``: one
    row per (year, group), in the order of the groups (the engine of that function and of
    :func:`sendlib.measures.league.league`); ``boundaries`` as for :func:`council_caseload`."""
    data = data or tables.current()
    members = council_caseload(boundaries, data)
    if boundaries == Boundaries.CONSISTENT:  # the joined series exist in every year
        known = members[["year", "old_la_code", "area_name", "region_name", "subregion"]]
    else:
        known = membership("year", sorted(set(members["year"])), int, data)
    counts = benchmark(
        members,
        groups,
        "ehcps",
        flag="ehcps_flag",
        members_by_period=known,
        published=published_totals(data.caseload, "ehcps", ["year"]),
        councils=data.councils,
    )
    keys = ["year", "comparator"]
    table = counts[[*keys, "role", "value", "n_members", "left_out"]].rename(
        columns={"value": "ehcps"}
    )
    for ages in ("0_17", "0_25"):
        rates = benchmark(
            members,
            groups,
            "ehcps",
            f"population_{ages}",
            scale=1000,
            denominator_label=f"estimate of the population aged {ages.replace('_', ' to ')}",
            members_by_period=known,
            councils=data.councils,
        )
        columns = {
            "rate": f"rate_{ages}",
            "mean_rate": f"mean_rate_{ages}",
            "left_out": f"left_out_{ages}",
        }
        table = table.merge(rates[[*keys, *columns]].rename(columns=columns), on=keys)
    return _in_year_and_role_order(_with_population_note(table))


def _with_population_note(table: pd.DataFrame) -> pd.DataFrame:
    """``population_note``: the members each rate leaves out, or why the 0 to 25 rate is
    missing (ONS has no estimate for that mid-year); the ``left_out_`` columns dropped."""
    table = table.copy()
    mid_year = (table["year"] - POPULATION_LAG).astype(str)
    young_note = "Rates per 1,000 aged 0 to 17 leave out " + table["left_out_0_17"] + "."
    adult_note = "Rates per 1,000 aged 0 to 25 leave out " + table["left_out_0_25"] + "."
    table["population_note"] = (
        (
            young_note.where(table["left_out_0_17"].ne(""), "")
            + " "
            + adult_note.where(table["left_out_0_25"].ne(""), "").mask(
                table["rate_0_25"].isna(), "No ONS estimate aged 0 to 25 for mid-" + mid_year + "."
            )
        )
        .str.strip()
        .astype("string")
    )
    table = table.drop(columns=["left_out_0_17", "left_out_0_25"])
    table["ehcps"] = table["ehcps"].astype("Int64")
    return table


def _in_year_and_role_order(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by year, then role (council, neighbours, region, England, custom), then as given."""
    order = table["role"].map(ROLE_ORDER)
    return (
        table.assign(_o=order)
        .sort_values(["year", "_o"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


@each_council
@tables.memoised
def growth(
    council: str | int,
    start: int | str,
    end: int | str,
    *,
    sn_model: str = "2025",
    custom: dict[str, Sequence[str | int]] | None = None,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """Growth in plans between two January censuses, for the council and its comparators
    (``boundaries`` as for :func:`caseload_benchmark`: "consistent" joins merged councils,
    so Northamptonshire's growth from 2019 to 2025 can be read).

    One row per comparator: ``comparator``, ``role``, ``start``, ``end`` (plans; a group's
    sum, so a region or England as DfE published it in each year), ``change`` (number),
    ``pct_change``, ``cagr`` (compound annual growth, %), ``mean_pct_change`` (mean of the
    members' own % changes, over members with both years: how DfE's tools average
    neighbours), ``n_members``, ``left_out`` (members without both years, left out of the
    mean).

    >>> g = growth("Kingston upon Thames", 2017, 2019)
    >>> g[["comparator", "pct_change"]].round(1).values.tolist()[::3]
    [['Kingston upon Thames', 21.2], ['England', 23.2]]
    """
    start, end = year(start, "start"), year(end, "end")
    if end <= start:
        raise ArgumentError(f"end ({end}) must be after start ({start})")
    data = data or tables.current()
    groups = comparator_groups(council, sn_model, custom, boundaries, data)
    return growth_for(groups, start, end, boundaries, data)


@tables.memoised
def growth_for(
    groups: tuple[Comparator, ...],
    start: int,
    end: int,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The table of :func:`growth` for any ``groups`` (its engine)."""
    data = data or tables.current()
    sums = caseload_for(groups, boundaries, data)
    start_sums = sums[sums["year"].eq(start)].set_index("comparator")["ehcps"]
    end_sums = sums[sums["year"].eq(end)].set_index("comparator")["ehcps"]
    caseload = (
        council_caseload(boundaries, data)
        if boundaries == Boundaries.CONSISTENT
        else council_frame(data.caseload, data.councils)
    )
    both = (
        caseload[caseload["year"].isin([start, end])]
        .pivot_table(index="old_la_code", columns="year", values="ehcps", aggfunc="first")
        .reindex(columns=[start, end])
    )
    info = caseload.drop_duplicates("old_la_code", keep="last").set_index("old_la_code")[
        ["area_name", "region_name", "subregion"]
    ]
    members = info.join(both.rename(columns={start: "start", end: "end"}), how="inner")
    members = members.reset_index().assign(span=f"January {start} to January {end}")
    means = benchmark(
        members,
        groups,
        "end",
        "start",
        scale=100,
        keys=["span"],
        value_label=f"figure for January {end}",
        denominator_label=f"figure for January {start}",
        councils=data.councils,
    )
    out = pd.DataFrame({"comparator": [g.name for g in groups], "role": [g.role for g in groups]})
    out["start"] = out["comparator"].map(start_sums).astype("Int64")
    out["end"] = out["comparator"].map(end_sums).astype("Int64")
    out["change"] = out["end"] - out["start"]
    out["pct_change"] = arithmetic.pct_change(out["end"], out["start"])
    out["cagr"] = arithmetic.cagr(out["end"], out["start"], end - start)
    by_name = means.set_index("comparator")
    out["mean_pct_change"] = out["comparator"].map(by_name["mean_rate"] - 100)
    out["n_members"] = out["comparator"].map(by_name["n_members"])
    out["left_out"] = out["comparator"].map(by_name["left_out"]).astype("string")
    return describe(out, "growth", area="comparator", units=GROWTH_UNITS)


def ranking(
    council: str | int,
    values: pd.DataFrame,
    value: str,
    *,
    sn_model: str = "2025",
    data: Tables | None = None,
) -> dict:
    """Where the council stands on ``value`` among its neighbours and among all councils.

    ``values`` has one row per council: ``old_la_code`` and ``value``. Returns
    ``rank_neighbours`` (1 = highest of the council and its 10 neighbours), ``of_neighbours``,
    ``rank_all`` (1 = highest of all councils with a figure), ``of_all``, and ``quartile``
    (1 = the highest quarter of councils, 4 = the lowest).
    """
    groups = comparators(council, sn_model, None, data)
    code = groups.council.members[0]
    frame = values.dropna(subset=[value]).set_index("old_la_code")[value].astype(float)
    if code not in frame.index:
        raise ValueError(f"{groups.council.name} has no {value} figure to rank")
    peers = frame.reindex([code, *groups.neighbours.members]).dropna()
    rank_all = int(arithmetic.lait_rank(frame)[code])
    return {
        "rank_neighbours": int(arithmetic.lait_rank(peers)[code]),
        "of_neighbours": len(peers),
        "rank_all": rank_all,
        "of_all": len(frame),
        "quartile": arithmetic.lait_quartile(rank_all, len(frame)),
    }


# --- the shape of the caseload ----------------------------------------------------------------

SHAPES = {
    "age": ("caseload_by_age", "age_band"),
    "placement": ("caseload_by_placement", "placement_group"),
    "need": ("caseload_by_need", "primary_need"),
}
"""The breakdowns of the caseload: kind -> (processed table, category column)."""


def category_order(kind: str) -> list[str]:
    """The categories of a breakdown in the order reports show them."""
    from sendlib.vocab import AGE_BANDS, PLACEMENT_GROUPS, PRIMARY_NEEDS

    return {"age": AGE_BANDS, "placement": PLACEMENT_GROUPS, "need": list(PRIMARY_NEEDS.values())}[
        kind
    ]


@tables.memoised
def share_members(
    kind: str,
    year: int | None = None,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> tuple:
    """The councils' counts by category and their totals, as :func:`caseload_shares`
    benchmarks them (the same whichever council asks), with the membership of each year."""
    data = data or tables.current()
    table, category = SHAPES[kind]
    rows = council_frame(data[table], data.councils)
    if year is not None:
        if year not in set(rows["year"]):
            raise ValueError(
                f"no {kind} breakdown for January {year}; the years are "
                f"{', '.join(map(str, sorted(set(rows['year']))))}"
            )
        rows = rows[rows["year"].eq(year)]
    keys = ["year", "old_la_code", "area_name", "region_name", "subregion", category]
    members = rows.groupby(keys, dropna=False, sort=False)["ehcps"].sum(min_count=1).reset_index()
    totals = members.groupby(["year", "old_la_code"])["ehcps"].transform("sum")
    # A category the data check excluded leaves the council's total unknown, not smaller.
    condemned = rows["ehcps_flag"].eq(CONDEMNED).fillna(False)
    bad = set(zip(rows.loc[condemned, "year"], rows.loc[condemned, "old_la_code"], strict=True))
    unknown = [(y, c) in bad for y, c in zip(members["year"], members["old_la_code"], strict=True)]
    members = members.assign(total=totals.where(totals > 0).mask(unknown))
    known = membership("year", sorted(set(members["year"])), int, data)
    if boundaries == Boundaries.CONSISTENT:
        members = joined_members(members, ["ehcps", "total"], ["year", category], found=joins(data))
        known = members.drop_duplicates(["year", "old_la_code"])[
            ["year", "old_la_code", "area_name", "region_name", "subregion"]
        ]
    return members, known


@each_council
@tables.memoised
def caseload_shares(
    council: str | int,
    kind: str,
    *,
    sn_model: str = "2025",
    year: int | None = None,
    custom: dict[str, Sequence[str | int]] | None = None,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The caseload by age band, placement group or primary need, as shares, with comparators
    (``boundaries`` as for :func:`caseload_benchmark`).

    ``kind`` is ``age``, ``placement`` or ``need``; ``year`` a January census (all years if
    ``None``). One row per (year, comparator, category): ``ehcps`` (sum of members),
    ``share`` (% of the summed group's plans), ``mean_share`` (mean of members' own shares),
    ``n_members``, ``left_out``. A placement group's count is the sum of the placement types
    DfE published that year (types it did not collect that year, flagged ``x``, are not
    counted), as DfE's own totals are; a member's shares are of its plans with a recorded
    category.
    """
    if kind not in SHAPES:
        raise ArgumentError(f"kind must be one of {', '.join(SHAPES)}; got {kind!r}")
    data = data or tables.current()
    groups = comparator_groups(council, sn_model, custom, boundaries, data)
    return shares_for(groups, kind, year, boundaries, data)


@tables.memoised
def shares_for(
    groups: tuple[Comparator, ...],
    kind: str,
    year: int | None = None,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The table of :func:`caseload_shares` for any ``groups`` (its engine)."""
    data = data or tables.current()
    category = SHAPES[kind][1]
    members, known = share_members(kind, year, boundaries, data)
    out = benchmark(
        members,
        groups,
        "ehcps",
        "total",
        scale=100,
        keys=["year", category],
        denominator_label="recorded plans",
        members_by_period=known,
        councils=data.councils,
    )
    out = out.rename(
        columns={category: "category", "value": "ehcps", "rate": "share", "mean_rate": "mean_share"}
    )
    order = {c: i for i, c in enumerate(category_order(kind))}
    shares = (
        out.assign(_r=out["role"].map(ROLE_ORDER), _c=out["category"].map(order))
        .sort_values(["year", "_r", "_c"])
        .drop(columns=["_r", "_c", "denominator"])
        .reset_index(drop=True)
    )
    units = {"ehcps": "count", "share": "percent", "mean_share": "percent", "n_members": "count"}
    return describe(shares, "shares", area="comparator", units=units, category="category")


from sendlib.measures.activity import (  # noqa: E402, F401 - re-exported for analysts
    ACTIVITY,
    activity_benchmark,
    activity_for,
    activity_members,
    next_census,
)
