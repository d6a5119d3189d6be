"""Comparators and the one engine that turns council figures into a figure per comparator.

A **comparator** is a named group of councils: the council itself, its 10 statistical
neighbours, its region (Inner or Outer London for a London borough), England, or any list a
user gives. One engine, :func:`benchmark`, turns a tidy frame of council figures into one
figure per comparator, and each measure is defined once on top of it:

* **counts** (plans, requests...): the comparator's figure is the **sum** of its members. It is
  missing when any member's figure is missing, so a sum never quietly loses a council.
* **rates and shares** (plans per 1,000 children, % of requests refused...): two figures, as
  DfE's tools differ: ``rate``, the rate of the summed group (sum of numerators / sum of
  denominators), and ``mean_rate``, the mean of the members' own rates (what DfE's
  benchmarking tools show for statistical neighbours). The mean uses the members that have a
  figure; ``left_out`` names any that do not, and why. Charts say which of the two they use.

Region and England members are the councils that existed in that year (:func:`membership`),
so a council with no row is named as left out, never dropped; a region's or England's count is
DfE's published total, which the data check (:mod:`sendlib.quality`) tests the councils add
up to, and a test checks against the release.

The engine, :func:`benchmark`, on three councils in two groups:

>>> m = pd.DataFrame({"year": [2025] * 3, "old_la_code": ["1", "2", "3"],
...     "area_name": ["A", "B", "C"], "region_name": "R", "subregion": pd.NA,
...     "plans": [10, 30, None], "children": [1000, 1000, 500]})
>>> out = benchmark(m, [Comparator("A and B", "custom", ("1", "2")),
...                     Comparator("B and C", "custom", ("2", "3"))],
...                 "plans", "children", scale=1000)
>>> out[["comparator", "value", "rate", "mean_rate", "n_used", "left_out"]]
  comparator  value  rate  mean_rate  n_used                left_out
0    A and B   40.0  20.0       20.0       2
1    B and C   <NA>  30.0       30.0       1  C: no figure

A council's usual comparators:

>>> groups = comparators("Kingston upon Thames", sn_model="2021")
>>> [(g.name, len(g.members or ())) for g in groups]
[('Kingston upon Thames', 1), ('Statistical neighbours', 10), ('Outer London', 0), ('England', 0)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sendlib import tables
from sendlib.geography import comparison_region, find_council, statistical_neighbours
from sendlib.tables import Tables
from sendlib.vocab import describe_flag

ROLE_ORDER = {"council": 0, "neighbours": 1, "region": 2, "england": 3, "custom": 4}


@dataclass(frozen=True)
class Comparator:
    """A named group of councils.

    ``members`` is a fixed tuple of 3-digit codes (the council, its neighbours, a user's
    list); for a region or England it is ``None`` and the members are the councils DfE
    published in ``region`` (or in England) each year.
    """

    name: str
    role: str
    members: tuple[str, ...] | None = None
    region: str | None = None


class Comparators(tuple):
    """The comparators of a council, in the order reports show them, each also found by its
    role: ``.council``, ``.neighbours``, ``.region``, ``.england`` (``None`` where the set has
    no such group) and ``.custom`` (the user's groups).

    >>> groups = comparators("Kingston upon Thames", sn_model="2021")
    >>> groups.council.members, groups.region.name, len(groups.neighbours.members)
    (('314',), 'Outer London', 10)
    """

    def _role(self, role: str) -> Comparator | None:
        return next((g for g in self if g.role == role), None)

    council = property(lambda self: self._role("council"))
    neighbours = property(lambda self: self._role("neighbours"))
    region = property(lambda self: self._role("region"))
    england = property(lambda self: self._role("england"))
    custom = property(lambda self: tuple(g for g in self if g.role == "custom"))


def council_region_england(council: str | int, data: Tables | None = None) -> Comparators:
    """The comparators every council has, whatever the neighbour model: the council, its
    region (Inner or Outer London for a London borough) and England.

    >>> [g.name for g in council_region_england("Kingston upon Thames")]
    ['Kingston upon Thames', 'Outer London', 'England']
    """
    data = data or tables.current()
    found = find_council(council, data.councils, data.areas)
    region, _ = comparison_region(found)
    return Comparators(
        [
            Comparator(found["area_name"], "council", (found["old_la_code"],)),
            Comparator(region, "region", None, region),
            Comparator("England", "england"),
        ]
    )


@tables.memoised
def comparators(
    council: str | int,
    sn_model: str = "2025",
    custom: dict[str, Sequence[str | int]] | None = None,
    data: Tables | None = None,
) -> Comparators:
    """The usual comparators of a council, in the order reports show them.

    The council; the mean or sum of its 10 statistical neighbours in DfE's ``sn_model``; its
    region (Inner or Outer London for a London borough); England; then each ``custom`` group
    (a name and a list of councils by name or code).
    """
    data = data or tables.current()
    councils, areas = data.councils, data.areas
    own = council_region_england(council, data)
    neighbours = statistical_neighbours(
        council, data.statistical_neighbours, councils, areas, model=sn_model
    )
    groups = [
        own.council,
        Comparator("Statistical neighbours", "neighbours", tuple(neighbours["old_la_code"])),
        own.region,
        own.england,
    ]
    for name, members in (custom or {}).items():
        codes = tuple(find_council(m, councils, areas)["old_la_code"] for m in members)
        groups.append(Comparator(name, "custom", codes))
    return Comparators(groups)


def council_frame(table: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """The council rows of a tidy table, with each council's ``subregion`` (Inner/Outer London)
    from ``councils`` (the ``councils`` table).

    >>> data = tables.current()
    >>> frame = council_frame(data.caseload, data.councils)
    >>> sorted(frame["level"].unique()), "subregion" in frame
    (['council'], True)
    """
    rows = table[table["level"].eq("council")]
    return rows.merge(councils[["old_la_code", "subregion"]], on="old_la_code", how="left")


@tables.memoised
def council_years(data: Tables | None = None) -> pd.DataFrame:
    """Which councils existed at each January census, as DfE published them: one row per
    (year, council) with ``year``, ``old_la_code``, ``area_name``, ``region_name``,
    ``subregion``. DfE publishes a row for every council in every census it existed in (a
    suppressed figure is still a row), so this is the membership of regions and England."""
    data = data or tables.current()
    rows = council_frame(data.caseload, data.councils)
    columns = ["year", "old_la_code", "area_name", "region_name", "subregion"]
    return rows.drop_duplicates(["year", "old_la_code"])[columns].reset_index(drop=True)


def published_totals(table: pd.DataFrame, value: str, keys: Sequence[str]) -> pd.DataFrame:
    """DfE's published totals for regions, Inner/Outer London and England in a tidy table,
    for :func:`benchmark`'s ``published``: the ``keys``, ``comparator``, ``published``."""
    rows = table[table["level"].isin(["region", "inner_outer_london", "national"])]
    return rows[[*keys, "area_name", value]].rename(
        columns={"area_name": "comparator", value: "published"}
    )


def membership(
    column: str, periods: Sequence, census_year, data: Tables | None = None
) -> pd.DataFrame:
    """The councils that existed in each period of a table, for :func:`benchmark`.

    ``column`` names the table's period column, ``periods`` its values and ``census_year``
    maps a period to the January census inside it (a census year is itself; a calendar year
    of activity ``y`` was returned at January ``y + 1``; financial year 2021/22 holds January
    2022). Returns ``column``, ``old_la_code``, ``area_name``, ``region_name``,
    ``subregion``: a region or England has, in each period, exactly these members, so a
    council whose row is absent is named as left out rather than silently dropped.

    >>> m = membership("financial_year", ["2018/19", "2021/22"], lambda fy: int(fy[:4]) + 1)
    >>> ("928" in set(m.loc[m["financial_year"].eq("2021/22"), "old_la_code"]),
    ...  "940" in set(m.loc[m["financial_year"].eq("2021/22"), "old_la_code"]))
    (False, True)
    """
    return _membership(column, tuple(periods), census_year, data or tables.current())


@tables.memoised
def _membership(column: str, periods: tuple, census_year, data: Tables) -> pd.DataFrame:
    years = council_years(data)
    parts = [
        years[years["year"].eq(census_year(period))].drop(columns="year").assign(**{column: period})
        for period in periods
    ]
    columns = [column, "old_la_code", "area_name", "region_name", "subregion"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def council_spans(councils: pd.DataFrame) -> dict[str, str]:
    """Why a council has no row in a year it did not exist: its code -> "not a council then
    (published 2010 to 2019)", from the ``councils`` table."""
    return {
        r.old_la_code: f"not a council then (published {r.first_year} to {r.last_year})"
        for r in councils.itertuples()
    }


def benchmark(
    members: pd.DataFrame,
    groups: Sequence[Comparator],
    value: str,
    denominator: str | None = None,
    *,
    scale: float = 1.0,
    keys: Sequence[str] = ("year",),
    flag: str | None = None,
    value_label: str = "figure",
    denominator_label: str | None = None,
    members_by_period: pd.DataFrame | None = None,
    published: pd.DataFrame | None = None,
    councils: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One figure per comparator and key from council figures.

    ``members`` has one row per council and key: ``old_la_code``, ``area_name``,
    ``region_name``, ``subregion``, the ``keys`` columns, ``value`` and (for rates)
    ``denominator``; ``flag`` names the column saying why a value is missing;
    ``value_label`` and ``denominator_label`` name the two in ``left_out`` ("Poole: no
    population estimate").

    Returns a new frame: the keys, ``comparator``, ``role``, ``value`` (the sum; missing if any
    member's is), ``denominator`` (the sum), ``rate`` (``value / denominator * scale`` of the
    sums), ``mean_rate`` (mean of members' rates), ``n_members``, ``n_used`` (members with a
    rate), ``left_out`` (the members missing, and why).

    The sum is missing when any member's value is. The two rates use the members that have
    both figures (and a denominator above zero), and ``left_out`` names the others: read a
    rate with its ``left_out``. ``members_by_period`` (:func:`membership`) fixes each period's
    members of a region or England (:func:`expected_members`); ``published``
    (:func:`published_totals`) gives their totals as DfE published them
    (:func:`with_published_totals`); ``councils`` (the ``councils`` table) names members that
    have no row and says when a council existed. The steps, each a function:
    :func:`expected_members`, :func:`with_reasons`, :func:`aggregate`,
    :func:`with_published_totals`.
    (An example is in the module's note.)
    """
    keys = list(keys)
    if members.duplicated(["old_la_code", *keys]).any():
        raise ValueError("members has more than one row per council and key")
    every = expected_members(members, groups, keys, members_by_period, councils)
    every = with_reasons(
        every,
        value,
        denominator,
        scale=scale,
        flag=flag,
        labels=(value_label, denominator_label or denominator),
        members_by_period=members_by_period,
        keys=keys,
        councils=councils,
    )
    out = aggregate(every, keys, denominator, scale)
    if published is not None:
        out = with_published_totals(out, published, keys)
    order = {g.name: i for i, g in enumerate(groups)}
    out = out.assign(bm_order=out["comparator"].map(order)).sort_values(
        ["bm_order", *keys], kind="stable"
    )
    return out[[*keys, *_RESULT]].reset_index(drop=True).astype(_RESULT_TYPES)


_RESULT = [
    "comparator",
    "role",
    "value",
    "denominator",
    "rate",
    "mean_rate",
    "n_members",
    "n_used",
    "left_out",
]
_RESULT_TYPES = {
    "value": "Float64",
    "denominator": "Float64",
    "rate": "Float64",
    "mean_rate": "Float64",
    "comparator": "string",
    "role": "string",
    "left_out": "string",
    "n_members": "int64",
    "n_used": "int64",
}


def expected_members(
    members: pd.DataFrame,
    groups: Sequence[Comparator],
    keys: list[str],
    members_by_period: pd.DataFrame | None = None,
    councils: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The engine's first step: each group's member rows, one per member the group should have
    at each key (a missing council is a row with no figure, never a dropped row), with
    ``comparator`` and ``role``, groups in order (see :func:`benchmark` for the arguments).

    ``members_by_period`` (see :func:`membership`) says which councils existed in each period:
    a region or England then has exactly those members (a member with no row is left out and
    named, never dropped), and a fixed group's member that did not exist then is named as
    such. Without it a region or England is the councils that have rows.

    >>> m = pd.DataFrame({"year": [2025], "old_la_code": ["1"], "area_name": ["A"],
    ...     "region_name": "R", "subregion": pd.NA, "plans": [10]})
    >>> expected_members(m, [Comparator("A and B", "custom", ("1", "2"))], ["year"])[
    ...     ["old_la_code", "area_name", "plans"]].values.tolist()
    [['1', 'A', 10.0], ['2', '2', nan]]
    """
    names = members.drop_duplicates("old_la_code").set_index("old_la_code")["area_name"]
    if councils is not None:
        names = pd.concat([names, councils.set_index("old_la_code")["area_name"]])
    names = names[~names.index.duplicated()]
    all_keys = members[keys].drop_duplicates().reset_index(drop=True)
    fixed = _fixed_groups(members, groups, keys, all_keys, names)
    parts = [] if fixed is None else [fixed]
    for i, group in enumerate(groups):
        if group.members is not None:
            continue  # in ``fixed``, all at once
        if members_by_period is not None:
            known = members_by_period
            if group.role == "region":
                known = known[
                    known["region_name"].eq(group.region) | known["subregion"].eq(group.region)
                ]
            on = [c for c in keys if c in known.columns]
            expected = all_keys.merge(known, on=on) if on else all_keys.merge(known, how="cross")
            values = members.drop(
                columns=[c for c in ("area_name", "region_name", "subregion") if c in members]
            )
            part = expected.merge(values, on=["old_la_code", *keys], how="left")
        elif group.role == "region":
            part = members[
                members["region_name"].eq(group.region) | members["subregion"].eq(group.region)
            ]
        else:
            part = members
        parts.append(part.assign(comparator=group.name, role=group.role, bm_group=i))
    every = pd.concat(parts, ignore_index=True).sort_values("bm_group", kind="stable")
    return every.drop(columns="bm_group").reset_index(drop=True)


def _fixed_groups(members, groups, keys, all_keys, names) -> pd.DataFrame | None:
    """Every fixed group's expected rows (each key, then each member, in the group's order),
    matched to the members in one merge, not one merge a group (a league table has a group
    for each of 153 councils), with ``comparator``, ``role`` and ``bm_group`` (the group's
    position); ``None`` without fixed groups."""
    fixed = [(i, g) for i, g in enumerate(groups) if g.members is not None]
    if not fixed:
        return None
    tags = pd.DataFrame(
        [(i, n, code) for i, g in fixed for n, code in enumerate(g.members)],
        columns=["bm_group", "bm_member", "old_la_code"],
    )
    expected = (
        tags.merge(all_keys.assign(bm_key=range(len(all_keys))), how="cross")
        .sort_values(["bm_group", "bm_key", "bm_member"], kind="stable")
        .drop(columns=["bm_key", "bm_member"])
    )
    matched = expected.merge(members, on=["old_la_code", *keys], how="left")
    matched["area_name"] = matched["old_la_code"].map(names).fillna(matched["old_la_code"])
    matched["comparator"] = matched["bm_group"].map({i: g.name for i, g in fixed})
    matched["role"] = matched["bm_group"].map({i: g.role for i, g in fixed})
    return matched


def with_reasons(
    every: pd.DataFrame,
    value: str,
    denominator: str | None,
    *,
    scale: float = 1.0,
    flag: str | None = None,
    labels: tuple[str, str | None] = ("figure", None),
    members_by_period: pd.DataFrame | None = None,
    keys: Sequence[str] = ("year",),
    councils: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The engine's second step: each member row's figures as the engine sums them (``bm_num``,
    ``bm_used_num``, ``bm_used_den``, ``bm_rate``, ``bm_usable``, ``bm_missing``) and
    ``bm_why``, "Poole: no population estimate" where the row is missing or not usable.

    >>> e = pd.DataFrame({"year": [1, 1], "old_la_code": ["1", "2"], "area_name": ["A", "B"],
    ...     "plans": [5, None], "children": [0, 10]})
    >>> with_reasons(e, "plans", "children", labels=("count", "children"))["bm_why"].tolist()
    ['A: children is 0', 'B: no count']
    """
    value_label, denominator_label = labels
    num = every[value].astype("Float64")
    den = every[denominator].astype("Float64") if denominator else None
    no_value = num.isna()
    usable = ~no_value & den.notna() & den.gt(0).fillna(False) if denominator else ~no_value
    every = every.assign(
        bm_num=num,
        bm_missing=no_value,
        bm_used_num=num.where(usable),
        bm_used_den=den.where(usable) if denominator else pd.NA,
        bm_rate=(num / den * scale).where(usable) if denominator else pd.NA,
        bm_usable=usable,
    )
    if flag:
        why = every[flag].map(describe_flag).astype("string").replace("", pd.NA)
    else:
        why = pd.Series(pd.NA, index=every.index, dtype="string")
    why = why.fillna(f"no {value_label}")
    if denominator:
        zero = den.eq(0).fillna(False)
        why = why.mask(~no_value, f"no {denominator_label}").mask(
            ~no_value & zero, f"{denominator_label} is 0"
        )
    if members_by_period is not None:
        why = _not_then(every, why, no_value, members_by_period, keys, councils)
    every["bm_why"] = (every["area_name"].astype("string") + ": " + why).where(~usable | no_value)
    return every


def _not_then(every, why, no_value, members_by_period, keys, councils) -> pd.Series:
    """``why`` with "not a council then (published 2010 to 2019)" for a member with no figure
    in a period it did not exist in."""
    on = [c for c in keys if c in members_by_period.columns]
    existed = (
        every[[*on, "old_la_code"]]
        .merge(
            members_by_period[[*on, "old_la_code"]].assign(bm_existed=True),
            on=[*on, "old_la_code"],
            how="left",
        )["bm_existed"]
        .fillna(False)
        .astype(bool)  # not object: ~ on Python's True is -2, which is truthy
        .to_numpy()
    )
    absent = no_value & ~existed
    known = council_spans(councils) if councils is not None else {}
    spans = every.loc[absent, "old_la_code"].map(
        lambda code: known.get(code, "not a council in DfE's data")
    )
    return why.mask(absent, spans)


def aggregate(
    every: pd.DataFrame, keys: list[str], denominator: str | None, scale: float = 1.0
) -> pd.DataFrame:
    """The engine's third step: one row per key and group from :func:`with_reasons`' rows:
    ``value`` (the sum, missing if any member's is), ``denominator``, ``rate``, ``mean_rate``,
    ``n_members``, ``n_used`` and ``left_out`` (the ``bm_why`` of the group's rows, joined).

    >>> e = with_reasons(pd.DataFrame({"year": [1, 1], "old_la_code": ["1", "2"],
    ...     "area_name": ["A", "B"], "plans": [5, None], "comparator": "G", "role": "custom"}),
    ...     "plans", None)
    >>> aggregate(e, ["year"], None)[["value", "n_members", "n_used", "left_out"]].values.tolist()
    [[<NA>, 2, 1, 'B: no figure']]
    """
    by = [*keys, "comparator", "role"]
    grouped = every.groupby(by, sort=False, dropna=False)
    out = grouped.agg(
        value=("bm_num", "sum"),
        n_missing=("bm_missing", "sum"),
        n_members=("bm_num", "size"),
        used_num=("bm_used_num", "sum"),
        denominator=("bm_used_den", "sum"),
        mean_rate=("bm_rate", "mean"),
        n_used=("bm_usable", "sum"),
    ).reset_index()
    why = (
        every.dropna(subset=["bm_why"])
        .groupby(by, sort=False, dropna=False)["bm_why"]
        .agg("; ".join)
        .rename("left_out")
    )
    out = out.merge(why.reset_index(), on=by, how="left")
    out["left_out"] = out["left_out"].fillna("")
    out["value"] = out["value"].astype("Float64").mask(out["n_missing"] > 0)
    if denominator:
        has = out["n_used"] > 0
        out["denominator"] = out["denominator"].astype("Float64").where(has)
        out["rate"] = (out["used_num"].astype("Float64") / out["denominator"] * scale).where(has)
        out["mean_rate"] = out["mean_rate"].astype("Float64").where(has)
    else:
        out["denominator"] = pd.NA
        out["rate"] = pd.NA
        out["mean_rate"] = pd.NA
    return out


def with_published_totals(
    out: pd.DataFrame, published: pd.DataFrame, keys: list[str]
) -> pd.DataFrame:
    """The engine's last step: a region's or England's ``value`` replaced by DfE's published
    total where there is one (:func:`published_totals`), its ``left_out`` saying so where a
    member's figure is missing. The value then equals DfE's figure even where a member's
    figure is suppressed or was excluded by the data check (``left_out`` still names them, for
    the rates); the data check tests that councils add up to these totals
    (:mod:`sendlib.quality`).

    >>> out = pd.DataFrame({"year": [1], "comparator": ["England"], "role": ["england"],
    ...     "value": pd.array([pd.NA], dtype="Float64"), "left_out": ["Poole: suppressed"]})
    >>> pub = pd.DataFrame({"year": [1], "comparator": ["England"], "published": [7]})
    >>> with_published_totals(out, pub, ["year"])[["value", "left_out"]].values.tolist()
    [[7.0, "Poole: suppressed (the total is DfE's published figure, which counts them)"]]
    """
    totals = (
        out[[*keys, "comparator"]]
        .merge(published[[*keys, "comparator", "published"]], on=[*keys, "comparator"], how="left")[
            "published"
        ]
        .astype("Float64")
    )
    is_total = out["role"].isin(["region", "england"]).to_numpy() & totals.notna().to_numpy()
    note = " (the total is DfE's published figure, which counts them)"
    out = out.copy()
    out["left_out"] = out["left_out"].mask(
        is_total & out["left_out"].ne("") & out["value"].isna(), out["left_out"] + note
    )
    out["value"] = out["value"].mask(is_total, totals.to_numpy())
    return out
