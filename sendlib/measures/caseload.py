"""The EHCP caseload: statements plus EHC plans at each January census, 2010 to the latest.

>>> import sendlib
>>> kingston = sendlib.ehcp_caseload("Kingston upon Thames")
>>> kingston.set_index("year").loc[[2019, 2025], "ehcps"].tolist()
[1161, 1958]

Two releases are read: the 2022 release (January 2010-2022, statements and EHC plans counted
apart) and the 2025 release (January 2019-2025). Where they overlap (2019-2022) they agree
exactly (a test checks it) and the newer release is used.
"""

from __future__ import annotations

import pandas as pd

from sendlib import geography, tables
from sendlib.errors import ArgumentError
from sendlib.measures import arithmetic
from sendlib.measures.arguments import area_list, each_council
from sendlib.measures.comparators import ROLE_ORDER, Comparator, council_region_england
from sendlib.periods import BASE_YEAR
from sendlib.registry import describe
from sendlib.tables import Tables
from sendlib.vocab import AREA_COLUMNS, Boundaries

LEVELS = ("national", "region", "inner_outer_london", "council")


def _caseload_table(table: pd.DataFrame) -> pd.DataFrame:
    """A published table of areas, described (:func:`sendlib.registry.describe`)."""
    counts = {c: "count" for c in ("ehcps", "statements", "ehc_plans")}
    if "unit" in table:  # activity: counts and DfE's percentages side by side in ``value``
        return describe(table, "activity", area="area_name")
    return describe(table, "caseload", area="area_name", units=counts)


def find_area(area: str | int | list, table: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` for ``area``: a council (name or code), a region, Inner London,
    Outer London or England (name or code), or a list of them (their rows in that order), as
    :func:`sendlib.geography.find_area` resolves each: one area or an error (:class:`AmbiguousAreaError` for a name of two areas,
    :class:`UnknownAreaError` with the closest names when nothing matches); ``areas`` is the
    ``areas`` table."""
    parts, seen = [], set()
    for one in area_list(area):
        found = geography.find_area(one, areas)
        key = (
            found["level"],
            found["old_la_code"] if found["level"] == "council" else None,
            found["area_code"] if found["level"] != "council" else None,
        )
        if key in seen:  # "Kent", 886 and "E10000016" are one council: its rows once
            continue
        seen.add(key)
        if found["level"] == "council":
            parts.append(table[table["old_la_code"].eq(found["old_la_code"])])
        else:
            parts.append(
                table[table["level"].eq(found["level"]) & table["area_code"].eq(found["area_code"])]
            )
    return parts[0] if len(parts) == 1 else pd.concat(parts)


BOUNDARIES = tuple(Boundaries)


def ehcp_caseload(
    area: str | int | list | None = None,
    *,
    level: str | None = None,
    boundaries: str = "as published",
    data: Tables | None = None,
) -> pd.DataFrame:
    """Statements plus EHC plans at each January census, one row per (year, area).

    ``area`` picks one area: a council (any spelling of its name, its 3-digit or 9-character
    code), a region, ``Inner London``, ``Outer London`` or ``England``, or a list of them
    (``["Kent", "Medway"]``: each area's rows in turn); ``level`` picks every area of a level
    (``national``, ``region``, ``inner_outer_london``, ``council``).

    Columns: ``year`` (January census, int), ``level``, ``area_code``, ``old_la_code``,
    ``area_name``, ``region_code``, ``region_name``, ``ehcps`` (statements + EHC plans, nullable
    integer), ``ehcps_flag`` (why a figure is missing: see :mod:`sendlib.ingest.cells`),
    ``statements`` and ``ehc_plans`` (the two kinds apart; statements ended in 2018, flagged
    ``z`` after), each with a ``_flag``, and ``release`` (the DfE release the row comes from).

    Councils that merged or split are kept as published: Bournemouth, Poole and Dorset county
    (835) end in January 2019 and BCP and Dorset council (838) start in January 2020;
    Northamptonshire ends in 2021, North and West Northamptonshire start in 2022; Cumbria ends
    in 2023, Cumberland and Westmorland and Furness start in 2024. See
    :func:`sendlib.council_history`. With ``boundaries="consistent"`` each such group is one
    unbroken series instead (:func:`consistent_caseload`), named for what it joins; a council
    of the group gives the whole group's series.

    >>> england = ehcp_caseload("England")
    >>> int(england.loc[england["year"].eq(2017), "ehcps"].iloc[0])
    287290
    """
    if level is not None and level not in LEVELS:
        raise ArgumentError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    if boundaries not in BOUNDARIES:
        raise ArgumentError(
            f"boundaries must be one of {', '.join(BOUNDARIES)}; got {boundaries!r}"
        )
    data = data or tables.current()
    table = data.caseload
    if boundaries == Boundaries.CONSISTENT:
        found = joins(data)
        table = consistent_caseload(table, found)
        if area is not None:
            # A council of a joined group stands for the group.
            group_of = dict(zip(found["old_la_code"], found["join"], strict=True))
            picked = []
            for one in area_list(area):
                code = geography.find_area(one, data.areas).get("old_la_code")
                group = group_of.get(code) if isinstance(code, str) else None
                picked.append(
                    table[table["old_la_code"].eq(group)]
                    if group
                    else find_area(one, table, data.areas)
                )
            table = pd.concat(picked)
    elif area is not None:
        table = find_area(area, table, data.areas)
    if level is not None:
        table = table[table["level"].eq(level)]
    return _caseload_table(table.reset_index(drop=True))


@tables.memoised
def joins(data: Tables | None = None) -> pd.DataFrame:
    """The groups of councils joined for consistent boundaries
    (:func:`sendlib.geography.consistent_areas`)."""
    data = data or tables.current()
    return geography.consistent_areas(data.la_changes, data.councils)


def consistent_caseload(
    table: pd.DataFrame,
    joins_: pd.DataFrame,
    counts: tuple[str, ...] = ("statements", "ehc_plans", "ehcps"),
) -> pd.DataFrame:
    """The caseload ``table`` with each group of ``joins_`` (:func:`joins`) as one series
    (:func:`joined_members`, by January census): its councils' rows replaced by one row a
    year, named ``join_name``, ``old_la_code`` the group's (``join``), ``joined_from``
    naming the councils summed that year and each count's ``_flag`` naming any missing.
    Other rows are unchanged (``joined_from`` empty). ``counts`` are the columns summed
    (populations too, for rates).

    >>> t = ehcp_caseload("Dorset", boundaries="consistent").set_index("year")
    >>> t.loc[[2019, 2020], ["ehcps", "joined_from"]].values.tolist()
    [[4283, 'Bournemouth + Poole + Dorset (county council)'], [4982, 'Bournemouth, Christchurch and Poole + Dorset (unitary council)']]
    """
    joined = joined_members(table, list(counts), ["year"], names=True, found=joins_)
    order = {group: i for i, group in enumerate(dict.fromkeys(joins_["join"]))}
    grouped = joined["old_la_code"].isin(order)
    groups = joined[grouped].sort_values(
        ["old_la_code", "year"], key=lambda c: c.map(order) if c.name == "old_la_code" else c
    )
    kept = joined[~grouped].assign(joined_from="")
    return pd.concat([kept, groups])[[*table.columns, "joined_from"]].sort_values(
        ["year"], kind="stable"
    )


def consistent_groups(
    groups: tuple[Comparator, ...], data: Tables | None = None
) -> tuple[Comparator, ...]:
    """``groups`` with each council of a joined group (see
    :func:`sendlib.measures.caseload.joins`) replaced by the group, once: the council
    itself is then named for the join.

    >>> from sendlib.measures.comparators import comparators
    >>> [g.name for g in consistent_groups(tuple(comparators("North Northamptonshire")))][:1]
    ['Northamptonshire (North Northamptonshire + West Northamptonshire from January 2022)']
    """
    found = joins(data or tables.current())
    code = dict(zip(found["old_la_code"], found["join"], strict=True))
    name = dict(zip(found["join"], found["join_name"], strict=True))
    out = []
    for g in groups:
        if g.members is None:
            out.append(g)
            continue
        members = tuple(dict.fromkeys(code.get(m, m) for m in g.members))
        label = name.get(members[0], g.name) if g.role == "council" else g.name
        out.append(Comparator(label, g.role, members, g.region))
    return tuple(out)


def comparator_groups(
    council: str | int,
    sn_model: str = "2025",
    custom: dict | None = None,
    boundaries: str = Boundaries.AS_PUBLISHED,
    data: Tables | None = None,
) -> tuple[Comparator, ...]:
    """The council's comparators (:func:`sendlib.measures.comparators.comparators`), with each
    group of councils joined across a reorganisation as one where ``boundaries`` is
    "consistent" (:func:`consistent_groups`): the groups every benchmark puts through its
    engine."""
    from sendlib.errors import ArgumentError
    from sendlib.measures.comparators import comparators

    if boundaries not in BOUNDARIES:
        raise ArgumentError(
            f"boundaries must be 'as published' or 'consistent'; got {boundaries!r}"
        )
    data = data or tables.current()
    groups = tuple(comparators(council, sn_model, custom, data))
    if boundaries == Boundaries.CONSISTENT:
        groups = consistent_groups(groups, data)
    return groups


def _group_sums(part, values, absent, named, flags) -> dict:
    """Each of ``values`` summed over a group's councils: missing when a council of the group
    (``absent``: with no row) has no figure, its ``_flag`` (where ``flags`` has it) naming
    them."""
    row = {}
    for column in values:
        missing = [named[c] for c in part.loc[part[column].isna(), "old_la_code"]]
        missing += [named[c] for c in absent]
        row[column] = pd.NA if missing else part[column].sum()
        if f"{column}_flag" in flags:
            row[f"{column}_flag"] = (
                "; ".join(f"{m}: no figure" for m in missing) if missing else pd.NA
            )
    return row


def joined_members(
    frame: pd.DataFrame,
    values: list[str],
    keys: list[str],
    census_year=int,
    *,
    names: bool = False,
    found: pd.DataFrame,
) -> pd.DataFrame:
    """Council rows of ``frame`` (``old_la_code``, ``area_name``, the ``keys`` with ``year``
    first, the ``values``, any other columns) with the councils of each joined group
    (``found``: :func:`joins`) summed into one row per group and key: the group's councils
    before its change up to its first January census (``census_year`` maps a row's year to
    its census), those after from then on. A sum is missing when a council of that side has
    no row or no figure, and a value's ``_flag`` column (where ``frame`` has one) names
    them; a column of words keeps its value where the councils share it (``area_code``
    none), any other figure is missing. With ``names`` a
    ``joined_from`` column names the councils summed (the caseload, the benchmarks and the
    league all join councils here).

    >>> m = tables.current().caseload
    >>> m = m[m["level"].eq("council")][["year", "old_la_code", "area_name", "ehcps"]]
    >>> j = joined_members(m, ["ehcps"], ["year"], found=joins()).set_index(["year", "old_la_code"])
    >>> int(j.loc[(2019, "839"), "ehcps"]), int(j.loc[(2020, "839"), "ehcps"])
    (4283, 4982)
    """
    group_of = dict(zip(found["old_la_code"], found["join"], strict=True))
    named = dict(zip(found["old_la_code"], found["area_name"], strict=True))
    unsummed = {f"{c}_flag" for c in frame.columns if c not in values}  # its figure is missing
    words = [
        c
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c]) and c not in unsummed
    ]
    inside = frame["old_la_code"].isin(group_of)
    rows = frame[inside].assign(join=frame.loc[inside, "old_la_code"].map(group_of))
    out = []
    for (group, *key), part in rows.groupby(["join", *keys], sort=False, dropna=False):
        members = found[found["join"].eq(group)]
        first = int(members["first_year_after"].iloc[0])
        side = members[members["side"].eq("before" if census_year(key[0]) < first else "after")]
        absent = sorted(set(side["old_la_code"]) - set(part["old_la_code"]))
        row = {  # words the councils share (region, level, release) are the group's too
            column: part[column].iloc[0]
            if column in words and part[column].nunique(dropna=False) == 1
            else pd.NA
            for column in frame.columns
        }
        row.update(dict(zip(keys, key, strict=True)))
        # A group has its own name and code; a council's ONS code names that council only.
        row.update(old_la_code=group, area_name=members["join_name"].iloc[0])
        if "area_code" in row:
            row["area_code"] = pd.NA
        if names:
            row["joined_from"] = " + ".join(side["area_name"])
        row.update(_group_sums(part, values, absent, named, flags=frame.columns))
        out.append(row)
    joined = pd.DataFrame(out, columns=[*frame.columns, *(["joined_from"] if names else [])])
    for column in frame.columns:  # the frame's types (a column of NA would be objects)
        joined[column] = joined[column].astype(frame[column].dtype)
    return pd.concat([frame[~inside], joined], ignore_index=True)


def caseload_by_age(area: str | int | None = None, data: Tables | None = None) -> pd.DataFrame:
    """Statements + EHC plans by age band at each January: 2010-2022 (2022 release) and
    2024-2025 (2025 release); neither release gives ages for January 2023. Before 2015 the
    20 to 25 band did not exist (statements ended at 19).

    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``age_band`` (Under 5, 5 to 10,
    11 to 15, 16 to 19, 20 to 25), ``ehcps``, ``ehcps_flag``, ``release``.
    """
    data = data or tables.current()
    table = data.caseload_by_age
    return _caseload_table(
        (find_area(area, table, data.areas) if area is not None else table).reset_index(drop=True)
    )


def caseload_by_placement(
    area: str | int | None = None, data: Tables | None = None
) -> pd.DataFrame:
    """EHC plans by type of placement at each January (2019 onwards, the 2025 release).

    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``placement`` (DfE's column),
    ``placement_label``, ``placement_group`` (see :data:`sendlib.vocab.PLACEMENTS`),
    ``ehcps``, ``ehcps_flag``, ``release``.
    """
    data = data or tables.current()
    table = data.caseload_by_placement
    return _caseload_table(
        (find_area(area, table, data.areas) if area is not None else table).reset_index(drop=True)
    )


def caseload_by_need(area: str | int | None = None, data: Tables | None = None) -> pd.DataFrame:
    """EHC plans by primary need at the latest January (the 2025 release).

    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``primary_need``, ``ehcps``,
    ``ehcps_flag``, ``release``.
    """
    data = data or tables.current()
    table = data.caseload_by_need
    return _caseload_table(
        (find_area(area, table, data.areas) if area is not None else table).reset_index(drop=True)
    )


def ehcp_activity(
    area: str | int | None = None, measure: str | None = None, data: Tables | None = None
) -> pd.DataFrame:
    """New and ceased plans, requests, assessments and 20-week timeliness, by calendar year.

    ``year`` is the calendar year the activity happened in (reported at the next January).
    Columns: ``year``, :data:`~sendlib.vocab.AREA_COLUMNS`, ``measure`` (see
    :data:`sendlib.ingest.releases.ACTIVITY_MEASURES`), ``unit`` (count or percent), ``value``,
    ``flag``, ``release``. Percentages are as DfE published them, so Inner and Outer London
    have counts only.
    """
    data = data or tables.current()
    table = data.ehcp_activity
    if measure is not None:
        known = sorted(table["measure"].unique())
        if measure not in known:
            raise ArgumentError(f"unknown measure {measure!r}; the measures are {', '.join(known)}")
        table = table[table["measure"].eq(measure)]
    return _caseload_table(
        (find_area(area, table, data.areas) if area is not None else table).reset_index(drop=True)
    )


__all__ = [
    "ehcp_caseload",
    "caseload_by_age",
    "caseload_by_placement",
    "caseload_by_need",
    "ehcp_activity",
    "find_area",
    "AREA_COLUMNS",
]


@each_council
def caseload_with_comparators(
    council: str | int,
    *,
    latest: int | None = None,
    base_year: int = BASE_YEAR,
    data: Tables | None = None,
) -> pd.DataFrame:
    """The council's caseload beside its region and England, counted and indexed.

    One row per (year, area) up to the January census ``latest`` (all years if ``None``):
    ``year``, ``role``, ``area_name``, ``ehcps``, ``ehcps_flag``, ``index`` (``base_year`` =
    100; missing where either figure is).

    >>> t = caseload_with_comparators("Kingston upon Thames", latest=2019, base_year=2017)
    >>> t[t["year"].eq(2019)][["role", "index"]].round(1).values.tolist()
    [['council', 121.2], ['region', 121.7], ['england', 123.2]]
    """
    data = data or tables.current()
    table = data.caseload
    levels = {"region": ["region", "inner_outer_london"], "england": ["national"]}
    parts = []
    for group in council_region_england(council, data):
        if group.role == "council":
            rows = table[table["old_la_code"].eq(group.members[0])]
        else:
            rows = table[
                table["level"].isin(levels[group.role]) & table["area_name"].eq(group.name)
            ]
        parts.append(rows.assign(role=group.role))
    combined = pd.concat(parts, ignore_index=True)
    if latest is not None:
        combined = combined[combined["year"].le(latest)]
    base = combined[combined["year"].eq(base_year)].set_index("role")["ehcps"]
    index = arithmetic.index_to(combined["ehcps"], combined["role"].map(base))
    table = combined.assign(index=index)[
        ["year", "role", "area_name", "ehcps", "ehcps_flag", "index"]
    ].sort_values(
        ["year", "role"],
        key=lambda s: s.map(ROLE_ORDER) if s.name == "role" else s,
        ignore_index=True,
    )
    return describe(
        table, "benchmark", area="area_name", units={"ehcps": "count", "index": "index"}
    )
