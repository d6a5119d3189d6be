"""Requests, assessments, new and ceased plans and 20-week timeliness, benchmarked: each
activity measure defined once (:data:`ACTIVITY`) on the engine of
:mod:`sendlib.measures.comparators`.

>>> t = activity_benchmark("Kingston upon Thames", sn_model="2021")
>>> t[(t["measure"] == "new_plans") & (t["year"] == 2019)][["comparator", "value"]].values[0].tolist()
['Kingston upon Thames', 186.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sendlib import tables
from sendlib.measures.arguments import each_council
from sendlib.measures.caseload import comparator_groups, joined_members, joins
from sendlib.measures.comparators import (
    ROLE_ORDER,
    Comparator,
    benchmark,
    council_frame,
    membership,
    published_totals,
)
from sendlib.registry import ACTIVITY_MEASURES, MEASURES, describe
from sendlib.tables import Tables
from sendlib.vocab import Boundaries

ACTIVITY = {
    name: (MEASURES[name].label, MEASURES[name].numerator, MEASURES[name].denominator)
    for name in ACTIVITY_MEASURES
}
"""Each activity measure (from :mod:`sendlib.registry`): name -> (label, numerator,
denominator). Counts have no numerator; percentages are numerator / denominator x 100 of
DfE's published counts."""


def next_census(year: int) -> int:
    """The January census that returned a calendar year's activity: the next one."""
    return int(year) + 1


@each_council
@tables.memoised
def activity_benchmark(
    council: str | int,
    *,
    sn_model: str = "2025",
    custom: dict[str, Sequence[str | int]] | None = None,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """Requests, assessments, new and ceased plans and timeliness, by calendar year.

    One row per (year, comparator, measure): ``label``, ``unit`` (count or percent),
    ``value`` (a count's sum, or the percentage of the summed group), ``mean_value`` (for
    percentages, the mean of members' own percentages), ``n_members``, ``left_out``. See
    :data:`ACTIVITY` for each measure. ``year`` is the calendar year of the activity.
    ``boundaries`` as for :func:`caseload_benchmark` (a joined group's counts are summed,
    its percentages those of the summed counts).
    """
    data = data or tables.current()
    groups = comparator_groups(council, sn_model, custom, boundaries, data)
    return activity_for(groups, Boundaries(boundaries), data)


@tables.memoised
def activity_members(
    boundaries: str = Boundaries.AS_PUBLISHED, data: Tables | None = None
) -> tuple:
    """The councils' activity as :func:`activity_for` benchmarks it, the same whichever
    council asks: the counts (long, with why each is missing), the numerators and
    denominators of the percentages, the membership of each year and DfE's published totals."""
    data = data or tables.current()
    activity = council_frame(data.ehcp_activity, data.councils)
    activity = activity[activity["unit"].eq("count")]
    wide = activity.pivot_table(
        index=["year", "old_la_code"],
        columns="measure",
        values="value",
        aggfunc="first",
        dropna=False,
    ).reset_index()
    wide.columns.name = None
    info = activity.drop_duplicates(["year", "old_la_code"])[
        ["year", "old_la_code", "area_name", "region_name", "subregion"]
    ]
    wide = info.merge(wide, on=["year", "old_la_code"])
    # Activity in calendar year y was returned at the January y + 1 census.
    known = membership("year", sorted(set(wide["year"])), next_census, data)
    wide = wide.merge(known[["year", "old_la_code"]], on=["year", "old_la_code"])
    if boundaries == Boundaries.CONSISTENT:
        sums = [c for c in wide.columns if c not in info.columns]
        wide = joined_members(wide, sums, ["year"], next_census, found=joins(data))
        known = wide[["year", "old_la_code", "area_name", "region_name", "subregion"]]
    wide["net_change"] = wide["new_plans"] - wide["ceased_plans"]
    ids = ["year", "old_la_code", "area_name", "region_name", "subregion"]
    counts = [m for m, (_, numerator, _) in ACTIVITY.items() if numerator is None]
    ratios = {m: (n, d) for m, (_, n, d) in ACTIVITY.items() if n is not None}
    long_counts = wide.melt(id_vars=ids, value_vars=counts, var_name="measure", value_name="count")
    # Why a count is missing (suppressed, blank, excluded by the data check), for left_out.
    flags = activity[["year", "old_la_code", "measure", "flag"]].drop_duplicates(
        ["year", "old_la_code", "measure"]
    )
    net = (
        flags[flags["measure"].isin(["new_plans", "ceased_plans"])]
        .dropna(subset=["flag"])
        .drop_duplicates(["year", "old_la_code"])
        .assign(measure="net_change")
    )
    long_counts = long_counts.merge(
        pd.concat([flags, net], ignore_index=True),
        on=["year", "old_la_code", "measure"],
        how="left",
    )
    if boundaries == Boundaries.CONSISTENT:  # a joined group's sum is missing when a member's is
        grouped = long_counts["old_la_code"].isin(set(joins(data)["join"]))
        long_counts["flag"] = long_counts["flag"].mask(
            grouped & long_counts["count"].isna(), "incomplete"
        )
    long_ratios = pd.concat(
        [
            wide[ids].assign(measure=m, numerator=wide[n], denominator=wide[d])
            for m, (n, d) in ratios.items()
        ],
        ignore_index=True,
    )
    totals = data.ehcp_activity
    totals = totals[totals["unit"].eq("count")]
    return long_counts, long_ratios, known, published_totals(totals, "value", ["year", "measure"])


@tables.memoised
def activity_for(
    groups: tuple[Comparator, ...],
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The table of :func:`activity_benchmark` for any ``groups`` (its engine, and that of
    :func:`sendlib.measures.league.league`)."""
    data = data or tables.current()
    long_counts, long_ratios, known, published = activity_members(boundaries, data)
    counted = benchmark(
        long_counts,
        groups,
        "count",
        keys=["year", "measure"],
        flag="flag",
        members_by_period=known,
        published=published,
        councils=data.councils,
    )
    rated = benchmark(
        long_ratios,
        groups,
        "numerator",
        "denominator",
        scale=100,
        keys=["year", "measure"],
        members_by_period=known,
        value_label="count",
        denominator_label="count the percentage is of",
        councils=data.councils,
    )
    out = pd.concat(
        [
            counted.assign(unit="count", mean_rate=pd.NA),
            rated.assign(unit="percent", value=rated["rate"]),
        ],
        ignore_index=True,
    )
    out["label"] = out["measure"].map({m: label for m, (label, _, _) in ACTIVITY.items()})
    out = _in_measure_order(out)
    out = out.rename(columns={"mean_rate": "mean_value"})
    out = out[out["n_members"].gt(0)]
    table = (
        out[COLUMNS]
        .reset_index(drop=True)
        .astype({"measure": "string", "label": "string", "unit": "string", "mean_value": "Float64"})
    )
    return describe(table, "activity", area="comparator", units=_UNITS)


_UNITS = {"n_members": "count"}
COLUMNS = [
    *("year", "comparator", "role", "measure", "label", "unit"),
    *("value", "mean_value", "n_members", "left_out"),
]
"""The columns of :func:`activity_benchmark`, in order."""


def _in_measure_order(out: pd.DataFrame) -> pd.DataFrame:
    """Rows by measure (as :data:`ACTIVITY` lists them), year, role, then as given."""
    order = {m: i for i, m in enumerate(ACTIVITY)}
    return (
        out.assign(_m=out["measure"].map(order), _r=out["role"].map(ROLE_ORDER))
        .sort_values(["_m", "year", "_r"], kind="stable")
        .drop(columns=["_m", "_r"])
        .reset_index(drop=True)
    )
